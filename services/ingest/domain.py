"""What an acceptable progress update is, with no I/O: the request model, the checks against the
plan catalogue, and the event an accepted update becomes.

Every problem is a ``Problem`` with a field path, a stable code and a Spanish message (officers and
municipal systems' operators read them). Dates are calendar dates in America/Santiago.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from pydantic import Field, TypeAdapter, ValidationError

from shared.events import EventEnvelope, ProgressReported
from shared.json_limits import MAX_JSON_DEPTH, too_deep
from shared.problems import Problem, problems_from_validation

MAX_BATCH = 1000


class ProgressUpdate(ProgressReported):
    """One progress update as a municipal system sends it."""

    event_id: UUID = Field(
        description="The sender's id for this update; sending it again is answered as a duplicate."
    )


UPDATES = TypeAdapter(list[ProgressUpdate])
ONE_UPDATE = TypeAdapter(ProgressUpdate)


# --- the request body -----------------------------------------------------------------------------


def read_body(raw: bytes) -> tuple[Any, list[Problem]]:
    """The decoded JSON of a body, or the problem with it (not JSON, nested too deep)."""
    if too_deep(raw):
        return None, [Problem("$", "too_deep", f"el JSON anida más de {MAX_JSON_DEPTH} niveles de listas u objetos")]
    try:
        return json.loads(raw), []
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return None, [Problem("$", "invalid_json", f"el cuerpo no es JSON válido ({_json_reason(error)})")]


def validate_updates(body: Any) -> tuple[list[ProgressUpdate], bool, list[Problem]]:
    """The updates of a decoded body holding one update or a list of them; (updates, is_batch, problems)."""
    if isinstance(body, list):
        if not body:
            return [], True, [Problem("$", "empty_batch", "el lote no contiene actualizaciones")]
        if len(body) > MAX_BATCH:
            return [], True, [Problem("$", "batch_too_large", f"un lote admite como máximo {MAX_BATCH} actualizaciones")]
        try:
            return UPDATES.validate_python(body), True, []
        except ValidationError as error:
            return [], True, problems_from_validation(error)
    try:
        return [ONE_UPDATE.validate_python(body)], False, []
    except ValidationError as error:
        return [], False, problems_from_validation(error)


def parse_updates(raw: bytes) -> tuple[list[ProgressUpdate], bool, list[Problem]]:
    """The updates of a body holding one update or a list of them; (updates, is_batch, problems)."""
    body, problems = read_body(raw)
    return ([], isinstance(body, list), problems) if problems else validate_updates(body)


def parse_one_update(raw: bytes) -> tuple[ProgressUpdate | None, list[Problem]]:
    """The update of a message that must hold exactly one JSON object (the raw Kafka topic): a
    list is refused whole (``not_an_object``), never cut to its first element."""
    body, problems = read_body(raw)
    if problems:
        return None, problems
    if not isinstance(body, dict):
        kind = "una lista" if isinstance(body, list) else f"un valor {type(body).__name__}"
        return None, [Problem("$", "not_an_object", f"cada mensaje debe ser un objeto JSON con una "
                                                     f"actualización; se recibió {kind}")]
    updates, _, problems = validate_updates(body)
    return (updates[0] if updates else None), problems


def scope_problems(body: Any, *, catalogue: CatalogueView, units: frozenset[str] | None) -> list[Problem]:
    """``out_of_scope`` for each item of a decoded body naming a known initiative of a unit the key
    may not report on. Checked before anything else about the content, so that a key learns
    nothing about other units' initiatives from the answer."""
    if units is None:
        return []
    items = list(enumerate(body)) if isinstance(body, list) else [(None, body)]
    problems = []
    for index, item in items:
        code = item.get("initiative_code") if isinstance(item, dict) else None
        facts = catalogue.initiatives.get(code) if isinstance(code, str) else None
        if facts is not None and facts.responsible_unit not in units:
            prefix = "$" if index is None else f"$[{index}]"
            problems.append(_out_of_scope(f"{prefix}.initiative_code", code, facts))
    return problems


def _out_of_scope(path: str, code: str, facts: InitiativeFacts) -> Problem:
    return Problem(path, "out_of_scope", f"esta clave no puede informar sobre {code}, a cargo de {facts.responsible_unit}")


def _json_reason(error: Exception) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg}, línea {error.lineno}, columna {error.colno}"
    return "no está en UTF-8"


# --- checks against the plan catalogue ------------------------------------------------------------


@dataclass(frozen=True)
class InitiativeFacts:
    responsible_unit: str
    start: dt.date
    end: dt.date
    indicators: frozenset[str]
    milestones: frozenset[str]


