"""The predictive trend check: when an initiative will finish, and where an indicator will land.

Pure functions: no I/O, no clock. "Today" is an argument, so the same history on the same day
always gives the same forecast.

Progress reports are monthly at best, often sparse and irregular, so the trend is fitted on real
dates, not on report numbers, with a robust estimator (Theil–Sen, ``scipy.stats.theilslopes``)
that one mistyped figure cannot tilt.

The trend itself (the points used, the fit and its real confidence) is documented and
computed in ``services/alerts/trend.py``.

Completion of an initiative (values are physical progress, %)
-------------------------------------------------------------

- A history whose latest value is ``≥ 100`` → no forecast: the initiative is done.
- A window in which a report is lower than an earlier one → **inconsistent series**: no
  projection, the explanation says which report goes back (a forecast from contradictory data
  would be invented).
- Levels are clamped to [0, 100]. **No credit is taken for unreported work**: the level today is
  the fitted level at the last report, and every date is counted **from today**:
  ``date(level, s) = today + ⌈(100 − level) / s⌉`` days (none when ``s ≤ 0``, never; ``today``
  when the level is 100; fractional days rounded up after discarding float noise below 10⁻⁹).
  ``projected = date(L, b)``; ``earliest = date(L_high, b_high)``; ``latest = date(L_low, b_low)``.
- The pace still needed, **from today at the current level**:
  ``required = (100 − L) / (deadline − today)`` (% per day), none when the deadline is today or
  past.
- ``will miss`` = not done and (the deadline is past, or even the optimistic end misses it:
  ``earliest`` is none or later than the deadline). For two points (no interval) the optimistic
  end is the estimate itself.

An indicator's value at its target date
---------------------------------------

- Direction: up is good when ``target ≥ baseline``; down is good when ``target < baseline``.
- ``d = (target_date − last).days``; ``projected = L + b·d``; the other two are ``L + b_low·d``
  and ``L + b_high·d``, named ``value_low`` (the smaller) and ``value_high`` (the larger).
- Falls short: up is good → ``value_high < target``; down is good → ``value_low > target``.

Explanations are one paragraph in Spanish; dates as DD-MM-AAAA and numbers with a decimal comma.
Negative slopes are never printed as a pace: the text says the series goes down or holds.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from services.alerts.trend import (
    DAYS_PER_MONTH,
    DEFAULT_CONFIDENCE,
    DEFAULT_WINDOW,
    NoForecast,
    Observation,
    Trend,
    check_settings,
    fit_points,
    recent_points,
)

_DAY_NOISE = 1e-9
"""Float error below this many days is not a day: 210.0000000001 days is 210 days."""


# --- completion of an initiative ------------------------------------------------------------------


@dataclass(frozen=True)
class CompletionForecast:
    trend: Trend
    today: dt.date
    deadline: dt.date
    current_pct: float
    """The fitted level at the last report, clamped to [0, 100] (no credit for unreported work)."""
    projected: dt.date | None
    """When the estimate reaches 100 %, counted from today; none when the slope is ≤ 0 (never)."""
    earliest: dt.date | None
    """The optimistic end: the upper level with the upper slope."""
    latest: dt.date | None
    """The pessimistic end: the lower level with the lower slope; none when that slope is ≤ 0."""
    required_slope_per_day: float | None
    """The pace (% per day) from today at the current level that reaches 100 % on the deadline;
    none when the deadline is today or past."""
    will_miss: bool
    confidence: float
    """The joint confidence asked (what is reached is ``trend.joint_confidence``)."""

    def explanation(self) -> str:
        """One paragraph, in Spanish, for the alert."""
        return " ".join([self._trend_sentence(), self._projection_sentence(), self._deadline_sentence()])

    def outlook(self) -> str:
        """A full phrase for the alert's message: "terminaría el 03-05-2027" or the like."""
        if self.projected is None:
            return "no terminaría al ritmo actual"
        return f"terminaría el {_date(self.projected)}"

    def _trend_sentence(self) -> str:
        trend = self.trend
        if trend.anchored:
            basis = (f"Según el único informe ({_date(trend.last)}) y la fecha de inicio ({_date(trend.first)}), "
                     "el avance físico")
        else:
            basis = f"Según {_points_phrase(trend, noun='informes')}, el avance físico"
        if trend.has_interval:
            interval = (f"(pendiente de Theil–Sen; entre {_pace_range(trend.slope_low, trend.slope_high)}, "
                        f"con una confianza conjunta de al menos {_number(_joint(trend) * 100, 0)} % "
                        f"para el ritmo y el nivel{_few_points_note(trend.points)})")
        else:
            interval = "(tasa entre dos puntos: con solo dos no hay intervalo)"
        return f"{basis} {_progress_movement(trend.slope_per_day)} {interval}."

    def _projection_sentence(self) -> str:
        trend = self.trend
        start = (f"Con el último nivel estimado, {_number(self.current_pct, 1)} % al {_date(trend.last)}, "
                 f"y contando desde hoy ({_date(self.today)})")
        if self.projected is None:
            if self.earliest is None:
                return f"{start}, a este ritmo no llegaría al 100 %, ni en el caso más favorable."
            return f"{start}, a este ritmo no llegaría al 100 %; en el caso más favorable, el {_date(self.earliest)}."
        sentence = f"{start}, se proyecta llegar al 100 % el {_date(self.projected)}"
        if not trend.has_interval:
            return f"{sentence} (sin intervalo)."
        if self.latest is None:
            return f"{sentence} (como pronto el {_date(self.earliest)}; en el caso menos favorable, quizá nunca)."
        if self.latest == self.earliest:
            return f"{sentence}."
        return f"{sentence} (entre el {_date(self.earliest)} y el {_date(self.latest)})."

    def _deadline_sentence(self) -> str:
        deadline = _date(self.deadline)
        if self.required_slope_per_day is None:
            return f"El plazo del {deadline} ya venció sin llegar al 100 %."
        needed = (f"Para terminar en el plazo del {deadline} se necesitan, desde hoy, "
                  f"{_rate(self.required_slope_per_day)} puntos porcentuales al mes")
        if self.will_miss and not self.trend.has_interval:
            return f"{needed}: a este ritmo no se cumplirá."
        if self.will_miss:
            return f"{needed}: probablemente no se cumplirá, ni siquiera en el caso más favorable del intervalo."
        return f"{needed}: el plazo todavía es alcanzable."


