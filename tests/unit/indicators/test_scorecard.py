"""The scorecard's figures, worked by hand: each scenario writes out its arithmetic so that a
reader can check the expected number without running anything."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest

from services.indicators.scorecard import (
    CurvePlan,
    EarnedValue,
    Light,
    Measurement,
    MilestoneOutcome,
    MilestoneReport,
    MonthlyPoint,
    ProgressReport,
    earned_value,
    efficacy_pct,
    initiative_status,
    latest,
    latest_by_month,
    latest_measurement,
    milestone_outcome,
    monthly_series,
    planned_by_month,
    planned_progress_pct,
    series_last_day,
    target_reached,
    traffic_light,
)
from shared.plan.model import Initiative
from shared.terms import CPI_AT_RISK, SPI_AT_RISK, SPI_ON_TRACK, InitiativeStatus

D = dt.date
RECORDED = dt.datetime(2022, 1, 1, 12, 0, tzinfo=dt.UTC)

# 2022-01-01 → 2022-05-01 is 31 (Jan) + 28 (Feb) + 31 (Mar) + 30 (Apr) = 120 days.
LINEAR = CurvePlan(start=D(2022, 1, 1), end=D(2022, 5, 1))
# 2022-03-02 is 31 + 28 + 1 = 60 days after the start: 60 / 120 = 50 % planned.
HALFWAY = D(2022, 3, 2)


def report(
    as_of: dt.date,
    progress: float | None = None,
    spent: int | None = None,
    recorded_minutes: int = 0,
) -> ProgressReport:
    return ProgressReport(
        as_of=as_of,
        recorded_at=RECORDED + dt.timedelta(minutes=recorded_minutes),
        physical_progress_pct=progress,
        spent_to_date_clp=spent,
    )


def initiative(**fields) -> Initiative:
    document = {
        "codigo": "INI-001", "nombre": "Sede social de Socoroma", "tipo": "proyecto",
        "programa": "PRG-1", "unidad_responsable": "DOM",
        "responsables": [{"nombre": "Luis Condori", "email": "dom@muniputre.example"}],
        "territorio": "PUTRE-MEDIO", "localidad": "SOCOROMA", "presupuesto_clp": 900_000_000,
        "financiamiento": [{"fuente": "FNDR", "monto_clp": 900_000_000}],
        "inicio": "2022-06-01", "termino": "2022-09-30", "beneficiarios": {"cantidad": 120},
        **fields,
    }
    return Initiative.model_validate(document)


# --- planned progress -----------------------------------------------------------------------------


def test_a_linear_curve_is_the_share_of_days_elapsed():
    assert planned_progress_pct(LINEAR, HALFWAY) == pytest.approx(100 * 60 / 120)  # 50 %
    # 2022-02-01 is 31 days in: 31 / 120 = 25.83 %
    assert planned_progress_pct(LINEAR, D(2022, 2, 1)) == pytest.approx(100 * 31 / 120)


def test_a_curve_is_zero_before_its_start_and_complete_from_its_end():
    assert planned_progress_pct(LINEAR, D(2021, 12, 31)) == 0.0
    assert planned_progress_pct(LINEAR, D(2022, 1, 1)) == 0.0  # 0 days elapsed
    assert planned_progress_pct(LINEAR, D(2022, 4, 30)) == pytest.approx(100 * 119 / 120)
    assert planned_progress_pct(LINEAR, D(2022, 5, 1)) == 100.0
    assert planned_progress_pct(LINEAR, D(2023, 1, 1)) == 100.0


def test_a_one_day_initiative_is_complete_on_its_day():
    one_day = CurvePlan(start=D(2022, 3, 15), end=D(2022, 3, 15))
    assert planned_progress_pct(one_day, D(2022, 3, 14)) == 0.0
    assert planned_progress_pct(one_day, D(2022, 3, 15)) == 100.0


MONTHLY = CurvePlan(
    start=D(2022, 6, 1),
    end=D(2022, 9, 30),
    monthly_plan=(("2022-06", 20.0), ("2022-07", 60.0), ("2022-08", 90.0), ("2022-09", 100.0)),
)


def test_a_monthly_plan_interpolates_by_days_between_month_ends():
    # Points: (06-01, 0), (06-30, 20), (07-31, 60), (08-31, 90), (09-30, 100).
    assert planned_progress_pct(MONTHLY, D(2022, 6, 30)) == pytest.approx(20.0)
    assert planned_progress_pct(MONTHLY, D(2022, 7, 31)) == pytest.approx(60.0)
    # 07-16 is 16 of the 31 days from 06-30 to 07-31: 20 + (60 − 20) × 16/31 = 40.65 %
    assert planned_progress_pct(MONTHLY, D(2022, 7, 16)) == pytest.approx(20 + 40 * 16 / 31)
    # 06-15 is 14 of the 29 days from 06-01 to 06-30: 0 + 20 × 14/29 = 9.66 %
    assert planned_progress_pct(MONTHLY, D(2022, 6, 15)) == pytest.approx(20 * 14 / 29)


def test_a_planned_month_past_the_end_is_placed_at_the_end():
    # The initiative ends mid-September, so September's 100 % sits on 09-15, not 09-30.
    plan = CurvePlan(start=D(2022, 7, 1), end=D(2022, 9, 15),
                     monthly_plan=(("2022-08", 90.0), ("2022-09", 100.0)))
    # 09-01 is 1 of the 15 days from 08-31 to 09-15: 90 + 10 × 1/15 = 90.67 %
    assert planned_progress_pct(plan, D(2022, 9, 1)) == pytest.approx(90 + 10 * 1 / 15)


def test_plan_points_are_taken_in_date_order_and_points_not_after_the_previous_are_skipped():
    plan = CurvePlan(
        start=D(2022, 6, 1),
        end=D(2022, 9, 30),
        # May ends before the start: skipped; the rest is given out of order.
        monthly_plan=(("2022-07", 60.0), ("2022-05", 50.0), ("2022-06", 20.0), ("2022-09", 100.0)),
    )
    # (06-01, 0) → (06-30, 20): 06-15 is 14 of 29 days → 9.66 % (not pulled towards May's 50 %).
    assert planned_progress_pct(plan, D(2022, 6, 15)) == pytest.approx(20 * 14 / 29)
    # (07-31, 60) → (09-30, 100): 08-31 is 31 of 61 days → 60 + 40 × 31/61 = 80.33 %
    assert planned_progress_pct(plan, D(2022, 8, 31)) == pytest.approx(60 + 40 * 31 / 61)


def test_a_planned_month_ending_on_the_start_day_is_skipped():
    # June ends on the start day, the same day as the (start, 0 %) point: the curve still starts at 0.
    plan = CurvePlan(start=D(2022, 6, 30), end=D(2022, 7, 31),
                     monthly_plan=(("2022-06", 10.0), ("2022-07", 100.0)))
    # (06-30, 0) → (07-31, 100): 07-15 is 15 of 31 days → 48.39 %
    assert planned_progress_pct(plan, D(2022, 7, 15)) == pytest.approx(100 * 15 / 31)


def test_a_malformed_planned_month_is_refused():
    with pytest.raises(ValueError):
        CurvePlan(start=D(2022, 6, 1), end=D(2022, 9, 30), monthly_plan=(("2022-13", 10.0),))


def test_the_curve_of_an_initiative_uses_its_monthly_plan_only_on_the_monthly_curve():
    months = [{"mes": "2022-06", "avance_pct": 20}, {"mes": "2022-09", "avance_pct": 100}]
    monthly = CurvePlan.of(initiative(curva="mensual", plan_mensual=months))
    linear = CurvePlan.of(initiative(curva="lineal", plan_mensual=months))
    assert monthly == CurvePlan(D(2022, 6, 1), D(2022, 9, 30), (("2022-06", 20.0), ("2022-09", 100.0)))
    assert linear == CurvePlan(D(2022, 6, 1), D(2022, 9, 30), ())


# --- earned value and status ----------------------------------------------------------------------


def test_a_steady_initiative_on_a_linear_curve():
    # Budget $900.000.000; on 2022-03-02 (50 % planned) it reports 48 % done and $420.000.000 spent.
    ev = earned_value(LINEAR, 900_000_000, [report(HALFWAY, progress=48.0, spent=420_000_000)], today=HALFWAY)
    assert ev.data_date == HALFWAY
    assert ev.physical_progress_pct == 48.0
    assert ev.planned_progress_pct == pytest.approx(50.0)
    assert ev.budget_clp == 900_000_000
    # EV = 48 % × $900.000.000 = $432.000.000 ; PV = 50 % × $900.000.000 = $450.000.000
    assert ev.earned_value_clp == pytest.approx(0.48 * 900_000_000)
    assert ev.planned_value_clp == pytest.approx(0.50 * 900_000_000)
    assert ev.actual_cost_clp == 420_000_000
    # SPI = 48 / 50 = 0.96 ; CPI = 432 / 420 = 1.0286
    assert ev.spi == pytest.approx(0.96)
    assert ev.cpi == pytest.approx(432_000_000 / 420_000_000)
    # SV = 432 − 450 = −$18.000.000 ; CV = 432 − 420 = +$12.000.000
    assert ev.schedule_variance_clp == pytest.approx(-18_000_000)
    assert ev.cost_variance_clp == pytest.approx(12_000_000)
    # 420 / 900 = 46.67 % spent ; EAC = 900 / (432/420) = $875.000.000
    assert ev.financial_execution_pct == pytest.approx(100 * 420 / 900)
    assert ev.estimate_at_completion_clp == pytest.approx(875_000_000)
    assert initiative_status(ev, LINEAR) is InitiativeStatus.ON_TRACK


def test_an_initiative_on_a_monthly_plan():
    plan = CurvePlan.of(initiative(curva="mensual", plan_mensual=[
        {"mes": "2022-06", "avance_pct": 20}, {"mes": "2022-07", "avance_pct": 60},
        {"mes": "2022-08", "avance_pct": 90}, {"mes": "2022-09", "avance_pct": 100},
    ]))
    ev = earned_value(plan, 900_000_000, [report(D(2022, 7, 16), progress=36.0, spent=300_000_000)], today=D(2022, 7, 16))
    # planned = 20 + 40 × 16/31 = 40.645 % ; SPI = 36 / 40.645 = 0.8857 → at risk (0.85 ≤ SPI < 0.95)
    planned = 20 + 40 * 16 / 31
    assert ev.planned_progress_pct == pytest.approx(planned)
    assert ev.planned_value_clp == pytest.approx(planned / 100 * 900_000_000)  # $365.806.452
    assert ev.spi == pytest.approx(36 / planned)
    # ES: 36 % lies in July's span (20 % on 06-30 → 60 % on 07-31): 29 + 31 × 16/40 = 41.4 days;
    # AT = 45 days (06-01 → 07-16); SPI(t) = 41.4 / 45 = 0.92 → at risk as well.
    assert ev.schedule.earned_schedule_days == pytest.approx(29 + 31 * 16 / 40)
    assert ev.schedule.spi_t == pytest.approx((29 + 31 * 16 / 40) / 45)
    assert initiative_status(ev, plan) is InitiativeStatus.AT_RISK


def test_a_zero_budget_still_has_a_schedule_but_no_cost_ratios():
    # A staff-time action with no budget: 48 % done at 50 % planned, $1.500.000 spent anyway.
    ev = earned_value(LINEAR, 0, [report(HALFWAY, progress=48.0, spent=1_500_000)], today=HALFWAY)
    assert ev.earned_value_clp == 0.0  # 48 % × $0
    assert ev.planned_value_clp == 0.0
    assert ev.spi == pytest.approx(48 / 50)  # 0.96, from the percentages, not 0 / 0
    assert ev.cpi is None  # EV / AC would be 0 whatever the work done
    assert ev.financial_execution_pct is None  # AC / 0
    assert ev.estimate_at_completion_clp is None
    assert ev.cost_variance_clp == pytest.approx(-1_500_000)  # 0 − $1.500.000
    assert initiative_status(ev, LINEAR) is InitiativeStatus.ON_TRACK


def only(**fields) -> EarnedValue:
    """An earned value with the given figures and every other one None."""
    nothing = dict.fromkeys(EarnedValue.__dataclass_fields__, None)
    return EarnedValue(**{**nothing, **fields})


def test_no_reports_yet_means_no_data():
    ev = earned_value(LINEAR, 900_000_000, [], today=HALFWAY)
    # The plan still runs: 50 % planned on 2022-03-02, PV = $450.000.000; nothing earned is known.
    assert ev == only(budget_clp=900_000_000, judged_on=HALFWAY, planned_progress_pct=50.0,
                      planned_value_clp=450_000_000.0)
    assert initiative_status(ev, LINEAR) is InitiativeStatus.NO_DATA


def test_spending_without_progress_gives_the_actual_cost_and_nothing_progress_derived():
    ev = earned_value(LINEAR, 900_000_000, [report(HALFWAY, spent=90_000_000)], today=HALFWAY)
    # AC = $90.000.000 ; 90 / 900 = 10 % spent ; everything else waits for a progress report.
    assert ev == only(budget_clp=900_000_000, actual_cost_clp=90_000_000, financial_execution_pct=10.0,
                      judged_on=HALFWAY, planned_progress_pct=50.0, planned_value_clp=450_000_000.0)
    assert initiative_status(ev, LINEAR) is InitiativeStatus.NO_DATA


def test_a_zero_spending_has_no_cpi():
    ev = earned_value(LINEAR, 900_000_000, [report(HALFWAY, progress=50.0, spent=0)], today=HALFWAY)
    assert ev.actual_cost_clp == 0
    assert ev.cpi is None
    assert ev.estimate_at_completion_clp is None
    assert ev.financial_execution_pct == 0.0
    assert ev.cost_variance_clp == pytest.approx(450_000_000)  # 50 % × $900.000.000 − $0


def test_no_progress_at_all_has_a_cpi_of_zero_and_no_estimate_at_completion():
    ev = earned_value(LINEAR, 900_000_000, [report(HALFWAY, progress=0.0, spent=100_000_000)], today=HALFWAY)
    assert ev.cpi == 0.0  # $0 earned / $100.000.000 spent
    assert ev.estimate_at_completion_clp is None  # 900 / 0
    assert ev.spi == 0.0  # 0 / 50
    assert initiative_status(ev, LINEAR) is InitiativeStatus.LATE


def test_done_early():
    # 100 % reported on 2022-04-01: 31 + 28 + 31 = 90 of 120 days → 75 % planned.
    ev = earned_value(LINEAR, 900_000_000, [report(D(2022, 4, 1), progress=100.0, spent=850_000_000)], today=D(2022, 4, 1))
    assert ev.planned_progress_pct == pytest.approx(75.0)
    assert ev.spi == pytest.approx(100 / 75)  # 1.333
    assert ev.schedule_variance_clp == pytest.approx(900_000_000 - 0.75 * 900_000_000)  # +$225.000.000
    assert ev.cpi == pytest.approx(900 / 850)
    assert initiative_status(ev, LINEAR) is InitiativeStatus.DONE


def test_done_is_done_even_when_the_cost_overran():
    ev = earned_value(LINEAR, 900_000_000, [report(D(2022, 4, 1), progress=100.0, spent=1_200_000_000)], today=D(2022, 4, 1))
    assert ev.cpi == pytest.approx(0.75)  # 900 / 1.200 is below CPI_AT_RISK
    assert initiative_status(ev, LINEAR) is InitiativeStatus.DONE


def test_the_status_thresholds():
    assert (SPI_ON_TRACK, SPI_AT_RISK, CPI_AT_RISK) == (0.95, 0.85, 0.90)


@pytest.mark.parametrize(
    ("progress", "expected"),
    [
        (47.5, InitiativeStatus.ON_TRACK),  # 47.5 / 50 = 0.95 exactly
        (47.4, InitiativeStatus.AT_RISK),  # 0.948
        (42.5, InitiativeStatus.AT_RISK),  # 0.85 exactly
        (42.4, InitiativeStatus.LATE),  # 0.848
    ],
)
def test_the_schedule_thresholds_at_their_edges(progress, expected):
    ev = earned_value(LINEAR, 900_000_000, [report(HALFWAY, progress=progress)], today=HALFWAY)
    assert ev.spi == pytest.approx(progress / 50)
    assert initiative_status(ev, LINEAR) is expected


def test_a_cost_overrun_turns_an_on_track_initiative_at_risk():
    # 50 % done at 50 % planned (SPI 1.0): EV = 50 % × $900.000.000 = $450.000.000.
    exactly = earned_value(LINEAR, 900_000_000, [report(HALFWAY, progress=50.0, spent=500_000_000)], today=HALFWAY)
    over = earned_value(LINEAR, 900_000_000, [report(HALFWAY, progress=50.0, spent=500_000_001)], today=HALFWAY)
    assert exactly.cpi == pytest.approx(0.90)  # 450 / 500, not below the threshold
    assert initiative_status(exactly, LINEAR) is InitiativeStatus.ON_TRACK
    assert over.cpi < CPI_AT_RISK  # 450.000.000 / 500.000.001
    assert initiative_status(over, LINEAR) is InitiativeStatus.AT_RISK


def test_a_cost_overrun_does_not_soften_a_late_initiative():
    ev = earned_value(LINEAR, 900_000_000, [report(HALFWAY, progress=25.0, spent=800_000_000)], today=HALFWAY)
    assert ev.spi == pytest.approx(0.5)
    assert initiative_status(ev, LINEAR) is InitiativeStatus.LATE


def test_before_the_plan_starts():
    before = D(2021, 12, 15)
    idle = earned_value(LINEAR, 900_000_000, [report(before, progress=0.0)], today=before)
    ahead = earned_value(LINEAR, 900_000_000, [report(before, progress=5.0)], today=before)
    on_the_first_day = earned_value(LINEAR, 900_000_000, [report(D(2022, 1, 1), progress=0.0)], today=D(2022, 1, 1))
    assert idle.planned_progress_pct == 0.0
    assert idle.spi is None  # 0 / 0
    assert initiative_status(idle, LINEAR) is InitiativeStatus.NOT_STARTED
    assert ahead.spi is None
    assert initiative_status(ahead, LINEAR) is InitiativeStatus.ON_TRACK
    assert initiative_status(on_the_first_day, LINEAR) is InitiativeStatus.NOT_STARTED


# --- which report counts --------------------------------------------------------------------------


HISTORY = [
    report(D(2022, 2, 1), progress=20.0, spent=150_000_000),
    report(D(2022, 2, 15), progress=30.0),
    report(HALFWAY, spent=400_000_000),  # a spending-only report, after the last progress
    report(D(2022, 1, 20), progress=10.0, spent=50_000_000, recorded_minutes=999),  # recorded last
]


def test_progress_and_spending_each_come_from_their_own_latest_report():
    ev = earned_value(LINEAR, 900_000_000, HISTORY, today=HALFWAY)
    # Progress of 2022-02-15; spending of 2022-03-02. Judged on 2022-03-02: 60 days → 50 % planned.
    assert ev.data_date == D(2022, 2, 15)
    assert ev.physical_progress_pct == 30.0
    assert ev.planned_progress_pct == pytest.approx(50.0)
    assert ev.actual_cost_clp == 400_000_000
    assert ev.cpi == pytest.approx(0.30 * 900_000_000 / 400_000_000)  # $270.000.000 / $400.000.000


def test_the_order_reports_arrive_in_does_not_matter():
    in_order = earned_value(LINEAR, 900_000_000, sorted(HISTORY, key=lambda r: r.as_of), today=HALFWAY)
    for arrival in itertools.permutations(HISTORY):
        assert earned_value(LINEAR, 900_000_000, list(arrival), today=HALFWAY) == in_order


def test_a_correction_for_the_same_day_wins_when_recorded_later():
    # The officer overstated the figures and corrects them downwards half an hour later.
    first = report(HALFWAY, progress=45.0, spent=320_000_000, recorded_minutes=0)
    correction = report(HALFWAY, progress=40.0, spent=300_000_000, recorded_minutes=30)
    for reports in ([first, correction], [correction, first]):
        assert latest(reports, "physical_progress_pct") == correction
        ev = earned_value(LINEAR, 900_000_000, reports, today=HALFWAY)
        assert (ev.physical_progress_pct, ev.actual_cost_clp) == (40.0, 300_000_000)


def test_a_later_data_date_beats_a_later_recording():
    newer_data = report(D(2022, 3, 1), progress=40.0, recorded_minutes=0)
    late_entry_of_older_data = report(D(2022, 2, 1), progress=20.0, recorded_minutes=600)
    assert latest([late_entry_of_older_data, newer_data], "physical_progress_pct") == newer_data
    assert latest([newer_data, late_entry_of_older_data], "physical_progress_pct") == newer_data


def test_two_reports_of_one_instant_give_one_answer_whatever_their_order():
    a = report(HALFWAY, progress=40.0)
    b = report(HALFWAY, progress=45.0)
    assert latest([a, b], "physical_progress_pct") == latest([b, a], "physical_progress_pct")


def test_latest_skips_reports_without_the_figure_and_refuses_unknown_figures():
    assert latest(HISTORY, "spent_to_date_clp").as_of == HALFWAY
    assert latest(HISTORY, "physical_progress_pct").as_of == D(2022, 2, 15)
    assert latest([], "physical_progress_pct") is None
    with pytest.raises(ValueError):
        latest(HISTORY, "as_of")


# --- milestones -----------------------------------------------------------------------------------


DUE = D(2022, 6, 30)


def update(as_of: dt.date, status: str, date: dt.date | None = None, recorded_minutes: int = 0) -> MilestoneReport:
    return MilestoneReport(
        as_of=as_of, recorded_at=RECORDED + dt.timedelta(minutes=recorded_minutes), status=status, date=date
    )


@pytest.mark.parametrize(
    ("reports", "on", "expected"),
    [
        ([update(D(2022, 7, 5), "done", D(2022, 6, 28))], D(2022, 8, 1), MilestoneOutcome.DONE_ON_TIME),
        ([update(D(2022, 7, 5), "done", DUE)], D(2022, 8, 1), MilestoneOutcome.DONE_ON_TIME),  # on the day
        ([update(D(2022, 7, 5), "done", D(2022, 7, 1))], D(2022, 8, 1), MilestoneOutcome.DONE_LATE),
        ([update(D(2022, 6, 30), "done")], D(2022, 8, 1), MilestoneOutcome.DONE_ON_TIME),  # no date: as_of
        ([update(D(2022, 7, 1), "done")], D(2022, 8, 1), MilestoneOutcome.DONE_LATE),  # no date: as_of
        ([update(D(2022, 6, 1), "cancelled", D(2022, 6, 1))], D(2022, 8, 1), MilestoneOutcome.CANCELLED),
        ([], D(2022, 6, 29), MilestoneOutcome.PENDING),
        ([], DUE, MilestoneOutcome.PENDING),  # due today is not yet overdue
        ([], D(2022, 7, 1), MilestoneOutcome.OVERDUE),
        ([update(D(2022, 6, 1), "pending")], D(2022, 6, 15), MilestoneOutcome.PENDING),
        ([update(D(2022, 6, 1), "pending")], D(2022, 7, 1), MilestoneOutcome.OVERDUE),
        ([update(D(2022, 6, 20), "in_progress")], D(2022, 6, 25), MilestoneOutcome.PENDING),
        ([update(D(2022, 6, 20), "in_progress")], D(2022, 7, 1), MilestoneOutcome.OVERDUE),
    ],
)
def test_milestone_outcomes(reports, on, expected):
    assert milestone_outcome(DUE, reports, on) is expected


def test_the_latest_milestone_update_decides():
    done = update(D(2022, 6, 20), "done", D(2022, 6, 20))
    reopened = update(D(2022, 7, 2), "in_progress")
    for reports in ([done, reopened], [reopened, done]):
        assert milestone_outcome(DUE, reports, D(2022, 7, 10)) is MilestoneOutcome.OVERDUE
    assert milestone_outcome(DUE, [done], D(2022, 7, 10)) is MilestoneOutcome.DONE_ON_TIME


def test_a_same_day_milestone_correction_wins_when_recorded_later():
    # First entered as done on 07-01 (late), then corrected to the real date, 06-29 (on time).
    said_late = update(D(2022, 7, 2), "done", D(2022, 7, 1), recorded_minutes=0)
    corrected = update(D(2022, 7, 2), "done", D(2022, 6, 29), recorded_minutes=45)
    for reports in ([said_late, corrected], [corrected, said_late]):
        assert milestone_outcome(DUE, reports, D(2022, 7, 10)) is MilestoneOutcome.DONE_ON_TIME


def test_an_unknown_milestone_status_is_refused():
    with pytest.raises(ValueError):
        update(D(2022, 7, 2), "finished")


# --- indicators -----------------------------------------------------------------------------------


def test_a_down_is_good_indicator_with_its_target_below_the_baseline():
    # Child malnutrition: baseline 40 %, target 15 %, now 25 %.
    # Efficacy = 100 × (25 − 40) / (15 − 40) = 100 × −15 / −25 = 60 % of the way.
    efficacy = efficacy_pct(baseline=40.0, target=15.0, value=25.0)
    assert efficacy == pytest.approx(60.0)
    assert traffic_light(efficacy, green=85.0, yellow=60.0) is Light.YELLOW  # 60 ≥ 60, < 85
    assert target_reached(40.0, 15.0, 25.0) is False
    assert target_reached(40.0, 15.0, 15.0) is True
    assert target_reached(40.0, 15.0, 12.0) is True  # beyond, downwards


def test_an_up_is_good_indicator():
    # Households with drinking water: baseline 200, target 300, now 280 → 100 × 80 / 100 = 80 %.
    assert efficacy_pct(200.0, 300.0, 280.0) == pytest.approx(80.0)
    assert target_reached(200.0, 300.0, 280.0) is False
    assert target_reached(200.0, 300.0, 300.0) is True
    assert target_reached(200.0, 300.0, 310.0) is True
    assert target_reached(200.0, 300.0, None) is False


def test_over_achievement_and_the_wrong_way_are_not_clamped():
    assert efficacy_pct(200.0, 300.0, 350.0) == pytest.approx(150.0)  # 100 × 150 / 100
    assert efficacy_pct(40.0, 15.0, 45.0) == pytest.approx(-20.0)  # 100 × 5 / −25: got worse
    assert traffic_light(150.0, green=85.0, yellow=60.0) is Light.GREEN
    assert traffic_light(-20.0, green=85.0, yellow=60.0) is Light.RED


def test_a_target_equal_to_its_baseline_has_no_efficacy():
    assert efficacy_pct(50.0, 50.0, 70.0) is None
    assert traffic_light(None, green=85.0, yellow=60.0) is Light.NO_DATA
    assert target_reached(50.0, 50.0, 50.0) is True
    assert target_reached(50.0, 50.0, 51.0) is False


@pytest.mark.parametrize(
    ("efficacy", "expected"),
    [(85.0, Light.GREEN), (84.99, Light.YELLOW), (60.0, Light.YELLOW), (59.99, Light.RED), (0.0, Light.RED)],
)
def test_lights_at_the_exact_thresholds(efficacy, expected):
    assert traffic_light(efficacy, green=85.0, yellow=60.0) is expected


def test_the_latest_measurement_is_by_data_date_then_recording():
    q1 = Measurement("2022-Q1", D(2022, 3, 31), RECORDED, 30.0)
    q2 = Measurement("2022-Q2", D(2022, 6, 30), RECORDED, 28.0)
    q2_fixed = Measurement("2022-Q2", D(2022, 6, 30), RECORDED + dt.timedelta(hours=2), 27.0)
    q1_entered_late = Measurement("2022-Q1", D(2022, 3, 31), RECORDED + dt.timedelta(days=90), 31.0)
    for order in itertools.permutations([q1, q2, q2_fixed, q1_entered_late]):
        assert latest_measurement(order) == q2_fixed
    assert latest_measurement([]) is None


# --- monthly series -------------------------------------------------------------------------------


# 2022-06-01 → 2022-08-31: 30 (Jun) + 31 (Jul) + 30 = 91 days. Month ends fall on day 29 (06-30),
# day 60 (07-31) and day 91 (08-31 = end). A budget of $910.000.000 makes PV $10.000.000 a day.
THREE_MONTHS = CurvePlan(start=D(2022, 6, 1), end=D(2022, 8, 31))
BUDGET = 910_000_000
SERIES_REPORTS = [
    report(D(2022, 6, 20), progress=25.0, spent=200_000_000),
    report(D(2022, 7, 15), progress=50.0),
    report(D(2022, 7, 31), spent=580_000_000),  # on the month's last day: counts in July
    report(D(2022, 8, 1), progress=70.0),  # the first day of August: not in July
    report(D(2022, 9, 10), progress=100.0, spent=900_000_000),  # after the end: adds September
]


def test_the_s_curve_of_a_three_month_initiative():
    points = monthly_series(THREE_MONTHS, BUDGET, SERIES_REPORTS)
    assert [p.month for p in points] == [D(2022, 6, 1), D(2022, 7, 1), D(2022, 8, 1), D(2022, 9, 1)]
    june, july, august, september = points
    # June: 29/91 planned → PV $290.000.000; 25 % done → EV 0.25 × $910.000.000 = $227.500.000
    assert june.planned_progress_pct == pytest.approx(100 * 29 / 91)
    assert june.planned_value_clp == pytest.approx(290_000_000)
    assert (june.physical_progress_pct, june.actual_cost_clp) == (25.0, 200_000_000)
    assert june.earned_value_clp == pytest.approx(227_500_000)
    # July: 60/91 planned → PV $600.000.000; 50 % → EV $455.000.000; spent $580.000.000 on 07-31
    assert july.planned_progress_pct == pytest.approx(100 * 60 / 91)
    assert july.planned_value_clp == pytest.approx(600_000_000)
    assert (july.physical_progress_pct, july.actual_cost_clp) == (50.0, 580_000_000)
    assert july.earned_value_clp == pytest.approx(455_000_000)
    # August: the plan is complete (PV $910.000.000); 70 % → EV $637.000.000; no new spending
    assert august.planned_progress_pct == 100.0
    assert august.planned_value_clp == pytest.approx(910_000_000)
    assert (august.physical_progress_pct, august.actual_cost_clp) == (70.0, 580_000_000)
    assert august.earned_value_clp == pytest.approx(637_000_000)
    # September, after the end: the late completion. Done on 09-10: ES = PD = 91 days, and AT stops
    # at 101 days (06-01 → 09-10), so SPI(t) = 91 / 101 = 0.901 — finished 10 days late.
    assert september == MonthlyPoint(D(2022, 9, 1), 100.0, 100.0, 910_000_000.0, 910_000_000.0, 900_000_000,
                                     91.0, 91 / 101)
    # Earned schedule each month: ES = physical % × 91 days on a linear curve; AT = the month's end.
    # June 25 % → 22.75 / 29; July 50 % → 45.5 / 60; August 70 % → 63.7 / 91.
    assert [p.earned_schedule_days for p in (june, july, august)] == pytest.approx([22.75, 45.5, 63.7])
    assert [p.spi_t for p in (june, july, august)] == pytest.approx([22.75 / 29, 45.5 / 60, 63.7 / 91])


def test_the_s_curve_does_not_depend_on_report_order():
    assert monthly_series(THREE_MONTHS, BUDGET, SERIES_REPORTS[::-1]) == monthly_series(
        THREE_MONTHS, BUDGET, SERIES_REPORTS
    )


def test_the_s_curve_before_any_report_is_the_plan_alone():
    points = monthly_series(THREE_MONTHS, BUDGET, [])
    assert [p.month for p in points] == [D(2022, 6, 1), D(2022, 7, 1), D(2022, 8, 1)]
    assert [p.planned_value_clp for p in points] == pytest.approx([290_000_000, 600_000_000, 910_000_000])
    assert all(p.physical_progress_pct is None for p in points)
    assert all(p.earned_value_clp is None and p.actual_cost_clp is None for p in points)


def test_the_s_curve_can_stop_at_a_given_month():
    points = monthly_series(THREE_MONTHS, BUDGET, SERIES_REPORTS, until=D(2022, 7, 5))
    assert [p.month for p in points] == [D(2022, 6, 1), D(2022, 7, 1)]
    # July's point still covers the whole month, up to 07-31.
    assert points[-1].actual_cost_clp == 580_000_000


def test_the_s_curve_can_run_past_the_end_to_a_given_month():
    points = monthly_series(THREE_MONTHS, BUDGET, [], until=D(2022, 10, 31))
    assert [p.month for p in points][-2:] == [D(2022, 9, 1), D(2022, 10, 1)]
    assert len(points) == 5


def test_the_s_curve_never_starts_after_it_stops():
    points = monthly_series(THREE_MONTHS, BUDGET, SERIES_REPORTS, until=D(2022, 3, 1))
    assert [p.month for p in points] == [D(2022, 6, 1)]


def test_the_s_curve_crosses_the_new_year():
    plan = CurvePlan(start=D(2022, 11, 15), end=D(2023, 2, 10))
    months = [p.month for p in monthly_series(plan, 0, [])]
    assert months == [D(2022, 11, 1), D(2022, 12, 1), D(2023, 1, 1), D(2023, 2, 1)]


# --- the stored state: each month's latest reports --------------------------------------------------


def test_each_month_keeps_its_latest_progress_and_its_latest_spending():
    months = latest_by_month(SERIES_REPORTS)
    assert sorted(months) == [D(2022, 6, 1), D(2022, 7, 1), D(2022, 8, 1), D(2022, 9, 1)]
    july = months[D(2022, 7, 1)]
    # July has 50 % on 07-15 and $580.000.000 on 07-31, from two different reports.
    assert (july.progress.as_of, july.progress.physical_progress_pct) == (D(2022, 7, 15), 50.0)
    assert (july.spending.as_of, july.spending.spent_to_date_clp) == (D(2022, 7, 31), 580_000_000)
    assert months[D(2022, 8, 1)].spending is None  # August reported progress only


def carried_forward(plan: CurvePlan, months: dict, until: dt.date) -> list[tuple]:
    """What the initiative_monthly view computes: each planned month takes the latest stored month
    up to it (tests/integration checks the view itself against monthly_series)."""
    points = []
    for month, planned in planned_by_month(plan, until):
        up_to = [state for start, state in months.items() if start <= month]
        progress = latest([s.progress for s in up_to if s.progress], "physical_progress_pct")
        spending = latest([s.spending for s in up_to if s.spending], "spent_to_date_clp")
        points.append((month, planned, progress.physical_progress_pct if progress else None,
                       spending.spent_to_date_clp if spending else None))
    return points


def test_the_s_curve_carried_forward_from_each_months_latest_is_the_series():
    before_start = report(D(2022, 5, 20), progress=5.0, spent=10_000_000)  # counts from June on
    reports = [*SERIES_REPORTS, before_start]
    expected = [(p.month, p.planned_progress_pct, p.physical_progress_pct, p.actual_cost_clp)
                for p in monthly_series(THREE_MONTHS, BUDGET, reports)]
    assert carried_forward(THREE_MONTHS, latest_by_month(reports), D(2022, 9, 10)) == expected


def random_history(rng: random.Random, count: int) -> list[ProgressReport]:
    return [
        report(D(2022, 1, 1) + dt.timedelta(days=rng.randrange(400)),
               progress=rng.choice([None, float(rng.randrange(0, 101, 5))]),
               spent=rng.choice([None, rng.randrange(0, 10) * 1_000_000]),
               recorded_minutes=rng.randrange(30))  # equal instants happen
        for _ in range(count)
    ]


@pytest.mark.parametrize("seed", range(20))
def test_merging_batches_into_the_stored_months_equals_the_whole_history_in_any_order(seed):
    rng = random.Random(seed)
    history = random_history(rng, 60)
    arrival = history[:]
    rng.shuffle(arrival)  # late and out-of-order reports included
    stored: dict = {}
    while arrival:
        size = rng.randint(1, 9)
        batch, arrival = arrival[:size], arrival[size:]
        touched = {r.as_of.replace(day=1) for r in batch}
        kept = [rep for month in touched if month in stored
                for rep in (stored[month].progress, stored[month].spending) if rep is not None]
        stored.update(latest_by_month(kept + batch))  # as the store does: only the touched months
    assert stored == latest_by_month(history)
    everything = [rep for state in stored.values() for rep in (state.progress, state.spending) if rep]
    assert earned_value(LINEAR, BUDGET, everything, today=HALFWAY) == earned_value(LINEAR, BUDGET, history, today=HALFWAY)


def test_the_planned_half_of_the_s_curve_runs_to_the_given_day():
    # 2022-06-30 is day 29 of 91, 07-31 day 60; from 08-31 (the end) the plan is complete.
    assert planned_by_month(THREE_MONTHS, D(2022, 9, 10)) == [
        (D(2022, 6, 1), pytest.approx(100 * 29 / 91)), (D(2022, 7, 1), pytest.approx(100 * 60 / 91)),
        (D(2022, 8, 1), 100.0), (D(2022, 9, 1), 100.0),
    ]
    assert [m for m, _ in planned_by_month(THREE_MONTHS, D(2022, 1, 1))] == [D(2022, 6, 1)]


def test_the_s_curve_ends_at_the_latest_of_the_end_the_last_report_and_the_plan_period():
    assert series_last_day(THREE_MONTHS, None, None) == D(2022, 8, 31)
    assert series_last_day(THREE_MONTHS, D(2022, 9, 10), D(2022, 12, 31)) == D(2022, 12, 31)
    assert series_last_day(THREE_MONTHS, D(2023, 2, 1), D(2022, 12, 31)) == D(2023, 2, 1)
