"""A plausible history of progress reports for a plan, with no I/O and a fixed seed.

Each initiative gets a character, so that a backtest of the early warnings has both outcomes to
tell apart (``pladeco backtest``, docs/forecast-backtest.md):

- **on time** (about 40 %) and **ahead** (8 %): a pace of 1.00–1.10 (1.10–1.30) times the plan's,
  reaching 100 % on or before the end date (the last report is dated the day it reaches 100 %,
  at the latest the end date: the works' reception);
- **late start** (8 %): starts one to three months late, then works fast enough to finish on time;
- **slow** (18 %): 0.55–0.85 of the plan's pace, and it keeps that pace after the end date;
- **stalled** (8 %): stops for good somewhere between 25 and 75 %;
- **stall that resumes** (8 %): stops at 20–60 % for four to nine months, then works on;
- **recovery** (6 %): slow (0.60–0.75) for the first half of the plan, then fast (1.3–1.6).

Reports are monthly for most, every two or three months for some; a fifth of the reporters are
**noisy** (±5 points around the truth instead of ±1.5). The reported progress never goes back
(the previous figure is kept when the noise would lower it). Work goes on after the end date
until 100 % or until 18 months past it. A few reports arrive out of order. Milestones are reported
done when the work reaches them (late when the initiative is slow; never when it stalls before
them); indicators move from their baseline towards their target with the progress. A few
deliberately bad updates (progress over 100 %, an unknown initiative) test the door. Reports are
ordered by the date they would have been sent.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass
from typing import Any

from shared.plan.model import Initiative, Plan

NAMESPACE = uuid.UUID("5d1e3f0a-8b7c-4a2d-9e6f-1a2b3c4d5e6f")
AFTER_END_DAYS = 540
"""How long past its end date an unfinished initiative goes on working and reporting."""


@dataclass(frozen=True)
class Character:
    kind: str            # on_time, ahead, late_start, slow, stalled, stall_resumes, recovery
    pace: float          # progress relative to the plan's pace (before a stall or a recovery)
    cost: float          # spending relative to earned value
    stall_at: float | None  # the progress where it stops, if it does
    every_months: int    # how often it reports
    late_start_months: int
    stall_months: int = 0   # how long a stall lasts (0: for good)
    later_pace: float = 0.0  # the pace after a stall ends, or in the second half of a recovery
    noise: float = 1.5   # ± points of the reported figure around the truth


@dataclass(frozen=True)
class SimulatedReport:
    send_on: dt.date     # when the municipality would have sent it (sort key)
    body: dict[str, Any]  # the JSON body of POST /v1/progress
    valid: bool


def character(rng: random.Random, months: int = 12) -> Character:
    """A character for an initiative planned to last ``months``."""
    roll = rng.random()
    cost = rng.uniform(1.15, 1.35) if rng.random() < 0.12 else rng.uniform(0.92, 1.05)
    every = rng.choice([1, 1, 1, 1, 1, 1, 1, 2, 3, 3])
    noise = 5.0 if rng.random() < 0.2 else 1.5
    if roll < 0.40:
        return Character("on_time", rng.uniform(1.0, 1.10), cost, None, every, 0, noise=noise)
    if roll < 0.48:
        return Character("ahead", rng.uniform(1.10, 1.30), cost, None, every, 0, noise=noise)
    if roll < 0.56:
        late = min(rng.choice([1, 2, 3]), max(1, months // 4))
        pace = months / max(1, months - late) * rng.uniform(1.05, 1.15)
        return Character("late_start", pace, cost, None, every, late, noise=noise)
    if roll < 0.74:
        return Character("slow", rng.uniform(0.55, 0.85), cost, None, every, 0, noise=noise)
    if roll < 0.82:
        return Character("stalled", rng.uniform(0.85, 1.0), cost, rng.uniform(25, 75), every, 0, noise=noise)
    if roll < 0.90:
        return Character("stall_resumes", rng.uniform(0.9, 1.05), cost, rng.uniform(20, 60), every, 0,
                         stall_months=rng.randint(4, 9), later_pace=rng.uniform(1.0, 1.2), noise=noise)
    return Character("recovery", rng.uniform(0.60, 0.75), cost, None, every, 0, later_pace=rng.uniform(1.3, 1.6),
                     noise=noise)


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


def _report_days(initiative: Initiative, start: dt.date, last_day: dt.date) -> list[dt.date]:
    """Month ends from the actual start, and the end date itself (the reception report)."""
    days = set(month_ends(start, last_day))
    if start <= initiative.end <= last_day:
        days.add(initiative.end)
    return sorted(days)


class _Work:
    """The true progress of an initiative of a given character, day by day."""

    def __init__(self, initiative: Initiative, who: Character, start: dt.date):
        self.who, self.start = who, start
        self.per_day = 100.0 / max(1, (initiative.end - initiative.start).days)
        self.half = initiative.start + (initiative.end - initiative.start) / 2
        self.progress, self.on, self.stalled_since = 0.0, start, None

    def advance_to(self, day: dt.date) -> float:
        who = self.who
        while self.on < day and self.progress < 100.0:
            self.on += dt.timedelta(days=1)
            pace = who.pace
            if who.kind == "recovery" and self.on > self.half:
                pace = who.later_pace
            if who.stall_at is not None and self.progress >= who.stall_at:
                if self.stalled_since is None:
                    self.stalled_since = self.on
                if who.stall_months == 0 or (self.on - self.stalled_since).days < 30 * who.stall_months:
                    continue
                pace = who.later_pace
            self.progress = min(100.0, self.progress + pace * self.per_day)
        return self.progress


def initiative_reports(initiative: Initiative, rng: random.Random, until: dt.date) -> list[SimulatedReport]:
    months = max(1, round((initiative.end - initiative.start).days / 30.44))
    who = character(rng, months)
    reports: list[SimulatedReport] = []
    progress, spent = 0.0, 0
    reached: set[str] = set()
    start = initiative.start + dt.timedelta(days=30 * who.late_start_months)
    work = _Work(initiative, who, start)
    last_day = min(until, initiative.end + dt.timedelta(days=AFTER_END_DAYS))
    for index, day in enumerate(_report_days(initiative, start, last_day)):
        truth = work.advance_to(day)
        finished = truth >= 100.0
        if index % who.every_months and not finished and day != initiative.end:
            continue
        noisy = 100.0 if finished else min(99.9, truth + rng.uniform(-who.noise, who.noise))
        progress = round(max(progress, min(100.0, max(0.0, noisy))), 1)
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
