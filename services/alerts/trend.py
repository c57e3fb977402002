"""The trend of a series of dated observations, with its real confidence: the part of the
predictive trend check shared by the completion and indicator forecasts (``forecast.py``).

Pure functions: no I/O, no clock.

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
    check_settings(confidence, window)
    return fit_points(recent_points(observations, window=window), confidence=confidence, noun="observaciones")


def fit_points(points: list[Observation], *, confidence: float, noun: str, anchored: bool = False) -> Trend | NoForecast:
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


def check_settings(confidence: float, window: int) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1 (exclusive), got {confidence!r}")
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window!r}")


def recent_points(observations: Sequence[Observation], *, window: int) -> list[Observation]:
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


