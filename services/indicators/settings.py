"""Settings of the indicator service (environment prefix ``PLADECO_``)."""

import datetime as dt

from pydantic import AwareDatetime, Field

from shared.settings import ServiceSettings


class IndicatorSettings(ServiceSettings):
    http_port: int = Field(8002, ge=1, le=65535)
    indicators_consumer_group: str = Field(
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
    indicators_judgement_interval_s: float = Field(
        300.0, gt=0, description="How often the initiatives are judged again as of today (a new day changes "
        "PV, SPI(t) and the status without any report)."
    )
    indicators_clock_start: AwareDatetime | None = Field(
        None, description="Start the service's clock at this instant (it then runs at real speed): the day "
        "figures are judged as of, for simulations and tests; unset in production.",
    )

    def clock_offset(self, now: dt.datetime) -> dt.timedelta:
        return (self.indicators_clock_start - now) if self.indicators_clock_start else dt.timedelta(0)
