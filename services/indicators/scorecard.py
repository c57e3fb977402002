"""The scorecard: each initiative's and each indicator's figures, from its plan and its reports.

Pure functions: no I/O, no clock. Every date comes from the plan or from the reports (a report's
``as_of`` is its data date), so the same inputs always give the same figures, whatever order the
reports arrive in.

Planned progress (the curve an initiative is measured against), at a date ``d``:

- ``d < start`` → 0 %; ``d ≥ end`` → 100 %.
- Linear curve: ``planned % = 100 × (d − start).days / (end − start).days``
  (when ``end == start``: 100 % from ``start`` on).
- Monthly plan: piecewise-linear interpolation, by days, between the points ``(start, 0 %)``,
  ``(last calendar day of each planned month, its planned %)`` and ``(end, 100 %)``. A planned
  month whose last day falls after ``end`` is placed at ``end``. Points are taken in date order;
  a point not strictly after the previous one is skipped. Between points ``(d0, p0)`` and
  ``(d1, p1)``: ``planned % = p0 + (p1 − p0) × (d − d0).days / (d1 − d0).days``.

Latest report: the one with the greatest ``(as_of, recorded_at)`` among the reports that carry
the figure (physical progress and spending are each taken from their own latest report). Of two
reports with the same ``as_of`` the later recorded wins; should both also share ``recorded_at``,
the greater figure wins, so that input order never matters.

Earned value, judged as of a day ``today`` (the calendar day in America/Santiago when the
service judges; the as-of day in a replay). The initiative's budget is ``BAC``; the data date is
the ``as_of`` of the latest report with physical progress. Progress is held at the latest report
until the next one: nothing is assumed done that nobody reported. Time does not stop when reports
do: the plan is read at ``today`` (never before the data date).

- ``EV  = physical % / 100 × BAC``
- ``PV  = planned % (at today) / 100 × BAC``
- ``AC  = spent to date`` of the latest report with spending
- ``SPI = physical % / planned %`` — the cost-based SPI (equal to ``EV / PV``, still defined when
  ``BAC = 0``); none when ``planned % = 0``. It tends to 1 at the end of every project however
  late, which is why the status is judged on ``SPI(t)``.
- ``CPI = EV / AC``; none when there is no progress, when ``AC`` is missing or 0, or when
  ``BAC = 0`` (``EV`` is then always 0 and says nothing about cost)
- ``SV  = EV − PV``
- ``CV  = EV − AC``
- ``financial execution % = AC / BAC × 100``; none when ``BAC = 0`` or ``AC`` is missing
- ``EAC = BAC / CPI``; none when ``CPI`` is missing or 0

Earned Schedule (Lipke; the schedule measures of the PMI practice standard for EVM), in days:

- ``PD`` = planned duration = ``(end − start).days``.
- ``ES`` = the time at which the plan expected today's progress: the latest ``t`` in ``[0, PD]``
  with ``planned % (start + t) ≤ physical %``, interpolated on the same planned curve (linear
  or monthly). Physical 0 % → 0 (or the end of a plateau at 0 %); physical ≥ 100 % → ``PD``.
  Where the plan holds flat, the latest such day counts: a planned pause is no delay.
- ``AT`` = actual time = ``(today − start).days``; for a finished initiative, the days from the
  start to the data date of the report that said 100 %.
- ``SPI(t) = ES / AT``; none when ``AT ≤ 0``. ``SV(t) = ES − AT`` (days; negative is late).
- Independent estimates of the completion date, ``IEAC(t) = start + AT + (PD − ES) / PF``:
  ``PF = SPI(t)`` (the rest at the observed pace) gives ``start + PD / SPI(t)``, none when
  ``ES = 0`` (at the observed pace it never ends); ``PF = 1`` (the rest at the planned pace)
  gives ``today + (PD − ES)``. A finished initiative's estimate is its completion date.

Initiative status as of ``today``, in this order:

1. ``physical % ≥ 100`` → done;
2. ``today > end`` → overdue, whatever the SPI and whether or not it ever reported;
3. no progress report → not started when the plan expects nothing yet at ``today``, else no data;
4. ``planned % = 0`` at ``today`` → not started when ``physical % = 0``, else on track
   (ahead of a plan that has not started);
5. ``SPI(t) ≥ 0.95`` → on track, but at risk when ``CPI < 0.90``;
   ``0.85 ≤ SPI(t) < 0.95`` → at risk; ``SPI(t) < 0.85`` → late.

Milestone outcome: the latest update (by ``(as_of, recorded_at)``) decides. Done on a date
``≤ due`` → done on time, after ``due`` → done late (a done update without a date counts as
done on its ``as_of``); cancelled → cancelled; otherwise (no update, pending, in progress)
overdue when ``due < on``, else pending.

Indicators (the latest measurement by ``(as_of, recorded_at)`` is the current value):

- ``efficacy % = 100 × (value − baseline) / (target − baseline)``: the share of the way from
  the baseline to the target; the same formula serves indicators where down is good (their
  target is below the baseline). Not clamped: above 100 is over-achievement, below 0 is moving
  the wrong way. None when ``target = baseline``.
- Traffic light: ``efficacy ≥ green`` → green; ``efficacy ≥ yellow`` → yellow; else red;
  no efficacy → no data.
- Target reached: ``value ≥ target`` when ``target > baseline``; ``value ≤ target`` when
  ``target < baseline``; ``value = target`` when ``target = baseline``; never without a value.

Monthly series (the S-curve): one point per calendar month, from the month of ``start`` through
the later of the month of ``end`` and the month of the latest report's ``as_of`` — or, when
``until`` is given, through the month of ``until`` instead (never before the month of
``start``). At each month's last day ``m``:

- ``planned % = planned progress at m``; ``PV = planned % / 100 × BAC``
- ``physical %`` = that of the latest progress report with ``as_of ≤ m`` (none if there is none);
  ``EV = physical % / 100 × BAC``
- ``AC`` = spent to date of the latest spending report with ``as_of ≤ m`` (none if there is none)
- ``ES`` = the earned schedule of that physical %; ``SPI(t) = ES / AT`` with ``AT = m − start``
  (or, once a report said 100 %, the days from the start to that report's ``as_of``)

Keeping the figures up to date without rereading the history: every figure above is taken from
a *latest* report or measurement, a maximum by ``(as_of, recorded_at, value)``. The latest of
(the stored latest + the new reports) is therefore the latest of the whole history, in any
arrival order. The S-curve is stored the same way, per month (``latest_by_month``: each month's
latest reports among those whose ``as_of`` falls in it); the series at month ``m`` is the latest
of the months up to ``m``, which is the latest report with ``as_of ≤ m``'s last day.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from shared.plan.model import Initiative, ProgressCurve
from shared.terms import CPI_AT_RISK, SPI_AT_RISK, SPI_ON_TRACK, InitiativeStatus

ReportField = Literal["physical_progress_pct", "spent_to_date_clp"]
_REPORT_FIELDS: frozenset[str] = frozenset({"physical_progress_pct", "spent_to_date_clp"})

# --- planned progress -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CurvePlan:
    """What the planned-progress curve needs: the dates and, for a monthly plan, its points."""

    start: dt.date
    end: dt.date
    monthly_plan: tuple[tuple[str, float], ...] = ()
    """``(("2022-06", 20.0), ...)``: planned cumulative % by month ("YYYY-MM"); empty → linear."""

    def __post_init__(self) -> None:
        for month, _ in self.monthly_plan:
            _last_day_of(month)  # a malformed month fails here, not in the middle of a report

    @classmethod
    def of(cls, initiative: Initiative) -> CurvePlan:
        """The initiative's curve; its monthly plan counts only when its curve is the monthly one."""
        monthly: tuple[tuple[str, float], ...] = ()
        if initiative.curve == ProgressCurve.MONTHLY_PLAN:
            monthly = tuple((planned.month, planned.progress_pct) for planned in initiative.monthly_plan)
        return cls(start=initiative.start, end=initiative.end, monthly_plan=monthly)


