"""Every early-warning rule on a made-up initiative whose answer can be checked by hand, and the
rules file: the project's own loads; a wrong one is refused naming the rule and the field."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from services.alerts.kinds import evaluate
from services.alerts.rules import (
    IndicatorFacts,
    InitiativeFacts,
    MilestoneFacts,
    PredecessorFacts,
    Rule,
    RulesError,
    load_rules,
    parse_duration,
    parse_rules,
)
from services.alerts.trend import Observation
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


# The stall cases go through `evaluate`, the same path the service takes (with the initiative's
# start date at hand, as load_facts gives it): the start anchor must not hide them.
CREEPING = dataclasses.replace(
    WORKS, start=dt.date(2023, 1, 1), end=dt.date(2025, 4, 30), last_report_as_of=dt.date(2024, 5, 31),
    progress_history=tuple(Observation(day, pct) for day, pct in [
        (dt.date(2024, 1, 31), 40.0), (dt.date(2024, 2, 29), 40.5), (dt.date(2024, 3, 31), 41.0),
        (dt.date(2024, 4, 30), 41.5), (dt.date(2024, 5, 31), 42.0)]))
FLAT = dataclasses.replace(
    CREEPING, last_report_as_of=dt.date(2024, 6, 28),
    progress_history=tuple(Observation(dt.date(2024, month, 28), 40.0) for month in range(1, 7)))


def test_a_creeping_initiative_is_warned_through_the_production_path():
    # 40 → 42 % over four months, eleven months left before 30-04-2025.
    [found] = findings("completion_forecast", CREEPING, today=dt.date(2024, 5, 31), consecutive=2)
    assert found.consecutive_required == 2 and found.details["points"] == 5
    assert found.details["earliest"] > "2025-04-30"
    assert found.evidence == "5|2024-05-31"


def test_six_flat_reports_are_warned_through_the_production_path():
    [found] = findings("completion_forecast", FLAT, today=dt.date(2024, 6, 28))
    assert found.details["projected"] is None and found.details["earliest"] is None
    assert "está detenido" in found.explanation


def test_a_steady_initiative_is_not_warned():
    steady = dataclasses.replace(WORKS, progress_history=tuple(
        Observation(dt.date(2023, 1, 1) + dt.timedelta(days=30 * i), 9.0 * i) for i in range(1, 6)))
    # 9 % every 30 days: 45 % on 31-05-2023, the other 55 % by about 02-12-2023.
    assert findings("completion_forecast", steady, today=dt.date(2023, 5, 31)) == []


PROJECT_RULES = {r.name: r for r in load_rules(ROOT / "deploy" / "alert-rules.yaml").rules}


def rendered(rule_name: str, facts: InitiativeFacts, today: dt.date) -> list[str]:
    """The messages of the project's rule (switched on, should the file ship it disabled)."""
    found = evaluate(ruleset_of(PROJECT_RULES[rule_name].model_copy(update={"enabled": True})), facts, today)
    return [finding.message for finding in found]


def test_the_completion_message_reads_right_in_every_case():
    # A projected date: 58,0 % left at 0,0165 % a day (Theil–Sen) is 3524 days after 31-05-2024.
    assert rendered("pronostico_termino", CREEPING, dt.date(2024, 5, 31)) == [
        "Al ritmo de los últimos informes, INI-010 «Agua potable Socoroma» terminaría el 23-01-2034; su plazo es "
        "el 30-04-2025."]
    # Never at this pace: a full phrase, never "terminaría el nunca".
    assert rendered("pronostico_termino", FLAT, dt.date(2024, 6, 28)) == [
        "Al ritmo de los últimos informes, INI-010 «Agua potable Socoroma» no terminaría al ritmo actual; su plazo "
        "es el 30-04-2025."]
    # Reports that go back: an inconsistent series, not a projection.
    backwards = dataclasses.replace(CREEPING, progress_history=CREEPING.progress_history + (
        Observation(dt.date(2024, 6, 30), 30.0),))
    [message] = rendered("pronostico_termino", backwards, dt.date(2024, 6, 30))
    assert message == ("Al ritmo de los últimos informes, INI-010 «Agua potable Socoroma» tiene informes de avance "
                       "contradictorios (serie inconsistente) y no se puede proyectar; su plazo es el 30-04-2025.")
    [explanation] = [f.explanation for f in evaluate(ruleset_of(PROJECT_RULES["pronostico_termino"]), backwards,
                                                     dt.date(2024, 6, 30))]
    assert explanation.startswith("Serie inconsistente: el informe del 30-06-2024 dice 30,0 %")


