"""What the portal shows, computed without I/O: Chilean formats, status marks, the S-curve's
geometry, the search and the counts of a group of initiatives.

Guarantees:
- a status is always shown with its Spanish word and a symbol; colour is only a third carrier;
- numbers and dates are in Chile's formats (``$1.234.567``, ``45,3 %``, ``31-05-2023``);
- the S-curve is geometry only (coordinates as numbers): the template writes the SVG and escapes
  every text, and its data table carries the same figures as text;
- the search ignores case and accents and matches every word of the query.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
          "octubre", "noviembre", "diciembre")


@dataclass(frozen=True)
class StatusMark:
    code: str
    label: str
    symbol: str  # a shape that tells the status without colour


STATUS_MARKS = {
    "on_track": StatusMark("on_track", "En plazo", "●"),
    "at_risk": StatusMark("at_risk", "En riesgo", "▲"),
    "late": StatusMark("late", "Atrasada", "◆"),
    "overdue": StatusMark("overdue", "Vencida", "✖"),
    "done": StatusMark("done", "Terminada", "✔"),
    "not_started": StatusMark("not_started", "No iniciada", "○"),
    "no_data": StatusMark("no_data", "Sin informes", "?"),
}
"""Every status of scorecard.initiative, in the order the portal counts them."""

MILESTONE_OUTCOMES = {
    "done_on_time": "Cumplido a tiempo",
    "done_late": "Cumplido con atraso",
    "overdue": "Vencido",
    "pending": "Pendiente",
    "cancelled": "Cancelado",
}
LIGHTS = {"green": "Verde: en meta", "yellow": "Amarillo: cerca de la meta", "red": "Rojo: lejos de la meta",
          "no_data": "Sin medición"}


def status_mark(status: str | None) -> StatusMark:
    """The mark of a status; an unknown one is shown as 'Sin informes'."""
    return STATUS_MARKS.get(status or "no_data", STATUS_MARKS["no_data"])


def clp(amount: float | int | None) -> str:
    """Chilean pesos: ``$1.234.567`` (no decimals), ``—`` for none."""
    if amount is None:
        return "—"
    value = round(amount)
    text = f"{abs(value):,}".replace(",", ".")
    return f"-${text}" if value < 0 else f"${text}"


def pct(value: float | None, digits: int = 1) -> str:
    """A percentage with a decimal comma: ``45,3 %``; ``—`` for none."""
    if value is None:
        return "—"
    return f"{float(value):.{digits}f}".replace(".", ",") + " %"


def number(value: float | int | None, digits: int = 2) -> str:
    """A number with Chile's separators (``1.234,5``), trailing zeros dropped."""
    if value is None:
        return "—"
    text = f"{float(value):,.{digits}f}".rstrip("0").rstrip(".")
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def date(value: dt.date | dt.datetime | None) -> str:
    """``31-05-2023``; a timestamp is shown in America/Santiago."""
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        value = to_santiago(value).date()
    return value.strftime("%d-%m-%Y")


def long_date(value: dt.date | None) -> str:
    """``31 de mayo de 2023``."""
    if value is None:
        return "—"
    return f"{value.day} de {MONTHS[value.month - 1]} de {value.year}"


def month(value: dt.date) -> str:
    """``may 2023``."""
    return f"{MONTHS[value.month - 1][:3]} {value.year}"


def to_santiago(value: dt.datetime) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return value.astimezone(ZoneInfo("America/Santiago"))


def status_counts(rollup: dict[str, Any] | None) -> list[tuple[StatusMark, int]]:
    """The headline counts of a roll-up row: on track, at risk, late, overdue, done, without reports."""
    if rollup is None:
        return []
    return [
        (STATUS_MARKS["on_track"], rollup["on_track"]),
        (STATUS_MARKS["at_risk"], rollup["at_risk"]),
        (STATUS_MARKS["late"], rollup["late"]),
        (STATUS_MARKS["overdue"], rollup["overdue"]),
        (STATUS_MARKS["done"], rollup["done"]),
        (StatusMark("without_progress", "Sin avance informado", "○"), rollup["without_progress"]),
    ]


