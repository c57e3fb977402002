"""The early-warning rules, with no I/O: the facts the rules read, the findings, and the rules
file's model (what each kind finds is in ``services/alerts/kinds.py``).

A rules file (YAML, versioned in ``deploy/alert-rules.yaml``) lists rules, each with a ``kind``
(what it checks), a severity, its thresholds and Spanish templates for the title, the message and
the action. A file with any problem is refused whole with a message that names the rule and the
field; the service keeps the last good rules in force (``services/alerts/handlers.py``).

Each kind is a function ``(rule, facts, today) → findings`` (``kinds.py``); a finding's fingerprint
(``rule:subject``) keeps one open alert per rule and subject.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from services.alerts.trend import Observation
from shared.terms import Severity

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


# --- the placeholders each kind fills in its texts --------------------------------------------------

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
