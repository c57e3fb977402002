"""The predictive trend check, on worked examples whose answers are computed by hand below."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from services.alerts.forecast import (
    CompletionForecast,
    InconsistentSeries,
    IndicatorForecast,
    forecast_completion,
    forecast_indicator,
)
from services.alerts.trend import (
    NoForecast,
    Observation,
    _inversions,
    _level_rank,
    fit_trend,
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


# --- the exact coverages ----------------------------------------------------------------------------


def test_inversions_of_three_items_by_hand() -> None:
    # 123 (0), 132 213 (1), 231 312 (2), 321 (3).
    assert _inversions(3) == pytest.approx((1 / 6, 2 / 6, 2 / 6, 1 / 6))
    assert sum(_inversions(7)) == pytest.approx(1.0)


def test_level_interval_ranks_by_hand() -> None:
    # n = 6: min and max cover 1 − 2/64 = 96.875 %; the next pair only 1 − 2·7/64 = 78.1 %.
    assert _level_rank(6, 0.95) == (0, pytest.approx(1 - 2 / 64))
    # n = 3: even min and max cover only 1 − 2/8 = 75 %.
    assert _level_rank(3, 0.95) == (0, pytest.approx(0.75))
    # n = 12 at 95 %: k = 2 covers 1 − 2·79/4096 = 96.1 %; k = 3 only 1 − 2·299/4096 = 85.4 %.
    assert _level_rank(12, 0.95) == (2, pytest.approx(1 - 2 * 79 / 4096))


# --- a steady initiative ----------------------------------------------------------------------------

# 10, 20, 30, 40 % on days 30, 60, 90, 120 (01-05-2023): a third of a point a day.
STEADY = every_30_days([10.0, 20.0, 30.0, 40.0], first_offset=30)
STEADY_LAST = day(120)


def test_steady_slope_interval_collapses_and_its_real_confidence_is_stated() -> None:
    trend = fit_trend(STEADY)
    assert trend.method == "theil_sen" and trend.points == 4
    assert trend.slope_per_day == trend.slope_low == trend.slope_high == pytest.approx(1 / 3)
    assert trend.level == trend.level_low == trend.level_high == pytest.approx(40.0)
    # Slope: every pairwise slope is in [low, high]: 1 − 2/4! = 0.9167. Level: min..max of 4, 1 − 2/16 = 0.875.
    # Bonferroni: 1 − 0.0833 − 0.125 = 0.7917 — less than the 90 % asked, and said so.
    assert trend.joint_confidence == pytest.approx(1 - 2 / 24 - 2 / 16)


def test_steady_completion_counted_from_today() -> None:
    forecast = completion(STEADY, deadline=dt.date(2023, 12, 31), today=STEADY_LAST, start=START)
    # 60 % left at 1/3 a day = 180 days after 01-05-2023 = 28-10-2023.
    assert forecast.projected == forecast.earliest == forecast.latest == STEADY_LAST + dt.timedelta(days=180)
    assert forecast.will_miss is False
    # 01-05-2023 → 31-12-2023 is 244 days: 60/244 % a day.
    assert forecast.required_slope_per_day == pytest.approx(60 / 244)


def test_the_pace_needed_is_measured_from_today_not_from_the_last_report() -> None:
    # Judged 90 days after the last report, at the last known level (no credit for unreported work).
    today = STEADY_LAST + dt.timedelta(days=90)  # 30-07-2023
    forecast = completion(STEADY, deadline=dt.date(2023, 12, 31), today=today, start=START)
    assert forecast.required_slope_per_day == pytest.approx(60 / 154)  # 30-07 → 31-12 is 154 days
    assert forecast.projected == today + dt.timedelta(days=180)  # 26-01-2024, after the deadline
    assert forecast.will_miss is True
    assert "desde hoy (30-07-2023)" in forecast.explanation()


def test_steady_explanation_states_the_real_confidence_and_not_90() -> None:
    text = completion(STEADY, deadline=dt.date(2023, 12, 31), today=STEADY_LAST, start=START).explanation()
    assert text == (
        "Según 4 informes entre el 31-01-2023 y el 01-05-2023, el avance físico sube 10,15 puntos porcentuales "
        "al mes (pendiente de Theil–Sen; entre 10,15 y 10,15 puntos porcentuales al mes, con una confianza "
        "conjunta de al menos 79 % para el ritmo y el nivel; con 4 puntos el intervalo abarca todas las "
        "pendientes entre pares). Con el último nivel estimado, 40,0 % al 01-05-2023, y contando desde hoy "
        "(01-05-2023), se proyecta llegar al 100 % el 28-10-2023. Para terminar en el plazo del 31-12-2023 se "
        "necesitan, desde hoy, 7,49 puntos porcentuales al mes: el plazo todavía es alcanzable."
    )
    assert "90 %" not in text


# --- stalls: the start anchor cannot hide them ------------------------------------------------------

# Started 01-01-2023; 40 → 42 % over four months; the deadline eleven months after the last report.
CREEPING = [Observation(dt.date(2024, 1, 31), 40.0), Observation(dt.date(2024, 2, 29), 40.5),
            Observation(dt.date(2024, 3, 31), 41.0), Observation(dt.date(2024, 4, 30), 41.5),
            Observation(dt.date(2024, 5, 31), 42.0)]
FLAT = [Observation(dt.date(2024, month, 28), 40.0) for month in range(1, 7)]


def test_a_creeping_series_is_a_miss_even_with_a_start_date() -> None:
    forecast = completion(CREEPING, deadline=dt.date(2025, 4, 30), today=dt.date(2024, 5, 31), start=START)
    assert forecast.trend.points == 5 and not forecast.trend.anchored  # the start is not a point
    assert forecast.will_miss is True
    assert forecast.earliest > dt.date(2025, 4, 30)


def test_six_flat_reports_are_a_miss_and_never_finish() -> None:
    forecast = completion(FLAT, deadline=dt.date(2025, 4, 30), today=dt.date(2024, 6, 28), start=START)
    assert forecast.trend.slope_per_day == forecast.trend.slope_high == 0.0
    assert (forecast.projected, forecast.earliest, forecast.will_miss) == (None, None, True)
    assert forecast.outlook() == "no terminaría al ritmo actual"
    text = forecast.explanation()
    assert "está detenido" in text and "no llegaría al 100 %, ni en el caso más favorable" in text
    assert "el nunca" not in text and re.search(r"(?<!\d)[-−]\d", text) is None  # no negative number


# --- too few points -----------------------------------------------------------------------------------


def test_one_report_without_start_gives_no_forecast() -> None:
    result = forecast_completion([Observation(dt.date(2024, 3, 11), 30.0)], deadline=dt.date(2024, 12, 31),
                                 today=dt.date(2024, 3, 11))
    assert result == NoForecast(reason="se necesitan al menos 2 informes de avance; hay 1", points=1)


def test_no_report_gives_no_forecast() -> None:
    result = forecast_completion([], deadline=dt.date(2024, 12, 31), today=dt.date(2024, 2, 1), start=dt.date(2024, 1, 1))
    assert result == NoForecast(reason="no hay informes de avance", points=0)


def test_one_report_with_the_start_is_a_two_point_forecast_without_interval() -> None:
    forecast = completion([Observation(dt.date(2024, 3, 11), 30.0)], deadline=dt.date(2024, 12, 31),
                          today=dt.date(2024, 3, 11), start=dt.date(2024, 1, 1))
    trend = forecast.trend
    # 01-01-2024 → 11-03-2024 is 70 days: 30 % / 70 days = 3/7 % a day.
    assert (trend.method, trend.points, trend.anchored, trend.joint_confidence) == ("two_point", 2, True, None)
    assert trend.slope_per_day == pytest.approx(3 / 7)
    # 70 % left / (3/7) = 163.33 days, rounded up to 164: 22-08-2024.
    assert forecast.projected == forecast.earliest == forecast.latest == dt.date(2024, 8, 22)
    text = forecast.explanation()
    assert "con solo dos no hay intervalo" in text and "(sin intervalo)" in text and "confianza" not in text
    assert text.startswith("Según el único informe (11-03-2024) y la fecha de inicio (01-01-2024)")


def test_two_reports_ignore_the_start_and_have_no_interval() -> None:
    # 40 % then 42 % four months later: 2 points in 121 days, whatever the start.
    history = [Observation(dt.date(2024, 1, 31), 40.0), Observation(dt.date(2024, 5, 31), 42.0)]
    forecast = completion(history, deadline=dt.date(2025, 4, 30), today=dt.date(2024, 5, 31), start=START)
    assert forecast.trend.slope_per_day == pytest.approx(2 / 121) and not forecast.trend.anchored
    assert forecast.will_miss is True
    assert forecast.explanation().endswith("a este ritmo no se cumplirá.")


def test_float_noise_does_not_add_a_day() -> None:
    forecast = completion([Observation(dt.date(2024, 2, 1), 50.0)], deadline=dt.date(2024, 12, 31),
                          today=dt.date(2024, 2, 1), start=dt.date(2024, 1, 1))
    # Half done in 31 days, so the other half takes exactly 31 more (50 / (50/31) is 31.000000000000004).
    assert forecast.projected == dt.date(2024, 3, 3)


# --- the texts of every case ----------------------------------------------------------------------------


def test_reports_that_go_back_are_an_inconsistent_series_not_a_projection() -> None:
    history = [Observation(dt.date(2024, 1, 31), 50.0), Observation(dt.date(2024, 2, 29), 55.0),
               Observation(dt.date(2024, 3, 31), 45.0)]
    result = forecast_completion(history, deadline=dt.date(2024, 12, 31), today=dt.date(2024, 3, 31))
    assert isinstance(result, InconsistentSeries)
    assert result.explanation() == (
        "Serie inconsistente: el informe del 31-03-2024 dice 45,0 % de avance físico, menos que el 55,0 % informado "
        "al 29-02-2024. El avance acumulado no retrocede, así que no se proyecta una fecha de término hasta que se "
        "corrija el informe que corresponda.")
    assert result.outlook() == "tiene informes de avance contradictorios (serie inconsistente) y no se puede proyectar"


def test_a_deadline_already_past_is_missed_and_said_so() -> None:
    forecast = completion(STEADY, deadline=dt.date(2023, 4, 1), today=STEADY_LAST)
    assert forecast.required_slope_per_day is None and forecast.will_miss is True
    assert forecast.explanation().endswith("El plazo del 01-04-2023 ya venció sin llegar al 100 %.")
    assert forecast.outlook() == "terminaría el 28-10-2023"


def test_a_slow_lower_end_may_never_finish_and_says_so() -> None:
    # 20, 20, 30, 40, 50: the slowest pairwise slope is 0, so the pessimistic end never reaches 100 %.
    history = every_30_days([20.0, 20.0, 30.0, 40.0, 50.0], first_offset=30)
    forecast = completion(history, deadline=dt.date(2024, 6, 30), today=day(150))
    assert forecast.trend.slope_low == 0.0 and forecast.latest is None
    assert "en el caso menos favorable, quizá nunca" in forecast.explanation()


def test_noisy_series_keeps_its_slope_where_one_typo_would_tilt_least_squares() -> None:
    history = every_30_days([10.0, 20.0, 30.0, 80.0, 50.0, 60.0], first_offset=30)  # 80 is a typo for 40
    # Backwards from 80 to 50: inconsistent, not projected.
    assert isinstance(forecast_completion(history, deadline=dt.date(2024, 1, 1), today=day(180)), InconsistentSeries)
    fixed = every_30_days([10.0, 20.0, 30.0, 41.0, 50.0, 60.0], first_offset=30)
    assert fit_trend(fixed).slope_per_day == pytest.approx(1 / 3)


def test_a_finished_initiative_needs_no_forecast() -> None:
    result = forecast_completion(every_30_days([50.0, 100.0]), deadline=dt.date(2024, 1, 1), today=day(60))
    assert result == NoForecast(reason="la iniciativa ya está terminada", points=2)


def test_a_later_report_on_the_same_date_is_a_correction() -> None:
    history = [Observation(day(30), 10.0), Observation(day(60), 90.0), Observation(day(60), 20.0),
               Observation(day(90), 30.0)]
    assert fit_trend(history).slope_per_day == pytest.approx(1 / 3)


def test_only_the_most_recent_window_is_used() -> None:
    history = every_30_days([0.0, 0.0, 0.0, 10.0, 20.0, 30.0])
    assert fit_trend(history, window=3).slope_per_day == pytest.approx(1 / 3)
    assert fit_trend(history, window=3).first == day(90)


@pytest.mark.parametrize(("kwargs", "message"), [({"confidence": 1.0}, "confidence"), ({"window": 0}, "window")])
def test_settings_out_of_range_are_refused(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fit_trend(STEADY, **kwargs)  # type: ignore[arg-type]


def test_a_value_that_is_not_a_number_is_refused() -> None:
    with pytest.raises(ValueError, match="not a finite number"):
        fit_trend([Observation(day(0), float("nan")), Observation(day(30), 1.0)])


# --- an indicator ----------------------------------------------------------------------------------------


def test_an_indicator_falling_two_a_month_reaches_a_down_is_good_target() -> None:
    # 40, 38, 36, 34 every 30 days (−1/15 a day); 90 days after the last: 34 − 6 = 28 ≤ 30.
    history = every_30_days([40.0, 38.0, 36.0, 34.0])
    forecast = indicator(history, target=30.0, target_date=day(180), baseline=40.0)
    assert forecast.projected_value == pytest.approx(28.0)
    assert forecast.will_fall_short is False and forecast.direction_up is False
    assert "baja 2,03 al mes" in forecast.explanation() and "se proyecta alcanzarla" in forecast.explanation()


def test_an_indicator_two_measurements_have_no_interval() -> None:
    forecast = indicator(every_30_days([10.0, 12.0]), target=50.0, target_date=day(120), baseline=10.0)
    # +2 per 30 days, 90 days after the last: 12 + 6 = 18 < 50.
    assert forecast.projected_value == pytest.approx(18.0) and forecast.will_fall_short is True
    assert forecast.explanation().endswith("a este ritmo no se alcanzará.")
    assert "confianza" not in forecast.explanation()


def test_an_indicator_interval_counts_the_level_too() -> None:
    history = every_30_days([10.0, 13.0, 14.0, 17.0, 18.0, 21.0])
    forecast = indicator(history, target=30.0, target_date=day(240), baseline=10.0)
    trend = forecast.trend
    days = 90
    assert forecast.value_high == pytest.approx(trend.level_high + trend.slope_high * days)
    assert forecast.value_low == pytest.approx(trend.level_low + trend.slope_low * days)
    assert trend.level_low < trend.level < trend.level_high
