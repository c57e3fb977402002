"""What each kind of early-warning rule finds in an initiative's facts on a given day, with no I/O.

Each kind is a function ``(rule, facts, today) → findings``; ``evaluate`` runs every enabled rule
of a rules file. The texts are the rule's Spanish templates filled with the values named in
``rules.PLACEHOLDERS``; a value that is not known reads "—", never "None".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from services.alerts.forecast import InconsistentSeries, forecast_completion, forecast_indicator
from services.alerts.rules import Finding, InitiativeFacts, Rule, RuleSet
from services.alerts.trend import NoForecast


def _date(day: dt.date | None) -> str:
    return f"{day:%d-%m-%Y}" if day else "—"


def _clp(amount: float | None) -> str:
    return "—" if amount is None else "$" + f"{round(amount):,}".replace(",", ".")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} %".replace(".", ",")


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}".replace(".", ",")


def _finding(rule: Rule, facts: InitiativeFacts, today: dt.date, subject: str, values: dict[str, Any],
             explanation: str, details: dict[str, Any] | None = None) -> Finding:
    context = {
        "initiative_code": facts.code, "initiative_name": facts.name, "department_code": facts.department_code,
        "start": _date(facts.start), "end": _date(facts.end), "today": _date(today),
        "threshold": "" if rule.threshold is None else _ratio(rule.threshold), **values,
    }
    return Finding(
        rule=rule.name, kind=rule.kind, severity=rule.severity, initiative_code=facts.code, subject_code=subject,
        title=rule.title.format_map(context), message=rule.message.format_map(context),
        explanation=explanation, action=rule.action.format_map(context), details=details or {},
        consecutive_required=rule.consecutive, evidence=facts.evidence,
    )


def milestone_overdue(rule: Rule, facts: InitiativeFacts, today: dt.date) -> Iterator[Finding]:
    for milestone in facts.milestones:
        if milestone.reported_status in {"done", "cancelled"}:
            continue
        late_by = (today - milestone.due).days
        if late_by > rule.grace_days:
            yield _finding(rule, facts, today, milestone.code, {
                "milestone_code": milestone.code, "milestone_name": milestone.name,
                "due_date": _date(milestone.due), "days_overdue": late_by,
            }, f"El hito vencía el {_date(milestone.due)} ({late_by} días atrás) y su último estado informado es "
               f"«{milestone.reported_status or 'sin informe'}».",
                {"due_date": milestone.due.isoformat(), "days_overdue": late_by})


def milestone_due_soon(rule: Rule, facts: InitiativeFacts, today: dt.date) -> Iterator[Finding]:
    threshold = 0.95 if rule.threshold is None else rule.threshold  # a threshold of 0 means 0
    behind = facts.spi is not None and facts.spi < threshold
    if not behind or facts.finished:
        return
    for milestone in facts.milestones:
        days_left = (milestone.due - today).days
        if milestone.reported_status not in {"done", "cancelled"} and 0 <= days_left <= rule.within_days:
            yield _finding(rule, facts, today, milestone.code, {
                "milestone_code": milestone.code, "milestone_name": milestone.name, "due_date": _date(milestone.due),
                "days_left": days_left, "spi": _ratio(facts.spi),
            }, f"Faltan {days_left} días para el hito y la iniciativa avanza con SPI {_ratio(facts.spi)}.",
                {"days_left": days_left, "spi": facts.spi})


def silent_initiative(rule: Rule, facts: InitiativeFacts, today: dt.date) -> Iterator[Finding]:
    if not facts.active_on(today):
        return
    since = facts.last_report_as_of or facts.start
    silent = (today - since).days
    if silent > rule.days:
        last = _date(facts.last_report_as_of) if facts.last_report_as_of else "nunca"
        yield _finding(rule, facts, today, facts.code, {"days_silent": silent, "last_report": last},
                       f"Último informe de avance: {last}; sin informes hace {silent} días (el límite es {rule.days}).",
                       {"days_silent": silent})


def _threshold(rule: Rule) -> float:
    """The rule's threshold; the rules file refuses a kind that needs one without it."""
    if rule.threshold is None:
        raise ValueError(f"rule {rule.name} has no threshold")
    return rule.threshold