def planned_progress_pct(plan: CurvePlan, on: dt.date) -> float:
    """The cumulative % of the work the plan expects done as of ``on``."""
    if on < plan.start:
        return 0.0
    if on >= plan.end:
        return 100.0
    # From here start ≤ on < end, so end > start and no span below is zero.
    if not plan.monthly_plan:
        return 100.0 * (on - plan.start).days / (plan.end - plan.start).days
    return _interpolate(_curve_points(plan), on)


def _curve_points(plan: CurvePlan) -> list[tuple[dt.date, float]]:
    planned = sorted(
        ((min(_last_day_of(month), plan.end), pct) for month, pct in plan.monthly_plan),
        key=lambda point: point[0],
    )
    points = [(plan.start, 0.0)]
    for day, pct in [*planned, (plan.end, 100.0)]:
        # Two points on one day would make a zero-length span; the first one stands.
        if day > points[-1][0]:
            points.append((day, float(pct)))
    return points


def _interpolate(points: list[tuple[dt.date, float]], on: dt.date) -> float:
    for (day0, pct0), (day1, pct1) in zip(points, points[1:]):
        if day0 <= on < day1:
            return pct0 + (pct1 - pct0) * (on - day0).days / (day1 - day0).days
    return points[-1][1]


def _last_day_of(month: str) -> dt.date:
    first = dt.date.fromisoformat(f"{month}-01")
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def _month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(first: dt.date) -> dt.date:
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


