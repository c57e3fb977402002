"""SQL of the indicator service: applying progress events in batches, recomputing the figures of
the initiatives they touch, and the outbox of ``indicators.updated`` events.

Exactly once in effect: each batch runs in one transaction that records the ids of its new events
in ``processed_event``, stores what they said (history), recomputes the touched initiatives from
their whole history, and writes the events to publish into ``outbox``. The offsets are committed
after that transaction; a redelivered batch finds its ids and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from services.indicators import scorecard
from shared.events import (
    EventEnvelope, IndicatorFigure, IndicatorsUpdated, InitiativeFigures, MilestoneFigure, ProgressReported,
)
from shared.audit import Logged, append_events
from shared.outbox import add_to_outbox
from shared.topics import INDICATORS

OUTBOX_PRODUCER = "indicators"
FIGURES_EVENT_NAMESPACE = uuid.UUID("6f1c2e53-5d0a-4c8e-9a51-0b3f3f2d7a10")


@dataclass(frozen=True)
class SourceOffset:
    topic: str
    partition: int
    offset: int


@dataclass(frozen=True)
class Cause:
    """The events that made an initiative's figures be recomputed, and when the latest happened."""

    event_ids: tuple[uuid.UUID, ...]
    at: dt.datetime


@dataclass
class BatchResult:
    applied: list[EventEnvelope[ProgressReported]] = field(default_factory=list)
    duplicates: int = 0
    figures_events: int = 0


# --- applying progress ----------------------------------------------------------------------------


async def apply_progress_batch(
    pool: asyncpg.Pool,
    consumer: str,
    events: Sequence[tuple[EventEnvelope[ProgressReported], SourceOffset]],
    *,
    outbox_producer: str | None = "indicators",
) -> BatchResult:
    """``outbox_producer`` None: write no audit-head event (a replay into another schema)."""
    result = BatchResult()
    async with pool.acquire() as connection, connection.transaction():
        new_ids = {
            row["event_id"]
            for row in await connection.fetch(
                "INSERT INTO processed_event (consumer, event_id) SELECT $1, unnest($2::uuid[]) "
                "ON CONFLICT DO NOTHING RETURNING event_id",
                consumer, [event.event_id for event, _ in events],
            )
        }
        fresh: list[tuple[EventEnvelope[ProgressReported], SourceOffset]] = []
        for event, source in events:
            if event.event_id in new_ids:
                new_ids.discard(event.event_id)  # a second copy inside the batch is a duplicate too
                fresh.append((event, source))
        result.duplicates = len(events) - len(fresh)
        if not fresh:
            return result
        await _store_reports(connection, fresh)
        await append_events(connection, [Logged(e, s.topic, s.partition, s.offset) for e, s in fresh],
                            producer=outbox_producer)
        causes = _causes(event for event, _ in fresh)
        result.figures_events = await recompute_figures(connection, causes)
        result.applied = [event for event, _ in fresh]
    return result


async def _store_reports(
    connection: asyncpg.Connection, fresh: Sequence[tuple[EventEnvelope[ProgressReported], SourceOffset]]
) -> None:
    await connection.copy_records_to_table(
        "progress_report",
        columns=["event_id", "initiative_code", "as_of", "physical_progress_pct", "spent_to_date_clp", "reporter",
                 "source_system", "occurred_at", "recorded_at", "payload", "source_topic", "source_partition",
                 "source_offset"],
        records=[
            (e.event_id, e.payload.initiative_code, e.payload.as_of, e.payload.physical_progress_pct,
             e.payload.spent_to_date_clp, e.payload.reporter, e.source_system, e.occurred_at, e.recorded_at,
             e.payload.model_dump_json(), s.topic, s.partition, s.offset)
            for e, s in fresh
        ],
    )
    milestones = [
        (e.event_id, m.milestone_code, e.payload.initiative_code, m.status, m.date, e.payload.as_of, e.recorded_at)
        for e, _ in fresh for m in _last_per_code(e.payload.milestone_updates, "milestone_code")
    ]
    if milestones:
        await connection.copy_records_to_table(
            "milestone_report",
            columns=["event_id", "milestone_code", "initiative_code", "status", "status_date", "as_of", "recorded_at"],
            records=milestones,
        )
    measurements = [
        (e.event_id, m.indicator_code, e.payload.initiative_code, m.period, m.value, e.payload.as_of, e.recorded_at)
        for e, _ in fresh for m in _last_per_key(e.payload.indicator_measurements)
    ]
    if measurements:
        await connection.copy_records_to_table(
            "indicator_measurement",
            columns=["event_id", "indicator_code", "initiative_code", "period", "value", "as_of", "recorded_at"],
            records=measurements,
        )


