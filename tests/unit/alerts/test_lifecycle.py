"""The alert lifecycle on made-up evaluations: one alert per fingerprint, pending before firing
where two evaluations are required, silences, resolution and escalation."""

from __future__ import annotations

import datetime as dt
import uuid

from services.alerts.lifecycle import (
    Announce,
    Confirm,
    Escalate,
    OpenAlert,
    Raise,
    Resolve,
    Silence,
    escalations,
    reconcile,
)
from services.alerts.rules import Finding

NOW = dt.datetime(2023, 6, 15, 12, 0, tzinfo=dt.UTC)


def finding(rule: str = "hito_vencido", subject: str = "INI-010-H1", consecutive: int = 1,
            evidence: str = "3|2023-06-01") -> Finding:
    return Finding(rule=rule, kind="milestone_overdue", severity="warning", initiative_code="INI-010",
                   subject_code=subject, title="t", message="m", explanation="e", action="a",
                   consecutive_required=consecutive, evidence=evidence)


def open_alert(state: str = "firing", consecutive: int = 1, announced: bool = True, level: int = 0,
               raised_at: dt.datetime | None = NOW, subject: str = "INI-010-H1", rule: str = "hito_vencido",
               evidence: str = "3|2023-06-01") -> OpenAlert:
    return OpenAlert(uuid.uuid4(), f"{rule}:{subject}", rule, "INI-010", state, consecutive, announced, level, raised_at,
                     evidence)


def test_a_new_finding_fires_and_is_announced():
    [change] = reconcile([], [finding()], now=NOW, silences=[])
    assert change == Raise(finding(), "firing", announce=True)


def test_a_finding_already_open_changes_nothing_but_its_text():
    alert = open_alert()
    [change] = reconcile([alert], [finding()], now=NOW, silences=[])
    assert change == Confirm(alert.alert_id, finding(), fire=False, announce=False, counted=False)


def test_a_rule_needing_two_evaluations_is_pending_then_fires():
    [first] = reconcile([], [finding(consecutive=2)], now=NOW, silences=[])
    assert first == Raise(finding(consecutive=2), "pending", announce=False)
    pending = open_alert(state="pending", consecutive=1, announced=False, raised_at=None, evidence="3|2023-06-01")
    newer = finding(consecutive=2, evidence="4|2023-07-01")  # a new report came in
    [second] = reconcile([pending], [newer], now=NOW, silences=[])
    assert second == Confirm(pending.alert_id, newer, fire=True, announce=True, counted=True)


def test_ticks_re_reading_the_same_reports_never_page():
    """Many evaluations of the same facts: the pending alert is not counted again, so it never fires."""
    [raised] = reconcile([], [finding(consecutive=2)], now=NOW, silences=[])
    alert = open_alert(state="pending", consecutive=1, announced=False, raised_at=None)
    for tick in range(1, 100):
        [change] = reconcile([alert], [finding(consecutive=2)], now=NOW + dt.timedelta(minutes=tick), silences=[])
        assert change == Confirm(alert.alert_id, finding(consecutive=2), fire=False, announce=False, counted=False)
    assert raised.state == "pending"


def test_a_pending_alert_whose_condition_clears_goes_away_silently():
    pending = open_alert(state="pending", announced=False, raised_at=None)
    [change] = reconcile([pending], [], now=NOW, silences=[])
    assert change == Resolve(pending.alert_id, announce=False, resolution="la condición dejó de cumplirse")


def test_a_firing_or_acknowledged_alert_resolves_when_the_condition_clears():
    firing, acknowledged = open_alert(), open_alert(state="acknowledged", subject="INI-010-H2")
    changes = reconcile([firing, acknowledged], [], now=NOW, silences=[])
    assert [(c.alert_id, c.announce) for c in changes] == [(firing.alert_id, True), (acknowledged.alert_id, True)]


def test_a_silence_mutes_the_announcement_until_it_ends():
    silence = Silence(rule=None, initiative_code="INI-010", ends_at=NOW + dt.timedelta(days=10))
    [raised] = reconcile([], [finding()], now=NOW, silences=[silence])
    assert raised == Raise(finding(), "firing", announce=False)
    muted = open_alert(announced=False)
    assert reconcile([muted], [finding()], now=NOW, silences=[silence]) == [
        Confirm(muted.alert_id, finding(), fire=False, announce=False, counted=False)]
    later = NOW + dt.timedelta(days=11)  # the silence expired; the alert still fires
    assert Announce(muted.alert_id) in reconcile([muted], [finding()], now=later, silences=[silence])


def test_a_silence_of_another_rule_does_not_mute():
    silence = Silence(rule="spi_bajo", initiative_code=None, ends_at=NOW + dt.timedelta(days=10))
    [raised] = reconcile([], [finding()], now=NOW, silences=[silence])
    assert raised.announce is True


def test_escalation_to_the_department_head_then_the_management_unit():
    raised = NOW - dt.timedelta(days=4)
    alert = open_alert(raised_at=raised)
    after = {"department_head_after": dt.timedelta(days=3), "management_unit_after": dt.timedelta(days=7)}
    assert escalations([alert], now=NOW, **after) == [Escalate(alert.alert_id, 1)]
    assert escalations([open_alert(raised_at=raised, level=1)], now=NOW, **after) == []
    old = open_alert(raised_at=NOW - dt.timedelta(days=8), level=1)
    assert escalations([old], now=NOW, **after) == [Escalate(old.alert_id, 2)]


def test_acknowledged_and_unannounced_alerts_do_not_escalate():
    after = {"department_head_after": dt.timedelta(days=3), "management_unit_after": dt.timedelta(days=7)}
    raised = NOW - dt.timedelta(days=5)
    assert escalations([open_alert(state="acknowledged", raised_at=raised),
                        open_alert(announced=False, raised_at=raised)], now=NOW, **after) == []
