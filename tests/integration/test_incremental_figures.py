"""The indicator service keeps its figures incrementally (each batch merged into the stored latest
state); a recompute from the whole history must give the very same rows, whatever order and batches
the reports came in. Runs in its own schema with the sample plan, on the real database."""

from __future__ import annotations

import datetime as dt
import random
import uuid

import asyncpg
import pytest

from services.indicators.catalogue_store import apply_plan_revision
from services.indicators.figures import Cause
from services.indicators.scorecard import CurvePlan, ProgressReport, monthly_series
from services.indicators.store import SourceOffset, apply_progress_batch, recompute_figures
from shared.db import apply_migrations
from shared.events import EventEnvelope, ProgressReported, decode_event
from shared.plan.changes import revision_event
from shared.plan.model import Initiative

pytestmark = pytest.mark.integration

SCHEMA = "incremental_figures"
NOW = dt.datetime(2026, 1, 5, 12, tzinfo=dt.UTC)
TODAY = dt.date(2026, 1, 5)


@pytest.fixture
async def plan_schema(database_url, sample_plan):
    """A fresh schema holding the sample plan and no reports; a pool whose search path is it."""
    setup = await asyncpg.connect(database_url)
    try:
        await setup.execute(f'DROP SCHEMA IF EXISTS "{SCHEMA}_scorecard" CASCADE; DROP SCHEMA IF EXISTS "{SCHEMA}" '
                            f'CASCADE; CREATE SCHEMA "{SCHEMA}"')
        await setup.execute(f'SET search_path = "{SCHEMA}"')
        await apply_migrations(setup, scorecard_schema=f"{SCHEMA}_scorecard")
    finally:
        await setup.close()
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2,
                                     server_settings={"search_path": SCHEMA, "timezone": "UTC"})
    event = revision_event(current_code=None, current_revision=0, current_document=None, new_document=sample_plan,
                           actor="pruebas", reason="plan de muestra", source_system="pruebas", now=NOW)

    async def figures_from_history(connection, codes):
        await recompute_figures(connection, {code: Cause((event.event_id,), NOW) for code in codes}, TODAY)

    await apply_plan_revision(pool, "pruebas-plan", event, after_apply=figures_from_history)
    yield pool
    await pool.close()


