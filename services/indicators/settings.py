"""Settings of the indicator service (environment prefix ``PLADECO_``)."""

from pydantic import Field

from shared.settings import ServiceSettings


class IndicatorSettings(ServiceSettings):
    http_port: int = Field(8002, ge=1, le=65535)
    consumer_group: str = Field(
        "pladeco-indicators", description="Kafka consumer group of the indicator service."
    )
    indicators_max_batch: int = Field(
        2000, ge=1, le=10_000, description="Progress events applied together in one transaction at most."
    )
    indicators_outbox_interval_s: float = Field(
        2.0, gt=0, description="How often leftover indicators.updated events are published (after a crash)."
    )
    indicators_lag_interval_s: float = Field(
        15.0, gt=0, description="How often the consumer lag gauge is refreshed."
    )
