"""Auditors rebuild the figures from the history: a replay into another schema equals the live
state (the same head hash, the same figures), and ``--as-of`` a mid-2023 date gives the state the
system showed when it had received the reports up to that date."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.integration.probes import eventually

pytestmark = pytest.mark.integration

# What the reports say (the same whatever the day they are judged on) ...
REPORTED = ("initiative_code, data_date, physical_progress_pct, budget_clp, earned_value_clp, actual_cost_clp, cpi, "
            "financial_execution_pct, report_count, last_report_as_of, earned_schedule_days")
# ... and the judgement, as of judged_on (the plan runs on to that day).
FIGURES = (REPORTED + ", judged_on, planned_progress_pct, planned_value_clp, spi, spi_t, actual_time_days, status, "
           "ieac_t_date, ieac_t_planned_date")


def pladeco(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli", *args], env={**os.environ, **env}, cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


async def figures(db, schema: str, columns: str = FIGURES) -> list[tuple]:
    rows = await db.fetch(f'SELECT {columns} FROM "{schema}".initiative_figures ORDER BY initiative_code')
    return [tuple(row) for row in rows]


async def applied_everything(db) -> bool:
    pending = await db.fetchval("SELECT count(*) FROM ingest_event e LEFT JOIN progress_report r USING (event_id) "
                                "WHERE r.event_id IS NULL")
    return pending == 0


async def test_a_replay_equals_the_live_state_and_as_of_gives_the_state_captured_then(
    services, service_env, db, api_key, sample_plan
):
    env = {k: v for k, v in service_env.items() if k != "PLADECO_STARTUP_TIMEOUT_S"}
    ingest = services("ingest")
    services("indicators")
    stream_env = {**env, "PLADECO_API_KEY": await api_key("simulador", None), "PLADECO_INGEST_URL": ingest.url}

    first_half = pladeco(stream_env, "simulate", "--until", "2023-06-30", "--rate", "2000")
    assert first_half.returncode == 0, first_half.stderr[-2000:]
    await eventually(lambda: applied_everything(db), timeout_s=120, what="the first half applied")
    captured = await figures(db, "public", REPORTED)

    second_half = pladeco(stream_env, "simulate", "--until", "2025-12-31", "--rate", "2000")
    assert second_half.returncode == 0, second_half.stderr[-2000:]
    await eventually(lambda: applied_everything(db), timeout_s=120, what="the whole history applied")
    live = await figures(db, "public")
    assert live != captured, "the second half changed the figures"

    # As of today, no initiative past its end date and unfinished is shown as anything but overdue
    # (cost SPI near 1 or not, reported or not), and the plan's roll-up counts them.
    past_end = await db.fetch("SELECT initiative_code, status FROM scorecard.initiative "
                              "WHERE end_date < judged_on AND COALESCE(physical_progress_pct, 0) < 100")
    assert past_end, "the demo history has initiatives past their end and unfinished"
    assert {row["status"] for row in past_end} == {"overdue"}
    assert await db.fetchval("SELECT overdue FROM scorecard.rollup WHERE level = 'plan'") == len(past_end)
    assert await db.fetchval("SELECT count(*) FROM scorecard.initiative WHERE judged_on IS DISTINCT FROM "
                             "(now() AT TIME ZONE 'America/Santiago')::date") == 0

    whole = pladeco(env, "replay", "--into", "replay_whole")
    assert whole.returncode == 0, whole.stdout + whole.stderr
    assert "coincide con el vigente" in whole.stdout
    assert await figures(db, "replay_whole") == live
    assert await db.fetchval("SELECT count(*) FROM replay_whole.initiative_monthly") == \
        await db.fetchval("SELECT count(*) FROM public.initiative_monthly")

    mid_2023 = pladeco(env, "replay", "--into", "replay_2023", "--as-of", "2023-06-30")
    assert mid_2023.returncode == 0, mid_2023.stdout + mid_2023.stderr
    assert await figures(db, "replay_2023", REPORTED) == captured
    # Judged as of its own day: every initiative, the plan read on 2023-06-30.
    assert {row["judged_on"] for row in await db.fetch("SELECT judged_on FROM replay_2023.initiative_figures")} == \
        {dt.date(2023, 6, 30)}
    overdue = await db.fetch("SELECT f.status, i.end_date FROM replay_2023.initiative_figures f "
                             "JOIN replay_2023.initiative i ON i.code = f.initiative_code WHERE f.status = 'overdue'")
    assert all(row["end_date"] < dt.date(2023, 6, 30) for row in overdue)
    for schema in ("replay_whole", "replay_2023"):
        await db.execute(f'DROP SCHEMA "{schema}_scorecard" CASCADE; DROP SCHEMA "{schema}" CASCADE')
