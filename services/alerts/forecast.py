"""The predictive trend check: when an initiative will finish, and where an indicator will land.

Pure functions: no I/O, no clock. "Now" is the date of the latest observation used, so the same
history always gives the same forecast.

Progress reports are monthly at best, often sparse and irregular, so the trend is fitted on real
dates, not on report numbers, and with a robust estimator that one mistyped figure cannot tilt.

Preparing the points
--------------------

- Observations are ``(date, value)``. Of several observations on one date the last one given
  wins (a later entry is a correction); the rest are then sorted by date.
- Only the most recent ``window`` observations are used (6 by default): old reports describe a
  pace the work may no longer have.
- Anchor (for initiatives, the start date at 0 %): added as one more point when it is dated
  before the first observation used; otherwise ignored. An indicator's baseline is never a point.
- ``x_i`` = whole days from the first point used to point ``i``; ``y_i`` = its value;
  ``n`` = number of points (the anchor included).

Fitting the trend
-----------------

- ``n < 2`` → no forecast (the reason says how many points there are).
- ``n = 2`` → the two-point rate ``b = (y_1 − y_0) / (x_1 − x_0)``; no interval:
  ``b_low = b_high = b``.
- ``n ≥ 3`` → Theil–Sen: the ``N = n(n − 1)/2`` pairwise slopes
  ``s_ij = (y_j − y_i) / (x_j − x_i)`` (``i < j``; every ``x`` is distinct once dates are unique),
  sorted ascending as ``s_(0) ≤ … ≤ s_(N−1)``; the slope is ``b = median(s_ij)``.
- Its confidence interval by Sen's method (Sen 1968, normal approximation, as in
  ``scipy.stats.theilslopes``, tie corrections left out):

  - ``z = Φ⁻¹((1 + confidence) / 2)`` (two-sided normal quantile; 1.645 for 90 %)
  - ``var = n(n − 1)(2n + 5) / 18``
  - ``C = z · √var``
  - ``lower index = round((N − C) / 2) − 1``, ``upper index = round((N + C) / 2)``, both
    0-based and clamped to ``[0, N − 1]`` (``round`` halves to even, like numpy's)
  - ``b_low = s_(lower index)``, ``b_high = s_(upper index)``

  Sen's limits are the ``M₁``-th and ``(M₂ + 1)``-th smallest slopes (1-based) with
  ``M₁ = (N − C)/2`` and ``M₂ = (N + C)/2``; the 0-based indices above are those ranks minus
  one, rounded as scipy does. Leaving out the corrections for tied values (Sen's eq. 2.6
  subtracts them from ``var``) can only widen the interval.
- Level at the last point (where every projection starts, so it reflects the recent level
  rather than the oldest one): ``L = median_i(y_i + b · (x_last − x_i))``, i.e. the intercept
  ``median(y − b·x)`` evaluated at ``x_last``. For two points it is ``y_1``.
- A slope per month, for people: ``b × 30.44`` (the mean days in a month).

Completion of an initiative (values are physical progress, %)
-------------------------------------------------------------

- A history whose latest value is ``≥ 100`` → no forecast: the initiative is done.
- ``current = clamp(L, 0, 100)``.
- Date at which a slope ``s`` reaches 100 %: ``last + ⌈(100 − current) / s⌉`` days; none when
  ``s ≤ 0`` (never) or when it would fall after 31-12-9999; ``last`` itself when ``current`` is
  already 100. Fractional days are rounded up,
  after discarding float noise below 10⁻⁹ days.
  ``projected`` uses ``b``, ``earliest`` uses ``b_high``, ``latest`` uses ``b_low``.
- Deadline after ``last``: ``required = (100 − current) / (deadline − last).days`` (% per day);
  ``will miss = current < 100 and b_high < required`` — even the fast end of the interval is
  not fast enough.
- Deadline on or before ``last``: ``required`` is none; ``will miss = current < 100``.

An indicator's value at its target date
---------------------------------------

- Direction: up is good when ``target ≥ baseline`` (a target equal to its baseline means
  holding at least that level); down is good when ``target < baseline``.
- ``d = (target_date − last).days``; ``projected = L + b·d``; the other two are ``L + b_low·d``
  and ``L + b_high·d``, named ``value_low`` (the smaller) and ``value_high`` (the larger).
- Falls short: up is good → ``value_high < target``; down is good → ``value_low > target``
  (not even the favourable end of the interval reaches the target).

Explanations are one paragraph in Spanish; dates as DD-MM-AAAA and numbers with a decimal comma.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

DEFAULT_CONFIDENCE = 0.90
"""Two-sided confidence of the slope interval."""
DEFAULT_WINDOW = 6
"""How many of the most recent observations a trend uses (an anchor is added on top)."""
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
    """Observations used, the anchor included."""
    first: dt.date
    last: dt.date
    slope_per_day: float
    """Point estimate: Theil–Sen, or the two-point rate when there are two points."""
    slope_low: float
    """Lower end of the slope's confidence interval (the slope itself for two points)."""
    slope_high: float
    """Upper end of the slope's confidence interval (the slope itself for two points)."""
    intercept_value: float
    """The fitted line's value at ``last``: projections start from the recent level."""
    method: Literal["two_point", "theil_sen"]


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
    anchor: Observation | None = None,
) -> Trend | NoForecast:
    """The trend of the most recent ``window`` observations (plus ``anchor`` when it is earlier)."""
    return _fit(observations, confidence=confidence, window=window, anchor=anchor, noun="observaciones")


