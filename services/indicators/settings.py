"""Settings of the indicator service (environment prefix ``PLADECO_``)."""

from pydantic import Field

from shared.settings import ServiceSettings


class IndicatorSettings(ServiceSettings):
    http_port: int = Field(8002, ge=1, le=65535)
    consumer_group: str = Field(
        "pladeco-indicators", description="Kafka consumer group of the indicator service."
    )
