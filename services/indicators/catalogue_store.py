"""SQL of the plan catalogue: applies a ``plan.revised`` event to the catalogue tables.

A revision is applied whole in one transaction, together with its id in ``processed_event``, the
revision's row and one row per change (the auditors' history). A revision computed against another
base than the catalogue's current one is refused (two planners loading at once): nothing is
applied, and the event is dead-lettered with the reason.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any

import asyncpg

from shared.consumer import EventRefused
from shared.db import PLAN_CATALOGUE_LOCK, hold_lock
from shared.events import EventEnvelope, PlanChange, PlanRevised
from shared.plan.catalogue import RECORD_TABLES
from shared.plan.changes import PARENT_KEY
from shared.plan.model import (
    Department,
    FundingSource,
    Indicator,
    Initiative,
    Locality,
    Milestone,
    Objective,
    PlanHeader,
    Problem,
    Programme,
    StrategicAxis,
    Territory,
)


class RevisionOutcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"


class StaleRevision(EventRefused):
    """The revision was computed against a plan the catalogue no longer (or not yet) holds."""

    reason_code = "stale_plan_revision"


JSON_COLUMNS = {"spec", "boundary", "commune_boundary"}


def _polygon(ring: Any) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[list(point) for point in ring]]}


def _plan_row(spec: dict[str, Any]) -> dict[str, Any]:
    header = PlanHeader.model_validate(spec)
    return {
        "code": header.code, "name": header.name, "commune": header.commune,
        "period_start": header.period_start, "period_end": header.period_end,
        "management_unit_name": header.management_unit.name,
        "management_unit_email": header.management_unit.email,
        "commune_boundary": _polygon(header.commune_boundary),
    }


def _department_row(spec: dict[str, Any]) -> dict[str, Any]:
    department = Department.model_validate(spec)
    return {"name": department.name, "head_name": department.head.name, "head_email": department.head.email}


def _territory_row(spec: dict[str, Any]) -> dict[str, Any]:
    territory = Territory.model_validate(spec)
    return {"name": territory.name, "boundary": _polygon(territory.boundary)}


def _locality_row(spec: dict[str, Any]) -> dict[str, Any]:
    locality = Locality.model_validate(spec)
    return {"name": locality.name, "territory_code": locality.territory,
            "latitude": locality.latitude, "longitude": locality.longitude}


def _funding_source_row(spec: dict[str, Any]) -> dict[str, Any]:
    source = FundingSource.model_validate(spec)
    return {"name": source.name, "level": source.level}


def _axis_row(spec: dict[str, Any]) -> dict[str, Any]:
    axis = StrategicAxis.model_validate(spec)
    return {"name": axis.name, "description": axis.description}


def _objective_row(spec: dict[str, Any]) -> dict[str, Any]:
    objective = Objective.model_validate(spec)
    return {"axis_code": objective.axis, "name": objective.name, "territory_codes": objective.territories}


def _programme_row(spec: dict[str, Any]) -> dict[str, Any]:
    programme = Programme.model_validate(spec)
    return {"objective_code": programme.objective, "name": programme.name}


def _problem_row(spec: dict[str, Any]) -> dict[str, Any]:
    problem = Problem.model_validate(spec)
    return {"territory_code": problem.territory, "locality_code": problem.locality, "theme": problem.theme,
            "description": problem.description, "severity": problem.severity, "priority": problem.priority}


def _initiative_row(spec: dict[str, Any]) -> dict[str, Any]:
    initiative = Initiative.model_validate(spec)
    return {
        "name": initiative.name, "kind": initiative.kind.value, "programme_code": initiative.programme,
        "responsible_unit": initiative.responsible_unit, "territory_code": initiative.territory,
        "locality_code": initiative.locality, "latitude": initiative.latitude,
        "longitude": initiative.longitude, "budget_clp": initiative.budget_clp,
        "start_date": initiative.start, "end_date": initiative.end, "curve": initiative.curve.value,
        "beneficiaries": initiative.beneficiaries.count,
        "beneficiary_groups": list(initiative.beneficiaries.groups),
        "predecessor_codes": list(initiative.predecessors),
    }


def _child(spec: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in spec.items() if key != PARENT_KEY}


def _milestone_row(spec: dict[str, Any]) -> dict[str, Any]:
    milestone = Milestone.model_validate(_child(spec))
    return {"initiative_code": spec[PARENT_KEY], "name": milestone.name, "due_date": milestone.due,
            "owner_email": milestone.owner}


def _indicator_row(spec: dict[str, Any]) -> dict[str, Any]:
    indicator = Indicator.model_validate(_child(spec))
    return {
        "initiative_code": spec[PARENT_KEY], "name": indicator.name, "category": indicator.category.value,
        "dimension": indicator.dimension.value, "unit": indicator.unit, "baseline": indicator.baseline,
        "target": indicator.target, "target_date": indicator.target_date,
        "direction": indicator.direction.value, "periodicity": indicator.periodicity.value,
        "green_threshold": indicator.thresholds.green, "yellow_threshold": indicator.thresholds.yellow,
    }


ROW_BUILDERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "department": _department_row,
    "territory": _territory_row,
    "locality": _locality_row,
    "funding_source": _funding_source_row,
    "axis": _axis_row,
    "objective": _objective_row,
    "programme": _programme_row,
    "problem": _problem_row,
    "initiative": _initiative_row,
    "milestone": _milestone_row,
    "indicator": _indicator_row,
}


AfterApply = Callable[[asyncpg.Connection, set[str]], Awaitable[Any]]
"""Called inside the revision's transaction with the codes of the initiatives it touched."""