def _last_per_code(items: Iterable[Any], attribute: str) -> list[Any]:
    # One report naming the same milestone twice: its last word counts.
    return list({getattr(item, attribute): item for item in items}.values())


def _last_per_key(measurements: Iterable[Any]) -> list[Any]:
    return list({(m.indicator_code, m.period): m for m in measurements}.values())


def _causes(events: Iterable[EventEnvelope[ProgressReported]]) -> dict[str, Cause]:
    grouped: dict[str, list[EventEnvelope[ProgressReported]]] = defaultdict(list)
    for event in events:
        grouped[event.payload.initiative_code].append(event)
    return {
        code: Cause(tuple(sorted(e.event_id for e in items)), max(e.recorded_at for e in items))
        for code, items in grouped.items()
    }


# --- recomputing figures --------------------------------------------------------------------------


@dataclass
class InitiativeInputs:
    code: str
    budget_clp: int
    plan: scorecard.CurvePlan
    reports: list[scorecard.ProgressReport] = field(default_factory=list)
    indicators: dict[str, asyncpg.Record] = field(default_factory=dict)
    measurements: dict[str, list[scorecard.Measurement]] = field(default_factory=lambda: defaultdict(list))
    milestones: set[str] = field(default_factory=set)
    milestone_reports: dict[str, list[tuple[Any, ...]]] = field(default_factory=lambda: defaultdict(list))


async def recompute_figures(connection: asyncpg.Connection, causes: dict[str, Cause]) -> int:
    """Recompute the figures of the initiatives in ``causes`` from their whole history; write an
    ``indicators.updated`` event to the outbox for each whose figures changed. Returns how many."""
    codes = sorted(causes)
    inputs = await _load_inputs(connection, codes)
    before = await _load_previous(connection, codes)
    period_end = await connection.fetchval("SELECT period_end FROM plan LIMIT 1")
    outbox: list[EventEnvelope[IndicatorsUpdated]] = []
    initiative_rows, indicator_rows, milestone_rows, monthly_rows = [], [], [], []
    for code, item in inputs.items():
        figures = _initiative_figures(item)
        measured = [_indicator_figure(item, indicator_code) for indicator_code in sorted(item.indicators)]
        indicators = [figure for figure, _ in measured]
        milestones = [m for m in (_milestone_figure(item, mc) for mc in sorted(item.milestones)) if m]
        initiative_rows.append((code, figures))
        indicator_rows += [(code, figure, as_of) for figure, as_of in measured]
        milestone_rows += [(code, m) for m in milestones]
        # Every series runs to the end of the plan period (or a later report), so that each month
        # of a group's S-curve counts all of its initiatives.
        last_report = max((r.as_of for r in item.reports), default=item.plan.end)
        until = max(d for d in (item.plan.end, last_report, period_end) if d is not None)
        monthly_rows += [
            (code, p.month, p.planned_progress_pct, p.physical_progress_pct, p.planned_value_clp,
             p.earned_value_clp, p.actual_cost_clp)
            for p in scorecard.monthly_series(item.plan, item.budget_clp, item.reports, until=until)
        ]
        event = _figures_event(code, figures, indicators, milestones, before, causes[code])
        if event is not None:
            outbox.append(event)
    # Rows of every recomputed initiative are replaced; one that left the plan just loses its rows.
    await _write_figures(connection, codes, initiative_rows, indicator_rows, milestone_rows, monthly_rows)
    await add_to_outbox(connection, OUTBOX_PRODUCER, INDICATORS.name, outbox)
    return len(outbox)


