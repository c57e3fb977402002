"""Settings of the ingest service (environment prefix ``PLADECO_``)."""

from pydantic import Field

from shared.settings import ServiceSettings


class IngestSettings(ServiceSettings):
    http_port: int = Field(8001, ge=1, le=65535)
    publish_retry_after_s: int = Field(
        30, ge=1, description="Retry-After sent with a 503 when Kafka cannot take an update."
    )