@dataclass(frozen=True)
class InconsistentSeries:
    """Reports that go backwards: no projection, the explanation says where."""

    earlier: Observation
    later: Observation
    points: int

    def explanation(self) -> str:
        return (f"Serie inconsistente: el informe del {_date(self.later.on)} dice {_number(self.later.value, 1)} % "
                f"de avance físico, menos que el {_number(self.earlier.value, 1)} % informado al "
                f"{_date(self.earlier.on)}. El avance acumulado no retrocede, así que no se proyecta una fecha de "
                "término hasta que se corrija el informe que corresponda.")

    def outlook(self) -> str:
        return "tiene informes de avance contradictorios (serie inconsistente) y no se puede proyectar"


def forecast_completion(
    history: Sequence[Observation],
    *,
    deadline: dt.date,
    today: dt.date,
    start: dt.date | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
    window: int = DEFAULT_WINDOW,
) -> CompletionForecast | InconsistentSeries | NoForecast:
    """When the initiative will reach 100 %, judged on ``today`` from its ``(as_of, physical %)`` reports."""
    check_settings(confidence, window)
    points = recent_points(history, window=window)
    if points and points[-1].value >= 100.0:
        return NoForecast(reason="la iniciativa ya está terminada", points=len(points))
    backwards = _first_backwards(points)
    if backwards is not None:
        return InconsistentSeries(*backwards, points=len(points))
    if not points:
        return NoForecast(reason="no hay informes de avance", points=0)
    anchored = start is not None and len(points) == 1 and start < points[0].on
    if start is not None and anchored:
        points = [Observation(on=start, value=0.0), *points]
    trend = fit_points(points, confidence=confidence, noun="informes de avance", anchored=anchored)
    if isinstance(trend, NoForecast):
        return trend
    current, level_low, level_high = (_clamp(trend.level), _clamp(trend.level_low), _clamp(trend.level_high))
    days_left = (deadline - today).days
    required = (100.0 - current) / days_left if days_left > 0 else None
    earliest = _reaches_100(today, level_high, trend.slope_high)
    will_miss = current < 100.0 and (required is None or earliest is None or earliest > deadline)
    return CompletionForecast(
        trend=trend, today=today, deadline=deadline, current_pct=current,
        projected=_reaches_100(today, current, trend.slope_per_day), earliest=earliest,
        latest=_reaches_100(today, level_low, trend.slope_low), required_slope_per_day=required,
        will_miss=will_miss, confidence=confidence,
    )


def _first_backwards(points: Sequence[Observation]) -> tuple[Observation, Observation] | None:
    """The first report lower than the highest one before it, with that one."""
    highest: Observation | None = None
    for point in points:
        if highest is not None and point.value < highest.value:
            return highest, point
        if highest is None or point.value >= highest.value:
            highest = point
    return None


def _clamp(value: float) -> float:
    return min(max(value, 0.0), 100.0)


def _reaches_100(origin: dt.date, level: float, slope: float) -> dt.date | None:
    if level >= 100.0:
        return origin
    if slope <= 0.0:
        return None
    days = math.ceil((100.0 - level) / slope - _DAY_NOISE)
    if days > (dt.date.max - origin).days:
        return None
    return origin + dt.timedelta(days=days)