# --- reports and earned value ---------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressReport:
    as_of: dt.date
    recorded_at: dt.datetime
    """Of two reports with the same ``as_of``, the later recorded wins."""
    physical_progress_pct: float | None
    spent_to_date_clp: int | None


def latest(reports: Iterable[ProgressReport], field: ReportField) -> ProgressReport | None:
    """The report with the greatest ``(as_of, recorded_at)`` among those that carry ``field``."""
    if field not in _REPORT_FIELDS:
        raise ValueError(f"unknown report field {field!r}; expected one of {sorted(_REPORT_FIELDS)}")
    carrying = (report for report in reports if getattr(report, field) is not None)
    # The figure itself is the last tie-breaker so that input order never decides.
    return max(
        carrying, key=lambda report: (report.as_of, report.recorded_at, getattr(report, field)), default=None
    )


# --- earned schedule ------------------------------------------------------------------------------


def planned_duration_days(plan: CurvePlan) -> int:
    """PD: the days from the start to the end of the plan."""
    return (plan.end - plan.start).days


def earned_schedule_days(plan: CurvePlan, physical_pct: float) -> float:
    """ES: the days after the start at which the plan expected ``physical_pct`` (the latest such
    time where the planned curve holds flat; ``PD`` at 100 % and over)."""
    duration = planned_duration_days(plan)
    if physical_pct >= 100 or duration <= 0:
        return float(duration) if physical_pct >= 100 else 0.0
    points = _curve_points(plan) if plan.monthly_plan else [(plan.start, 0.0), (plan.end, 100.0)]
    for (day0, pct0), (day1, pct1) in zip(points, points[1:]):
        if pct1 > physical_pct:  # the first span that ends above the progress holds the answer
            offset = (day0 - plan.start).days
            if pct0 >= physical_pct:
                return float(offset)
            return offset + (physical_pct - pct0) / (pct1 - pct0) * (day1 - day0).days
    return float(duration)


@dataclass(frozen=True)
class EarnedSchedule:
    """The schedule measures in days (see the module docstring)."""

    planned_duration_days: int
    earned_schedule_days: float
    actual_time_days: int
    spi_t: float | None
    schedule_variance_days: float
    ieac_t_date: dt.date | None
    """At the observed pace: ``start + PD / SPI(t)``."""
    ieac_t_planned_date: dt.date
    """The rest at the planned pace: ``today + (PD − ES)``."""