def spi_below(rule: Rule, facts: InitiativeFacts, today: dt.date) -> Iterator[Finding]:
    if facts.spi is not None and not facts.finished and facts.spi < _threshold(rule):
        planned = facts.physical_progress_pct / facts.spi if facts.spi and facts.physical_progress_pct is not None else None
        yield _finding(rule, facts, today, facts.code, {
            "spi": _ratio(facts.spi), "physical_progress": _pct(facts.physical_progress_pct),
            "planned_progress": _pct(planned),
        }, f"SPI {_ratio(facts.spi)} bajo el umbral {_ratio(rule.threshold)}: avance físico "
           f"{_pct(facts.physical_progress_pct)} frente a {_pct(planned)} planificado.", {"spi": facts.spi})


def cpi_below(rule: Rule, facts: InitiativeFacts, today: dt.date) -> Iterator[Finding]:
    if facts.cpi is not None and facts.cpi < _threshold(rule):
        yield _finding(rule, facts, today, facts.code, {"cpi": _ratio(facts.cpi)},
                       f"CPI {_ratio(facts.cpi)} bajo el umbral {_ratio(rule.threshold)}: cada peso gastado produce "
                       f"{_ratio(facts.cpi)} pesos de avance.", {"cpi": facts.cpi})


def indicator_efficacy_below(rule: Rule, facts: InitiativeFacts, today: dt.date) -> Iterator[Finding]:
    for indicator in facts.indicators:
        if indicator.efficacy_pct is not None and indicator.efficacy_pct < _threshold(rule):
            yield _finding(rule, facts, today, indicator.code, {
                "indicator_code": indicator.code, "indicator_name": indicator.name,
                "efficacy": _pct(indicator.efficacy_pct), "value": indicator.value, "target": indicator.target,
                "unit": indicator.unit,
            }, f"Valor {indicator.value} {indicator.unit} frente a la meta {indicator.target} (línea base "
               f"{indicator.baseline}): eficacia {_pct(indicator.efficacy_pct)}, bajo {_pct(rule.threshold)}.",
                {"efficacy_pct": indicator.efficacy_pct})


def budget_overrun(rule: Rule, facts: InitiativeFacts, today: dt.date) -> Iterator[Finding]:
    if facts.actual_cost_clp is None or facts.budget_clp <= 0:
        return
    limit = facts.budget_clp * (1 + rule.tolerance_pct / 100)
    if facts.actual_cost_clp > limit:
        overrun = 100 * (facts.actual_cost_clp - facts.budget_clp) / facts.budget_clp
        yield _finding(rule, facts, today, facts.code, {
            "actual_cost": _clp(facts.actual_cost_clp), "budget": _clp(facts.budget_clp), "overrun_pct": _pct(overrun),
        }, f"Gasto acumulado {_clp(facts.actual_cost_clp)} sobre un presupuesto de {_clp(facts.budget_clp)} "
           f"({_pct(overrun)} de sobrecosto).", {"overrun_pct": overrun})


def predecessor_late(rule: Rule, facts: InitiativeFacts, today: dt.date) -> Iterator[Finding]:
    if facts.finished:
        return
    for predecessor in facts.predecessors:
        overdue = predecessor.status != "done" and predecessor.end < today
        if overdue or predecessor.status in {"late", "overdue"}:
            yield _finding(rule, facts, today, f"{facts.code}<{predecessor.code}", {
                "predecessor_code": predecessor.code, "predecessor_name": predecessor.name,
                "predecessor_end": _date(predecessor.end), "predecessor_progress": _pct(predecessor.physical_progress_pct),
            }, f"La predecesora {predecessor.code} debía terminar el {_date(predecessor.end)} y está "
               f"{'atrasada' if predecessor.status == 'late' else 'sin terminar'} "
               f"({_pct(predecessor.physical_progress_pct)} de avance).",
                {"predecessor": predecessor.code})


def completion_forecast(rule: Rule, facts: InitiativeFacts, today: dt.date) -> Iterator[Finding]:
    if facts.finished or not facts.progress_history:
        return
    forecast = forecast_completion(facts.progress_history, deadline=facts.end, today=today, start=facts.start,
                                   confidence=rule.confidence, window=rule.window)
    if isinstance(forecast, NoForecast):
        return
    if isinstance(forecast, InconsistentSeries):
        yield _finding(rule, facts, today, facts.code, {"outlook": forecast.outlook(), "forecast": forecast.explanation()},
                       forecast.explanation(), {"inconsistent": True, "points": forecast.points})
        return
    if not forecast.will_miss:
        return
    yield _finding(rule, facts, today, facts.code, {
        "outlook": forecast.outlook(), "forecast": forecast.explanation(),
    }, forecast.explanation(), {
        "projected": forecast.projected.isoformat() if forecast.projected else None,
        "earliest": forecast.earliest.isoformat() if forecast.earliest else None,
        "latest": forecast.latest.isoformat() if forecast.latest else None,
        "slope_per_day": forecast.trend.slope_per_day, "points": forecast.trend.points,
        "joint_confidence": forecast.trend.joint_confidence,
    })


