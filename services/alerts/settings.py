"""Settings of the alert service (environment prefix ``PLADECO_``)."""

from pydantic import Field

from shared.settings import ServiceSettings


class AlertSettings(ServiceSettings):
    http_port: int = Field(8003, ge=1, le=65535)
