"""SQL of the alert service: the facts the rules read (scorecard views and history), the open
alerts and silences, and the lifecycle changes with their events (through the outbox, in the same
transaction). One evaluation at a time, across processes (an advisory lock)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import asyncpg

from services.alerts.lifecycle import Announce, Change, Confirm, Escalate, OpenAlert, Raise, Resolve, Silence
from services.alerts.rules import Finding, IndicatorFacts, InitiativeFacts, MilestoneFacts, PredecessorFacts
from services.alerts.trend import Observation
from shared.db import ALERT_EVALUATION_LOCK, SCORECARD_SCHEMA, hold_lock
from shared.events import (
    AlertAcknowledged,
    AlertChanged,
    AlertEscalated,
    AlertRaised,
    AlertResolved,
    EventEnvelope,
)
from shared.outbox import add_to_outbox
from shared.topics import ALERTS

OUTBOX_PRODUCER = "alerts"
ALERT_NAMESPACE = uuid.UUID("0b7a3c9e-1f2d-4e5a-8c6b-9d0e1f2a3b4c")


async def lock_evaluation(connection: asyncpg.Connection) -> None:
    await hold_lock(connection, ALERT_EVALUATION_LOCK)


async def with_successors(connection: asyncpg.Connection, codes: Sequence[str]) -> list[str]:
    """The initiatives and those that wait for them (their predecessor rule may change too)."""
    rows = await connection.fetch(
        "SELECT code FROM initiative WHERE code = ANY($1::text[]) OR predecessor_codes && $1::text[]", list(codes)
    )
    return sorted({row["code"] for row in rows})


async def load_facts(
    connection: asyncpg.Connection, codes: Sequence[str] | None, *, views: str = SCORECARD_SCHEMA
) -> list[InitiativeFacts]:
    """What the rules read, from the scorecard views in schema ``views`` (a replay has its own)."""
    rows = await connection.fetch(
        "SELECT initiative_code, name, department_code, start_date, end_date, budget_clp, status, spi, cpi, "
        "physical_progress_pct, actual_cost_clp, last_report_as_of, spi_t, earned_schedule_date, ieac_t_date "
        f"FROM {views}.initiative "
        "WHERE $1::text[] IS NULL OR initiative_code = ANY($1::text[])", codes,
    )
    wanted = [row["initiative_code"] for row in rows]
    milestones, indicators, histories, predecessors = await _details(connection, wanted, views)
    return [
        InitiativeFacts(
            code=row["initiative_code"], name=row["name"], department_code=row["department_code"],
            start=row["start_date"], end=row["end_date"], budget_clp=row["budget_clp"], status=row["status"],
            spi=row["spi"], cpi=row["cpi"], physical_progress_pct=row["physical_progress_pct"],
            actual_cost_clp=row["actual_cost_clp"], last_report_as_of=row["last_report_as_of"],
            spi_t=row["spi_t"], es_date=row["earned_schedule_date"], ieac_t_date=row["ieac_t_date"],
            milestones=tuple(milestones[row["initiative_code"]]), indicators=tuple(indicators[row["initiative_code"]]),
            predecessors=tuple(predecessors[row["initiative_code"]]),
            progress_history=tuple(histories[row["initiative_code"]]),
        )
        for row in rows
    ]


async def _details(connection: asyncpg.Connection, codes: list[str], views: str):  # noqa: ANN202
    milestones: dict[str, list[MilestoneFacts]] = defaultdict(list)
    for row in await connection.fetch(
        f"SELECT milestone_code, initiative_code, name, due_date, reported_status, status_date FROM {views}.milestone "
        "WHERE initiative_code = ANY($1::text[]) ORDER BY due_date", codes,
    ):
        milestones[row["initiative_code"]].append(MilestoneFacts(
            row["milestone_code"], row["name"], row["due_date"], row["reported_status"], row["status_date"]))
    measured: dict[str, list[Observation]] = defaultdict(list)
    for row in await connection.fetch(
        "SELECT indicator_code, as_of, value FROM indicator_measurement WHERE initiative_code = ANY($1::text[]) "
        "ORDER BY as_of, recorded_at", codes,
    ):
        measured[row["indicator_code"]].append(Observation(row["as_of"], row["value"]))
    indicators: dict[str, list[IndicatorFacts]] = defaultdict(list)
    for row in await connection.fetch(
        "SELECT indicator_code, initiative_code, name, unit, baseline, target, target_date, value, efficacy_pct "
        f"FROM {views}.indicator WHERE initiative_code = ANY($1::text[])", codes,
    ):
        indicators[row["initiative_code"]].append(IndicatorFacts(
            row["indicator_code"], row["name"], row["unit"], row["baseline"], row["target"], row["target_date"],
            row["value"], row["efficacy_pct"], tuple(measured[row["indicator_code"]])))
    histories: dict[str, list[Observation]] = defaultdict(list)
    for row in await connection.fetch(
        "SELECT initiative_code, as_of, physical_progress_pct FROM progress_report "
        "WHERE initiative_code = ANY($1::text[]) AND physical_progress_pct IS NOT NULL ORDER BY as_of, recorded_at", codes,
    ):
        histories[row["initiative_code"]].append(Observation(row["as_of"], float(row["physical_progress_pct"])))
    predecessors: dict[str, list[PredecessorFacts]] = defaultdict(list)
    for row in await connection.fetch(
        "SELECT s.code AS successor, p.initiative_code, p.name, p.end_date, p.status, p.physical_progress_pct "
        "FROM initiative s CROSS JOIN LATERAL unnest(s.predecessor_codes) AS pc(code) "
        f"JOIN {views}.initiative p ON p.initiative_code = pc.code WHERE s.code = ANY($1::text[])", codes,
    ):
        predecessors[row["successor"]].append(PredecessorFacts(
            row["initiative_code"], row["name"], row["end_date"], row["status"], row["physical_progress_pct"]))
    return milestones, indicators, histories, predecessors


async def load_open_alerts(connection: asyncpg.Connection, codes: Sequence[str] | None) -> list[OpenAlert]:
    rows = await connection.fetch(
        "SELECT alert_id, fingerprint, rule, initiative_code, state, consecutive, announced, escalation_level, "
        "raised_at, evidence FROM alert WHERE state <> 'resolved' AND ($1::text[] IS NULL OR initiative_code = ANY($1::text[]))",
        codes,
    )
    return [OpenAlert(**dict(row)) for row in rows]


async def load_silences(connection: asyncpg.Connection, now: dt.datetime) -> list[Silence]:
    rows = await connection.fetch("SELECT rule, initiative_code, ends_at FROM alert_silence WHERE ends_at > $1", now)
    return [Silence(row["rule"], row["initiative_code"], row["ends_at"]) for row in rows]


async def apply_changes(connection: asyncpg.Connection, changes: Sequence[Change], *, now: dt.datetime) -> int:
    """Write the changes; their events go to the outbox. Returns how many events."""
    events: list[EventEnvelope[Any]] = []
    for change in changes:
        event_type: type[AlertChanged] | None = None
        if isinstance(change, Raise):
            alert_id = uuid.uuid5(ALERT_NAMESPACE, f"{change.finding.fingerprint}|{now.isoformat()}")
            await _insert(connection, alert_id, change, now)
            event_type = AlertRaised if change.announce else None
        elif isinstance(change, Confirm):
            alert_id = change.alert_id
            await _confirm(connection, change, now)
            event_type = AlertRaised if change.announce else None
        elif isinstance(change, Announce):
            alert_id = change.alert_id
            await connection.execute("UPDATE alert SET announced = true, raised_at = COALESCE(raised_at, $2) "
                                     "WHERE alert_id = $1", alert_id, now)
            event_type = AlertRaised
        elif isinstance(change, Resolve):
            alert_id = change.alert_id
            await connection.execute("UPDATE alert SET state = 'resolved', resolved_at = $2, resolution = $3 "
                                     "WHERE alert_id = $1", alert_id, now, change.resolution)
            event_type = AlertResolved if change.announce else None
        elif isinstance(change, Escalate):
            alert_id = change.alert_id
            await connection.execute("UPDATE alert SET escalation_level = $2, escalated_at = $3 WHERE alert_id = $1",
                                     alert_id, change.level, now)
            event_type = AlertEscalated
        if event_type is not None:
            events.append(await alert_event(connection, alert_id, event_type, now=now))
    await add_to_outbox(connection, OUTBOX_PRODUCER, ALERTS.name, events)
    return len(events)


async def _insert(connection: asyncpg.Connection, alert_id: uuid.UUID, change: Raise, now: dt.datetime) -> None:
    f = change.finding
    await connection.execute(
        """
        INSERT INTO alert (alert_id, fingerprint, rule, severity, initiative_code, subject_code, state, consecutive,
                           title, message, explanation, action, details, first_seen_at, raised_at,
                           last_evaluated_at, announced, evidence)
        VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $10, $11, $12::jsonb, $13, $14, $13, $15, $16)
        """,
        alert_id, f.fingerprint, f.rule, f.severity, f.initiative_code, f.subject_code, change.state, f.title,
        f.message, f.explanation, f.action, json.dumps(f.details, default=str), now,
        now if change.state == "firing" else None, change.announce, f.evidence,
    )


async def _confirm(connection: asyncpg.Connection, change: Confirm, now: dt.datetime) -> None:
    f: Finding = change.finding
    await connection.execute(
        """
        UPDATE alert SET consecutive = consecutive + CASE WHEN $11 THEN 1 ELSE 0 END, severity = $2, title = $3,
               message = $4, explanation = $5, action = $6, details = $7::jsonb, last_evaluated_at = $8,
               state = CASE WHEN $9 THEN 'firing' ELSE state END,
               raised_at = CASE WHEN $9 THEN $8 ELSE raised_at END,
               announced = announced OR $10, evidence = $12
        WHERE alert_id = $1
        """,
        change.alert_id, f.severity, f.title, f.message, f.explanation, f.action,
        json.dumps(f.details, default=str), now, change.fire, change.announce, change.counted, f.evidence,
    )


async def alert_event(
    connection: asyncpg.Connection, alert_id: uuid.UUID, event_type: type[AlertChanged], *, now: dt.datetime,
    **extra: Any,
) -> EventEnvelope[Any]:
    row = await connection.fetchrow(
        "SELECT a.*, i.name AS initiative_name, i.responsible_unit FROM alert a "
        "LEFT JOIN initiative i ON i.code = a.initiative_code WHERE a.alert_id = $1", alert_id,
    )
    payload = event_type(
        alert_id=row["alert_id"], fingerprint=row["fingerprint"], rule=row["rule"], severity=row["severity"],
        initiative_code=row["initiative_code"], initiative_name=row["initiative_name"] or row["initiative_code"],
        department_code=row["responsible_unit"] or "", subject_code=row["subject_code"],
        state="firing" if row["state"] == "pending" else row["state"], title=row["title"], message=row["message"],
        explanation=row["explanation"], action=row["action"], escalation_level=row["escalation_level"],
        raised_at=row["raised_at"] or now, details=json.loads(row["details"]) if isinstance(row["details"], str) else row["details"],
        **({"resolution": row["resolution"] or ""} if event_type is AlertResolved else {}),
        **extra,
    )
    # Derived from the alert, the transition and the moment: a replay of the same history at the
    # same clock yields the same ids.
    event_id = uuid.uuid5(ALERT_NAMESPACE, f"{alert_id}|{event_type.EVENT_TYPE}|{row['escalation_level']}|{now.isoformat()}")
    return EventEnvelope.of(payload, event_id=event_id, at=now, source_system="pladeco-alerts",
                            actor=extra.get("acknowledged_by", "pladeco-alerts"), initiative_code=row["initiative_code"])


async def acknowledge(pool: asyncpg.Pool, alert_id: uuid.UUID, *, by: str, now: dt.datetime) -> str:
    """``acknowledged``, ``already`` (acknowledged or resolved before) or ``unknown``."""
    async with pool.acquire() as connection, connection.transaction():
        state = await connection.fetchval("SELECT state FROM alert WHERE alert_id = $1 FOR UPDATE", alert_id)
        if state is None:
            return "unknown"
        if state != "firing":
            return "already"
        await connection.execute(
            "UPDATE alert SET state = 'acknowledged', acknowledged_at = $2, acknowledged_by = $3 WHERE alert_id = $1",
            alert_id, now, by,
        )
        event = await alert_event(connection, alert_id, AlertAcknowledged, now=now, acknowledged_by=by)
        await add_to_outbox(connection, OUTBOX_PRODUCER, ALERTS.name, [event])
        return "acknowledged"


async def add_silence(
    connection: asyncpg.Connection, *, rule: str | None, initiative_code: str | None, ends_at: dt.datetime,
    created_by: str, reason: str, now: dt.datetime,
) -> uuid.UUID:
    silence_id = uuid.uuid4()
    await connection.execute(
        "INSERT INTO alert_silence (silence_id, rule, initiative_code, ends_at, created_by, reason, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7)", silence_id, rule, initiative_code, ends_at, created_by, reason, now,
    )
    return silence_id


async def list_alerts(connection: asyncpg.Connection, *, include_resolved: bool = False) -> list[asyncpg.Record]:
    return await connection.fetch(
        "SELECT alert_id, rule, severity, initiative_code, subject_code, state, title, raised_at, escalation_level, "
        "acknowledged_by, resolved_at FROM alert WHERE ($1 OR state <> 'resolved') AND state <> 'pending' "
        "ORDER BY raised_at DESC NULLS LAST", include_resolved,
    )