def _fit(
    observations: Sequence[Observation],
    *,
    confidence: float,
    window: int,
    anchor: Observation | None,
    noun: str,
) -> Trend | NoForecast:
    _check_settings(confidence, window)
    points = _points(observations, window=window, anchor=anchor)
    if len(points) < 2:
        return NoForecast(reason=_too_few_reason(noun, len(points), anchored=anchor is not None), points=len(points))
    first = points[0].on
    xs = [float((point.on - first).days) for point in points]
    ys = [point.value for point in points]
    if len(points) == 2:
        slope = (ys[1] - ys[0]) / (xs[1] - xs[0])
        return Trend(
            points=2,
            first=first,
            last=points[-1].on,
            slope_per_day=slope,
            slope_low=slope,
            slope_high=slope,
            intercept_value=ys[1],
            method="two_point",
        )
    slopes = _pairwise_slopes(xs, ys)
    slope = statistics.median(slopes)
    lower, upper = _sen_interval_indices(len(points), len(slopes), confidence)
    return Trend(
        points=len(points),
        first=first,
        last=points[-1].on,
        slope_per_day=slope,
        slope_low=slopes[lower],
        slope_high=slopes[upper],
        intercept_value=_level_at_last(xs, ys, slope),
        method="theil_sen",
    )


def _check_settings(confidence: float, window: int) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1 (exclusive), got {confidence!r}")
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window!r}")


def _points(observations: Sequence[Observation], *, window: int, anchor: Observation | None) -> list[Observation]:
    """Unique dates (the last given wins), sorted, trimmed to ``window``, with the anchor if earlier."""
    by_date: dict[dt.date, Observation] = {}
    for observation in observations:
        by_date[observation.on] = _as_float(observation)
    used = sorted(by_date.values(), key=lambda observation: observation.on)[-window:]
    if anchor is not None and (not used or anchor.on < used[0].on):
        used.insert(0, _as_float(anchor))
    return used


def _as_float(observation: Observation) -> Observation:
    # A NaN would sort and compare silently wrong in the medians; better to refuse it here.
    if not math.isfinite(observation.value):
        raise ValueError(f"observation on {observation.on.isoformat()} is not a finite number: {observation.value!r}")
    return Observation(on=observation.on, value=float(observation.value))


def _too_few_reason(noun: str, count: int, *, anchored: bool) -> str:
    if anchored:
        return f"se necesitan al menos 2 puntos (la fecha de inicio y los {noun}); hay {count}"
    return f"se necesitan al menos 2 {noun}; hay {count}"


def _pairwise_slopes(xs: Sequence[float], ys: Sequence[float]) -> list[float]:
    """Every ``(y_j − y_i) / (x_j − x_i)`` with ``x_i ≠ x_j``, sorted ascending."""
    slopes = [
        (ys[j] - ys[i]) / (xs[j] - xs[i])
        for i in range(len(xs))
        for j in range(i + 1, len(xs))
        if xs[j] != xs[i]
    ]
    return sorted(slopes)


def _sen_interval_indices(points: int, pairs: int, confidence: float) -> tuple[int, int]:
    """0-based indices, in the sorted pairwise slopes, of Sen's confidence limits for the slope.

    ``points`` is ``n`` and ``pairs`` is ``N``; see the module docstring for the formulas.
    """
    z = statistics.NormalDist().inv_cdf((1.0 + confidence) / 2.0)
    spread = z * math.sqrt(points * (points - 1) * (2 * points + 5) / 18.0)
    # Sen's limits are the M1-th and (M2 + 1)-th smallest (1-based); scipy rounds M1 and M2.
    lower = round((pairs - spread) / 2.0) - 1
    upper = round((pairs + spread) / 2.0)
    return _clamp_index(lower, pairs), _clamp_index(upper, pairs)


