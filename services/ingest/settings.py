"""Settings of the ingest service (environment prefix ``PLADECO_``)."""

from pydantic import Field

from shared.settings import ServiceSettings


class IngestSettings(ServiceSettings):
    http_port: int = Field(8001, ge=1, le=65535)
    publish_retry_after_s: int = Field(
        30, ge=1, description="Retry-After sent with a 503 when Kafka or PostgreSQL cannot take an update."
    )
    ingest_max_body_bytes: int = Field(
        1_048_576, ge=1024, description="Largest JSON body POST /v1/progress reads (413 above)."
    )
    ingest_max_upload_bytes: int = Field(
        5_242_880, ge=1024, description="Largest spreadsheet POST /v1/progress/upload reads (413 above)."
    )
    ingest_report_grace_days: int = Field(
        365, ge=0, description="Days after the plan's end during which reports (closing figures) are "
        "still accepted; as-of dates later than that are refused.",
    )
    ingest_catalogue_ttl_s: float = Field(
        5.0, gt=0, description="Seconds the plan facts used for validation are cached; an unknown "
        "initiative triggers an immediate reload.",
    )
    ingest_raw_consumer_group: str = Field(
        "pladeco-ingest-raw", description="Consumer group of the raw progress topic."
    )
