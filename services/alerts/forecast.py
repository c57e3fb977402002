"""The predictive trend check: when an initiative will finish, and where an indicator will land.

Pure functions: no I/O, no clock. "Today" is an argument, so the same history on the same day
always gives the same forecast.

Progress reports are monthly at best, often sparse and irregular, so the trend is fitted on real
dates, not on report numbers, with a robust estimator (Theil–Sen, ``scipy.stats.theilslopes``)
that one mistyped figure cannot tilt.

Preparing the points
--------------------

- Observations are ``(date, value)``. Of several observations on one date the last one given
  wins (a later entry is a correction); the rest are then sorted by date.
- Only the most recent ``window`` observations are used (6 by default): old reports describe a
  pace the work may no longer have.
- The start anchor (for initiatives, the start date at 0 %) is used **only when there is a single
  report** (it then makes the two-point rate "since the start"). With two reports or more it is
  never a point: a synthetic ``(start, 0 %)`` steepens the early pairwise slopes and lifts the
  upper end of the interval above the pace still needed, which hides a stall (40 → 42 % over four
  months looked reachable with the anchor). An indicator's baseline is never a point.
- ``x_i`` = whole days from the first point used; ``y_i`` = its value; ``n`` = points used.

Fitting the trend
-----------------

- ``n < 2`` → no forecast (the reason says how many points there are).
- ``n = 2`` → the two-point rate ``b = (y_1 − y_0) / (x_1 − x_0)`` and the level ``y_1``:
  **no interval** (the texts say so; no confidence is claimed).
- ``n ≥ 3`` → ``scipy.stats.theilslopes(y, x, alpha=c₁)``: the slope ``b`` (median of the pairwise
  slopes) and Sen's interval ``[b_low, b_high]`` for the slope at the nominal level
  ``c₁ = 1 − (1 − confidence)/2`` (half of the risk goes to the slope, half to the level).
- The **real** coverage of that slope interval, not the nominal one: with ``K`` = the number of
  pairwise slopes below the true slope, ``K`` follows the distribution of the inversions of a
  random permutation of ``n`` (Kendall's statistic, exact for continuous errors and distinct
  dates), and the interval covers the slope when ``#{s < b_low} + 1 ≤ K ≤ #{s ≤ b_high} − 1``.
  For ``n ≤ 4`` Sen's interval spans every pairwise slope and covers only ``1 − 2/n!``
  (67 % for 3 points, 92 % for 4).
- The level at the last point: ``L = median_i(a_i)`` with ``a_i = y_i + b·(x_last − x_i)``. Its
  interval is a pair of order statistics ``[a_(k), a_(n−1−k)]`` (the sign-test interval of a median)
  with the largest ``k`` whose coverage ``1 − 2·P(Bin(n, ½) ≤ k)`` is at least ``c₁``, else
  ``k = 0`` (then the coverage is ``1 − 2/2ⁿ``: 75 % for 3 points, 97 % for 6).
- The **joint confidence** of the two intervals (Bonferroni): ``1 − (1 − cov_slope) − (1 −
  cov_level)``, stated as "al menos X %" — never the nominal 90 % when it is less. It takes the
  fitted slope as given in the level's interval, so it is an approximation, said as such in
  the documentation.
- A slope per month, for people: ``b × 30.44`` (the mean days in a month).

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
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
from scipy.stats import binom, theilslopes

DEFAULT_CONFIDENCE = 0.90
"""Joint confidence asked of the slope and level intervals (what is reached is reported)."""
DEFAULT_WINDOW = 6
"""How many of the most recent observations a trend uses."""
DAYS_PER_MONTH = 30.44
"""Mean length of a month, to express slopes per month."""

_DAY_NOISE = 1e-9
"""Float error below this many days is not a day: 210.0000000001 days is 210 days."""


@dataclass(frozen=True)
class Observation:
    on: dt.date
    value: float


@dataclass(frozen=True)
class Trend:
    points: int
    """Points used (the start anchor included when it was used)."""
    first: dt.date
    last: dt.date
    slope_per_day: float
    """Point estimate: Theil–Sen, or the two-point rate when there are two points."""
    slope_low: float
    """Lower end of the slope's interval (the slope itself for two points)."""
    slope_high: float
    """Upper end of the slope's interval (the slope itself for two points)."""
    level: float
    """The fitted value at ``last``."""
    level_low: float
    level_high: float
    joint_confidence: float | None
    """Real (Bonferroni) confidence of the slope and level intervals together; none for two points."""
    method: Literal["two_point", "theil_sen"]
    anchored: bool = False
    """The start anchor is one of the two points (a single report)."""

    @property
    def has_interval(self) -> bool:
        return self.method == "theil_sen"


@dataclass(frozen=True)
class NoForecast:
    reason: str
    """Why, in Spanish, e.g. "se necesitan al menos 2 informes de avance; hay 1"."""
    points: int


# --- the trend ------------------------------------------------------------------------------------


def fit_trend(
    observations: Sequence[Observation],
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    window: int = DEFAULT_WINDOW,
) -> Trend | NoForecast:
    """The trend of the most recent ``window`` observations."""
    _check_settings(confidence, window)
    return _fit(_points(observations, window=window), confidence=confidence, noun="observaciones")