def _clamp_index(index: int, pairs: int) -> int:
    return min(max(index, 0), pairs - 1)


def _level_at_last(xs: Sequence[float], ys: Sequence[float], slope: float) -> float:
    x_last = xs[-1]
    return statistics.median(y + slope * (x_last - x) for x, y in zip(xs, ys))


# --- completion of an initiative ------------------------------------------------------------------


@dataclass(frozen=True)
class CompletionForecast:
    trend: Trend
    deadline: dt.date
    current_pct: float
    """The fitted level at ``trend.last``, clamped to [0, 100]."""
    projected: dt.date | None
    """When the fitted line reaches 100 %; none when the slope is ≤ 0 (never)."""
    earliest: dt.date | None
    """The same with the upper end of the slope's interval."""
    latest: dt.date | None
    """The same with the lower end of the slope's interval; none when it is ≤ 0 (maybe never)."""
    required_slope_per_day: float | None
    """The pace (% per day) that reaches 100 % on the deadline; none when the deadline is past."""
    will_miss: bool
    """Even the upper end of the slope's interval is below the required pace, or the deadline has
    passed short of 100 %."""
    confidence: float

    def explanation(self) -> str:
        """One paragraph, in Spanish, for the alert."""
        trend = self.trend
        sentences = [
            f"Según {_points_phrase(trend)}, el avance físico {_movement(trend.slope_per_day, ' %')} "
            f"{_interval_phrase(trend, self.confidence, ' %')}.",
            self._projection_sentence(),
            self._deadline_sentence(),
        ]
        return " ".join(sentences)

    def _projection_sentence(self) -> str:
        start = f"Desde un {_number(self.current_pct, 1)} % estimado al {_date(self.trend.last)}"
        if self.projected is None:
            if self.earliest is None:
                return f"{start}, a este ritmo no llegaría al 100 %, ni en el mejor caso."
            return f"{start}, a este ritmo no llegaría al 100 %; en el mejor caso, el {_date(self.earliest)}."
        sentence = f"{start}, se proyecta llegar al 100 % el {_date(self.projected)}"
        if self.trend.method == "two_point":
            return f"{sentence}."
        if self.latest is None:
            return f"{sentence} (como pronto el {_date(self.earliest)}; en el peor caso, nunca)."
        if self.latest == self.earliest:
            return f"{sentence}."
        return f"{sentence} (entre el {_date(self.earliest)} y el {_date(self.latest)})."

    def _deadline_sentence(self) -> str:
        deadline = _date(self.deadline)
        if self.required_slope_per_day is None:
            if self.will_miss:
                return f"El plazo del {deadline} ya venció sin llegar al 100 %."
            return f"El plazo del {deadline} ya pasó y el nivel estimado alcanza el 100 %."
        needed = f"Para terminar en el plazo del {deadline} se necesitan {_rate(self.required_slope_per_day)} % al mes"
        if self.will_miss and self.trend.method == "two_point":
            return f"{needed}: a este ritmo no se cumplirá."
        if self.will_miss:
            return f"{needed}: probablemente no se cumplirá, ni siquiera al ritmo más alto del intervalo."
        return f"{needed}: el plazo todavía es alcanzable."


def forecast_completion(
    history: Sequence[Observation],
    *,
    deadline: dt.date,
    start: dt.date | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
    window: int = DEFAULT_WINDOW,
) -> CompletionForecast | NoForecast:
    """When the initiative will reach 100 %, from its ``(as_of, physical %)`` reports."""
    _check_settings(confidence, window)
    latest_report = _latest(history)
    if latest_report is not None and latest_report.value >= 100.0:
        return NoForecast(reason="la iniciativa ya está terminada", points=len({report.on for report in history}))
    anchor = Observation(on=start, value=0.0) if start is not None else None
    trend = _fit(history, confidence=confidence, window=window, anchor=anchor, noun="informes de avance")
    if isinstance(trend, NoForecast):
        return trend
    current = min(max(trend.intercept_value, 0.0), 100.0)
    required = _required_slope(current, trend.last, deadline)
    if required is None:
        will_miss = current < 100.0
    else:
        will_miss = current < 100.0 and trend.slope_high < required
    return CompletionForecast(
        trend=trend,
        deadline=deadline,
        current_pct=current,
        projected=_reaches_100(trend.last, current, trend.slope_per_day),
        earliest=_reaches_100(trend.last, current, trend.slope_high),
        latest=_reaches_100(trend.last, current, trend.slope_low),
        required_slope_per_day=required,
        will_miss=will_miss,
        confidence=confidence,
    )


def _latest(history: Sequence[Observation]) -> Observation | None:
    """The observation that stands for the latest date (the last given on that date)."""
    latest: Observation | None = None
    for observation in history:
        if latest is None or observation.on >= latest.on:
            latest = observation
    return latest


