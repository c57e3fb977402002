"""The alert lifecycle, with no I/O: from what the rules found now and the alerts already open,
what changes (raise, confirm, refresh, announce, resolve, escalate).

- One open alert per fingerprint (rule + subject).
- A rule that needs ``consecutive`` evaluations starts its alert as *pending*; it fires when the
  condition held at that many evaluations in a row **that saw new evidence** (the finding's
  evidence token differs from the one stored with the alert: a new report). A periodic tick
  re-reading the same facts never counts, so one odd report cannot page anyone however often it is
  re-evaluated (the forecast rules use 2). A pending alert whose condition clears disappears
  without a word.
- firing → acknowledged (by a person) → resolved (automatically, when the condition clears).
- A silenced alert still fires and resolves, but is not announced (no ``alert.raised``) while the
  silence lasts; if it still fires when the silence ends, it is announced then. Silences expire.
- Escalation of announced, unacknowledged alerts: to the department head after
  ``department_head_after``, to the plan management unit after ``management_unit_after``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from services.alerts.rules import Finding


@dataclass(frozen=True)
class OpenAlert:
    alert_id: UUID
    fingerprint: str
    rule: str
    initiative_code: str
    state: str  # pending | firing | acknowledged
    consecutive: int
    announced: bool
    escalation_level: int
    raised_at: dt.datetime | None
    evidence: str | None = None
    """The evidence token of the last finding counted."""


@dataclass(frozen=True)
class Silence:
    rule: str | None
    initiative_code: str | None
    ends_at: dt.datetime

    def mutes(self, rule: str, initiative_code: str, now: dt.datetime) -> bool:
        return (now < self.ends_at and self.rule in (None, rule)
                and self.initiative_code in (None, initiative_code))


@dataclass(frozen=True)
class Raise:
    finding: Finding
    state: str  # pending or firing
    announce: bool


@dataclass(frozen=True)
class Confirm:
    alert_id: UUID
    finding: Finding
    fire: bool
    announce: bool
    counted: bool = True
    """The finding saw new evidence: ``consecutive`` grows by one and the token is stored."""


@dataclass(frozen=True)
class Announce:
    alert_id: UUID


@dataclass(frozen=True)
class Resolve:
    alert_id: UUID
    announce: bool
    resolution: str


@dataclass(frozen=True)
class Escalate:
    alert_id: UUID
    level: int


Change = Raise | Confirm | Announce | Resolve | Escalate


def muted(silences: list[Silence], rule: str, initiative_code: str, now: dt.datetime) -> bool:
    return any(silence.mutes(rule, initiative_code, now) for silence in silences)


def reconcile(
    open_alerts: list[OpenAlert], findings: list[Finding], *, now: dt.datetime, silences: list[Silence],
) -> list[Change]:
    """The changes that bring the open alerts of the evaluated initiatives in line with the
    findings of this evaluation."""
    changes: list[Change] = []
    by_fingerprint = {alert.fingerprint: alert for alert in open_alerts}
    found = {finding.fingerprint: finding for finding in findings}
    for fingerprint, finding in found.items():
        alert = by_fingerprint.get(fingerprint)
        silent = muted(silences, finding.rule, finding.initiative_code, now)
        if alert is None:
            fires = finding.consecutive_required <= 1
            changes.append(Raise(finding, "firing" if fires else "pending", announce=fires and not silent))
        elif alert.state == "pending":
            new = finding.evidence != alert.evidence
            fires = new and alert.consecutive + 1 >= finding.consecutive_required
            changes.append(Confirm(alert.alert_id, finding, fire=fires, announce=fires and not silent, counted=new))
        else:
            changes.append(Confirm(alert.alert_id, finding, fire=False, announce=False,
                                   counted=finding.evidence != alert.evidence))
            if not alert.announced and not silent:
                changes.append(Announce(alert.alert_id))
    for fingerprint, alert in by_fingerprint.items():
        if fingerprint not in found:
            changes.append(Resolve(alert.alert_id, announce=alert.announced and alert.state != "pending",
                                   resolution="la condición dejó de cumplirse"))
    return changes


def escalations(
    open_alerts: list[OpenAlert], *, now: dt.datetime, department_head_after: dt.timedelta,
    management_unit_after: dt.timedelta,
) -> list[Escalate]:
    changes = []
    for alert in open_alerts:
        if alert.state != "firing" or not alert.announced or alert.raised_at is None:
            continue
        age = now - alert.raised_at
        level = 2 if age >= management_unit_after else 1 if age >= department_head_after else 0
        if level > alert.escalation_level:
            changes.append(Escalate(alert.alert_id, level))
    return changes
