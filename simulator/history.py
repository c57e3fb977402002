"""A plausible history of progress reports for a plan, with no I/O and a fixed seed.

Each initiative gets a character: most keep pace with their plan, some are slow, a few stall
halfway or overspend; late reporters send every two or three months, and a few reports arrive out
of order. Milestones are reported done when the work reaches them (late when the initiative is
slow; never when it stalls before them); indicators move from their baseline towards their target
at the initiative's pace. A few deliberately bad updates (progress over 100 %, an unknown
initiative) test the door. Reports are ordered by the date they would have been sent.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass
from typing import Any

from shared.plan.model import Initiative, Plan

NAMESPACE = uuid.UUID("5d1e3f0a-8b7c-4a2d-9e6f-1a2b3c4d5e6f")


@dataclass(frozen=True)
class Character:
    pace: float          # progress relative to the plan's curve
    cost: float          # spending relative to earned value
    stall_at: float | None  # the progress where it stops, if it does
    every_months: int    # how often it reports
    late_start_months: int


@dataclass(frozen=True)
class SimulatedReport:
    send_on: dt.date     # when the municipality would have sent it (sort key)
    body: dict[str, Any]  # the JSON body of POST /v1/progress
    valid: bool


def character(rng: random.Random) -> Character:
    roll = rng.random()
    if roll < 0.55:
        pace, stall = rng.uniform(0.95, 1.08), None
    elif roll < 0.80:
        pace, stall = rng.uniform(0.60, 0.90), None
    elif roll < 0.92:
        pace, stall = rng.uniform(0.85, 1.0), rng.uniform(30, 70)
    else:
        pace, stall = rng.uniform(1.05, 1.25), None  # ahead of plan
    cost = rng.uniform(1.15, 1.35) if rng.random() < 0.12 else rng.uniform(0.92, 1.05)
    every = rng.choice([1, 1, 1, 1, 1, 1, 2, 3])
    late = rng.choice([0, 0, 0, 0, 1, 2, 3])
    return Character(pace, cost, stall, every, late)


def month_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    days, cursor = [], dt.date(start.year, start.month, 1)
    while cursor <= end:
        following = dt.date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
        days.append(min(following - dt.timedelta(days=1), end))
        cursor = following
    return days


def _planned(initiative: Initiative, on: dt.date) -> float:
    if on <= initiative.start:
        return 0.0
    if on >= initiative.end:
        return 100.0
    return 100.0 * (on - initiative.start).days / max(1, (initiative.end - initiative.start).days)


def initiative_reports(initiative: Initiative, rng: random.Random, until: dt.date) -> list[SimulatedReport]:
    who = character(rng)
    reports: list[SimulatedReport] = []
    progress, spent = 0.0, 0
    reached: set[str] = set()
    start = initiative.start + dt.timedelta(days=30 * who.late_start_months)
    last_day = min(until, initiative.end + dt.timedelta(days=240))
    for index, day in enumerate(month_ends(start, last_day)):
        if index % who.every_months:
            continue
        target = min(100.0, _planned(initiative, day) * who.pace + rng.uniform(-2, 2))
        if who.stall_at is not None:
            target = min(target, who.stall_at)
        progress = round(max(progress, min(100.0, max(0.0, target))), 1)
        spent = max(spent, int(initiative.budget_clp * progress / 100 * who.cost))
        body: dict[str, Any] = {
            "event_id": str(uuid.uuid5(NAMESPACE, f"{initiative.code}|{day.isoformat()}")),
            "initiative_code": initiative.code, "as_of": day.isoformat(), "physical_progress_pct": progress,
            "spent_to_date_clp": spent, "reporter": initiative.officers[0].email,
            "milestone_updates": _milestones(initiative, day, progress, who, reached),
            "indicator_measurements": _indicators(initiative, day, progress),
        }
        send_on = day + dt.timedelta(days=rng.choice([2, 5, 9]))
        if rng.random() < 0.04:
            send_on += dt.timedelta(days=45)  # a report that arrives after later ones
        reports.append(SimulatedReport(send_on, body, True))
        if progress >= 100:
            break
    return reports


def _milestones(
    initiative: Initiative, day: dt.date, progress: float, who: Character, reached: set[str]
) -> list[dict[str, Any]]:
    updates = []
    span = max(1, (initiative.end - initiative.start).days)
    for milestone in initiative.milestones:
        if milestone.code in reached:
            continue
        # A milestone is reached when the work reaches the share of the plan its date stands for.
        share = 100.0 * (milestone.due - initiative.start).days / span
        if progress >= share and milestone.due <= day + dt.timedelta(days=400):
            done_on = min(day, max(initiative.start, milestone.due + dt.timedelta(days=int(30 * (1 - who.pace) * 6))))
            updates.append({"milestone_code": milestone.code, "status": "done", "date": done_on.isoformat()})
            reached.add(milestone.code)
    return updates


def _indicators(initiative: Initiative, day: dt.date, progress: float) -> list[dict[str, Any]]:
    if day.month % 3:
        return []  # measured quarterly
    return [
        {"indicator_code": indicator.code, "value": round(indicator.baseline + (indicator.target - indicator.baseline)
                                                          * progress / 100, 2),
         "period": f"{day:%Y-%m}"}
        for indicator in initiative.indicators
    ]


def bad_inputs(plan: Plan, rng: random.Random) -> list[SimulatedReport]:
    first = plan.initiatives[0]
    day = first.start + dt.timedelta(days=40)
    return [
        SimulatedReport(day, {"event_id": str(uuid.uuid5(NAMESPACE, "bad-progress")), "initiative_code": first.code,
                              "as_of": day.isoformat(), "physical_progress_pct": 120, "reporter": "planilla"}, False),
        SimulatedReport(day, {"event_id": str(uuid.uuid5(NAMESPACE, "bad-initiative")), "initiative_code": "INI-999",
                              "as_of": day.isoformat(), "physical_progress_pct": 10, "reporter": "planilla"}, False),
    ]


def simulate(plan: Plan, *, until: dt.date, seed: int = 2020) -> list[SimulatedReport]:
    """Every report of the plan's history up to ``until``, in the order they would have been sent."""
    # One generator per initiative: a history cut at an earlier date is the start of the longer one,
    # report for report (the same event ids with the same content).
    reports = [
        report for initiative in plan.initiatives
        for report in initiative_reports(initiative, random.Random(f"{seed}:{initiative.code}"), until)
    ]
    reports += bad_inputs(plan, random.Random(seed))
    reports.sort(key=lambda report: (report.send_on, report.body["initiative_code"], report.body["as_of"]))
    return reports
