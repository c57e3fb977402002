"""The early-warning rules, with no I/O: the rules file's model, and what each rule finds in an
initiative's facts on a given day.

A rules file (YAML, versioned in ``deploy/alert-rules.yaml``) lists rules, each with a ``kind``
(what it checks), a severity, its thresholds and Spanish templates for the title, the message and
the action. A file with any problem is refused whole with a message that names the rule and the
field; the service keeps the last good rules in force (``services/alerts/handlers.py``).

Each kind is a function ``(rule, facts, today) → findings``; a finding's fingerprint
(``rule:subject``) keeps one open alert per rule and subject.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from services.alerts.forecast import (
    InconsistentSeries, NoForecast, Observation, forecast_completion, forecast_indicator,
)

Severity = Literal["info", "warning", "critical"]
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> dt.timedelta:
    """``30s``, ``15m``, ``12h``, ``3d``."""
    match = _DURATION.match(str(text))
    if not match:
        raise ValueError(f"duración inválida {text!r}: use por ejemplo 30s, 15m, 12h o 3d")
    return dt.timedelta(seconds=float(match[1]) * _SECONDS[match[2]])


# --- facts ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneFacts:
    code: str
    name: str
    due: dt.date
    reported_status: str | None
    status_date: dt.date | None


@dataclass(frozen=True)
class IndicatorFacts:
    code: str
    name: str
    unit: str
    baseline: float
    target: float
    target_date: dt.date
    value: float | None
    efficacy_pct: float | None
    history: tuple[Observation, ...] = ()


@dataclass(frozen=True)
class PredecessorFacts:
    code: str
    name: str
    end: dt.date
    status: str
    physical_progress_pct: float | None


@dataclass(frozen=True)
class InitiativeFacts:
    """What the rules know of one initiative: its plan, its figures, its history."""

    code: str
    name: str
    department_code: str
    start: dt.date
    end: dt.date
    budget_clp: int
    status: str
    spi: float | None
    cpi: float | None
    physical_progress_pct: float | None
    actual_cost_clp: int | None
    last_report_as_of: dt.date | None
    milestones: tuple[MilestoneFacts, ...] = ()
    indicators: tuple[IndicatorFacts, ...] = ()
    predecessors: tuple[PredecessorFacts, ...] = ()
    progress_history: tuple[Observation, ...] = ()
    spi_t: float | None = None
    """Schedule performance index in time, ES / AT (Earned Schedule), as of the judging day."""
    es_date: dt.date | None = None
    """Earned schedule as a date: when the planned curve reached today's earned value."""
    ieac_t_date: dt.date | None = None
    """Independent estimate of completion: start + planned duration / SPI(t)."""

    @property
    def finished(self) -> bool:
        return self.status == "done"

    @property
    def evidence(self) -> str:
        """What changes only with a new report: the count of progress reports and the latest date."""
        latest = self.last_report_as_of.isoformat() if self.last_report_as_of else ""
        return f"{len(self.progress_history)}|{latest}"

    def active_on(self, today: dt.date) -> bool:
        """Started and not finished: the initiatives that owe reports."""
        return self.start <= today and not self.finished


@dataclass(frozen=True)
class Finding:
    rule: str
    kind: str
    severity: Severity
    initiative_code: str
    subject_code: str
    title: str
    message: str
    explanation: str
    action: str
    details: dict[str, Any] = field(default_factory=dict)
    consecutive_required: int = 1
    evidence: str = ""
    """Token of the facts judged (see ``InitiativeFacts.evidence``): ``consecutive`` counts only
    evaluations whose token differs from the previous one, so a tick re-reading the same reports
    is not a second observation."""

    @property
    def fingerprint(self) -> str:
        return f"{self.rule}:{self.subject_code}"


# --- the rules file -------------------------------------------------------------------------------


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: Literal[
        "milestone_overdue", "milestone_due_soon", "silent_initiative", "spi_below", "cpi_below",
        "indicator_efficacy_below", "budget_overrun", "predecessor_late", "completion_forecast",
        "indicator_forecast", "schedule_forecast",
    ]
    severity: Severity
    title: str = Field(min_length=1)
    message: str = Field(min_length=1)
    action: str = Field(min_length=1)
    grace_days: int = Field(0, ge=0)
    within_days: int = Field(14, ge=1)
    days: int = Field(45, ge=1)
    threshold: float | None = None
    tolerance_pct: float = Field(0.0, ge=0)
    tolerance_days: int = Field(0, ge=0, description="schedule_forecast: days past the end date tolerated.")
    confidence: float = Field(0.90, gt=0.5, lt=1)
    window: int = Field(6, ge=2, le=36)
    consecutive: int = Field(1, ge=1, le=10, description="Evaluations the condition must hold before it fires.")
    enabled: bool = True


class Escalation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    department_head_after: dt.timedelta
    management_unit_after: dt.timedelta

    @field_validator("department_head_after", "management_unit_after", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return parse_duration(value) if isinstance(value, str) else value


class RuleSet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1]
    escalation: Escalation
    rules: list[Rule] = Field(min_length=1)

    def enabled(self) -> list[Rule]:
        return [rule for rule in self.rules if rule.enabled]


class RulesError(ValueError):
    """A rules file that cannot be used, with every problem at its place."""