def _required_slope(current: float, last: dt.date, deadline: dt.date) -> float | None:
    days_left = (deadline - last).days
    if days_left <= 0:
        return None
    return (100.0 - current) / days_left


def _reaches_100(last: dt.date, current: float, slope: float) -> dt.date | None:
    if current >= 100.0:
        return last
    if slope <= 0.0:
        return None
    days = math.ceil((100.0 - current) / slope - _DAY_NOISE)
    if days > (dt.date.max - last).days:
        return None
    return last + dt.timedelta(days=days)


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
    """The smaller of the values projected with the ends of the slope's interval."""
    value_high: float
    """The larger of the values projected with the ends of the slope's interval."""
    will_fall_short: bool
    """Not even the favourable end of the interval reaches the target."""
    confidence: float

    def explanation(self) -> str:
        """One paragraph, in Spanish, for the alert."""
        trend = self.trend
        sentences = [
            f"Según {_points_phrase(trend, noun='mediciones')}, el indicador {_movement(trend.slope_per_day, '')} "
            f"{_interval_phrase(trend, self.confidence, '')}.",
            self._projection_sentence(),
        ]
        return " ".join(sentences)

    def _projection_sentence(self) -> str:
        projected = f"Al {_date(self.target_date)} se proyecta un valor de {_number(self.projected_value, 2)}"
        if self.trend.method == "theil_sen":
            projected += f" (entre {_number(self.value_low, 2)} y {_number(self.value_high, 2)})"
        better = "mayor" if self.direction_up else "menor"
        goal = f"{projected}, frente a una meta de {_number(self.target, 2)} ({better} es mejor)"
        if self.will_fall_short and self.trend.method == "two_point":
            return f"{goal}: a este ritmo no se alcanzará."
        if self.will_fall_short:
            return f"{goal}: probablemente no se alcanzará, ni siquiera en el mejor caso del intervalo."
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
    trend = _fit(history, confidence=confidence, window=window, anchor=None, noun="mediciones")
    if isinstance(trend, NoForecast):
        return trend
    direction_up = target >= baseline
    with_low = _value_on(trend, target_date, trend.slope_low)
    with_high = _value_on(trend, target_date, trend.slope_high)
    # Before `last` the steeper slope gives the lower value; min/max keep the names true.
    value_low, value_high = min(with_low, with_high), max(with_low, with_high)
    will_fall_short = value_high < target if direction_up else value_low > target
    return IndicatorForecast(
        trend=trend,
        target_date=target_date,
        target=target,
        direction_up=direction_up,
        projected_value=_value_on(trend, target_date, trend.slope_per_day),
        value_low=value_low,
        value_high=value_high,
        will_fall_short=will_fall_short,
        confidence=confidence,
    )


def _value_on(trend: Trend, day: dt.date, slope_per_day: float) -> float:
    """A line through the trend's level at ``trend.last`` with the given slope, at ``day``."""
    return trend.intercept_value + slope_per_day * (day - trend.last).days


# --- Spanish wording --------------------------------------------------------------------------------


def _points_phrase(trend: Trend, *, noun: str = "puntos") -> str:
    return f"{trend.points} {noun} entre el {_date(trend.first)} y el {_date(trend.last)}"


def _interval_phrase(trend: Trend, confidence: float, unit: str) -> str:
    if trend.method == "two_point":
        return "(tasa entre dos puntos; con solo dos no hay intervalo)"
    return (
        f"(pendiente de Theil–Sen; intervalo de confianza de {_number(confidence * 100, 0)} %: "
        f"de {_rate(trend.slope_low)}{unit} a {_rate(trend.slope_high)}{unit} al mes)"
    )


def _rate(slope_per_day: float) -> str:
    return _number(slope_per_day * DAYS_PER_MONTH, 2)


def _movement(slope_per_day: float, unit: str) -> str:
    """In Spanish: "sube 10,15 % al mes", "baja 2,00 al mes", or "se mantiene" when it rounds to 0."""
    rate = _rate(abs(slope_per_day))
    if rate == _number(0.0, 2):
        return "se mantiene"
    verb = "sube" if slope_per_day > 0 else "baja"
    return f"{verb} {rate}{unit} al mes"


def _date(day: dt.date | None) -> str:
    return "—" if day is None else f"{day:%d-%m-%Y}"


def _number(value: float, decimals: int) -> str:
    """Chilean style: dots group thousands, the comma marks decimals; never "-0"."""
    rounded = round(value, decimals)
    if rounded == 0:
        rounded = 0.0
    text = f"{rounded:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
