"""Every early-warning rule on a made-up initiative whose answer can be checked by hand, and the
rules file: the project's own loads; a wrong one is refused naming the rule and the field."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from services.alerts.forecast import Observation
from services.alerts.rules import (
    IndicatorFacts, InitiativeFacts, MilestoneFacts, PredecessorFacts, Rule, RulesError, evaluate, load_rules,
    parse_duration, parse_rules,
)
from tests.conftest import ROOT

TODAY = dt.date(2023, 6, 15)


def rule(kind: str, **params) -> Rule:
    return Rule(name=kind, kind=kind, severity="warning", title="{initiative_code}", message="m", action="a", **params)


def ruleset_of(*rules: Rule):
    return parse_rules({"version": 1, "escalation": {"department_head_after": "3d", "management_unit_after": "7d"},
                        "rules": [r.model_dump() for r in rules]}, source="test")


# A water-supply works in Socoroma: 2023-01-01 → 2023-12-31, $100.000.000.
WORKS = InitiativeFacts(
    code="INI-010", name="Agua potable Socoroma", department_code="DOM", start=dt.date(2023, 1, 1),
    end=dt.date(2023, 12, 31), budget_clp=100_000_000, status="on_track", spi=1.0, cpi=1.0,
    physical_progress_pct=45.0, actual_cost_clp=45_000_000, last_report_as_of=dt.date(2023, 6, 1),
)


def findings(kind: str, facts: InitiativeFacts = WORKS, today: dt.date = TODAY, **params):
    return evaluate(ruleset_of(rule(kind, **params)), facts, today)


def test_a_milestone_past_due_and_not_done_is_overdue():
    facts = dataclasses.replace(WORKS, milestones=(
        MilestoneFacts("INI-010-H1", "Contrato firmado", dt.date(2023, 6, 10), None, None),      # 5 days late
        MilestoneFacts("INI-010-H2", "Obras iniciadas", dt.date(2023, 6, 1), "done", dt.date(2023, 6, 1)),
        MilestoneFacts("INI-010-H3", "Recepción", dt.date(2023, 12, 1), None, None),            # not yet due
    ))
    [found] = findings("milestone_overdue", facts)
    assert (found.subject_code, found.details["days_overdue"]) == ("INI-010-H1", 5)
    assert found.fingerprint == "milestone_overdue:INI-010-H1"
    assert findings("milestone_overdue", facts, grace_days=5) == []  # 5 days is within a 5-day grace


def test_a_milestone_due_soon_alerts_only_when_the_initiative_is_behind():
    soon = (MilestoneFacts("INI-010-H2", "Obras iniciadas", dt.date(2023, 6, 25), "in_progress", None),)  # 10 days
    behind = dataclasses.replace(WORKS, spi=0.80, milestones=soon)
    on_time = dataclasses.replace(WORKS, spi=1.02, milestones=soon)
    assert [f.details["days_left"] for f in findings("milestone_due_soon", behind, within_days=14, threshold=0.95)] == [10]
    assert findings("milestone_due_soon", on_time, within_days=14, threshold=0.95) == []
    assert findings("milestone_due_soon", behind, within_days=7, threshold=0.95) == []


def test_a_silent_initiative_is_reminded_after_the_set_days():
    # Last report 2023-06-01; on 2023-07-20 that is 49 days.
    [found] = findings("silent_initiative", today=dt.date(2023, 7, 20), days=45)
    assert found.details["days_silent"] == 49
    assert findings("silent_initiative", today=dt.date(2023, 7, 10), days=45) == []  # 39 days
    never = dataclasses.replace(WORKS, last_report_as_of=None)
    assert findings("silent_initiative", never, today=dt.date(2023, 2, 20), days=45)[0].details["days_silent"] == 50
    finished = dataclasses.replace(WORKS, status="done")
    assert findings("silent_initiative", finished, today=dt.date(2023, 12, 20), days=45) == []


def test_spi_and_cpi_below_their_thresholds():
    late = dataclasses.replace(WORKS, spi=0.80, cpi=0.85, physical_progress_pct=36.0)
    [spi] = findings("spi_below", late, threshold=0.85)
    assert spi.details["spi"] == 0.80
    assert "45,0 %" in spi.explanation  # planned = 36 / 0.80 = 45 %
    assert [f.details["cpi"] for f in findings("cpi_below", late, threshold=0.90)] == [0.85]
    assert findings("spi_below", WORKS, threshold=0.85) == [] and findings("cpi_below", WORKS, threshold=0.90) == []


def test_an_indicator_whose_efficacy_is_below_threshold():
    facts = dataclasses.replace(WORKS, indicators=(
        IndicatorFacts("INI-010-I1", "Viviendas con agua", "viviendas", 20, 65, dt.date(2023, 12, 31), 38, 40.0),
        IndicatorFacts("INI-010-I2", "Pérdida de agua", "%", 40, 15, dt.date(2023, 12, 31), 20, 80.0),
    ))
    assert [f.subject_code for f in findings("indicator_efficacy_below", facts, threshold=60)] == ["INI-010-I1"]


def test_a_budget_overrun_beyond_the_tolerance():
    over = dataclasses.replace(WORKS, actual_cost_clp=108_000_000)
    [found] = findings("budget_overrun", over, tolerance_pct=5)   # 108 > 100 × 1.05
    assert found.details["overrun_pct"] == pytest.approx(8.0)
    assert findings("budget_overrun", over, tolerance_pct=10) == []  # 108 ≤ 110


def test_a_late_predecessor_puts_its_successor_at_risk():
    design = PredecessorFacts("INI-009", "Diseño agua potable", dt.date(2023, 3, 31), "at_risk", 80.0)
    facts = dataclasses.replace(WORKS, predecessors=(design,))
    [found] = findings("predecessor_late", facts)   # due 2023-03-31, not done on 2023-06-15
    assert found.subject_code == "INI-010<INI-009"
    done = dataclasses.replace(design, status="done", physical_progress_pct=100.0)
    assert findings("predecessor_late", dataclasses.replace(WORKS, predecessors=(done,))) == []


def test_the_completion_forecast_fires_for_a_stalled_initiative_and_explains_itself():
    # 10 % on 2023-02-01 then stuck near 20 % for four months: far from 100 % by 2023-12-31.
    stalled = dataclasses.replace(WORKS, progress_history=tuple(
        Observation(day, pct) for day, pct in [(dt.date(2023, 2, 1), 10.0), (dt.date(2023, 3, 1), 18.0),
                                               (dt.date(2023, 4, 1), 19.0), (dt.date(2023, 5, 1), 20.0),
                                               (dt.date(2023, 6, 1), 20.0)]))
    [found] = findings("completion_forecast", stalled, consecutive=2)
    assert found.consecutive_required == 2
    # the start anchor (0 % on 2023-01-01) and the five reports
    assert found.details["points"] == 6
    assert found.details["projected"] > "2023-12-31"
    assert "6 puntos" in found.explanation and "31-12-2023" in found.explanation
    steady = dataclasses.replace(WORKS, progress_history=tuple(
        Observation(dt.date(2023, 1, 1) + dt.timedelta(days=30 * i), 9.0 * i) for i in range(1, 6)))
    assert findings("completion_forecast", steady) == []  # 9 % a month: done by mid-November


def test_too_few_points_give_no_forecast_alert():
    one = dataclasses.replace(WORKS, start=dt.date(2023, 6, 1), progress_history=(Observation(dt.date(2023, 6, 1), 1.0),))
    assert findings("completion_forecast", one) == []


def test_the_project_rules_file_loads():
    ruleset = load_rules(ROOT / "deploy" / "alert-rules.yaml")
    assert {r.kind for r in ruleset.rules} == {
        "milestone_overdue", "milestone_due_soon", "silent_initiative", "spi_below", "cpi_below",
        "indicator_efficacy_below", "budget_overrun", "predecessor_late", "completion_forecast", "indicator_forecast"}
    assert ruleset.escalation.department_head_after == dt.timedelta(days=3)


@pytest.mark.parametrize(("change", "expected"), [
    (lambda r: r["rules"][0].update(kind="milestone_late"), "regla 1 (hito_vencido).kind"),
    (lambda r: r["rules"][3].pop("threshold"), "regla 4 (spi_bajo).threshold: la regla spi_below necesita un umbral"),
    (lambda r: r["rules"][0].update(title="Hito {milestone_nombre}"), "variables desconocidas milestone_nombre"),
    (lambda r: r["escalation"].update(department_head_after="tres días"), "duración inválida"),
    (lambda r: r["rules"].append(dict(r["rules"][0])), "nombre repetido"),
])
def test_a_wrong_rules_file_is_refused_naming_the_rule_and_field(tmp_path: Path, change, expected):
    import yaml

    raw = yaml.safe_load((ROOT / "deploy" / "alert-rules.yaml").read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulesError) as refused:
        load_rules(path)
    assert str(path) in str(refused.value) and expected in str(refused.value)


def test_durations():
    assert parse_duration("90s") == dt.timedelta(seconds=90)
    assert parse_duration("3d") == dt.timedelta(days=3)
    with pytest.raises(ValueError, match="duración inválida"):
        parse_duration("3 semanas")