def schedule_forecast(rule: Rule, facts: InitiativeFacts, today: dt.date) -> Iterator[Finding]:
    """Earned Schedule's independent estimate of completion later than the end date (plus a tolerance)."""
    if facts.finished or facts.spi_t is None or facts.start > today:
        return
    if facts.spi_t <= 0:
        days_late, outlook = None, "no terminaría al ritmo actual (no hay avance ganado)"
        estimate = "sin avance ganado no hay estimación de término (SPI(t) 0)"
    elif facts.ieac_t_date is not None and (facts.ieac_t_date - facts.end).days > rule.tolerance_days:
        days_late = (facts.ieac_t_date - facts.end).days
        outlook = f"terminaría el {_date(facts.ieac_t_date)}, {days_late} días después de su plazo"
        estimate = (f"a ese ritmo la estimación independiente de término (inicio + duración planificada / SPI(t)) "
                    f"es el {_date(facts.ieac_t_date)}, {days_late} días después del plazo del {_date(facts.end)}")
    else:
        return
    earned = f"hasta el {_date(facts.es_date)}" if facts.es_date else "hasta una fecha sin calcular"
    explanation = (f"Cronograma ganado al {_date(today)}: la iniciativa ha completado el trabajo que el plan preveía "
                   f"{earned} (SPI(t) {_ratio(facts.spi_t)}); {estimate}; la tolerancia es de "
                   f"{rule.tolerance_days} días.")
    yield _finding(rule, facts, today, facts.code, {
        "outlook": outlook, "spi_t": _ratio(facts.spi_t), "es_date": _date(facts.es_date),
        "ieac_t_date": _date(facts.ieac_t_date), "days_late": "—" if days_late is None else days_late,
        "tolerance_days": rule.tolerance_days,
    }, explanation, {"spi_t": facts.spi_t, "ieac_t_date": facts.ieac_t_date.isoformat() if facts.ieac_t_date else None,
                     "days_late": days_late})


def indicator_forecast(rule: Rule, facts: InitiativeFacts, today: dt.date) -> Iterator[Finding]:
    for indicator in facts.indicators:
        if not indicator.history or indicator.target_date < today:
            continue
        forecast = forecast_indicator(indicator.history, target=indicator.target, target_date=indicator.target_date,
                                      baseline=indicator.baseline, confidence=rule.confidence, window=rule.window)
        if isinstance(forecast, NoForecast) or not forecast.will_fall_short:
            continue
        yield _finding(rule, facts, today, indicator.code, {
            "indicator_code": indicator.code, "indicator_name": indicator.name, "target": indicator.target,
            "target_date": _date(indicator.target_date), "projected_value": round(forecast.projected_value, 2),
            "forecast": forecast.explanation(),
        }, forecast.explanation(), {"projected_value": forecast.projected_value, "points": forecast.trend.points})


EVALUATORS: dict[str, Callable[[Rule, InitiativeFacts, dt.date], Iterator[Finding]]] = {
    "milestone_overdue": milestone_overdue,
    "milestone_due_soon": milestone_due_soon,
    "silent_initiative": silent_initiative,
    "spi_below": spi_below,
    "cpi_below": cpi_below,
    "indicator_efficacy_below": indicator_efficacy_below,
    "budget_overrun": budget_overrun,
    "predecessor_late": predecessor_late,
    "completion_forecast": completion_forecast,
    "indicator_forecast": indicator_forecast,
    "schedule_forecast": schedule_forecast,
}


def evaluate(ruleset: RuleSet, facts: InitiativeFacts, today: dt.date) -> list[Finding]:
    """Every finding of every enabled rule about one initiative on ``today``."""
    return [finding for rule in ruleset.enabled() for finding in EVALUATORS[rule.kind](rule, facts, today)]