async def _load_inputs(connection: asyncpg.Connection, codes: list[str]) -> dict[str, InitiativeInputs]:
    months: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for row in await connection.fetch(
        "SELECT initiative_code, to_char(month, 'YYYY-MM') AS month, progress_pct FROM initiative_monthly_plan "
        "WHERE initiative_code = ANY($1::text[]) ORDER BY month", codes,
    ):
        months[row["initiative_code"]].append((row["month"], float(row["progress_pct"])))
    inputs = {
        row["code"]: InitiativeInputs(
            code=row["code"], budget_clp=row["budget_clp"],
            plan=scorecard.CurvePlan(row["start_date"], row["end_date"],
                                     tuple(months[row["code"]]) if row["curve"] == "mensual" else ()),
        )
        for row in await connection.fetch(
            "SELECT code, budget_clp, start_date, end_date, curve FROM initiative WHERE code = ANY($1::text[])", codes
        )
    }
    for row in await connection.fetch(
        "SELECT initiative_code, as_of, recorded_at, physical_progress_pct, spent_to_date_clp FROM progress_report "
        "WHERE initiative_code = ANY($1::text[])", codes,
    ):
        if row["initiative_code"] in inputs:
            progress = row["physical_progress_pct"]
            inputs[row["initiative_code"]].reports.append(scorecard.ProgressReport(
                row["as_of"], row["recorded_at"], None if progress is None else float(progress), row["spent_to_date_clp"]))
    for row in await connection.fetch(
        "SELECT code, initiative_code, baseline, target, green_threshold, yellow_threshold FROM indicator "
        "WHERE initiative_code = ANY($1::text[])", codes,
    ):
        inputs[row["initiative_code"]].indicators[row["code"]] = row
    for row in await connection.fetch(
        "SELECT indicator_code, initiative_code, period, value, as_of, recorded_at FROM indicator_measurement "
        "WHERE initiative_code = ANY($1::text[])", codes,
    ):
        if row["initiative_code"] in inputs:
            inputs[row["initiative_code"]].measurements[row["indicator_code"]].append(
                scorecard.Measurement(row["period"], row["as_of"], row["recorded_at"], row["value"]))
    for row in await connection.fetch("SELECT code, initiative_code FROM milestone WHERE initiative_code = ANY($1::text[])", codes):
        inputs[row["initiative_code"]].milestones.add(row["code"])
    for row in await connection.fetch(
        "SELECT milestone_code, initiative_code, status, status_date, as_of, recorded_at FROM milestone_report "
        "WHERE initiative_code = ANY($1::text[])", codes,
    ):
        if row["initiative_code"] in inputs:
            inputs[row["initiative_code"]].milestone_reports[row["milestone_code"]].append(
                (row["as_of"], row["recorded_at"], row["status"], row["status_date"]))
    return inputs


@dataclass
class Previous:
    figures: dict[str, InitiativeFigures] = field(default_factory=dict)
    indicators: dict[str, IndicatorFigure] = field(default_factory=dict)
    milestones: dict[str, MilestoneFigure] = field(default_factory=dict)


async def _load_previous(connection: asyncpg.Connection, codes: list[str]) -> Previous:
    previous = Previous()
    for row in await connection.fetch("SELECT * FROM initiative_figures WHERE initiative_code = ANY($1::text[])", codes):
        previous.figures[row["initiative_code"]] = InitiativeFigures.model_validate(
            {name: row[name] for name in InitiativeFigures.model_fields})
    for row in await connection.fetch("SELECT * FROM indicator_figures WHERE initiative_code = ANY($1::text[])", codes):
        previous.indicators[row["indicator_code"]] = IndicatorFigure.model_validate(
            {name: row[name] for name in IndicatorFigure.model_fields})
    for row in await connection.fetch("SELECT * FROM milestone_figures WHERE initiative_code = ANY($1::text[])", codes):
        previous.milestones[row["milestone_code"]] = MilestoneFigure.model_validate(
            {name: row[name] for name in MilestoneFigure.model_fields})
    return previous


def _initiative_figures(item: InitiativeInputs) -> InitiativeFigures:
    ev = scorecard.earned_value(item.plan, item.budget_clp, item.reports)
    last = max(item.reports, key=lambda r: (r.as_of, r.recorded_at), default=None)
    return InitiativeFigures(
        data_date=ev.data_date, physical_progress_pct=ev.physical_progress_pct,
        planned_progress_pct=ev.planned_progress_pct, budget_clp=item.budget_clp,
        earned_value_clp=ev.earned_value_clp, planned_value_clp=ev.planned_value_clp,
        actual_cost_clp=ev.actual_cost_clp, spi=ev.spi, cpi=ev.cpi,
        financial_execution_pct=ev.financial_execution_pct,
        status=scorecard.initiative_status(ev).value, report_count=len(item.reports),
        last_report_as_of=last.as_of if last else None,
    )


