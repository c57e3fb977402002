"""A board (its panels laid out, its variables, its JSON) and the panels several boards share: the
S-curve, a figure of the whole plan, and their help texts."""

from __future__ import annotations

from dataclasses import dataclass, field
from textwrap import dedent
from typing import Any

from grafana.panels import (
    Panel,
    markers_layer,
    sql,
    stat,
    timeseries,
)
from grafana.vocabulary import (
    PERCENT,
    POSTGRES,
    PUBLIC_POSTGRES,
    SCHEMA_VERSION,
    TAGS,
    TIMEZONE,
)

# --------------------------------------------------------------------------------------------
# Boards


@dataclass
class Board:
    uid: str
    title: str
    description: str
    panels: list[Panel]
    variables: list[dict[str, Any]] = field(default_factory=list)
    time: tuple[str, str] = ("now-6y", "now+1y")
    refresh: str = "5m"
    public: bool = False  # shared as a Grafana public dashboard: no links to the internal boards

    def layout(self) -> list[tuple[Panel, int, int, int]]:
        """Left to right, a new row when the next panel does not fit in 24 columns."""
        placed, x, y, row_height = [], 0, 0, 0
        for number, panel in enumerate(self.panels, start=1):
            if x + panel.width > 24:
                x, y, row_height = 0, y + row_height, 0
            placed.append((panel, number, x, y))
            x += panel.width
            row_height = max(row_height, panel.height)
        return placed

    def render(self) -> dict[str, Any]:
        dashboard: dict[str, Any] = {
            "annotations": {"list": []},
            "description": self.description,
            # Internal boards may be edited to explore (e.g. hide a map layer); provisioning refuses to
            # save them (allowUiUpdates: false). The public board is not editable.
            "editable": not self.public,
            "fiscalYearStartMonth": 0,
            "graphTooltip": 1,
            "links": [],
            "liveNow": False,
            "panels": [panel.render(number, x, y) for panel, number, x, y in self.layout()],
            "refresh": self.refresh,
            "schemaVersion": SCHEMA_VERSION,
            "tags": list(TAGS),
            "templating": {"list": self.variables},
            "time": {"from": self.time[0], "to": self.time[1]},
            "timepicker": {},
            "timezone": TIMEZONE,
            "title": self.title,
            "uid": self.uid,
            "weekStart": "monday",
        }
        if self.public:
            _read_as_public(dashboard["panels"])
        else:
            dashboard["links"] = [{
                "asDropdown": True, "icon": "external link", "includeVars": False, "keepTime": False,
                "tags": list(TAGS), "targetBlank": False, "title": "Tableros PLADECO", "tooltip": "",
                "type": "dashboards", "url": "",
            }]
        return dashboard

    def contracts(self) -> dict[str, Any]:
        contracts = {str(number): panel.contract() for panel, number, _, _ in self.layout()}
        if self.public:
            for contract in contracts.values():
                if contract.get("datasource") == POSTGRES["uid"]:
                    contract["datasource"] = PUBLIC_POSTGRES["uid"]
        return contracts


def _read_as_public(panels: list[dict[str, Any]]) -> None:
    """The public board reads through the public_reader datasource, which sees the public views only."""
    for panel in panels:
        for holder in (panel, *panel.get("targets", [])):
            if holder.get("datasource", {}).get("uid") == POSTGRES["uid"]:
                holder["datasource"] = dict(PUBLIC_POSTGRES)


def query_variable(name: str, label: str, query: str, description: str) -> dict[str, Any]:
    """A single-valued SQL variable: ``__value`` is what queries receive, ``__text`` what is shown."""
    return {
        "datasource": dict(POSTGRES),
        "description": description,
        "hide": 0,
        "includeAll": False,
        "label": label,
        "multi": False,
        "name": name,
        "options": [],
        "query": dedent(query).strip(),
        "refresh": 1,
        "regex": "",
        "skipUrlSync": False,
        "sort": 0,
        "type": "query",
    }


S_CURVE_TIME = "(month + interval '1 month' - interval '1 day')::timestamp AT TIME ZONE 'America/Santiago' AS time"
S_CURVE_NAMES = {"planned_progress_pct": "Avance planificado", "physical_progress_pct": "Avance físico"}


def s_curve(title: str, description: str, where: str, *, width: int = 12, height: int = 9) -> Panel:
    return timeseries(
        title, description,
        [sql(f"""
            SELECT {S_CURVE_TIME},
                   planned_progress_pct,
                   physical_progress_pct
            FROM scorecard.rollup_monthly
            WHERE {where}
            ORDER BY month
        """, "time", "planned_progress_pct", "physical_progress_pct", time_series=True)],
        unit=PERCENT, bounds=(0, 100), decimals=1, names=S_CURVE_NAMES, width=width, height=height,
    )


def plan_figure(title: str, description: str, column: str, **options: Any) -> Panel:
    return stat(title, description, sql(f"""
        SELECT {column}
        FROM scorecard.rollup
        WHERE level = 'plan'
    """, column), **options)


S_CURVE_HELP = (
    "Curva S: avance planificado y avance físico acumulados al cierre de cada mes, ponderados por "
    "presupuesto (una obra de $2.000 millones pesa más que un taller de $20 millones)."
)
SPI_HELP = (
    "SPI(t) = tiempo ganado / tiempo transcurrido: el día en que el plan esperaba el avance de hoy, frente a "
    "los días desde el inicio. 1 o más: al día; bajo 0,95: en riesgo; bajo 0,85: atrasado. El SPI (costo) = "
    "valor ganado / valor planificado tiende a 1 al final de todo proyecto, aunque vaya atrasado. Cifras a hoy."
)


# The initiatives on the map and the territories' progress: the territorial and public boards.
INITIATIVE_MARKERS = sql("""
    SELECT initiative_code,
           name,
           latitude,
           longitude,
           status_label,
           status,
           budget_clp,
           physical_progress_pct
    FROM scorecard.initiative
    WHERE latitude IS NOT NULL AND longitude IS NOT NULL
    ORDER BY initiative_code
""", "initiative_code", "name", "latitude", "longitude", "status_label", "status", "budget_clp",
    "physical_progress_pct")

PROGRESS_BY_TERRITORY = sql("""
    SELECT group_name,
           planned_progress_pct,
           physical_progress_pct
    FROM scorecard.rollup
    WHERE level = 'territory'
    ORDER BY group_code
""", "group_name", "planned_progress_pct", "physical_progress_pct")


def initiatives_layer() -> dict[str, Any]:
    return markers_layer("Iniciativas del plan de inversiones (por estado)", "A", colour_field="status")
