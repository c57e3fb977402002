"""SQL of the indicator service: applying progress events in batches, keeping the figures of the
initiatives they touch up to date, and the outbox of ``indicators.updated`` events.

Exactly once in effect: each batch runs in one transaction that records the ids of its new events
in ``processed_event``, stores what they said (history), merges them into the touched initiatives'
figures, and writes the events to publish into ``outbox``. The offsets are committed after that
transaction; a redelivered batch finds its ids and changes nothing.

Two ways to the same figures (services/indicators/scorecard.py says why they agree):

- ``update_figures``: a batch of new reports merged into the stored latest state (the hot path;
  its cost follows the batch, not the history);
- ``recompute_figures``: from the whole history, when the plan changes (budget, curve, indicators)
  and for the equality tests.

Writers of figures are serialised by the event log's append lock, taken earlier in the same
transaction (shared/audit.py), so a plan revision and a progress batch never merge into the same
state at once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import asyncpg

from services.indicators import figures, scorecard
from services.indicators.figures import Cause
from shared.audit import Logged, append_events
from shared.db import EVENT_LOG_LOCK, hold_lock
from shared.events import (
    EventEnvelope,
    IndicatorFigure,
    InitiativeFigures,
    MilestoneFigure,
    ProgressReported,
)
from shared.outbox import add_to_outbox
from shared.topics import INDICATORS

OUTBOX_PRODUCER = "indicators"


@dataclass(frozen=True)
class SourceOffset:
    topic: str
    partition: int
    offset: int


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
    today: dt.date,
    outbox_producer: str | None = "indicators",
) -> BatchResult:
    """``today``: the day the figures are judged as of. ``outbox_producer`` None: write no
    audit-head event (a replay into another schema)."""
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
        result.figures_events = await update_figures(connection, [event for event, _ in fresh], today)
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
        for e, _ in fresh for m in figures.last_per_code(e.payload.milestone_updates, "milestone_code")
    ]
    if milestones:
        await connection.copy_records_to_table(
            "milestone_report",
            columns=["event_id", "milestone_code", "initiative_code", "status", "status_date", "as_of", "recorded_at"],
            records=milestones,
        )
    measurements = [
        (e.event_id, m.indicator_code, e.payload.initiative_code, m.period, m.value, e.payload.as_of, e.recorded_at)
        for e, _ in fresh for m in figures.last_per_key(e.payload.indicator_measurements)
    ]
    if measurements:
        await connection.copy_records_to_table(
            "indicator_measurement",
            columns=["event_id", "indicator_code", "initiative_code", "period", "value", "as_of", "recorded_at"],
            records=measurements,
        )


# --- figures --------------------------------------------------------------------------------------


async def update_figures(
    connection: asyncpg.Connection, events: Sequence[EventEnvelope[ProgressReported]], today: dt.date
) -> int:
    """Merge new progress events into the figures of their initiatives, judged as of ``today``;
    write an ``indicators.updated`` event to the outbox for each whose figures changed. Returns how many."""
    news: dict[str, figures.News] = defaultdict(figures.News)
    for event in events:
        report = event.payload
        item = news[report.initiative_code]
        item.reports.append(scorecard.ProgressReport(
            report.as_of, event.recorded_at, report.physical_progress_pct, report.spent_to_date_clp))
        for m in figures.last_per_key(report.indicator_measurements):
            item.measurements[m.indicator_code].append(
                scorecard.Measurement(m.period, report.as_of, event.recorded_at, m.value))
        for m in figures.last_per_code(report.milestone_updates, "milestone_code"):
            item.milestones[m.milestone_code].append(
                scorecard.MilestoneReport(report.as_of, event.recorded_at, m.status, m.date))
    return await _write_figures(connection, figures.causes_of(events), news, today, from_history=False)


async def recompute_figures(connection: asyncpg.Connection, causes: dict[str, Cause], today: dt.date) -> int:
    """Recompute the figures of the initiatives in ``causes`` from their whole history (after a
    plan revision: budgets, curves, indicators and milestones may have changed), judged as of
    ``today``. Same outbox rule and return value as ``update_figures``."""
    codes = sorted(causes)
    await _rebuild_month_reports(connection, codes)
    return await _write_figures(connection, causes, await _latest_in_history(connection, codes), today,
                                from_history=True)


async def rejudge_figures(connection: asyncpg.Connection, today: dt.date, at: dt.datetime) -> int:
    """Judge again, as of ``today``, every initiative last judged on another day (time passes:
    PV, SPI(t) and the status move without any report). Publishes ``indicators.updated`` only
    for the initiatives whose status changed, with an id of the initiative and the day. Returns how many."""
    await hold_lock(connection, EVENT_LOG_LOCK)  # see the module docstring
    codes = [row["code"] for row in await connection.fetch(
        "SELECT i.code FROM initiative i LEFT JOIN initiative_figures f ON f.initiative_code = i.code "
        "WHERE f.judged_on IS DISTINCT FROM $1 ORDER BY i.code", today)]
    if not codes:
        return 0
    causes = {code: Cause((), at, judged_on=today) for code in codes}
    return await _write_figures(connection, causes, {}, today, from_history=False, publish_status_changes_only=True)


async def _write_figures(
    connection: asyncpg.Connection, causes: dict[str, Cause], news: dict[str, figures.News], today: dt.date, *,
    from_history: bool, publish_status_changes_only: bool = False,
) -> int:
    codes = sorted(causes)
    plans = await _load_plans(connection, codes)
    stored = await _load_stored(connection, codes)
    period_end = await connection.fetchval("SELECT period_end FROM plan LIMIT 1")
    if from_history:
        await _fill_month_schedule(connection, plans, only_missing=False)
    else:
        await _merge_month_reports(connection, {code: news[code].reports for code in codes if code in news and code in plans},
                                   plans)
        if publish_status_changes_only:
            await _fill_month_schedule(connection, plans, only_missing=True)
    latest_reports = await _load_latest_reports(connection, codes)
    totals = await _report_totals(connection, codes) if from_history else {}
    rows, outbox = figures.FigureRows(), []
    for code in codes:
        plan = plans.get(code)
        if plan is None:  # left the plan: its figures go below
            continue
        item, old = news.get(code, figures.News()), stored.figures.get(code)
        count, last_as_of = totals.get(code, (0, None)) if from_history else figures.counted(old, item)
        current = figures.initiative_figures(plan, latest_reports.get(code, []), count, last_as_of, today)
        indicators = [
            figures.indicator_figure(plan.indicators[ic], ic,
                                     figures.candidates(stored.latest_measurement, ic, item.measurements, from_history))
            for ic in sorted(plan.indicators)
        ]
        milestones = [
            m for m in (
                figures.milestone_figure(mc, figures.candidates(stored.latest_milestone_update, mc, item.milestones, from_history))
                for mc in sorted(plan.milestones)
            ) if m is not None
        ]
        rows.initiatives.append((code, current))
        rows.indicators += [(code, figure, latest) for figure, latest in indicators]
        rows.milestones += [(code, figure, latest) for figure, latest in milestones]
        rows.planned += figures.planned_rows(code, plan, old, last_as_of, period_end, from_history)
        event = figures.figures_event(code, current, [f for f, _ in indicators], [m for m, _ in milestones], stored,
                                      causes[code])
        if publish_status_changes_only and old is not None and old.status == current.status:
            event = None
        if event is not None:
            outbox.append(event)
    await _replace_figure_rows(connection, codes, rows, replace_planned=from_history)
    await add_to_outbox(connection, OUTBOX_PRODUCER, INDICATORS.name, outbox)
    return len(outbox)


# --- reading the state ----------------------------------------------------------------------------


async def _load_plans(connection: asyncpg.Connection, codes: list[str]) -> dict[str, figures.InitiativePlan]:
    months: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for row in await connection.fetch(
        "SELECT p.initiative_code, to_char(p.month, 'YYYY-MM') AS month, p.progress_pct "
        "FROM initiative_monthly_plan p JOIN initiative i ON i.code = p.initiative_code AND i.curve = 'mensual' "
        "WHERE p.initiative_code = ANY($1::text[]) ORDER BY p.month", codes,
    ):
        months[row["initiative_code"]].append((row["month"], float(row["progress_pct"])))
    plans = {
        row["code"]: figures.InitiativePlan(row["budget_clp"], scorecard.CurvePlan(
            row["start_date"], row["end_date"], tuple(months[row["code"]])))  # empty unless on the monthly curve
        for row in await connection.fetch(
            "SELECT code, budget_clp, start_date, end_date FROM initiative WHERE code = ANY($1::text[])", codes
        )
    }
    for row in await connection.fetch(
        "SELECT code, initiative_code, baseline, target, green_threshold, yellow_threshold FROM indicator "
        "WHERE initiative_code = ANY($1::text[])", codes,
    ):
        plans[row["initiative_code"]].indicators[row["code"]] = row
    for row in await connection.fetch("SELECT code, initiative_code FROM milestone WHERE initiative_code = ANY($1::text[])", codes):
        plans[row["initiative_code"]].milestones.add(row["code"])
    return plans


async def _load_stored(connection: asyncpg.Connection, codes: list[str]) -> figures.StoredFigures:
    stored = figures.StoredFigures()
    for row in await connection.fetch("SELECT * FROM initiative_figures WHERE initiative_code = ANY($1::text[])", codes):
        stored.figures[row["initiative_code"]] = InitiativeFigures.model_validate(
            {name: row[name] for name in InitiativeFigures.model_fields})
    for row in await connection.fetch("SELECT * FROM indicator_figures WHERE initiative_code = ANY($1::text[])", codes):
        code = row["indicator_code"]
        stored.indicators[code] = IndicatorFigure.model_validate({name: row[name] for name in IndicatorFigure.model_fields})
        if row["value"] is not None and row["recorded_at"] is not None:
            stored.latest_measurement[code] = scorecard.Measurement(row["period"], row["as_of"], row["recorded_at"],
                                                                    row["value"])
    for row in await connection.fetch("SELECT * FROM milestone_figures WHERE initiative_code = ANY($1::text[])", codes):
        code = row["milestone_code"]
        stored.milestones[code] = MilestoneFigure.model_validate({name: row[name] for name in MilestoneFigure.model_fields})
        if row["recorded_at"] is not None:
            stored.latest_milestone_update[code] = scorecard.MilestoneReport(
                row["reported_as_of"], row["recorded_at"], row["status"], row["status_date"])
    return stored


async def _load_latest_reports(connection: asyncpg.Connection, codes: list[str]) -> dict[str, list[scorecard.ProgressReport]]:
    """Each initiative's latest progress report and latest spending report: those of its latest
    month that has one (a later month's reports are later by ``as_of``)."""
    latest: dict[str, list[scorecard.ProgressReport]] = {}
    for row in await connection.fetch(
        """
        SELECT c.code, p.progress_as_of, p.progress_recorded_at, p.physical_progress_pct,
               s.spending_as_of, s.spending_recorded_at, s.spent_to_date_clp
        FROM unnest($1::text[]) AS c(code)
        LEFT JOIN LATERAL (
            SELECT progress_as_of, progress_recorded_at, physical_progress_pct FROM initiative_month_report
            WHERE initiative_code = c.code AND physical_progress_pct IS NOT NULL ORDER BY month DESC LIMIT 1
        ) p ON true
        LEFT JOIN LATERAL (
            SELECT spending_as_of, spending_recorded_at, spent_to_date_clp FROM initiative_month_report
            WHERE initiative_code = c.code AND spent_to_date_clp IS NOT NULL ORDER BY month DESC LIMIT 1
        ) s ON true
        """, codes,
    ):
        latest[row["code"]] = _month_row_reports(row)
    return latest


def _month_row_reports(row: asyncpg.Record) -> list[scorecard.ProgressReport]:
    reports = []
    if row["physical_progress_pct"] is not None:
        reports.append(scorecard.ProgressReport(row["progress_as_of"], row["progress_recorded_at"],
                                                row["physical_progress_pct"], None))
    if row["spent_to_date_clp"] is not None:
        reports.append(scorecard.ProgressReport(row["spending_as_of"], row["spending_recorded_at"], None,
                                                row["spent_to_date_clp"]))
    return reports


async def _report_totals(connection: asyncpg.Connection, codes: list[str]) -> dict[str, tuple[int, dt.date | None]]:
    return {
        row["initiative_code"]: (row["reports"], row["last_as_of"])
        for row in await connection.fetch(
            "SELECT initiative_code, count(*) AS reports, max(as_of) AS last_as_of FROM progress_report "
            "WHERE initiative_code = ANY($1::text[]) GROUP BY initiative_code", codes,
        )
    }


async def _latest_in_history(connection: asyncpg.Connection, codes: list[str]) -> dict[str, figures.News]:
    """The latest measurement of each indicator and update of each milestone, from the history
    (the same order as scorecard.latest_measurement and scorecard.latest_milestone_update)."""
    news: dict[str, figures.News] = defaultdict(figures.News)
    for row in await connection.fetch(
        """
        SELECT DISTINCT ON (initiative_code, indicator_code)
               initiative_code, indicator_code, period, as_of, recorded_at, value
        FROM indicator_measurement WHERE initiative_code = ANY($1::text[])
        ORDER BY initiative_code, indicator_code, as_of DESC, recorded_at DESC, value DESC, period COLLATE "C" DESC
        """, codes,
    ):
        news[row["initiative_code"]].measurements[row["indicator_code"]].append(
            scorecard.Measurement(row["period"], row["as_of"], row["recorded_at"], row["value"]))
    for row in await connection.fetch(
        """
        SELECT DISTINCT ON (initiative_code, milestone_code)
               initiative_code, milestone_code, status, status_date, as_of, recorded_at
        FROM milestone_report WHERE initiative_code = ANY($1::text[])
        ORDER BY initiative_code, milestone_code, as_of DESC, recorded_at DESC, status COLLATE "C" DESC,
                 status_date DESC NULLS LAST
        """, codes,
    ):
        news[row["initiative_code"]].milestones[row["milestone_code"]].append(
            scorecard.MilestoneReport(row["as_of"], row["recorded_at"], row["status"], row["status_date"]))
    return news


# --- the S-curve's reported half ------------------------------------------------------------------

MONTH_REPORT_COLUMNS = ("initiative_code", "month", "progress_as_of", "progress_recorded_at", "physical_progress_pct",
                        "spending_as_of", "spending_recorded_at", "spent_to_date_clp", "earned_schedule_days")


async def _rebuild_month_reports(connection: asyncpg.Connection, codes: list[str]) -> None:
    await connection.execute("SELECT rebuild_initiative_month_report($1::text[])", codes)  # migration 0009


async def _fill_month_schedule(
    connection: asyncpg.Connection, plans: dict[str, figures.InitiativePlan], *, only_missing: bool
) -> None:
    """Write the earned schedule of the month rows of ``plans`` (all of them after a rebuild from
    history or a plan change; only rows that lack it otherwise)."""
    rows = await connection.fetch(
        "SELECT initiative_code, month, physical_progress_pct FROM initiative_month_report "
        "WHERE initiative_code = ANY($1::text[]) AND physical_progress_pct IS NOT NULL "
        "AND (NOT $2 OR earned_schedule_days IS NULL)", sorted(plans), only_missing,
    )
    if rows:
        await connection.executemany(
            "UPDATE initiative_month_report SET earned_schedule_days = $3 WHERE initiative_code = $1 AND month = $2",
            [(row["initiative_code"], row["month"],
              scorecard.earned_schedule_days(plans[row["initiative_code"]].curve, row["physical_progress_pct"]))
             for row in rows],
        )


async def _merge_month_reports(
    connection: asyncpg.Connection, reports: dict[str, list[scorecard.ProgressReport]],
    plans: dict[str, figures.InitiativePlan],
) -> None:
    """Merge new reports into the months they fall in; write only the months that changed."""
    keys = sorted({(code, report.as_of.replace(day=1)) for code, items in reports.items() for report in items})
    if not keys:
        return
    stored: dict[tuple[str, dt.date], asyncpg.Record] = {
        (row["initiative_code"], row["month"]): row
        for row in await connection.fetch(
            "SELECT r.* FROM initiative_month_report r "
            "JOIN unnest($1::text[], $2::date[]) AS k(code, month) ON r.initiative_code = k.code AND r.month = k.month",
            [code for code, _ in keys], [month for _, month in keys],
        )
    }
    kept: dict[str, list[scorecard.ProgressReport]] = defaultdict(list)
    for (code, _), row in stored.items():
        kept[code] += _month_row_reports(row)
    changed = []
    for code, items in reports.items():
        for month, merged in scorecard.latest_by_month(kept[code] + items).items():
            if merged.progress is None and merged.spending is None:
                continue  # reports of milestones or indicators only: nothing for the S-curve
            row = figures.month_row(code, merged, plans[code].curve)
            old = stored.get((code, month))
            if old is None or tuple(old[c] for c in MONTH_REPORT_COLUMNS) != row:
                changed.append(row)
    if changed:
        columns = list(zip(*changed))
        await connection.execute(
            f"""
            INSERT INTO initiative_month_report ({", ".join(MONTH_REPORT_COLUMNS)})
            SELECT * FROM unnest($1::text[], $2::date[], $3::date[], $4::timestamptz[], $5::float8[], $6::date[],
                                 $7::timestamptz[], $8::int8[], $9::float8[])
            ON CONFLICT (initiative_code, month) DO UPDATE SET
            {", ".join(f"{c} = EXCLUDED.{c}" for c in MONTH_REPORT_COLUMNS[2:])}
            """,  # noqa: S608 - fixed column names
            *[list(column) for column in columns],
        )


# --- computing ------------------------------------------------------------------------------------


# --- writing --------------------------------------------------------------------------------------


INITIATIVE_FIGURE_COLUMNS = tuple(InitiativeFigures.model_fields)
"""Every figure of the event is a column of ``initiative_figures`` of the same name."""


async def _replace_figure_rows(
    connection: asyncpg.Connection, codes: list[str], rows: figures.FigureRows, *, replace_planned: bool
) -> None:
    """Replace the current figures of ``codes`` (a few rows each; one that left the plan just loses
    its rows). The planned S-curve is replaced from history, otherwise only extended."""
    tables = ["initiative_figures", "indicator_figures", "milestone_figures"]
    if replace_planned:
        tables.append("initiative_monthly_planned")
    for table in tables:
        await connection.execute(f"DELETE FROM {table} WHERE initiative_code = ANY($1::text[])", codes)  # noqa: S608
    await connection.copy_records_to_table(
        "initiative_figures",
        columns=["initiative_code", *INITIATIVE_FIGURE_COLUMNS],
        records=[(code, *(getattr(f, name) for name in INITIATIVE_FIGURE_COLUMNS)) for code, f in rows.initiatives],
    )
    await connection.copy_records_to_table(
        "indicator_figures",
        columns=["indicator_code", "initiative_code", "value", "period", "as_of", "recorded_at", "efficacy_pct",
                 "light", "target_reached"],
        records=[(f.indicator_code, code, f.value, f.period, m.as_of if m else None, m.recorded_at if m else None,
                  f.efficacy_pct, f.light, f.target_reached) for code, f, m in rows.indicators],
    )
    await connection.copy_records_to_table(
        "milestone_figures",
        columns=["milestone_code", "initiative_code", "status", "status_date", "reported_as_of", "recorded_at"],
        records=[(m.milestone_code, code, m.status, m.status_date, m.reported_as_of, u.recorded_at)
                 for code, m, u in rows.milestones],
    )
    if replace_planned:
        await connection.copy_records_to_table(
            "initiative_monthly_planned", columns=["initiative_code", "month", "planned_progress_pct"],
            records=rows.planned)
    elif rows.planned:
        await connection.executemany(
            "INSERT INTO initiative_monthly_planned (initiative_code, month, planned_progress_pct) "
            "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", rows.planned)