def earned_schedule(plan: CurvePlan, physical_pct: float, today: dt.date, done_on: dt.date | None = None
                    ) -> EarnedSchedule:
    """ES, AT, SPI(t), SV(t) and the completion estimates of progress ``physical_pct`` seen on
    ``today``; ``done_on`` is the completion date of a finished initiative (it stops the clock)."""
    duration = planned_duration_days(plan)
    es = earned_schedule_days(plan, physical_pct)
    at = ((done_on or today) - plan.start).days
    spi_t = es / at if at > 0 else None
    if done_on is not None:
        observed: dt.date | None = done_on
        planned_pace = done_on
    else:
        observed = plan.start + dt.timedelta(days=round(duration * at / es)) if es > 0 and at > 0 else None
        planned_pace = today + dt.timedelta(days=round(duration - es))
    return EarnedSchedule(duration, es, at, spi_t, es - at, observed, planned_pace)


# --- earned value ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EarnedValue:
    judged_on: dt.date
    """``today``: the day the figures are taken as of."""
    data_date: dt.date | None
    """``as_of`` of the latest report with physical progress."""
    physical_progress_pct: float | None
    planned_progress_pct: float
    """Planned progress at ``judged_on``."""
    budget_clp: int
    """BAC, the budget at completion."""
    earned_value_clp: float | None
    planned_value_clp: float
    actual_cost_clp: int | None
    spi: float | None
    """Cost-based: ``EV / PV``."""
    cpi: float | None
    schedule_variance_clp: float | None
    cost_variance_clp: float | None
    financial_execution_pct: float | None
    estimate_at_completion_clp: float | None
    schedule: EarnedSchedule | None
    """None without a progress report."""


def earned_value(plan: CurvePlan, budget_clp: int, reports: Sequence[ProgressReport], today: dt.date) -> EarnedValue:
    """The initiative's earned-value and earned-schedule figures as of ``today`` (never before the
    data date of its latest progress report)."""
    progress = latest(reports, "physical_progress_pct")
    spending = latest(reports, "spent_to_date_clp")
    actual = spending.spent_to_date_clp if spending else None
    financial = _financial_execution_pct(actual, budget_clp)
    if progress is not None:
        today = max(today, progress.as_of)
    planned = planned_progress_pct(plan, today)
    planned_value = planned / 100 * budget_clp
    if progress is None or progress.physical_progress_pct is None:
        return EarnedValue(
            judged_on=today, data_date=None, physical_progress_pct=None, planned_progress_pct=planned,
            budget_clp=budget_clp, earned_value_clp=None, planned_value_clp=planned_value,
            actual_cost_clp=actual, spi=None, cpi=None, schedule_variance_clp=None,
            cost_variance_clp=None, financial_execution_pct=financial, estimate_at_completion_clp=None,
            schedule=None,
        )
    physical = progress.physical_progress_pct
    earned = physical / 100 * budget_clp
    cpi = _cpi(earned, actual, budget_clp)
    done_on = progress.as_of if physical >= 100 else None
    return EarnedValue(
        judged_on=today,
        data_date=progress.as_of,
        physical_progress_pct=physical,
        planned_progress_pct=planned,
        budget_clp=budget_clp,
        earned_value_clp=earned,
        planned_value_clp=planned_value,
        actual_cost_clp=actual,
        # Ratio of percentages rather than EV / PV, so that a zero budget still has a schedule.
        spi=physical / planned if planned else None,
        cpi=cpi,
        schedule_variance_clp=earned - planned_value,
        cost_variance_clp=earned - actual if actual is not None else None,
        financial_execution_pct=financial,
        estimate_at_completion_clp=budget_clp / cpi if cpi else None,
        schedule=earned_schedule(plan, physical, today, done_on),
    )


def _cpi(earned: float, actual: int | None, budget_clp: int) -> float | None:
    # With no budget EV is 0 whatever the work done, so EV / AC would only say "0".
    if not actual or not budget_clp:
        return None
    return earned / actual


def _financial_execution_pct(actual: int | None, budget_clp: int) -> float | None:
    if actual is None or not budget_clp:
        return None
    return 100 * actual / budget_clp


# --- initiative status ----------------------------------------------------------------------------


