"""The simulated history is deterministic, plausible and acceptable to the ingest API."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

from services.ingest.domain import ONE_UPDATE
from shared.plan.files import check_plan_file
from simulator.history import simulate
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def plan():
    return check_plan_file(ROOT / "data" / "putre-pladeco-2020-2025.yaml").plan


def test_the_same_seed_gives_the_same_history(plan):
    first = simulate(plan, until=dt.date(2023, 6, 30))
    assert [r.body for r in first] == [r.body for r in simulate(plan, until=dt.date(2023, 6, 30))]
    assert [r.body for r in first] != [r.body for r in simulate(plan, until=dt.date(2023, 6, 30), seed=7)]


def test_a_shorter_history_is_the_start_of_the_longer_one(plan):
    short = {r.body["event_id"]: r.body for r in simulate(plan, until=dt.date(2023, 6, 30))}
    long = {r.body["event_id"]: r.body for r in simulate(plan, until=dt.date(2025, 12, 31))}
    assert short.keys() < long.keys()
    assert all(long[event_id] == body for event_id, body in short.items())


def test_every_report_is_a_valid_update_and_the_mistakes_are_marked(plan):
    reports = simulate(plan, until=dt.date(2025, 12, 31))
    for report in reports:
        if report.valid:
            ONE_UPDATE.validate_python(report.body)
    assert sum(not r.valid for r in reports) == 2
    assert len({r.body["event_id"] for r in reports}) == len(reports), "event ids are unique"


def test_progress_never_goes_back_and_stays_within_the_plan_period(plan):
    by_initiative = defaultdict(list)
    for report in simulate(plan, until=dt.date(2025, 12, 31)):
        if report.valid:
            by_initiative[report.body["initiative_code"]].append(report.body)
    assert set(by_initiative) == {i.code for i in plan.initiatives}, "every initiative reports"
    for bodies in by_initiative.values():
        ordered = sorted(bodies, key=lambda b: b["as_of"])
        progress = [b["physical_progress_pct"] for b in ordered]
        assert progress == sorted(progress)
        assert all(0 <= p <= 100 for p in progress)
        assert all("2020-01-01" <= b["as_of"] <= "2025-12-31" for b in bodies)


def test_some_initiatives_fall_behind_and_some_milestones_are_missed(plan):
    reports = [r for r in simulate(plan, until=dt.date(2025, 12, 31)) if r.valid]
    final = {}
    for report in sorted(reports, key=lambda r: r.body["as_of"]):
        final[report.body["initiative_code"]] = report.body["physical_progress_pct"]
    unfinished = [code for code, pct in final.items() if pct < 100]
    assert 5 <= len(unfinished) <= len(final) - 20, "a realistic mix of finished and unfinished work"
    done = {m["milestone_code"] for r in reports for m in r.body["milestone_updates"]}
    all_milestones = {m.code for i in plan.initiatives for m in i.milestones}
    assert 0 < len(all_milestones - done) < len(all_milestones) / 2