# --- an indicator at its target date ----------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorForecast:
    trend: Trend
    target_date: dt.date
    target: float
    direction_up: bool
    """Up is good (the target is at or above the baseline)."""
    projected_value: float
    """The fitted line at ``target_date``."""
    value_low: float
    """The smallest value the level and slope intervals allow at ``target_date``."""
    value_high: float
    """The largest value the level and slope intervals allow at ``target_date``."""
    will_fall_short: bool
    """Not even the favourable end of the intervals reaches the target."""
    confidence: float

    def explanation(self) -> str:
        """One paragraph, in Spanish, for the alert."""
        trend = self.trend
        if trend.has_interval:
            interval = (f"(pendiente de Theil–Sen; confianza conjunta de al menos "
                        f"{_number(_joint(trend) * 100, 0)} % para el ritmo y el nivel"
                        f"{_few_points_note(trend.points)})")
        else:
            interval = "(tasa entre dos puntos: con solo dos no hay intervalo)"
        sentences = [
            f"Según {_points_phrase(trend, noun='mediciones')}, el indicador {_movement(trend.slope_per_day)} "
            f"{interval}.",
            self._projection_sentence(),
        ]
        return " ".join(sentences)

    def _projection_sentence(self) -> str:
        projected = f"Al {_date(self.target_date)} se proyecta un valor de {_number(self.projected_value, 2)}"
        if self.trend.has_interval:
            projected += f" (entre {_number(self.value_low, 2)} y {_number(self.value_high, 2)})"
        better = "mayor" if self.direction_up else "menor"
        goal = f"{projected}, frente a una meta de {_number(self.target, 2)} ({better} es mejor)"
        if self.will_fall_short and not self.trend.has_interval:
            return f"{goal}: a este ritmo no se alcanzará."
        if self.will_fall_short:
            return f"{goal}: probablemente no se alcanzará, ni siquiera en el caso más favorable del intervalo."
        if self._meets(self.projected_value):
            return f"{goal}: se proyecta alcanzarla."
        return f"{goal}: se alcanzaría solo en el lado favorable del intervalo."

    def _meets(self, value: float) -> bool:
        return value >= self.target if self.direction_up else value <= self.target


def forecast_indicator(
    history: Sequence[Observation],
    *,
    target: float,
    target_date: dt.date,
    baseline: float,
    confidence: float = DEFAULT_CONFIDENCE,
    window: int = DEFAULT_WINDOW,
) -> IndicatorForecast | NoForecast:
    """Where the indicator will be at ``target_date``, from its measurements."""
    check_settings(confidence, window)
    trend = fit_points(recent_points(history, window=window), confidence=confidence, noun="mediciones")
    if isinstance(trend, NoForecast):
        return trend
    direction_up = target >= baseline
    days = (target_date - trend.last).days
    ends = [level + slope * days for level in (trend.level_low, trend.level_high)
            for slope in (trend.slope_low, trend.slope_high)]
    value_low, value_high = min(ends), max(ends)
    will_fall_short = value_high < target if direction_up else value_low > target
    return IndicatorForecast(
        trend=trend, target_date=target_date, target=target, direction_up=direction_up,
        projected_value=trend.level + trend.slope_per_day * days, value_low=value_low, value_high=value_high,
        will_fall_short=will_fall_short, confidence=confidence,
    )


def _joint(trend: Trend) -> float:
    """The joint confidence of a trend that has an interval (Theil–Sen)."""
    if trend.joint_confidence is None:
        raise ValueError("a two-point trend has no interval and no confidence")
    return trend.joint_confidence


# --- Spanish wording --------------------------------------------------------------------------------


def _points_phrase(trend: Trend, *, noun: str = "puntos") -> str:
    return f"{trend.points} {noun} entre el {_date(trend.first)} y el {_date(trend.last)}"


def _few_points_note(points: int) -> str:
    if points <= 4:
        return f"; con {points} puntos el intervalo abarca todas las pendientes entre pares"
    return ""


def _rate(slope_per_day: float) -> str:
    return _number(slope_per_day * DAYS_PER_MONTH, 2)


def _progress_movement(slope_per_day: float) -> str:
    """"sube 4,20 puntos porcentuales al mes", "está detenido"; a negative slope is never printed as a pace."""
    if slope_per_day < 0:
        return "retrocede"
    if _rate(slope_per_day) == _number(0.0, 2):
        return "está detenido"
    return f"sube {_rate(slope_per_day)} puntos porcentuales al mes"


def _pace_range(low: float, high: float) -> str:
    return f"{_rate(max(low, 0.0))} y {_rate(max(high, 0.0))} puntos porcentuales al mes"


def _movement(slope_per_day: float) -> str:
    """In Spanish: "sube 10,15 al mes", "baja 2,00 al mes", or "se mantiene" when it rounds to 0."""
    rate = _rate(abs(slope_per_day))
    if rate == _number(0.0, 2):
        return "se mantiene"
    verb = "sube" if slope_per_day > 0 else "baja"
    return f"{verb} {rate} al mes"


def _date(day: dt.date | None) -> str:
    return "—" if day is None else f"{day:%d-%m-%Y}"


def _number(value: float, decimals: int) -> str:
    """Chilean style: dots group thousands, the comma marks decimals; never "-0"."""
    rounded = round(value, decimals)
    if rounded == 0:
        rounded = 0.0
    text = f"{rounded:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