async def apply_plan_revision(
    pool: asyncpg.Pool, consumer: str, event: EventEnvelope[PlanRevised], after_apply: AfterApply | None = None,
) -> RevisionOutcome:
    revision = event.payload
    async with pool.acquire() as connection, connection.transaction():
        first_time = await connection.fetchval(
            "INSERT INTO processed_event (consumer, event_id) VALUES ($1, $2) "
            "ON CONFLICT DO NOTHING RETURNING true",
            consumer,
            event.event_id,
        )
        if not first_time:
            return RevisionOutcome.DUPLICATE
        # One revision at a time: the plan row (or, before the first load, a transaction lock).
        await hold_lock(connection, PLAN_CATALOGUE_LOCK)
        current = await connection.fetchrow("SELECT code, revision FROM plan")
        _check_base(revision, current)
        await _record_history(connection, event)
        await _apply_records(connection, revision.changes)
        await connection.execute(
            "UPDATE plan SET revision = $1, content_sha256 = $2 WHERE code = $3",
            revision.revision,
            revision.content_sha256,
            revision.plan_code,
        )
        if after_apply is not None:
            await after_apply(connection, touched_initiatives(revision.changes))
        return RevisionOutcome.APPLIED


def touched_initiatives(changes: list[PlanChange]) -> set[str]:
    """Initiatives whose figures a revision may change: their own record, milestones or indicators."""
    return {
        change.code if change.entity == "initiative" else change.initiative_code
        for change in changes
        if change.entity in {"initiative", "milestone", "indicator"}
    } - {None}


def _check_base(revision: PlanRevised, current: asyncpg.Record | None) -> None:
    current_code, current_revision = (current["code"], current["revision"]) if current else (None, 0)
    if current_code is not None and current_code != revision.plan_code:
        raise StaleRevision(
            f"the catalogue holds plan {current_code}; revision is for plan {revision.plan_code}"
        )
    if revision.base_revision != current_revision or revision.revision != current_revision + 1:
        raise StaleRevision(
            f"revision {revision.revision} was computed against revision {revision.base_revision}, "
            f"but the catalogue is at revision {current_revision}; load the plan again"
        )


