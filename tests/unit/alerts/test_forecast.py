"""The predictive trend check, on worked examples whose answers are computed by hand below."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from services.alerts.forecast import (
    CompletionForecast,
    IndicatorForecast,
    NoForecast,
    Observation,
    Trend,
    _sen_interval_indices,
    fit_trend,
    forecast_completion,
    forecast_indicator,
)

START = dt.date(2023, 1, 1)


def day(offset: int, base: dt.date = START) -> dt.date:
    return base + dt.timedelta(days=offset)


def every_30_days(values: list[float], base: dt.date = START, first_offset: int = 0) -> list[Observation]:
    return [Observation(day(first_offset + 30 * k, base), value) for k, value in enumerate(values)]


def completion(history: list[Observation], **kwargs: object) -> CompletionForecast:
    result = forecast_completion(history, **kwargs)  # type: ignore[arg-type]
    assert isinstance(result, CompletionForecast), result
    return result


def indicator(history: list[Observation], **kwargs: object) -> IndicatorForecast:
    result = forecast_indicator(history, **kwargs)  # type: ignore[arg-type]
    assert isinstance(result, IndicatorForecast), result
    return result


# --- a steady initiative ----------------------------------------------------------------------------

# 0 % on 01-01-2023 (the start anchor), then 10, 20, 30 % on days 30, 60, 90 (01-04-2023).
STEADY = every_30_days([10.0, 20.0, 30.0], first_offset=30)


def test_steady_slope_is_a_third_of_a_point_a_day_and_its_interval_collapses() -> None:
    forecast = completion(STEADY, deadline=dt.date(2023, 12, 31), start=START)
    trend = forecast.trend

    # Every pairwise slope is 10 % / 30 days (e.g. (30 − 0) / 90 = 1/3), so the median and both
    # ends of Sen's interval are that same slope.
    assert trend.method == "theil_sen"
    assert trend.points == 4  # the anchor and three reports
    assert (trend.first, trend.last) == (START, dt.date(2023, 4, 1))
    assert trend.slope_per_day == pytest.approx(1 / 3)
    assert trend.slope_low == pytest.approx(1 / 3)
    assert trend.slope_high == pytest.approx(1 / 3)
    assert trend.intercept_value == pytest.approx(30.0)
    assert forecast.current_pct == pytest.approx(30.0)


def test_steady_completion_is_300_days_after_the_start() -> None:
    forecast = completion(STEADY, deadline=dt.date(2023, 12, 31), start=START)

    # 70 % left at 1/3 % a day = 210 days after 01-04-2023 (day 90): day 300 = 28-10-2023.
    # Float noise must not turn 210 days into 211.
    assert forecast.projected == START + dt.timedelta(days=300) == dt.date(2023, 10, 28)
    assert forecast.earliest == forecast.latest == dt.date(2023, 10, 28)


def test_steady_initiative_meets_a_year_end_deadline() -> None:
    forecast = completion(STEADY, deadline=dt.date(2023, 12, 31), start=START)

    # 01-04-2023 → 31-12-2023 is 274 days: 70 / 274 ≈ 0.2555 % a day < 1/3.
    assert forecast.required_slope_per_day == pytest.approx(70 / 274)
    assert forecast.will_miss is False


def test_steady_initiative_misses_a_september_deadline() -> None:
    forecast = completion(STEADY, deadline=dt.date(2023, 9, 1), start=START)

    # 01-04-2023 → 01-09-2023 is 30 + 31 + 30 + 31 + 31 = 153 days: 70 / 153 ≈ 0.4575 > 1/3.
    assert forecast.required_slope_per_day == pytest.approx(70 / 153)
    assert forecast.will_miss is True


def test_steady_explanation_gives_rate_per_month_dates_and_points() -> None:
    text = completion(STEADY, deadline=dt.date(2023, 12, 31), start=START).explanation()

    # 1/3 % a day × 30.44 = 10.1467 % a month; 70 / 274 × 30.44 = 7.7766 % a month.
    assert "10,15 % al mes" in text
    assert "4 puntos entre el 01-01-2023 y el 01-04-2023" in text
    assert "28-10-2023" in text
    assert "7,78 % al mes" in text
    assert "alcanzable" in text
    assert "entre el 28-10-2023 y el 28-10-2023" not in text  # a collapsed interval is not repeated


# --- a stalled initiative ---------------------------------------------------------------------------

# 40, 41, 41, 41, 42 % on days 0, 30, 60, 90, 120 from 01-01-2024 (the last is 30-04-2024).
STALL_BASE = dt.date(2024, 1, 1)
STALLED = every_30_days([40.0, 41.0, 41.0, 41.0, 42.0], base=STALL_BASE)


def test_stalled_initiative_has_a_slope_near_zero() -> None:
    forecast = completion(STALLED, deadline=dt.date(2024, 12, 31))
    trend = forecast.trend

    # Pairwise slopes in % per 30 days, (i, j): (0,1) 1, (0,2) 1/2, (0,3) 1/3, (0,4) 2/4,
    # (1,2) 0, (1,3) 0, (1,4) 1/3, (2,3) 0, (2,4) 1/2, (3,4) 1.
    # Sorted: 0, 0, 0, 1/3, 1/3, 1/2, 1/2, 1/2, 1, 1 → median (1/3 + 1/2) / 2 = 5/12 per 30 days.
    # Sen's indices for n = 5 are 1 and 8: 0 and 1 per 30 days.
    assert trend.slope_per_day == pytest.approx(5 / 12 / 30)
    assert trend.slope_low == pytest.approx(0.0)
    assert trend.slope_high == pytest.approx(1 / 30)
    # Level at 30-04-2024: median of y + (5/12)·(months back) = 41.667, 42.25, 41.833, 41.417, 42
    # → 41.833 = 41 + 5/6.
    assert forecast.current_pct == pytest.approx(41 + 5 / 6)


def test_stalled_initiative_is_projected_far_beyond_its_deadline() -> None:
    forecast = completion(STALLED, deadline=dt.date(2024, 12, 31))
    last = dt.date(2024, 4, 30)
    left = 100 - (41 + 5 / 6)  # 349/6 %

    # 349/6 % at 5/360 % a day = 4188 days; at 1/30 % a day (the fast end) = 1745 days; the slow
    # end is 0 % a day, so it may never finish.
    assert forecast.projected == last + dt.timedelta(days=4188)
    assert forecast.earliest == last + dt.timedelta(days=1745)
    assert forecast.latest is None
    # 30-04-2024 → 31-12-2024 is 245 days: 349/6 / 245 ≈ 0.237 % a day ≫ 1/30.
    assert forecast.required_slope_per_day == pytest.approx(left / 245)
    assert forecast.will_miss is True


def test_stalled_explanation_mentions_the_points_used() -> None:
    text = completion(STALLED, deadline=dt.date(2024, 12, 31)).explanation()

    assert "5 puntos entre el 01-01-2024 y el 30-04-2024" in text
    assert "0,42 % al mes" in text  # 5/360 × 30.44 = 0.4228
    assert "en el peor caso, nunca" in text
    assert "no se cumplirá" in text


# --- too few points -----------------------------------------------------------------------------------


def test_one_report_without_start_gives_no_forecast() -> None:
    result = forecast_completion([Observation(dt.date(2024, 3, 11), 30.0)], deadline=dt.date(2024, 12, 31))

    assert result == NoForecast(reason="se necesitan al menos 2 informes de avance; hay 1", points=1)


def test_no_report_with_only_the_start_gives_no_forecast() -> None:
    result = forecast_completion([], deadline=dt.date(2024, 12, 31), start=dt.date(2024, 1, 1))

    assert isinstance(result, NoForecast)
    assert result.points == 1
    assert result.reason == "se necesitan al menos 2 puntos (la fecha de inicio y los informes de avance); hay 1"


def test_one_report_with_the_start_is_a_two_point_forecast() -> None:
    forecast = completion(
        [Observation(dt.date(2024, 3, 11), 30.0)], deadline=dt.date(2024, 12, 31), start=dt.date(2024, 1, 1)
    )
    trend = forecast.trend

    # 01-01-2024 → 11-03-2024 is 31 + 29 + 10 = 70 days: 30 % / 70 days = 3/7 % a day.
    assert trend.method == "two_point"
    assert trend.points == 2
    assert trend.slope_per_day == pytest.approx(3 / 7)
    assert trend.slope_low == trend.slope_high == trend.slope_per_day
    # 70 % left / (3/7) = 163.33 days, rounded up to 164: 11-03-2024 + 164 days = 22-08-2024.
    assert forecast.projected == dt.date(2024, 3, 11) + dt.timedelta(days=164) == dt.date(2024, 8, 22)
    assert forecast.earliest == forecast.latest == forecast.projected
    assert forecast.will_miss is False
    assert "con solo dos no hay intervalo" in forecast.explanation()


def test_float_noise_does_not_add_a_day() -> None:
    forecast = completion(
        [Observation(dt.date(2024, 2, 1), 50.0)], deadline=dt.date(2024, 12, 31), start=dt.date(2024, 1, 1)
    )

    # Half done in 31 days, so the other half takes exactly 31 more: 01-02-2024 + 31 = 03-03-2024.
    # In floats 50 / (50/31) is 31.000000000000004, which a bare ceiling would make 32 days.
    assert forecast.projected == dt.date(2024, 2, 1) + dt.timedelta(days=31) == dt.date(2024, 3, 3)


def test_falling_progress_never_reaches_100() -> None:
    forecast = completion(
        [Observation(dt.date(2024, 1, 1), 50.0), Observation(dt.date(2024, 1, 31), 45.0)],
        deadline=dt.date(2024, 12, 31),
    )

    assert forecast.trend.slope_per_day == pytest.approx(-5 / 30)
    assert (forecast.projected, forecast.earliest, forecast.latest) == (None, None, None)
    assert forecast.will_miss is True
    assert "no llegaría al 100 %, ni en el mejor caso" in forecast.explanation()
    assert "a este ritmo no se cumplirá" in forecast.explanation()  # two points: no interval to cite


# --- a noisy initiative -------------------------------------------------------------------------------

# Truly 10 % a month, but the fourth report was typed as 95 instead of 40.
NOISY = every_30_days([10.0, 20.0, 30.0, 95.0, 50.0])


def test_noisy_series_keeps_the_true_slope_where_least_squares_does_not() -> None:
    trend = fit_trend(NOISY)
    assert isinstance(trend, Trend)

    # Pairwise slopes in % per 30 days, (i, j): (0,1) 10, (0,2) 20/2 = 10, (0,3) 85/3 = 28.33,
    # (0,4) 40/4 = 10, (1,2) 10, (1,3) 75/2 = 37.5, (1,4) 30/3 = 10, (2,3) 65, (2,4) 20/2 = 10,
    # (3,4) −45.
    # Sorted: −45, 10, 10, 10, 10, 10, 10, 28.33, 37.5, 65 → median (10 + 10) / 2 = 10 → 1/3 a day.
    assert trend.slope_per_day == pytest.approx(1 / 3)
    # Sen's indices for n = 5 are 1 and 8: 10 and 37.5 per 30 days.
    assert trend.slope_low == pytest.approx(10 / 30)
    assert trend.slope_high == pytest.approx(37.5 / 30)
    # Level: y + 10·(months back) = 50, 50, 50, 105, 50 → 50.
    assert trend.intercept_value == pytest.approx(50.0)

    # Least squares, in months: x̄ = 2, ȳ = 205/5 = 41, Sxy = (−2)(−31) + (−1)(−21) + 0·(−11)
    # + 1·54 + 2·9 = 155, Sxx = 10 → 15.5 % a month, pulled up by the typo.
    xs = [0, 1, 2, 3, 4]
    ys = [o.value for o in NOISY]
    x_mean, y_mean = sum(xs) / 5, sum(ys) / 5
    least_squares = sum((x - x_mean) * (y - y_mean) for x, y in zip(xs, ys)) / sum((x - x_mean) ** 2 for x in xs)
    assert least_squares == pytest.approx(15.5)
    assert trend.slope_per_day * 30 != pytest.approx(least_squares)


def test_noisy_interval_is_wider_than_the_steady_one() -> None:
    noisy = fit_trend(NOISY)
    steady = fit_trend(STEADY, anchor=Observation(START, 0.0))
    assert isinstance(noisy, Trend) and isinstance(steady, Trend)

    assert steady.slope_high - steady.slope_low == pytest.approx(0.0)
    assert noisy.slope_high - noisy.slope_low == pytest.approx(27.5 / 30)


def test_a_deadline_within_the_fast_end_of_the_interval_is_not_a_miss() -> None:
    # NOISY as an initiative: level 50 % on 01-05-2023 (day 120), slope 1/3, fast end 1.25 % a day.
    # Deadline 50 days later (20-06-2023): required 50 / 50 = 1 % a day. The point estimate needs
    # 50 / (1/3) = 150 days, past the deadline, but 1.25 ≥ 1, so it is not flagged.
    forecast = completion(NOISY, deadline=dt.date(2023, 6, 20))

    assert forecast.required_slope_per_day == pytest.approx(1.0)
    assert forecast.projected == day(120 + 150)
    assert forecast.earliest == day(120 + 40)  # 50 / 1.25 = 40 days
    assert forecast.latest == day(120 + 150)  # the slow end is also 1/3
    assert forecast.will_miss is False
    # day 160 = 10-06-2023, day 270 = 28-09-2023.
    assert "se proyecta llegar al 100 % el 28-09-2023 (entre el 10-06-2023 y el 28-09-2023)" in forecast.explanation()


# --- Sen's interval -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("points", "confidence", "expected"),
    [
        # n = 5, N = 10, var = 5·4·15/18 = 16.667, σ = 4.0825.
        # 90 %: z = 1.6449, C = 6.7151 → round((10 − 6.7151)/2 = 1.642) − 1 = 1,
        #       round((10 + 6.7151)/2 = 8.358) = 8.
        (5, 0.90, (1, 8)),
        # 95 %: z = 1.9600, C = 8.0015 → round(0.999) − 1 = 0, round(9.001) = 9.
        (5, 0.95, (0, 9)),
        # 50 %: z = 0.6745, C = 2.7536 → round(3.623) − 1 = 3, round(6.377) = 6.
        (5, 0.50, (3, 6)),
        # n = 3, N = 3, var = 3·2·11/18 = 3.667, C = 1.6449·1.9149 = 3.150
        # → round(−0.075) − 1 = −1 → clamped to 0, round(3.075) = 3 → clamped to 2.
        (3, 0.90, (0, 2)),
        # n = 7 (six reports and the start), N = 21, var = 7·6·19/18 = 44.333, σ = 6.6583,
        # C = 10.952 → round(5.024) − 1 = 4, round(15.976) = 16.
        (7, 0.90, (4, 16)),
    ],
)
def test_sen_interval_indices_by_hand(points: int, confidence: float, expected: tuple[int, int]) -> None:
    pairs = points * (points - 1) // 2
    assert _sen_interval_indices(points, pairs, confidence) == expected


@pytest.mark.parametrize(
    ("confidence", "low", "high"),
    [(0.90, 4.0, 28.0), (0.95, 1.0, 37.0), (0.50, 9.0, 19.0)],
)
def test_sen_interval_picks_those_slopes(confidence: float, low: float, high: float) -> None:
    # y = x³ on five consecutive days: the pairwise slope (j³ − i³)/(j − i) = i² + ij + j² gives
    # ten distinct slopes: 1, 4, 7, 9, 13, 16, 19, 21, 28, 37 → median (13 + 16) / 2 = 14.5.
    cubic = [Observation(day(x), float(x**3)) for x in range(5)]
    trend = fit_trend(cubic, confidence=confidence)
    assert isinstance(trend, Trend)

    assert trend.slope_per_day == pytest.approx(14.5)
    assert (trend.slope_low, trend.slope_high) == (pytest.approx(low), pytest.approx(high))


# --- indicators -----------------------------------------------------------------------------------------

# Water loss, baseline 40 %, target 15 % (down is good); measured 38, 36, 34, 32 % on days 0, 30,
# 60, 90 from 01-01-2024: 2 points lower every 30 days, last measured on 31-03-2024.
WATER_BASE = dt.date(2024, 1, 1)
WATER_LAST = dt.date(2024, 3, 31)
WATER_LOSS = every_30_days([38.0, 36.0, 34.0, 32.0], base=WATER_BASE)


def test_falling_two_points_a_month_is_enough_for_a_down_is_good_target() -> None:
    forecast = indicator(WATER_LOSS, target=15.0, target_date=WATER_LAST + dt.timedelta(days=270), baseline=40.0)

    # 32 − (2/30)·270 = 32 − 18 = 14 ≤ 15.
    assert forecast.direction_up is False
    assert forecast.trend.slope_per_day == pytest.approx(-2 / 30)
    assert forecast.projected_value == pytest.approx(14.0)
    assert forecast.value_low == pytest.approx(14.0)
    assert forecast.value_high == pytest.approx(14.0)
    assert forecast.will_fall_short is False
    assert "se proyecta alcanzarla" in forecast.explanation()


def test_falling_two_points_a_month_is_not_enough_with_less_time() -> None:
    forecast = indicator(WATER_LOSS, target=15.0, target_date=WATER_LAST + dt.timedelta(days=210), baseline=40.0)

    # 32 − (2/30)·210 = 32 − 14 = 18 > 15.
    assert forecast.projected_value == pytest.approx(18.0)
    assert forecast.will_fall_short is True
    text = forecast.explanation()
    assert "4 mediciones entre el 01-01-2024 y el 31-03-2024" in text
    assert "baja 2,03 al mes" in text  # 2/30 × 30.44 = 2.029
    assert "menor es mejor" in text
    assert "no se alcanzará" in text


# Coverage, baseline 50 %, up is good: 50, 51, 53, 53, 55 on days 0..120 from 01-01-2024.
# Pairwise slopes per 30 days: (0,1) 1, (0,2) 3/2, (0,3) 3/3, (0,4) 5/4, (1,2) 2, (1,3) 2/2,
# (1,4) 4/3, (2,3) 0, (2,4) 2/2, (3,4) 2. Sorted: 0, 1, 1, 1, 1, 1.25, 1.33, 1.5, 2, 2
# → median (1 + 1.25)/2 = 1.125; Sen's indices 1 and 8 → 1 and 2 per 30 days.
# Level at 30-04-2024: 50 + 4.5, 51 + 3.375, 53 + 2.25, 53 + 1.125, 55 → median 54.5.
# At 360 days later: 54.5 + 12·1.125 = 68; low 54.5 + 12·1 = 66.5; high 54.5 + 12·2 = 78.5.
COVERAGE = every_30_days([50.0, 51.0, 53.0, 53.0, 55.0], base=WATER_BASE)
COVERAGE_DATE = dt.date(2024, 4, 30) + dt.timedelta(days=360)


def test_up_is_good_target_within_the_favourable_end_is_not_falling_short() -> None:
    forecast = indicator(COVERAGE, target=75.0, target_date=COVERAGE_DATE, baseline=50.0)

    assert forecast.direction_up is True
    assert forecast.projected_value == pytest.approx(68.0)
    assert (forecast.value_low, forecast.value_high) == (pytest.approx(66.5), pytest.approx(78.5))
    assert forecast.will_fall_short is False  # 78.5 ≥ 75
    assert "solo en el lado favorable" in forecast.explanation()


def test_up_is_good_target_beyond_the_favourable_end_falls_short() -> None:
    forecast = indicator(COVERAGE, target=80.0, target_date=COVERAGE_DATE, baseline=50.0)

    assert forecast.will_fall_short is True  # 78.5 < 80
    assert "mayor es mejor" in forecast.explanation()


def test_a_target_date_before_the_last_measurement_keeps_low_below_high() -> None:
    forecast = indicator(COVERAGE, target=80.0, target_date=dt.date(2024, 3, 31), baseline=50.0)

    # 30 days back from 54.5: 54.5 − 1.125 = 53.375; the steep end (2 per 30 days) gives the
    # lower value there, 52.5, and the gentle end (1 per 30 days) the higher, 53.5.
    assert forecast.projected_value == pytest.approx(53.375)
    assert (forecast.value_low, forecast.value_high) == (pytest.approx(52.5), pytest.approx(53.5))


def test_a_flat_indicator_reads_as_holding_steady() -> None:
    # 0.0001 lower every 30 days: about −0.0001 a month, which shows as 0,00 and never as "-0,00".
    flat = every_30_days([1.0, 0.9999, 0.9998], base=WATER_BASE)
    text = indicator(flat, target=5.0, target_date=dt.date(2024, 12, 31), baseline=0.0).explanation()

    assert "el indicador se mantiene" in text
    assert "de 0,00 a 0,00 al mes" in text
    assert "-0,00" not in text


def test_the_baseline_is_not_a_point() -> None:
    result = forecast_indicator(
        [Observation(WATER_BASE, 38.0)], target=15.0, target_date=dt.date(2025, 1, 1), baseline=40.0
    )

    assert result == NoForecast(reason="se necesitan al menos 2 mediciones; hay 1", points=1)


# --- input handling -------------------------------------------------------------------------------------


def test_a_later_observation_on_the_same_date_is_a_correction() -> None:
    # Day 30 first said 50, then was corrected to 10: the points are 0, 10, 20 every 30 days, so
    # every pairwise slope is 1/3. Had 50 been kept, the slopes (5/3, −1, 1/3) would spread.
    history = [
        Observation(day(0), 0.0),
        Observation(day(30), 50.0),
        Observation(day(60), 20.0),
        Observation(day(30), 10.0),
    ]
    trend = fit_trend(history)
    assert isinstance(trend, Trend)

    assert trend.points == 3
    assert trend.slope_low == pytest.approx(1 / 3)
    assert trend.slope_high == pytest.approx(1 / 3)


def test_input_order_does_not_matter() -> None:
    shuffled = [NOISY[3], NOISY[0], NOISY[4], NOISY[2], NOISY[1]]
    trend = fit_trend(shuffled)
    assert isinstance(trend, Trend)

    assert (trend.first, trend.last) == (START, day(120))
    assert trend.intercept_value == pytest.approx(50.0)  # the level at the latest date, not the last given
    assert trend == fit_trend(NOISY)


def test_only_the_most_recent_window_is_used() -> None:
    # Flat at 5 % for three reports, then 10 % a month: days 0..210.
    history = every_30_days([5.0, 5.0, 5.0, 10.0, 20.0, 30.0, 40.0, 50.0])

    recent = fit_trend(history, window=5)  # days 90..210: 10, 20, 30, 40, 50
    assert isinstance(recent, Trend)
    assert (recent.points, recent.first, recent.last) == (5, day(90), day(210))
    assert recent.slope_low == recent.slope_high == pytest.approx(1 / 3)

    default = fit_trend(history)  # the last six: days 60..210, starting with the flat 5
    assert isinstance(default, Trend)
    assert (default.points, default.first) == (6, day(60))
    # From the 5 %: 5/30, 15/60, 25/90, 35/120, 45/150; the other ten pairs are 1/3. Sen's lower
    # index for n = 6 is 2: var = 6·5·17/18 = 28.33, C = 1.6449·5.3229 = 8.756,
    # round((15 − 8.756)/2 = 3.12) − 1 = 2, so 25/90.
    assert default.slope_low == pytest.approx(25 / 90)
    assert default.slope_per_day == pytest.approx(1 / 3)


def test_the_start_anchor_is_added_before_the_window() -> None:
    history = every_30_days([5.0, 5.0, 5.0, 10.0, 20.0, 30.0, 40.0, 50.0], first_offset=30)
    anchored = fit_trend(history, anchor=Observation(START, 0.0))
    assert isinstance(anchored, Trend)
    assert (anchored.points, anchored.first) == (7, START)  # six reports and the anchor


def test_a_start_after_the_first_report_used_is_ignored() -> None:
    anchored = fit_trend(STEADY, anchor=Observation(day(30), 0.0))  # same day as the 10 % report
    assert isinstance(anchored, Trend)
    assert (anchored.points, anchored.first) == (3, day(30))


def test_a_finished_initiative_needs_no_forecast() -> None:
    history = [*STEADY, Observation(day(120), 100.0)]
    result = forecast_completion(history, deadline=dt.date(2023, 12, 31), start=START)

    assert isinstance(result, NoForecast)
    assert result.reason == "la iniciativa ya está terminada"


def test_a_corrected_100_is_not_finished() -> None:
    history = [*STEADY, Observation(day(120), 100.0), Observation(day(120), 40.0)]
    forecast = completion(history, deadline=dt.date(2023, 12, 31), start=START)

    # 0, 10, 20, 30, 40 every 30 days: still 1/3 % a day, now from 40 % on 01-05-2023.
    assert forecast.trend.slope_per_day == pytest.approx(1 / 3)
    assert forecast.current_pct == pytest.approx(40.0)


@pytest.mark.parametrize("deadline", [dt.date(2023, 3, 15), dt.date(2023, 4, 1)])
def test_a_deadline_already_past_is_missed(deadline: dt.date) -> None:
    forecast = completion(STEADY, deadline=deadline, start=START)

    assert forecast.required_slope_per_day is None
    assert forecast.will_miss is True
    assert forecast.projected == dt.date(2023, 10, 28)  # the projection still stands
    assert "ya venció" in forecast.explanation()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"confidence": 1.0}, "confidence"), ({"confidence": 0.0}, "confidence"), ({"window": 0}, "window")],
)
def test_settings_out_of_range_are_refused(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fit_trend(STEADY, **kwargs)  # type: ignore[arg-type]


def test_a_value_that_is_not_a_number_is_refused() -> None:
    with pytest.raises(ValueError, match="finite"):
        fit_trend([*STEADY, Observation(day(120), math.nan)])
