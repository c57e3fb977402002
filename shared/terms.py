"""The terms every part uses, defined once: the initiative statuses and their Spanish labels, the
thresholds that judge them, and the alert severities.

The scorecard judges with these (services/indicators/scorecard.py), events carry them
(shared/events.py), the alert rules and the notifier name them, and the Grafana generator colours
them. The SQL views write the same Spanish labels (migrations 0005 and 0010); a unit test checks
that the two agree.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal


class InitiativeStatus(StrEnum):
    """Where an initiative stands as of the day it is judged on (docs/scorecard.md)."""

    NO_DATA = "no_data"
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    LATE = "late"
    OVERDUE = "overdue"
    DONE = "done"


STATUS_LABELS: dict[InitiativeStatus, str] = {
    InitiativeStatus.ON_TRACK: "En plazo",
    InitiativeStatus.AT_RISK: "En riesgo",
    InitiativeStatus.LATE: "Atrasada",
    InitiativeStatus.OVERDUE: "Vencida",
    InitiativeStatus.DONE: "Terminada",
    InitiativeStatus.NOT_STARTED: "No iniciada",
    InitiativeStatus.NO_DATA: "Sin informes",
}
"""What staff and citizens read for each status."""

SPI_ON_TRACK = 0.95
"""An SPI(t) at or above this is on track."""
SPI_AT_RISK = 0.85
"""An SPI(t) at or above this (and below ``SPI_ON_TRACK``) is at risk; below it, late."""
CPI_AT_RISK = 0.90
"""A CPI below this turns an on-track initiative into an at-risk one."""

Severity = Literal["info", "warning", "critical"]
"""How urgent an alert is."""

SEVERITY_LABELS: dict[str, str] = {"critical": "Crítica", "warning": "Advertencia", "info": "Informativa"}
"""What recipients and boards read for each severity."""