def initiatives_with_indicators_and_milestones(plan: dict, count: int) -> list[dict]:
    chosen = [i for i in plan["iniciativas"] if i.get("indicadores") and i.get("hitos")][:count // 2]
    chosen += [i for i in plan["iniciativas"] if i not in chosen][:count - len(chosen)]
    return chosen


def random_report(rng: random.Random, initiative: dict, recorded_at: dt.datetime) -> EventEnvelope:
    start = dt.date.fromisoformat(initiative["inicio"])
    as_of = start + dt.timedelta(days=rng.randrange(-30, 900))
    milestones = [{"milestone_code": m["codigo"], "status": rng.choice(["pending", "in_progress", "done", "cancelled"]),
                   "date": (as_of - dt.timedelta(days=rng.randrange(5))).isoformat()}
                  for m in initiative.get("hitos", []) if rng.random() < 0.3]
    measurements = [{"indicator_code": i["codigo"], "value": float(rng.randrange(0, 200)),
                     "period": f"{as_of:%Y-%m}"} for i in initiative.get("indicadores", []) if rng.random() < 0.3]
    payload = ProgressReported(
        initiative_code=initiative["codigo"], as_of=as_of, reporter="pruebas",
        physical_progress_pct=rng.choice([None, float(rng.randrange(0, 101))]),
        spent_to_date_clp=rng.choice([None, rng.randrange(0, 50) * 1_000_000]),
        milestone_updates=milestones, indicator_measurements=measurements,
    )
    return EventEnvelope.of(payload, event_id=uuid.uuid4(), at=recorded_at, source_system="pruebas", actor="pruebas",
                            initiative_code=initiative["codigo"])


FIGURE_TABLES = {
    "initiative_figures": "SELECT * FROM initiative_figures ORDER BY initiative_code",
    "indicator_figures": "SELECT * FROM indicator_figures ORDER BY indicator_code",
    "milestone_figures": "SELECT * FROM milestone_figures ORDER BY milestone_code",
    "initiative_month_report": "SELECT * FROM initiative_month_report ORDER BY initiative_code, month",
    "initiative_monthly": "SELECT * FROM initiative_monthly ORDER BY initiative_code, month",
}


async def snapshot(connection) -> dict[str, list[tuple]]:
    return {name: [tuple(row) for row in await connection.fetch(sql)] for name, sql in FIGURE_TABLES.items()}


async def test_reports_in_any_order_and_batches_give_the_figures_of_the_whole_history(plan_schema, sample_plan):
    rng = random.Random(8)
    initiatives = initiatives_with_indicators_and_milestones(sample_plan, 8)
    # Recording instants collide on purpose (same-instant corrections must still give one answer).
    events = [random_report(rng, rng.choice(initiatives), NOW + dt.timedelta(seconds=rng.randrange(600)))
              for _ in range(1200)]
    arrival = events + rng.sample(events, 100)  # a hundred redelivered
    rng.shuffle(arrival)
    position = 0
    while position < len(arrival):
        size = rng.choice([1, 3, 17, 120, 400])
        batch = arrival[position:position + size]
        await apply_progress_batch(plan_schema, "pruebas", [(e, SourceOffset("t", 0, position + i)) for i, e in
                                                            enumerate(batch)], today=TODAY,
                                   outbox_producer=None)
        position += size

    async with plan_schema.acquire() as connection:
        assert await connection.fetchval("SELECT count(*) FROM progress_report") == 1200
        incremental = await snapshot(connection)
        async with connection.transaction():
            codes = [row["code"] for row in await connection.fetch("SELECT code FROM initiative")]
            await recompute_figures(connection, {code: Cause((uuid.uuid4(),), NOW) for code in codes}, TODAY)
            from_history = await snapshot(connection)
        for name in FIGURE_TABLES:
            assert incremental[name] == from_history[name], f"{name} differs from the recompute from history"
        assert await connection.fetchval("SELECT sum(report_count) FROM initiative_figures") == 1200
    # Not an empty comparison: the eight initiatives have months, indicator and milestone figures.
    assert len(incremental["initiative_month_report"]) > 100
    assert sum(1 for row in incremental["indicator_figures"] if row[2] is not None) >= 4
    assert len(incremental["milestone_figures"]) >= 4


async def test_the_monthly_view_is_the_s_curve_of_the_whole_history(plan_schema, sample_plan):
    rng = random.Random(9)
    # One on a monthly plan, when the sample has one: its curve is the harder one.
    initiative = next((i for i in sample_plan["iniciativas"] if i.get("curva") == "mensual"),
                      sample_plan["iniciativas"][0])
    events = [random_report(rng, initiative, NOW + dt.timedelta(seconds=s)) for s in range(150)]
    rng.shuffle(events)
    for start in range(0, 150, 40):
        await apply_progress_batch(plan_schema, "pruebas", [(e, SourceOffset("t", 0, start + i)) for i, e in
                                                            enumerate(events[start:start + 40])], today=TODAY,
                                   outbox_producer=None)
    async with plan_schema.acquire() as connection:
        view = await connection.fetch(
            "SELECT month, planned_progress_pct, physical_progress_pct, planned_value_clp, earned_value_clp, "
            "actual_cost_clp, earned_schedule_days, spi_t FROM incremental_figures_scorecard.initiative_monthly "
            "WHERE initiative_code = $1 ORDER BY month", initiative["codigo"])
        period_end = await connection.fetchval("SELECT period_end FROM plan")
    plan = CurvePlan.of(Initiative.model_validate(initiative))
    reports = [ProgressReport(e.payload.as_of, e.recorded_at, e.payload.physical_progress_pct,
                              e.payload.spent_to_date_clp) for e in events]
    until = max(plan.end, period_end, *(r.as_of for r in reports))
    expected = [(p.month, p.planned_progress_pct, p.physical_progress_pct, p.planned_value_clp, p.earned_value_clp,
                 p.actual_cost_clp, p.earned_schedule_days, p.spi_t if p.physical_progress_pct is not None else None)
                for p in monthly_series(plan, initiative["presupuesto_clp"], reports, until=until)]
    assert [tuple(row) for row in view] == expected
    # Not a comparison of empty columns: the earned schedule is there month after month.
    assert sum(1 for row in view if row["spi_t"] is not None) > 10


async def test_a_new_day_judges_every_initiative_again_and_announces_only_status_changes(plan_schema, sample_plan):
    from services.indicators.figures import FIGURES_EVENT_NAMESPACE
    from services.indicators.store import rejudge_figures

    initiative = sample_plan["iniciativas"][0]
    code, start, end = initiative["codigo"], dt.date.fromisoformat(initiative["inicio"]), \
        dt.date.fromisoformat(initiative["termino"])
    # On plan the day it reports (half the duration, half the work) ...
    halfway = start + (end - start) / 2
    planned = 100 * (halfway - start).days / (end - start).days
    report = EventEnvelope.of(
        ProgressReported(initiative_code=code, as_of=halfway, reporter="pruebas", physical_progress_pct=planned),
        event_id=uuid.uuid4(), at=NOW, source_system="pruebas", actor="pruebas", initiative_code=code)
    await apply_progress_batch(plan_schema, "pruebas", [(report, SourceOffset("t", 0, 0))], today=halfway,
                               outbox_producer=None)
    async with plan_schema.acquire() as connection:
        assert await connection.fetchval("SELECT status FROM initiative_figures WHERE initiative_code = $1",
                                         code) == "on_track"
        before = await connection.fetchval("SELECT count(*) FROM outbox")
        # ... and never again: the day after its end it is overdue, without any report.
        after_end = end + dt.timedelta(days=1)
        async with connection.transaction():
            changed = await rejudge_figures(connection, after_end, NOW)
        row = await connection.fetchrow("SELECT * FROM initiative_figures WHERE initiative_code = $1", code)
        assert (row["status"], row["judged_on"], row["planned_progress_pct"]) == ("overdue", after_end, 100.0)
        assert row["physical_progress_pct"] == pytest.approx(planned)  # progress held at the last report
        assert row["actual_time_days"] == (after_end - start).days
        assert row["spi_t"] == pytest.approx(row["earned_schedule_days"] / row["actual_time_days"])
        # Every initiative of the plan is judged as of that day, reported or not.
        assert await connection.fetchval("SELECT count(*) FROM initiative_figures WHERE judged_on = $1",
                                         after_end) == len(sample_plan["iniciativas"])
        # One event per initiative whose status changed, with the id of the initiative and the day.
        ids = {decode_event(row["value"]).event_id for row in await connection.fetch("SELECT value FROM outbox")}
        assert changed == await connection.fetchval("SELECT count(*) FROM outbox") - before >= 1
        assert uuid.uuid5(FIGURES_EVENT_NAMESPACE, f"{code}|judged:{after_end}") in ids
        # The same day again changes nothing and announces nothing.
        async with connection.transaction():
            assert await rejudge_figures(connection, after_end, NOW) == 0