def summarise(initiatives: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The counts and money of a set of initiatives (a locality, which has no roll-up level):
    how many in each status and the budget-weighted physical progress (no report → 0)."""
    rows = list(initiatives)
    counts = {code: 0 for code in STATUS_MARKS}
    for row in rows:
        counts[status_mark(row["status"]).code] += 1
    budget = sum(row["budget_clp"] or 0 for row in rows)
    earned = sum(row["earned_value_clp"] or 0 for row in rows)
    return {
        "initiatives": len(rows),
        "budget_clp": budget,
        "physical_progress_pct": 100 * earned / budget if budget else None,
        "counts": [(STATUS_MARKS[code], counts[code]) for code in STATUS_MARKS],
    }


# --- the S-curve ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CurvePoint:
    month: dt.date
    planned_pct: float | None
    actual_pct: float | None


@dataclass(frozen=True)
class SCurve:
    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    planned: str  # SVG polyline points
    actual: str
    actual_dots: tuple[tuple[float, float], ...]
    y_ticks: tuple[tuple[float, str], ...]  # (y, label)
    x_ticks: tuple[tuple[float, str], ...]  # (x, label)


def s_curve(points: Sequence[CurvePoint], *, width: int = 640, height: int = 280) -> SCurve | None:
    """Planned and reported cumulative progress (0–100 %) against the months, as SVG geometry.
    The actual line stops at the last month with a report; None when there is no month at all."""
    if not points:
        return None
    left, top, right, bottom = 48, 12, 12, 36
    plot_width, plot_height = width - left - right, height - top - bottom
    last = len(points) - 1

    def x(index: int) -> float:
        return round(left + (plot_width * index / last if last else plot_width / 2), 1)

    def y(value: float) -> float:
        return round(top + plot_height * (1 - max(0.0, min(100.0, value)) / 100), 1)

    planned = [(x(i), y(p.planned_pct)) for i, p in enumerate(points) if p.planned_pct is not None]
    actual = [(x(i), y(p.actual_pct)) for i, p in enumerate(points) if p.actual_pct is not None]
    years = {}
    for index, point in enumerate(points):
        years.setdefault(point.month.year, index)
    return SCurve(
        width=width, height=height, left=left, top=top, plot_width=plot_width, plot_height=plot_height,
        planned=" ".join(f"{a},{b}" for a, b in planned),
        actual=" ".join(f"{a},{b}" for a, b in actual),
        actual_dots=tuple(actual),
        y_ticks=tuple((y(v), f"{v} %") for v in (0, 25, 50, 75, 100)),
        x_ticks=tuple((x(index), str(year)) for year, index in years.items()),
    )


def curve_points(monthly: Iterable[dict[str, Any]]) -> list[CurvePoint]:
    """The S-curve's points from the rows of scorecard_portal.initiative_monthly."""
    return [
        CurvePoint(
            month=row["month"],
            planned_pct=None if row["planned_progress_pct"] is None else float(row["planned_progress_pct"]),
            actual_pct=None if row["physical_progress_pct"] is None else float(row["physical_progress_pct"]),
        )
        for row in monthly
    ]


# --- the search -----------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower case without accents: ``Tignámar`` → ``tignamar``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search(query: str, initiatives: Iterable[dict[str, Any]], limit: int = 100) -> list[dict[str, Any]]:
    """The initiatives whose code, name, axis, programme, territory or locality contain every word of
    the query (case and accents ignored), in code order; nothing for an empty query."""
    words = fold(query).split()
    if not words:
        return []
    found = []
    for row in initiatives:
        haystack = fold(" ".join(str(row.get(key) or "") for key in (
            "initiative_code", "name", "axis_name", "programme_name", "objective_name", "territory_name",
            "locality_name", "department_name")))
        if all(word in haystack for word in words):
            found.append(row)
    return found[:limit]
