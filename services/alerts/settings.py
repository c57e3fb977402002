"""Settings of the alert service (environment prefix ``PLADECO_``)."""

import datetime as dt
from pathlib import Path

from pydantic import AwareDatetime, Field

from shared.settings import PROJECT_ROOT, CommonSettings, LinkSecretSettings


class AlertRulesSettings(CommonSettings):
    """Where the rules file is: for the alert service, and for a replay that evaluates them."""

    alerts_rules_file: Path = Field(PROJECT_ROOT / "deploy" / "alert-rules.yaml", description="The rules file (YAML).")


class AlertSettings(LinkSecretSettings, AlertRulesSettings):
    http_port: int = Field(8003, ge=1, le=65535)
    alerts_tick_s: float = Field(
        60.0, gt=0, description="How often every initiative is evaluated, escalations checked and the rules file reread."
    )
    alerts_consumer_group: str = Field("pladeco-alerts", description="Consumer group of pladeco.indicators.")
    alerts_clock_start: AwareDatetime | None = Field(
        None, description="Start the service's clock at this instant (it then runs at real speed): for "
        "simulations, demos and tests; unset in production.",
    )

    def clock_offset(self, now: dt.datetime) -> dt.timedelta:
        return (self.alerts_clock_start - now) if self.alerts_clock_start else dt.timedelta(0)
