"""Settings of the notifier (environment prefix ``PLADECO_``)."""

from pydantic import Field

from shared.settings import ServiceSettings


class NotifierSettings(ServiceSettings):
    http_port: int = Field(8004, ge=1, le=65535)
    smtp_host: str = Field("127.0.0.1", description="SMTP server that relays notifications.")
    smtp_port: int = Field(1025, ge=1, le=65535)
