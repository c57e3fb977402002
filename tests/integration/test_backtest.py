"""The backtest on a small history through the real services (ingest → Kafka → indicators →
event log), replayed month by month into its own schema, scored against a hand-computed
expectation.

INI-032 (02-03-2020 → 30-12-2020) reports 10 % then stalls at 20 %; INI-067 (03-08-2020 →
26-02-2021) reports 15 % a month and is received on its end date. Evaluated at each month end from
31-03-2020 to 30-06-2021:

- INI-032 on 31-05-2020 (10, 20, 20): Theil–Sen slope 10/61 % a day, upper end 1/3 (three points
  span every pairwise slope), upper level 20 + 10/61·31 = 25,08 %: even then 100 % is 225 days
  away, 11-01-2021, after the deadline → pending. On 30-06-2020 (10, 20, 20, 20, a new report)
  the upper end is still 1/3 a day and the upper level 23,35 %: 230 days, 15-02-2021 → counted
  (2 of the 3 the project's rule needs); on 31-07-2020 (a fifth report, 20 % again) → fires.
  Lead time 30-12-2020 − 31-07-2020 = 152 days (≥ 90: recalled). It never finishes: late.
- INI-067: at every month end the optimistic date is on or before 26-02-2021 (31-08-2020: 15 % in
  28 days from the start, 100 % by 06-02-2021; 30-09-2020: 0,5 % a day from 30 %, 17-02-2021; …);
  it reaches 100 % on 26-02-2021: on time, never warned.

So for the completion forecast over these two: precision 1, recall 1, median lead 152 days.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest

from cli.backtest import Outcome, Warning, run_backtest, score
from tests.conftest import ROOT
from tests.integration.conftest import post_progress
from tests.integration.probes import eventually, progress_update

pytestmark = pytest.mark.integration

STALLED = [("2020-03-31", 10.0), ("2020-04-30", 20.0), ("2020-05-31", 20.0), ("2020-06-30", 20.0),
           ("2020-07-31", 20.0)]
ON_TIME = [("2020-08-31", 15.0), ("2020-09-30", 30.0), ("2020-10-31", 45.0), ("2020-11-30", 60.0),
           ("2020-12-31", 75.0), ("2021-01-31", 90.0), ("2021-02-26", 100.0)]


async def test_the_backtest_scores_a_small_history_as_computed_by_hand(services, service_env, db, api_key, sample_plan,
                                                                      tmp_path, monkeypatch):
    ingest = services("ingest")
    services("indicators")
    key = await api_key("backtest", None)
    bodies = [progress_update("INI-032", as_of=day, physical_progress_pct=pct, spent_to_date_clp=0)
              for day, pct in STALLED]
    bodies += [progress_update("INI-067", as_of=day, physical_progress_pct=pct, spent_to_date_clp=0)
               for day, pct in ON_TIME]
    answer = post_progress(ingest, bodies, key)
    assert answer.status_code in (200, 202), answer.text
    ids = [body["event_id"] for body in bodies]

    async def all_logged() -> bool:
        return await db.fetchval("SELECT count(*) FROM event_log WHERE event_id = ANY($1::uuid[])", ids) == len(ids)

    await eventually(all_logged, timeout_s=120, what="the reports in the event log")

    # The project's rules with the Earned Schedule rule switched on (it ships disabled), to score both.
    rules = (ROOT / "deploy" / "alert-rules.yaml").read_text(encoding="utf-8")
    both = tmp_path / "rules.yaml"
    both.write_text(rules.replace("    enabled: false\n", ""), encoding="utf-8")
    assert both.read_text(encoding="utf-8") != rules
    monkeypatch.setenv("PLADECO_ALERTS_RULES_FILE", str(both))
    report = await run_backtest("bt_small", dt.date(2020, 3, 31), dt.date(2021, 6, 30), service_env["PLADECO_DATABASE_URL"])
    assert report is not None
    rule = "pronostico_termino"
    assert report.verdicts["INI-032"] == "late" and report.verdicts["INI-067"] == "on_time"
    assert report.first_warnings[rule].get("INI-032") == dt.date(2020, 7, 31)
    assert "INI-067" not in report.first_warnings[rule]
    assert report.leads[rule]["INI-032"] == 152
    # Earned schedule (PD = 303 days): 20 % on 31-05-2020 is ES 60,6 days in AT 90, SPI(t) 0,67, an
    # estimate of 02-03-2020 + 303 / 0,67 = 26-05-2021, 147 days late → pending; the new report of
    # 30-06-2020 confirms it (consecutive 2) → fires. INI-067 keeps SPI(t) ≥ 1: never warned.
    assert report.first_warnings["pronostico_cronograma"].get("INI-032") == dt.date(2020, 6, 30)
    assert "INI-067" not in report.first_warnings["pronostico_cronograma"]
    # The scores over these two, from what the replay warned.
    ours = {"INI-032": dt.date(2020, 12, 30), "INI-067": dt.date(2021, 2, 26)}
    finished = {"INI-032": None, "INI-067": dt.date(2021, 2, 26)}
    warnings = [Warning(rule, code, day, "warning") for code, day in report.first_warnings[rule].items() if code in ours]
    [scored, _] = score([Outcome(code, end, finished[code]) for code, end in ours.items()], warnings, rules=[rule],
                        until=dt.date(2021, 6, 30)).scores
    assert (scored.precision, scored.recall, scored.median_lead_days) == (1.0, 1.0, 152)

    # The command prints the table.
    env = {**os.environ, **{k: v for k, v in service_env.items() if k != "PLADECO_STARTUP_TIMEOUT_S"}}
    shown = subprocess.run([sys.executable, "-m", "cli", "backtest", "--from", "2020-03-31", "--to", "2021-06-30",
                            "--into", "bt_small"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert shown.returncode == 0, shown.stderr[-2000:]
    assert "pronostico_termino" in shown.stdout and "precisión" in shown.stdout
    await db.execute('DROP SCHEMA "bt_small_scorecard" CASCADE; DROP SCHEMA "bt_small" CASCADE')