def initiative_status(ev: EarnedValue, plan: CurvePlan) -> InitiativeStatus:
    """Where the initiative stands as of ``ev.judged_on`` (see the module docstring)."""
    physical = ev.physical_progress_pct
    if physical is not None and physical >= 100:
        return InitiativeStatus.DONE
    if ev.judged_on > plan.end:
        return InitiativeStatus.OVERDUE
    if physical is None or ev.schedule is None:
        return InitiativeStatus.NOT_STARTED if ev.planned_progress_pct == 0 else InitiativeStatus.NO_DATA
    spi_t = ev.schedule.spi_t
    if ev.planned_progress_pct == 0 or spi_t is None:  # nothing planned yet today
        return InitiativeStatus.NOT_STARTED if physical == 0 else InitiativeStatus.ON_TRACK
    if spi_t < SPI_AT_RISK:
        return InitiativeStatus.LATE
    if spi_t < SPI_ON_TRACK:
        return InitiativeStatus.AT_RISK
    if ev.cpi is not None and ev.cpi < CPI_AT_RISK:
        return InitiativeStatus.AT_RISK
    return InitiativeStatus.ON_TRACK


# --- milestones -----------------------------------------------------------------------------------


class MilestoneOutcome(StrEnum):
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    OVERDUE = "overdue"
    PENDING = "pending"
    CANCELLED = "cancelled"


_MILESTONE_STATUSES = ("pending", "in_progress", "done", "cancelled")


@dataclass(frozen=True)
class MilestoneReport:
    """One milestone update from a progress report."""

    as_of: dt.date
    recorded_at: dt.datetime
    status: str
    """One of ``pending``, ``in_progress``, ``done``, ``cancelled``."""
    date: dt.date | None
    """When it was done or cancelled."""

    def __post_init__(self) -> None:
        if self.status not in _MILESTONE_STATUSES:
            raise ValueError(f"unknown milestone status {self.status!r}; expected {_MILESTONE_STATUSES}")


def latest_milestone_update(reports: Iterable[MilestoneReport]) -> MilestoneReport | None:
    """The update with the greatest ``(as_of, recorded_at)``."""
    # status and date close the key only so that two updates recorded at the same instant
    # still give one answer whatever their order.
    return max(reports, key=lambda r: (r.as_of, r.recorded_at, r.status, r.date or dt.date.min), default=None)


def milestone_outcome(due: dt.date, reports: Sequence[MilestoneReport], on: dt.date) -> MilestoneOutcome:
    """The milestone's outcome as seen on ``on``: its latest update decides."""
    last = latest_milestone_update(reports)
    if last is not None and last.status == "done":
        done_on = last.date or last.as_of
        return MilestoneOutcome.DONE_ON_TIME if done_on <= due else MilestoneOutcome.DONE_LATE
    if last is not None and last.status == "cancelled":
        return MilestoneOutcome.CANCELLED
    return MilestoneOutcome.OVERDUE if due < on else MilestoneOutcome.PENDING


# --- indicators -----------------------------------------------------------------------------------