@dataclass(frozen=True)
class CatalogueView:
    """What ingest needs of the plan to judge an update."""

    period_start: dt.date | None = None
    period_end: dt.date | None = None
    initiatives: dict[str, InitiativeFacts] = field(default_factory=dict)


@dataclass(frozen=True)
class Judgement:
    problems: list[Problem]
    out_of_scope: list[Problem]


def judge_updates(
    updates: list[ProgressUpdate],
    *,
    catalogue: CatalogueView,
    today: dt.date,
    grace_days: int,
    units: frozenset[str] | None,
    is_batch: bool,
) -> Judgement:
    """Every problem of every update; ``units`` None means the key may report on every unit."""
    problems: list[Problem] = []
    out_of_scope: list[Problem] = []
    for index, update in enumerate(updates):
        prefix = f"$[{index}]" if is_batch else "$"
        facts = catalogue.initiatives.get(update.initiative_code)
        if facts is None:
            problems.append(Problem(f"{prefix}.initiative_code", "unknown_initiative",
                                    f"la iniciativa {update.initiative_code} no existe en el plan"))
            continue
        if units is not None and facts.responsible_unit not in units:
            # Nothing is said about the content of another unit's initiative.
            out_of_scope.append(_out_of_scope(f"{prefix}.initiative_code", update.initiative_code, facts))
            continue
        problems += _check_dates(update, prefix, catalogue, today, grace_days)
        problems += _check_parts(update, prefix, facts)
    return Judgement(problems, out_of_scope)


def _check_dates(
    update: ProgressUpdate, prefix: str, catalogue: CatalogueView, today: dt.date, grace_days: int
) -> list[Problem]:
    problems = []
    dated = [("as_of", update.as_of)] + [
        (f"milestone_updates[{i}].date", m.date) for i, m in enumerate(update.milestone_updates) if m.date
    ]
    latest = catalogue.period_end + dt.timedelta(days=grace_days) if catalogue.period_end else None
    for path, day in dated:
        if day > today:
            problems.append(Problem(f"{prefix}.{path}", "date_in_future",
                                    f"la fecha {day:%d-%m-%Y} es posterior a hoy ({today:%d-%m-%Y})"))
        elif (catalogue.period_start and day < catalogue.period_start) or (latest and day > latest):
            problems.append(Problem(
                f"{prefix}.{path}", "date_outside_plan",
                f"la fecha {day:%d-%m-%Y} está fuera del período del plan "
                f"({catalogue.period_start:%d-%m-%Y} a {catalogue.period_end:%d-%m-%Y})",
            ))
    return problems


def _check_parts(update: ProgressUpdate, prefix: str, facts: InitiativeFacts) -> list[Problem]:
    problems = []
    if (update.physical_progress_pct is None and update.spent_to_date_clp is None
            and not update.indicator_measurements and not update.milestone_updates):
        problems.append(Problem(prefix, "empty_update",
                                "la actualización no informa avance, gasto, indicadores ni hitos"))
    for i, measurement in enumerate(update.indicator_measurements):
        if measurement.indicator_code not in facts.indicators:
            problems.append(Problem(
                f"{prefix}.indicator_measurements[{i}].indicator_code", "indicator_not_in_initiative",
                f"el indicador {measurement.indicator_code} no es de la iniciativa {update.initiative_code}",
            ))
    for i, milestone in enumerate(update.milestone_updates):
        if milestone.milestone_code not in facts.milestones:
            problems.append(Problem(
                f"{prefix}.milestone_updates[{i}].milestone_code", "milestone_not_in_initiative",
                f"el hito {milestone.milestone_code} no es de la iniciativa {update.initiative_code}",
            ))
        if milestone.status in {"done", "cancelled"} and milestone.date is None:
            problems.append(Problem(f"{prefix}.milestone_updates[{i}].date", "missing_field",
                                    "indique la fecha en que el hito se cumplió o se canceló"))
    return problems


# --- the event ------------------------------------------------------------------------------------


def progress_event(
    update: ProgressUpdate, *, source_system: str, received_at: dt.datetime
) -> EventEnvelope[ProgressReported]:
    """The event an accepted update becomes; it happened when received, about ``as_of``."""
    payload = ProgressReported.model_validate(update.model_dump(exclude={"event_id"}))
    return EventEnvelope.of(payload, event_id=update.event_id, at=received_at, source_system=source_system,
                            actor=update.reporter, initiative_code=update.initiative_code)


def content_fingerprint(update: ProgressUpdate) -> str:
    """SHA-256 of what the update says, so that a reused event id with other content is caught."""
    body = update.model_dump_json(exclude={"event_id"})
    return hashlib.sha256(body.encode()).hexdigest()