def _fit(points: list[Observation], *, confidence: float, noun: str, anchored: bool = False) -> Trend | NoForecast:
    if len(points) < 2:
        return NoForecast(reason=_too_few_reason(noun, len(points)), points=len(points))
    first = points[0].on
    xs = np.array([float((point.on - first).days) for point in points])
    ys = np.array([point.value for point in points])
    if len(points) == 2:
        slope = float((ys[1] - ys[0]) / (xs[1] - xs[0]))
        return Trend(points=2, first=first, last=points[-1].on, slope_per_day=slope, slope_low=slope,
                     slope_high=slope, level=float(ys[1]), level_low=float(ys[1]), level_high=float(ys[1]),
                     joint_confidence=None, method="two_point", anchored=anchored)
    each = 1.0 - (1.0 - confidence) / 2.0
    fitted = theilslopes(ys, xs, alpha=each)
    slope, low, high = float(fitted.slope), float(fitted.low_slope), float(fitted.high_slope)
    slope_cover = _slope_coverage(xs, ys, low, high)
    levels = sorted(float(y + slope * (xs[-1] - x)) for x, y in zip(xs, ys))
    k, level_cover = _level_rank(len(points), each)
    return Trend(
        points=len(points), first=first, last=points[-1].on, slope_per_day=slope, slope_low=low, slope_high=high,
        level=statistics.median(levels), level_low=levels[k], level_high=levels[len(levels) - 1 - k],
        joint_confidence=max(0.0, 1.0 - (1.0 - slope_cover) - (1.0 - level_cover)), method="theil_sen",
        anchored=anchored,
    )


def _check_settings(confidence: float, window: int) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1 (exclusive), got {confidence!r}")
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window!r}")


def _points(observations: Sequence[Observation], *, window: int) -> list[Observation]:
    """Unique dates (the last given wins), sorted, trimmed to the most recent ``window``."""
    by_date: dict[dt.date, Observation] = {}
    for observation in observations:
        by_date[observation.on] = _as_float(observation)
    return sorted(by_date.values(), key=lambda observation: observation.on)[-window:]


def _as_float(observation: Observation) -> Observation:
    # A NaN would sort and compare silently wrong in the medians; better to refuse it here.
    if not math.isfinite(observation.value):
        raise ValueError(f"observation on {observation.on.isoformat()} is not a finite number: {observation.value!r}")
    return Observation(on=observation.on, value=float(observation.value))


def _too_few_reason(noun: str, count: int) -> str:
    return f"se necesitan al menos 2 {noun}; hay {count}"


@lru_cache(maxsize=64)
def _inversions(n: int) -> tuple[float, ...]:
    """P(K = k), k = 0 … n(n−1)/2, for K the inversions of a random permutation of n items."""
    counts = [1]
    for size in range(2, n + 1):
        nxt = [0] * (len(counts) + size - 1)
        for k, count in enumerate(counts):
            for extra in range(size):
                nxt[k + extra] += count
        counts = nxt
    total = math.factorial(n)
    return tuple(count / total for count in counts)


def _slope_coverage(xs: np.ndarray, ys: np.ndarray, low: float, high: float) -> float:
    """Exact coverage of ``[low, high]`` as an interval for the slope (Kendall's null distribution)."""
    dx = xs[:, np.newaxis] - xs
    dy = ys[:, np.newaxis] - ys
    slopes = dy[dx > 0] / dx[dx > 0]  # computed as scipy does, so the ends compare exactly
    below_low = int(np.sum(slopes < low))
    up_to_high = int(np.sum(slopes <= high))
    distribution = _inversions(len(xs))
    return float(sum(distribution[below_low + 1:up_to_high]))


def _level_rank(n: int, confidence: float) -> tuple[int, float]:
    """``k`` of the order-statistic interval ``[a_(k), a_(n−1−k)]`` for a median, and its coverage."""
    best = 0
    for k in range(n // 2):
        if 1.0 - 2.0 * binom.cdf(k, n, 0.5) >= confidence:
            best = k
        else:
            break
    return best, float(1.0 - 2.0 * binom.cdf(best, n, 0.5))


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
                        f"con una confianza conjunta de al menos {_number(trend.joint_confidence * 100, 0)} % "
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
    _check_settings(confidence, window)
    points = _points(history, window=window)
    if points and points[-1].value >= 100.0:
        return NoForecast(reason="la iniciativa ya está terminada", points=len(points))
    backwards = _first_backwards(points)
    if backwards is not None:
        return InconsistentSeries(*backwards, points=len(points))
    if not points:
        return NoForecast(reason="no hay informes de avance", points=0)
    anchored = len(points) == 1 and start is not None and start < points[0].on
    if anchored:
        points = [Observation(on=start, value=0.0), *points]
    trend = _fit(points, confidence=confidence, noun="informes de avance", anchored=anchored)
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
                        f"{_number(trend.joint_confidence * 100, 0)} % para el ritmo y el nivel"
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
    _check_settings(confidence, window)
    trend = _fit(_points(history, window=window), confidence=confidence, noun="mediciones")
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
