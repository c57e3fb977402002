"""Earned schedule and the status as of today, worked by hand (docs/scorecard.md has the same
examples). Each scenario writes out its arithmetic."""

from __future__ import annotations

import datetime as dt

import pytest

from services.indicators.scorecard import (
    CurvePlan,
    ProgressReport,
    earned_schedule,
    earned_schedule_days,
    earned_value,
    initiative_status,
)
from shared.terms import InitiativeStatus

D = dt.date
RECORDED = dt.datetime(2022, 1, 1, 12, 0, tzinfo=dt.UTC)
# 2022-01-01 → 2022-05-01: 120 days (PD).
LINEAR = CurvePlan(start=D(2022, 1, 1), end=D(2022, 5, 1))
# A monthly plan with a pause: 40 % by the end of January, nothing more in February, 100 % at the end.
# Points: (01-01, 0), (01-31, 40), (02-28, 40), (05-01, 100).
PAUSED = CurvePlan(start=D(2022, 1, 1), end=D(2022, 5, 1), monthly_plan=(("2022-01", 40.0), ("2022-02", 40.0)))


def report(as_of: dt.date, progress: float | None = None, spent: int | None = None) -> ProgressReport:
    return ProgressReport(as_of, RECORDED, progress, spent)


# --- ES on the curve ------------------------------------------------------------------------------


@pytest.mark.parametrize(("physical", "expected_days"), [
    (0.0, 0.0), (25.0, 30.0), (50.0, 60.0), (99.9, 119.88), (100.0, 120.0), (130.0, 120.0),
])
def test_earned_schedule_on_a_linear_curve(physical, expected_days):
    # Linear: ES = physical % × PD = physical / 100 × 120 days.
    assert earned_schedule_days(LINEAR, physical) == pytest.approx(expected_days)


def test_earned_schedule_on_a_monthly_curve_with_a_pause():
    # 20 % is half-way up January's span: 30 days × 20/40 = 15 days.
    assert earned_schedule_days(PAUSED, 20.0) == pytest.approx(15.0)
    # 40 % is reached on 01-31 (day 30) and held until 02-28 (day 58): the latest such day counts,
    # so an initiative at 40 % during the planned pause is not behind.
    assert earned_schedule_days(PAUSED, 40.0) == pytest.approx(58.0)
    # 70 % is half-way from (02-28, 40 %) to (05-01, 100 %): 58 + 62 × 30/60 = 89 days.
    assert earned_schedule_days(PAUSED, 70.0) == pytest.approx(89.0)


def test_earned_schedule_of_a_plateau_at_zero_is_its_end():
    late_start = CurvePlan(start=D(2022, 1, 1), end=D(2022, 5, 1), monthly_plan=(("2022-01", 0.0),))
    assert earned_schedule_days(late_start, 0.0) == pytest.approx(30.0)


def test_the_schedule_measures_and_the_completion_estimates():
    # 30 % on 2022-03-02 (AT = 60 days): ES = 36 days, SPI(t) = 36 / 60 = 0.6, SV(t) = −24 days.
    schedule = earned_schedule(LINEAR, 30.0, D(2022, 3, 2))
    assert schedule.planned_duration_days == 120
    assert schedule.earned_schedule_days == pytest.approx(36.0)
    assert schedule.actual_time_days == 60
    assert schedule.spi_t == pytest.approx(0.6)
    assert schedule.schedule_variance_days == pytest.approx(-24.0)
    # At the observed pace: start + PD / SPI(t) = 01-01 + 120 / 0.6 = 01-01 + 200 days = 2022-07-20.
    assert schedule.ieac_t_date == D(2022, 7, 20)
    # The rest at the planned pace: today + (PD − ES) = 03-02 + 84 days = 2022-05-25.
    assert schedule.ieac_t_planned_date == D(2022, 5, 25)


def test_no_progress_has_no_date_at_the_observed_pace():
    schedule = earned_schedule(LINEAR, 0.0, D(2022, 3, 2))
    assert (schedule.earned_schedule_days, schedule.spi_t, schedule.ieac_t_date) == (0.0, 0.0, None)
    assert schedule.ieac_t_planned_date == D(2022, 3, 2) + dt.timedelta(days=120)


def test_a_finished_initiative_stops_the_clock_at_its_completion():
    # Done on 2022-05-31, 30 days after the end: ES = PD = 120, AT = 150, SPI(t) = 0.8, for ever.
    for today in (D(2022, 6, 1), D(2026, 12, 2)):
        schedule = earned_schedule(LINEAR, 100.0, today, done_on=D(2022, 5, 31))
        assert (schedule.actual_time_days, schedule.spi_t) == (150, pytest.approx(0.8))
        assert schedule.ieac_t_date == schedule.ieac_t_planned_date == D(2022, 5, 31)