class Light(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    NO_DATA = "no_data"


@dataclass(frozen=True)
class Measurement:
    period: str
    as_of: dt.date
    recorded_at: dt.datetime
    value: float


def latest_measurement(measurements: Iterable[Measurement]) -> Measurement | None:
    """The measurement with the greatest ``(as_of, recorded_at)``."""
    return max(measurements, key=lambda m: (m.as_of, m.recorded_at, m.value, m.period), default=None)


def efficacy_pct(baseline: float, target: float, value: float) -> float | None:
    """How much of the way from baseline to target the value has gone, in %; either direction."""
    if target == baseline:
        return None
    # Multiplying first keeps whole-number cases exact (e.g. 60.0, not 59.999…), which matters
    # because the traffic light compares against its thresholds exactly.
    return 100 * (value - baseline) / (target - baseline)


def traffic_light(efficacy: float | None, green: float, yellow: float) -> Light:
    """Green at or above ``green``, yellow at or above ``yellow``, red below; no efficacy → no data."""
    if efficacy is None:
        return Light.NO_DATA
    if efficacy >= green:
        return Light.GREEN
    if efficacy >= yellow:
        return Light.YELLOW
    return Light.RED


def target_reached(baseline: float, target: float, value: float | None) -> bool:
    """Whether the value is at or beyond the target, in the direction from baseline to target."""
    if value is None:
        return False
    if target > baseline:
        return value >= target
    if target < baseline:
        return value <= target
    return value == target  # no direction to go beyond in


# --- monthly series (S-curve) ---------------------------------------------------------------------


@dataclass(frozen=True)
class MonthlyPoint:
    month: dt.date
    """The first day of the month."""
    planned_progress_pct: float
    """At the month's last day."""
    physical_progress_pct: float | None
    planned_value_clp: float
    earned_value_clp: float | None
    actual_cost_clp: int | None
    earned_schedule_days: float | None
    """ES of the physical progress at the month's end."""
    spi_t: float | None
    """``ES / AT`` at the month's end (AT stops at the data date of the report that said 100 %)."""


def monthly_series(
    plan: CurvePlan,
    budget_clp: int,
    reports: Sequence[ProgressReport],
    until: dt.date | None = None,
) -> list[MonthlyPoint]:
    """Planned against reported progress and spending, month by month (see the module docstring)."""
    first = _month_of(plan.start)
    last = max(first, _month_of(until) if until is not None else _default_last_month(plan, reports))
    points = []
    month = first
    while month <= last:
        points.append(_monthly_point(plan, budget_clp, reports, month))
        month = _next_month(month)
    return points


def _default_last_month(plan: CurvePlan, reports: Sequence[ProgressReport]) -> dt.date:
    last_data = max((report.as_of for report in reports), default=plan.end)
    return _month_of(max(plan.end, last_data))


def _monthly_point(
    plan: CurvePlan, budget_clp: int, reports: Sequence[ProgressReport], month: dt.date
) -> MonthlyPoint:
    month_end = _last_day_of(f"{month:%Y-%m}")
    known = [report for report in reports if report.as_of <= month_end]
    progress = latest(known, "physical_progress_pct")
    spending = latest(known, "spent_to_date_clp")
    planned = planned_progress_pct(plan, month_end)
    physical = progress.physical_progress_pct if progress else None
    schedule = None
    if progress is not None and physical is not None:
        schedule = earned_schedule(plan, physical, month_end, progress.as_of if physical >= 100 else None)
    return MonthlyPoint(
        month=month,
        planned_progress_pct=planned,
        physical_progress_pct=physical,
        planned_value_clp=planned / 100 * budget_clp,
        earned_value_clp=physical / 100 * budget_clp if physical is not None else None,
        actual_cost_clp=spending.spent_to_date_clp if spending else None,
        earned_schedule_days=schedule.earned_schedule_days if schedule else None,
        spi_t=schedule.spi_t if schedule else None,
    )


def series_last_day(plan: CurvePlan, last_report_as_of: dt.date | None, period_end: dt.date | None) -> dt.date:
    """The day whose month ends an initiative's S-curve: the latest of its end, its latest report
    and the end of the plan period (so that every month of a group's curve counts all of its
    initiatives)."""
    return max(day for day in (plan.end, last_report_as_of, period_end) if day is not None)


def planned_by_month(plan: CurvePlan, until: dt.date) -> list[tuple[dt.date, float]]:
    """``(first day of the month, planned % at its last day)`` from the month of ``start`` through
    the month of ``until``: the planned half of the S-curve."""
    months, month = [], _month_of(plan.start)
    while month <= max(_month_of(until), _month_of(plan.start)):
        months.append((month, planned_progress_pct(plan, _last_day_of(f"{month:%Y-%m}"))))
        month = _next_month(month)
    return months


@dataclass(frozen=True)
class MonthLatest:
    """An initiative's latest reports among those whose ``as_of`` falls in one month."""

    month: dt.date
    """The first day of the month."""
    progress: ProgressReport | None
    spending: ProgressReport | None


def latest_by_month(reports: Iterable[ProgressReport]) -> dict[dt.date, MonthLatest]:
    """Each month's latest progress and latest spending report (the stored state of the S-curve)."""
    grouped: dict[dt.date, list[ProgressReport]] = defaultdict(list)
    for report in reports:
        grouped[_month_of(report.as_of)].append(report)
    return {
        month: MonthLatest(month, latest(items, "physical_progress_pct"), latest(items, "spent_to_date_clp"))
        for month, items in grouped.items()
    }