async def _record_history(connection: asyncpg.Connection, event: EventEnvelope[PlanRevised]) -> None:
    revision = event.payload
    await connection.execute(
        """
        INSERT INTO plan_revision (plan_code, revision, base_revision, event_id, actor, source_system,
                                   reason, content_sha256, change_count, occurred_at, recorded_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
        """,
        revision.plan_code, revision.revision, revision.base_revision, event.event_id, event.actor,
        event.source_system, revision.reason, revision.content_sha256, len(revision.changes),
        event.occurred_at, event.recorded_at,
    )
    await connection.executemany(
        """
        INSERT INTO plan_change (plan_code, revision, seq, change_type, entity, code, initiative_code,
                                 fields, after, before)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10::jsonb)
        """,
        [
            (
                revision.plan_code, revision.revision, seq, change.change_type, change.entity, change.code,
                change.initiative_code,
                json.dumps({name: field.model_dump(mode="json") for name, field in change.fields.items()}),
                _json_or_none(change.after), _json_or_none(change.before),
            )
            for seq, change in enumerate(revision.changes, start=1)
        ],
    )


def _json_or_none(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


async def _apply_records(connection: asyncpg.Connection, changes: list[PlanChange]) -> None:
    final: dict[tuple[str, str], dict[str, Any] | None] = {}
    for change in changes:  # several named changes of one record carry the same final content
        final[(change.entity, change.code)] = change.after
    upserts: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    removals: dict[str, list[str]] = defaultdict(list)
    for (entity, code), spec in final.items():
        if spec is None:
            removals[entity].append(code)
        else:
            upserts[entity].append((code, spec))
    for entity, codes in removals.items():
        table = "plan" if entity == "plan" else RECORD_TABLES[entity]
        await connection.execute(f"DELETE FROM {table} WHERE code = ANY($1::text[])", codes)  # noqa: S608
    for (code, spec) in upserts.pop("plan", []):
        row = {"code": code, **_plan_row(spec), "revision": 0, "content_sha256": "", "spec": spec}
        await _upsert(connection, "plan", [row], keep=("revision", "content_sha256"))
    for entity, records in upserts.items():
        rows = [{"code": code, **ROW_BUILDERS[entity](spec), "spec": spec} for code, spec in records]
        await _upsert(connection, RECORD_TABLES[entity], rows)
    touched = [code for code, _ in upserts.get("initiative", [])] + removals.get("initiative", [])
    if touched:
        await _replace_initiative_details(connection, touched, dict(upserts.get("initiative", [])))


async def _upsert(
    connection: asyncpg.Connection, table: str, rows: list[dict[str, Any]], keep: tuple[str, ...] = ()
) -> None:
    columns = list(rows[0])
    values = ", ".join(f"${i}::jsonb" if c in JSON_COLUMNS else f"${i}" for i, c in enumerate(columns, 1))
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c != "code" and c not in keep)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({values}) "  # noqa: S608 - fixed names
        f"ON CONFLICT (code) DO UPDATE SET {updates}"
    )
    await connection.executemany(
        sql,
        [
            tuple(json.dumps(row[c], ensure_ascii=False) if c in JSON_COLUMNS else row[c] for c in columns)
            for row in rows
        ],
    )


async def _replace_initiative_details(
    connection: asyncpg.Connection, codes: list[str], specs: dict[str, dict[str, Any]]
) -> None:
    for table in ("initiative_officer", "initiative_funding", "initiative_monthly_plan"):
        await connection.execute(f"DELETE FROM {table} WHERE initiative_code = ANY($1::text[])", codes)  # noqa: S608
    officers, funding, months = [], [], []
    for code, spec in specs.items():
        initiative = Initiative.model_validate(spec)
        officers += [(code, i, o.name, o.email, o.role) for i, o in enumerate(initiative.officers, 1)]
        funding += [(code, i, f.source, f.amount_clp) for i, f in enumerate(initiative.funding, 1)]
        months += [(code, f"{m.month}-01", m.progress_pct) for m in initiative.monthly_plan]
    await connection.executemany(
        "INSERT INTO initiative_officer (initiative_code, position, name, email, role) VALUES ($1, $2, $3, $4, $5)",
        officers,
    )
    await connection.executemany(
        "INSERT INTO initiative_funding (initiative_code, position, source_code, amount_clp) VALUES ($1, $2, $3, $4)",
        funding,
    )
    await connection.executemany(
        "INSERT INTO initiative_monthly_plan (initiative_code, month, progress_pct) VALUES ($1, $2::text::date, $3)",
        months,
    )