NEEDS_THRESHOLD = {"spi_below", "cpi_below", "indicator_efficacy_below"}


def load_rules(path: Path) -> RuleSet:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise RulesError(f"{path}: no se puede leer ({error.strerror})") from error
    except yaml.YAMLError as error:
        raise RulesError(f"{path}: YAML inválido ({error})") from error
    return parse_rules(raw, source=str(path))


def parse_rules(raw: Any, *, source: str) -> RuleSet:
    try:
        ruleset = RuleSet.model_validate(raw)
    except ValidationError as error:
        problems = [f"{_where(raw, item['loc'])}: {item['msg']}" for item in error.errors()]
        raise RulesError(f"{source}: " + "; ".join(problems)) from error
    problems = list(_rule_problems(ruleset))
    if problems:
        raise RulesError(f"{source}: " + "; ".join(problems))
    return ruleset


def _where(raw: Any, loc: tuple[Any, ...]) -> str:
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        rules = raw.get("rules") if isinstance(raw, dict) else None
        name = rules[loc[1]].get("name") if isinstance(rules, list) and isinstance(rules[loc[1]], dict) else None
        return f"regla {loc[1] + 1}" + (f" ({name})" if name else "") + "".join(f".{p}" for p in loc[2:])
    return ".".join(str(p) for p in loc) or "archivo"


def _rule_problems(ruleset: RuleSet) -> Iterator[str]:
    seen: set[str] = set()
    for index, rule in enumerate(ruleset.rules, start=1):
        where = f"regla {index} ({rule.name})"
        if rule.name in seen:
            yield f"{where}: nombre repetido"
        seen.add(rule.name)
        if rule.kind in NEEDS_THRESHOLD and rule.threshold is None:
            yield f"{where}.threshold: la regla {rule.kind} necesita un umbral"
        for part in ("title", "message", "action"):
            unknown = _unknown_placeholders(getattr(rule, part), PLACEHOLDERS[rule.kind])
            if unknown:
                yield f"{where}.{part}: variables desconocidas {', '.join(sorted(unknown))}; " \
                      f"disponibles: {', '.join(sorted(PLACEHOLDERS[rule.kind]))}"
    if ruleset.escalation.management_unit_after <= ruleset.escalation.department_head_after:
        yield "escalation: management_unit_after debe ser mayor que department_head_after"


def _unknown_placeholders(template: str, known: set[str]) -> set[str]:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    except ValueError:
        return {"(llaves sin cerrar)"}
    return names - known


# --- evaluation -----------------------------------------------------------------------------------

COMMON = {"initiative_code", "initiative_name", "department_code", "start", "end", "today", "threshold"}
PLACEHOLDERS: dict[str, set[str]] = {
    "milestone_overdue": COMMON | {"milestone_code", "milestone_name", "due_date", "days_overdue"},
    "milestone_due_soon": COMMON | {"milestone_code", "milestone_name", "due_date", "days_left", "spi"},
    "silent_initiative": COMMON | {"days_silent", "last_report"},
    "spi_below": COMMON | {"spi", "physical_progress", "planned_progress"},
    "cpi_below": COMMON | {"cpi"},
    "indicator_efficacy_below": COMMON | {"indicator_code", "indicator_name", "efficacy", "value", "target", "unit"},
    "budget_overrun": COMMON | {"actual_cost", "budget", "overrun_pct"},
    "predecessor_late": COMMON | {"predecessor_code", "predecessor_name", "predecessor_end", "predecessor_progress"},
    "completion_forecast": COMMON | {"outlook", "forecast"},
    "schedule_forecast": COMMON | {"outlook", "spi_t", "es_date", "ieac_t_date", "days_late", "tolerance_days"},
    "indicator_forecast": COMMON | {"indicator_code", "indicator_name", "target", "target_date", "projected_value", "forecast"},
}


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


def spi_below(rule: Rule, facts: InitiativeFacts, today: dt.date) -> Iterator[Finding]:
    if facts.spi is not None and not facts.finished and facts.spi < rule.threshold:
        planned = facts.physical_progress_pct / facts.spi if facts.spi and facts.physical_progress_pct is not None else None
        yield _finding(rule, facts, today, facts.code, {
            "spi": _ratio(facts.spi), "physical_progress": _pct(facts.physical_progress_pct),
            "planned_progress": _pct(planned),
        }, f"SPI {_ratio(facts.spi)} bajo el umbral {_ratio(rule.threshold)}: avance físico "
           f"{_pct(facts.physical_progress_pct)} frente a {_pct(planned)} planificado.", {"spi": facts.spi})


def cpi_below(rule: Rule, facts: InitiativeFacts, today: dt.date) -> Iterator[Finding]:
    if facts.cpi is not None and facts.cpi < rule.threshold:
        yield _finding(rule, facts, today, facts.code, {"cpi": _ratio(facts.cpi)},
                       f"CPI {_ratio(facts.cpi)} bajo el umbral {_ratio(rule.threshold)}: cada peso gastado produce "
                       f"{_ratio(facts.cpi)} pesos de avance.", {"cpi": facts.cpi})


def indicator_efficacy_below(rule: Rule, facts: InitiativeFacts, today: dt.date) -> Iterator[Finding]:
    for indicator in facts.indicators:
        if indicator.efficacy_pct is not None and indicator.efficacy_pct < rule.threshold:
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