def _indicator_figure(item: InitiativeInputs, code: str) -> tuple[IndicatorFigure, dt.date | None]:
    spec = item.indicators[code]
    latest = scorecard.latest_measurement(item.measurements.get(code, []))
    value = latest.value if latest else None
    efficacy = scorecard.efficacy_pct(spec["baseline"], spec["target"], value) if latest else None
    figure = IndicatorFigure(
        indicator_code=code, value=value, period=latest.period if latest else None, efficacy_pct=efficacy,
        light=scorecard.traffic_light(efficacy, spec["green_threshold"], spec["yellow_threshold"]).value,
        target_reached=scorecard.target_reached(spec["baseline"], spec["target"], value),
    )
    return figure, latest.as_of if latest else None


def _milestone_figure(item: InitiativeInputs, code: str) -> MilestoneFigure | None:
    reports = item.milestone_reports.get(code)
    if not reports:
        return None
    as_of, _, status, status_date = max(reports, key=lambda r: (r[0], r[1]))
    return MilestoneFigure(milestone_code=code, status=status, status_date=status_date, reported_as_of=as_of)


def _figures_event(
    code: str, figures: InitiativeFigures, indicators: list[IndicatorFigure], milestones: list[MilestoneFigure],
    before: Previous, cause: Cause,
) -> EventEnvelope[IndicatorsUpdated] | None:
    old = before.figures.get(code)
    changed = sorted(
        name for name in InitiativeFigures.model_fields
        if old is None or getattr(old, name) != getattr(figures, name)
    )
    changed_indicators = [f for f in indicators if before.indicators.get(f.indicator_code) != f]
    changed_milestones = [m for m in milestones if before.milestones.get(m.milestone_code) != m]
    if not changed and not changed_indicators and not changed_milestones:
        return None
    payload = IndicatorsUpdated(
        initiative_code=code, figures=figures, changed=changed, indicators=changed_indicators,
        milestones=changed_milestones, caused_by=list(cause.event_ids),
    )
    # The same history gives the same event id, so a replay's events can be matched to the originals.
    event_id = uuid.uuid5(FIGURES_EVENT_NAMESPACE, code + "|" + ",".join(str(e) for e in cause.event_ids))
    return EventEnvelope.of(payload, event_id=event_id, at=cause.at, source_system="pladeco-indicators",
                            actor="pladeco-indicators", initiative_code=code)


async def _write_figures(
    connection: asyncpg.Connection, codes: list[str], initiatives: list, indicators: list, milestones: list,
    monthly: list,
) -> None:
    for table in ("initiative_figures", "indicator_figures", "milestone_figures", "initiative_monthly"):
        await connection.execute(f"DELETE FROM {table} WHERE initiative_code = ANY($1::text[])", codes)  # noqa: S608
    await connection.copy_records_to_table(
        "initiative_figures",
        columns=["initiative_code", "data_date", "physical_progress_pct", "planned_progress_pct", "budget_clp",
                 "earned_value_clp", "planned_value_clp", "actual_cost_clp", "spi", "cpi", "schedule_variance_clp",
                 "cost_variance_clp", "financial_execution_pct", "estimate_at_completion_clp", "status",
                 "report_count", "last_report_as_of"],
        records=[
            (code, f.data_date, f.physical_progress_pct, f.planned_progress_pct, f.budget_clp, f.earned_value_clp,
             f.planned_value_clp, f.actual_cost_clp, f.spi, f.cpi, _minus(f.earned_value_clp, f.planned_value_clp),
             _minus(f.earned_value_clp, f.actual_cost_clp), f.financial_execution_pct,
             f.budget_clp / f.cpi if f.cpi else None, f.status, f.report_count, f.last_report_as_of)
            for code, f in initiatives
        ],
    )
    await connection.copy_records_to_table(
        "indicator_figures",
        columns=["indicator_code", "initiative_code", "value", "period", "as_of", "efficacy_pct", "light", "target_reached"],
        records=[(f.indicator_code, code, f.value, f.period, as_of, f.efficacy_pct, f.light, f.target_reached)
                 for code, f, as_of in indicators],
    )
    await connection.copy_records_to_table(
        "milestone_figures",
        columns=["milestone_code", "initiative_code", "status", "status_date", "reported_as_of"],
        records=[(m.milestone_code, code, m.status, m.status_date, m.reported_as_of) for code, m in milestones],
    )
    await connection.copy_records_to_table(
        "initiative_monthly",
        columns=["initiative_code", "month", "planned_progress_pct", "physical_progress_pct", "planned_value_clp",
                 "earned_value_clp", "actual_cost_clp"],
        records=monthly,
    )


def _minus(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b