def test_a_threshold_of_zero_means_zero():
    soon = (MilestoneFacts("INI-010-H2", "Obras iniciadas", dt.date(2023, 6, 25), "in_progress", None),)
    stopped = dataclasses.replace(WORKS, spi=0.0, milestones=soon)
    # SPI 0 is not below 0: nothing, where `threshold or 0.95` would have read 0 as 0.95 and fired.
    assert findings("milestone_due_soon", stopped, within_days=14, threshold=0.0) == []
    assert len(findings("milestone_due_soon", stopped, within_days=14)) == 1  # no threshold: the 0.95 default


def test_an_overdue_predecessor_status_is_understood():
    design = PredecessorFacts("INI-009", "Diseño agua potable", dt.date(2023, 7, 31), "overdue", 80.0)
    [found] = findings("predecessor_late", dataclasses.replace(WORKS, predecessors=(design,)))
    assert found.subject_code == "INI-010<INI-009"


# Earned Schedule: facts as the scorecard view will give them (spi_t, es_date, ieac_t_date).
LATE_SCHEDULE = dataclasses.replace(WORKS, status="late", spi_t=0.8, es_date=dt.date(2023, 4, 28),
                                    ieac_t_date=dt.date(2024, 3, 31))


def test_the_schedule_forecast_warns_when_the_independent_estimate_is_past_the_end():
    # 01-01-2023 + 364 days / 0.8 = 31-03-2024: 91 days after 31-12-2023.
    [found] = findings("schedule_forecast", LATE_SCHEDULE, tolerance_days=30)
    assert found.details == {"spi_t": 0.8, "ieac_t_date": "2024-03-31", "days_late": 91}
    assert found.explanation == (
        "Cronograma ganado al 15-06-2023: la iniciativa ha completado el trabajo que el plan preveía hasta el "
        "28-04-2023 (SPI(t) 0,80); a ese ritmo la estimación independiente de término (inicio + duración "
        "planificada / SPI(t)) es el 31-03-2024, 91 días después del plazo del 31-12-2023; la tolerancia es de "
        "30 días.")
    assert rendered("pronostico_cronograma", LATE_SCHEDULE, TODAY) == [
        "Según su cronograma ganado, INI-010 «Agua potable Socoroma» terminaría el 31-03-2024, 91 días después de "
        "su plazo; su plazo es el 31-12-2023."]
    assert findings("schedule_forecast", LATE_SCHEDULE, tolerance_days=91) == []  # within the tolerance


def test_the_schedule_forecast_is_quiet_when_on_time_done_or_unknown():
    on_time = dataclasses.replace(LATE_SCHEDULE, spi_t=1.0, ieac_t_date=dt.date(2023, 12, 31))
    assert findings("schedule_forecast", on_time) == []
    assert findings("schedule_forecast", dataclasses.replace(LATE_SCHEDULE, status="done")) == []
    assert findings("schedule_forecast", WORKS) == []  # no Earned Schedule figures yet
    overdue = dataclasses.replace(LATE_SCHEDULE, status="overdue")
    assert len(findings("schedule_forecast", overdue, today=dt.date(2024, 1, 15))) == 1


def test_the_schedule_forecast_of_no_earned_progress_says_it_would_not_finish():
    stopped = dataclasses.replace(WORKS, spi_t=0.0, es_date=dt.date(2023, 1, 1), ieac_t_date=None)
    [message] = rendered("pronostico_cronograma", stopped, TODAY)
    assert message == ("Según su cronograma ganado, INI-010 «Agua potable Socoroma» no terminaría al ritmo actual "
                       "(no hay avance ganado); su plazo es el 31-12-2023.")


def test_too_few_points_give_no_forecast_alert():
    one = dataclasses.replace(WORKS, start=dt.date(2023, 6, 1), progress_history=(Observation(dt.date(2023, 6, 1), 1.0),))
    assert findings("completion_forecast", one) == []


def test_the_project_rules_file_loads():
    ruleset = load_rules(ROOT / "deploy" / "alert-rules.yaml")
    assert {r.kind for r in ruleset.rules} == {
        "milestone_overdue", "milestone_due_soon", "silent_initiative", "spi_below", "cpi_below",
        "indicator_efficacy_below", "budget_overrun", "predecessor_late", "completion_forecast", "indicator_forecast",
        "schedule_forecast"}
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
