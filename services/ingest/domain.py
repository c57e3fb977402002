"""What an acceptable progress update is, with no I/O: the request model, the checks against the
plan catalogue, API keys, and the event an accepted update becomes.

Every problem is a ``Problem`` with a field path, a stable code and a Spanish message (officers and
municipal systems' operators read them). Dates are calendar dates in America/Santiago.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from pydantic import Field, TypeAdapter, ValidationError

from shared.events import EventEnvelope, ProgressReported

MAX_BATCH = 1000


class ProgressUpdate(ProgressReported):
    """One progress update as a municipal system sends it."""

    event_id: UUID = Field(
        description="The sender's id for this update; sending it again is answered as a duplicate."
    )


UPDATES = TypeAdapter(list[ProgressUpdate])
ONE_UPDATE = TypeAdapter(ProgressUpdate)


@dataclass(frozen=True)
class Problem:
    path: str
    code: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"path": self.path, "code": self.code, "message": self.message}


# --- the request body -----------------------------------------------------------------------------


def parse_updates(raw: bytes) -> tuple[list[ProgressUpdate], bool, list[Problem]]:
    """The updates of a body holding one update or a list of them; (updates, is_batch, problems)."""
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return [], False, [Problem("$", "invalid_json", f"el cuerpo no es JSON válido ({_json_reason(error)})")]
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


def _json_reason(error: Exception) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg}, línea {error.lineno}, columna {error.colno}"
    return "no está en UTF-8"


def json_path(loc: tuple[Any, ...]) -> str:
    path = "$"
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def problems_from_validation(error: ValidationError, prefix: tuple[Any, ...] = ()) -> list[Problem]:
    return [
        Problem(json_path(prefix + tuple(item["loc"])), _code(item), _spanish(item))
        for item in error.errors()
    ]


def _code(item: dict[str, Any]) -> str:
    kind = item["type"]
    if kind == "missing":
        return "missing_field"
    if kind == "extra_forbidden":
        return "unknown_field"
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        return "out_of_range"
    if kind.startswith(("int", "float")):
        return "not_a_number"
    if kind.startswith("date"):
        return "not_a_date"
    if kind.startswith("uuid"):
        return "invalid_event_id"
    return f"invalid_{kind}"


def _number(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _spanish(item: dict[str, Any]) -> str:
    kind, ctx, value = item["type"], item.get("ctx") or {}, item.get("input")
    messages = {
        "missing": "falta este dato",
        "extra_forbidden": "campo desconocido",
        "greater_than_equal": f"debe ser mayor o igual a {_number(ctx.get('ge'))}; se recibió {value!r}",
        "less_than_equal": f"debe ser menor o igual a {_number(ctx.get('le'))}; se recibió {value!r}",
        "string_too_long": f"es demasiado largo (máximo {ctx.get('max_length')} caracteres)",
        "string_too_short": "no puede quedar vacío",
        "too_long": f"admite como máximo {ctx.get('max_length')} elementos",
        "literal_error": f"valor no permitido {value!r}; use uno de: {ctx.get('expected')}",
        "string_pattern_mismatch": f"formato inválido: {value!r}",
        "model_type": "debe ser un objeto JSON",
        "model_attributes_type": "debe ser un objeto JSON",
        "list_type": "debe ser una lista",
        "string_type": "debe ser un texto",
    }
    if kind in messages:
        return messages[kind]
    if kind.startswith(("int", "float")):
        return f"debe ser un número, no {value!r}"
    if kind.startswith("date"):
        return f"debe ser una fecha AAAA-MM-DD, no {value!r}"
    if kind.startswith("uuid"):
        return f"event_id debe ser un UUID, no {value!r}"
    return f"valor inválido: {item['msg']}"


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
        problems += _check_dates(update, prefix, catalogue, today, grace_days)
        problems += _check_parts(update, prefix, facts)
        if units is not None and facts.responsible_unit not in units:
            out_of_scope.append(Problem(
                f"{prefix}.initiative_code", "out_of_scope",
                f"esta clave no puede informar sobre {update.initiative_code}, "
                f"a cargo de {facts.responsible_unit}",
            ))
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


# --- API keys -------------------------------------------------------------------------------------

KEY_PREFIX = "pk"


@dataclass(frozen=True)
class IssuedKey:
    key_id: str
    secret_sha256: str
    token: str
    """The whole key, shown once to whoever creates it and never stored."""


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    secret_sha256: str
    source_system: str
    units: frozenset[str] | None
    """None: every responsible unit (the plan management unit's own systems)."""
    revoked: bool


def issue_key() -> IssuedKey:
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return IssuedKey(key_id, secret_digest(secret), f"{KEY_PREFIX}.{key_id}.{secret}")


def secret_digest(secret: str) -> str:
    # Secrets are 256 random bits: a plain SHA-256 cannot be brute-forced, so no slow KDF is needed.
    return hashlib.sha256(secret.encode()).hexdigest()


def split_token(token: str) -> tuple[str, str] | None:
    """(key id, secret) of a well-formed key, else None."""
    prefix, _, rest = token.strip().partition(".")
    key_id, _, secret = rest.partition(".")
    if prefix != KEY_PREFIX or not key_id or not secret:
        return None
    return key_id, secret


def key_matches(key: ApiKey, secret: str) -> bool:
    return not key.revoked and hmac.compare_digest(key.secret_sha256, secret_digest(secret))