# --- judged as of today ---------------------------------------------------------------------------


def test_the_plan_runs_on_after_the_last_report():
    # 50 % reported on 2022-03-02 (on plan then); nobody reports again. Seen on 2022-04-01:
    # planned 90 / 120 = 75 %, cost SPI = 50 / 75 = 0.667, SPI(t) = 60 / 90 = 0.667 → late.
    ev = earned_value(LINEAR, 900_000_000, [report(D(2022, 3, 2), 50.0)], today=D(2022, 4, 1))
    assert ev.data_date == D(2022, 3, 2)
    assert ev.judged_on == D(2022, 4, 1)
    assert ev.planned_progress_pct == pytest.approx(75.0)
    assert ev.planned_value_clp == pytest.approx(675_000_000)
    assert ev.spi == pytest.approx(50 / 75)
    assert ev.schedule.spi_t == pytest.approx(60 / 90)
    assert initiative_status(ev, LINEAR) is InitiativeStatus.LATE


def test_past_its_end_and_not_done_is_overdue_whatever_its_spi():
    # INI-014's story: 99.9 % on 2022-04-30, the day before the end; never reported finished.
    ev = earned_value(LINEAR, 900_000_000, [report(D(2022, 4, 30), 99.9)], today=D(2026, 12, 2))
    assert ev.spi == pytest.approx(0.999)  # cost SPI: looks perfect
    assert ev.planned_progress_pct == 100.0
    # ES = 119.88 days; AT = 01-01 → 2026-12-02 = 1796 days; SPI(t) = 0.067.
    assert ev.schedule.actual_time_days == (D(2026, 12, 2) - D(2022, 1, 1)).days == 1796
    assert ev.schedule.spi_t == pytest.approx(119.88 / 1796)
    assert initiative_status(ev, LINEAR) is InitiativeStatus.OVERDUE
    # On its last day it is still judged on SPI(t): 119.88 / 119 → on track.
    on_the_end = earned_value(LINEAR, 900_000_000, [report(D(2022, 4, 30), 99.9)], today=D(2022, 5, 1))
    assert initiative_status(on_the_end, LINEAR) is InitiativeStatus.ON_TRACK


def test_an_initiative_that_never_reported_is_overdue_after_its_end():
    ev = earned_value(LINEAR, 900_000_000, [], today=D(2022, 5, 2))
    assert initiative_status(ev, LINEAR) is InitiativeStatus.OVERDUE


def test_before_its_start_without_reports_it_is_not_started():
    ev = earned_value(LINEAR, 900_000_000, [], today=D(2021, 12, 1))
    assert ev.planned_progress_pct == 0.0
    assert initiative_status(ev, LINEAR) is InitiativeStatus.NOT_STARTED


def test_done_stays_done_after_the_end():
    ev = earned_value(LINEAR, 900_000_000, [report(D(2022, 5, 31), 100.0)], today=D(2026, 12, 2))
    assert initiative_status(ev, LINEAR) is InitiativeStatus.DONE


def test_a_late_initiative_near_its_end_has_a_good_cost_spi_but_a_late_spi_t():
    # The weakness of cost SPI: 90 % on 2022-04-25 (AT = 114 days, planned 95 %): SPI = 0.947,
    # at risk only; ES = 108 days, SPI(t) = 108 / 114 = 0.947 too. The same initiative at 80 %:
    # SPI = 80 / 95 = 0.842 (late), SPI(t) = 96 / 114 = 0.842. Where they differ is after the
    # end, where cost SPI tends to 1 while SPI(t) keeps falling — covered by the overdue status.
    ev = earned_value(LINEAR, 900_000_000, [report(D(2022, 4, 25), 90.0)], today=D(2022, 4, 25))
    assert ev.spi == pytest.approx(90 / 95)
    assert ev.schedule.spi_t == pytest.approx(108 / 114)
    assert initiative_status(ev, LINEAR) is InitiativeStatus.AT_RISK


def test_during_a_planned_pause_spi_t_does_not_blame_the_pause():
    # On the monthly plan with February paused at 40 %: 40 % reported on 02-20 (AT = 50 days).
    # ES = 58 days (the pause's end) → SPI(t) = 58 / 50 = 1.16, on track.
    ev = earned_value(PAUSED, 900_000_000, [report(D(2022, 2, 20), 40.0)], today=D(2022, 2, 20))
    assert ev.schedule.spi_t == pytest.approx(58 / 50)
    assert initiative_status(ev, PAUSED) is InitiativeStatus.ON_TRACK
