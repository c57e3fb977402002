"""The Grafana boards of the PLADECO scorecard, generated from Python.

Run ``python grafana/build_dashboards.py`` after a change here: it rewrites every board in
``grafana/dashboards/`` (one JSON file per board, what Grafana provisions) and
``grafana/panel-contracts.json`` (what each panel's queries return). Both are committed.

Why generated rather than drawn in Grafana and exported:

- eight boards share the same kinds of panels, the same two datasources (by their provisioned
  uids), the same Spanish labels and units for the same columns, the same colours for the same
  statuses; written once here, they cannot drift apart from board to board;
- every SQL query is written next to the columns it returns (``Sql``), so the contract file the
  integration test checks against the real database (tests/integration/test_grafana_queries.py)
  comes from the same place as the panels;
- the JSON is deterministic (sorted keys, indent 2, trailing newline), so a diff of a board is a
  diff of what changed, and the unit tests (tests/unit/grafana/test_dashboards.py) check that the
  committed files equal this generator's output, parse them with grafana-foundation-sdk's dashboard
  model and apply our own stricter checks (datasource uids, variables, tables read, personal data
  on the public board, GIS layer files).

Rules every query follows (docs/scorecard.md): panels read the ``scorecard`` views only; the
Alertas board and a few alert panels read the ``alert`` and ``notification`` tables directly, the
documented exception until views exist for them; the public board reads no personal data (no
``owner_email``, ``reporter``, ``actor``, e-mails) and no alert table. Dates are sent to Grafana as
``YYYY-MM-DD`` text: a PostgreSQL ``date`` arrives in Grafana as UTC midnight and would show as the
day before in America/Santiago. Month-end points of the S-curves are sent as timestamps at
Santiago midnight for the same reason. Variables are single-valued and written ``'${name}'``
(Grafana does not quote a single value for SQL datasources); the only macro is ``$__timeFilter``.

Grafana 11.3 has no Chilean-peso unit (``currencyCLP`` would be shown as a literal suffix), so
amounts use the custom unit ``prefix:$`` with no decimals.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from textwrap import dedent
from typing import Any

HERE = Path(__file__).resolve().parent
DASHBOARDS_DIR = HERE / "dashboards"
CONTRACTS_FILE = HERE / "panel-contracts.json"

POSTGRES = {"type": "grafana-postgresql-datasource", "uid": "pladeco-postgres"}
PROMETHEUS = {"type": "prometheus", "uid": "pladeco-prometheus"}
SCHEMA_VERSION = 39
TIMEZONE = "America/Santiago"
TAGS = ["pladeco"]
GIS_DIR = "public/gis"  # grafana/gis/ mounted into Grafana's public folder (docker-compose.yml)
PROMETHEUS_JOB = "pladeco"  # deploy/prometheus/prometheus.yml: one job, a `service` label per target

CLP = "prefix:$"
PERCENT = "percent"

# What each column a query returns is, for the contract (numeric → number, text → string,
# timestamptz → time, boolean). Dates are returned as text (see the module docstring).
KINDS: dict[str, str] = {
    **{name: "string" for name in (
        "__text", "__value", "action", "actor", "as_of", "axis_name", "category", "change_type", "channel",
        "code", "data_date", "department_code", "department_name", "dimension", "due_date", "end_date", "entity",
        "event_id", "explanation", "fields", "group_code", "group_name", "indicator_code", "initiative_code",
        "initiative_name", "kind", "last_error", "last_report_as_of", "light", "locality_name", "message",
        "milestone_code", "name", "outcome", "period", "plan_code", "programme_name", "reason", "recipient_role",
        "reported_status", "reporter", "resolution", "rule", "severity", "severity_label", "source_system",
        "start_date", "state", "status", "status_date", "status_label", "subject", "target_date",
        "territory_name", "title", "unit", "acknowledged_by", "judged_on", "earned_schedule_date", "ieac_t_date",
        "ieac_t_planned_date", "report_qualifier",
    )},
    **{name: "number" for name in (
        "actual_cost_clp", "alerts", "at_risk", "attempts", "average_efficacy_pct", "baseline", "beneficiaries",
        "budget_clp", "changes", "compliance_pct", "cpi", "days_overdue", "days_since_last_report", "done",
        "earned_value_clp", "effectiveness_pct", "efficacy_pct", "escalation_level", "estimate_at_completion_clp",
        "failed", "financial_execution_pct", "goals", "goals_green", "goals_measured", "goals_red",
        "goals_yellow", "initiatives", "initiatives_reporting", "late", "latitude", "longitude",
        "milestone_compliance_pct", "milestones_done_late", "milestones_done_on_time", "milestones_overdue",
        "milestones_pending", "objectives_achieved", "objectives_measured", "on_track", "pending",
        "physical_progress_pct", "planned_progress_pct", "planned_value_clp", "reports", "revision", "sent",
        "spent_to_date_clp", "spi", "target", "value", "without_progress", "spi_t", "schedule_variance_days",
        "earned_schedule_days", "actual_time_days", "overdue", "reports_outdated",
    )},
    **{name: "time" for name in (
        "acknowledged_at", "applied_at", "created_at", "raised_at", "recorded_at", "resolved_at", "sent_at",
        "time",
    )},
    "target_reached": "boolean",
}

# Spanish (Chile) display names of the columns, the same on every board.
LABELS: dict[str, str] = {
    "acknowledged_at": "Reconocida", "acknowledged_by": "Reconocida por", "action": "Acción sugerida",
    "actor": "Autor del cambio", "actual_cost_clp": "Gasto real", "alerts": "Alertas",
    "applied_at": "Aplicada", "as_of": "Fecha del informe", "at_risk": "En riesgo", "attempts": "Intentos",
    "average_efficacy_pct": "Eficacia promedio", "axis_name": "Eje estratégico", "baseline": "Línea base",
    "budget_clp": "Presupuesto", "category": "Categoría", "change_type": "Tipo de cambio", "changes": "Cambios",
    "channel": "Canal", "code": "Código del registro", "compliance_pct": "Cumplimiento de metas",
    "cpi": "CPI (costo)", "created_at": "Creada", "data_date": "Fecha de corte", "days_overdue": "Días de atraso",
    "days_since_last_report": "Días sin informar", "department_code": "Unidad",
    "department_name": "Departamento", "dimension": "Dimensión", "done": "Terminadas",
    "due_date": "Vencimiento", "earned_value_clp": "Valor ganado", "effectiveness_pct": "Efectividad",
    "efficacy_pct": "Eficacia", "end_date": "Término", "entity": "Tipo de registro",
    "escalation_level": "Escalamiento", "estimate_at_completion_clp": "Costo estimado al término",
    "event_id": "Id. del evento", "explanation": "Explicación", "failed": "Fallidas", "fields": "Campos cambiados",
    "financial_execution_pct": "Ejecución financiera", "goals": "Metas", "goals_green": "En verde",
    "goals_measured": "Medidas", "goals_red": "En rojo", "goals_yellow": "En amarillo",
    "group_name": "Grupo", "indicator_code": "Código", "initiative_code": "Código",
    "initiative_name": "Iniciativa", "initiatives": "Iniciativas", "initiatives_reporting": "Con informes",
    "kind": "Tipo", "last_error": "Último error", "last_report_as_of": "Último informe", "late": "Atrasadas",
    "latitude": "Latitud", "light": "Semáforo", "locality_name": "Localidad", "longitude": "Longitud",
    "message": "Mensaje", "milestone_code": "Código", "milestone_compliance_pct": "Cumplimiento de hitos",
    "milestones_done_late": "Hitos tardíos", "milestones_done_on_time": "Hitos a tiempo",
    "milestones_overdue": "Hitos vencidos", "milestones_pending": "Hitos pendientes", "name": "Nombre",
    "objectives_achieved": "Objetivos logrados", "objectives_measured": "Objetivos medidos",
    "on_track": "En plazo", "outcome": "Resultado", "pending": "Pendientes", "period": "Período",
    "physical_progress_pct": "Avance físico", "planned_progress_pct": "Avance planificado",
    "planned_value_clp": "Valor planificado", "programme_name": "Programa", "raised_at": "Levantada",
    "reason": "Motivo", "recipient_role": "Destinatario", "recorded_at": "Recibido",
    "reported_status": "Estado informado", "reporter": "Informante", "reports": "Informes",
    "resolution": "Resolución", "resolved_at": "Resuelta", "revision": "Revisión", "rule": "Regla",
    "sent": "Enviadas", "sent_at": "Enviada", "severity": "Severidad", "severity_label": "Severidad",
    "source_system": "Sistema de origen", "spent_to_date_clp": "Gasto acumulado", "spi": "SPI (costo)",
    "start_date": "Inicio", "state": "Estado", "status": "Estado", "status_date": "Fecha del estado",
    "status_label": "Estado", "subject": "Asunto", "target": "Meta", "target_date": "Fecha meta",
    "target_reached": "Meta alcanzada", "territory_name": "Territorio", "title": "Alerta",
    "unit": "Unidad de medida", "value": "Valor medido", "without_progress": "Sin avance",
    "judged_on": "Cifras al", "earned_schedule_date": "Avance equivale al plan del",
    "ieac_t_date": "Término estimado (ritmo observado)", "ieac_t_planned_date": "Término estimado (ritmo planificado)",
    "report_qualifier": "Informe", "spi_t": "SPI(t) (plazo)", "schedule_variance_days": "Adelanto (+) o atraso (−), días",
    "earned_schedule_days": "Tiempo ganado, días", "actual_time_days": "Tiempo transcurrido, días",
    "overdue": "Vencidas", "reports_outdated": "Sin informe reciente",
}

UNITS: dict[str, str] = {
    **{name: CLP for name in KINDS if name.endswith("_clp")},
    **{name: PERCENT for name in KINDS if name.endswith("_pct")},
    "spi": "none", "cpi": "none", "spi_t": "none",
}
DECIMALS: dict[str, int] = {
    **{name: 0 for name in KINDS if name.endswith("_clp")},
    **{name: 1 for name in KINDS if name.endswith("_pct")},
    "spi": 2, "cpi": 2, "spi_t": 2, "schedule_variance_days": 0, "earned_schedule_days": 0,
}

# Colours of the initiative statuses (docs/scorecard.md), by code and by Spanish label.
STATUSES = {
    "on_track": ("En plazo", "green"),
    "at_risk": ("En riesgo", "yellow"),
    "late": ("Atrasada", "red"),
    "overdue": ("Vencida", "dark-red"),
    "done": ("Terminada", "blue"),
    "not_started": ("No iniciada", "text"),
    "no_data": ("Sin informes", "text"),
}
OUTCOMES = {
    "done_on_time": ("Cumplido a tiempo", "green"),
    "done_late": ("Cumplido con atraso", "yellow"),
    "overdue": ("Vencido", "red"),
    "pending": ("Pendiente", "text"),
    "cancelled": ("Cancelado", "text"),
}
REPORTED_STATUSES = {
    "pending": ("Pendiente", "text"),
    "in_progress": ("En curso", "blue"),
    "done": ("Cumplido", "green"),
    "cancelled": ("Cancelado", "text"),
}
LIGHTS = {
    "green": ("Verde", "green"),
    "yellow": ("Amarillo", "yellow"),
    "red": ("Rojo", "red"),
    "no_data": ("Sin medición", "text"),
}
SEVERITIES = {
    "critical": ("Crítica", "red"),
    "warning": ("Advertencia", "orange"),
    "info": ("Informativa", "blue"),
}
ALERT_STATES = {
    "pending": ("En observación", "text"),
    "firing": ("Activa", "red"),
    "acknowledged": ("Reconocida", "orange"),
    "resolved": ("Resuelta", "green"),
}
NOTIFICATION_STATUSES = {
    "sent": ("Enviada", "green"),
    "failed": ("Fallida", "red"),
    "pending": ("Pendiente", "yellow"),
}
ROLES = {
    "officer": ("Funcionario/a responsable", "text"),
    "department_head": ("Jefatura de la unidad", "text"),
    "management_unit": ("Unidad Ejecutora Comunal", "text"),
}
SEVERITY_LABEL_SQL = (
    "CASE severity WHEN 'critical' THEN 'Crítica' WHEN 'warning' THEN 'Advertencia' "
    "WHEN 'info' THEN 'Informativa' ELSE severity END"
)


def value_mappings(values: dict[str, tuple[str, str]]) -> list[dict[str, Any]]:
    """A Grafana value mapping: each value shown as its Spanish text, in its colour."""
    return [{
        "type": "value",
        "options": {
            value: {"color": color, "index": index, "text": text}
            for index, (value, (text, color)) in enumerate(values.items())
        },
    }]


def label_colours(values: dict[str, tuple[str, str]]) -> list[dict[str, Any]]:
    """Colours for a column that already holds the Spanish text (``status_label``)."""
    return value_mappings({text: (text, color) for text, color in values.values()})


MAPPINGS: dict[str, list[dict[str, Any]]] = {
    "status": value_mappings(STATUSES),
    "status_label": label_colours(STATUSES),
    "outcome": value_mappings(OUTCOMES),
    "reported_status": value_mappings(REPORTED_STATUSES),
    "light": value_mappings(LIGHTS),
    "severity": value_mappings(SEVERITIES),
    "severity_label": label_colours(SEVERITIES),
    "state": value_mappings(ALERT_STATES),
    "recipient_role": value_mappings(ROLES),
    "target_reached": [{"type": "value", "options": {
        "true": {"color": "green", "index": 0, "text": "Sí"},
        "false": {"color": "text", "index": 1, "text": "No"},
    }}],
}
COLOURED_CELLS = {"status", "status_label", "outcome", "light", "severity", "severity_label", "state"}


def thresholds(*steps: tuple[float | None, str]) -> dict[str, Any]:
    return {"mode": "absolute", "steps": [{"color": color, "value": value} for value, color in steps]}


SPI_THRESHOLDS = thresholds((None, "red"), (0.85, "yellow"), (0.95, "green"))
CPI_THRESHOLDS = thresholds((None, "red"), (0.90, "yellow"), (1.0, "green"))
PROGRESS_THRESHOLDS = thresholds((None, "blue"))
COUNT_BAD_THRESHOLDS = thresholds((None, "green"), (1, "red"))
THRESHOLDS = {"spi": SPI_THRESHOLDS, "spi_t": SPI_THRESHOLDS, "cpi": CPI_THRESHOLDS}

# Colours of the status counts of the roll-ups in bar charts.
STATUS_COUNT_COLOURS = {
    "on_track": "green", "at_risk": "yellow", "late": "red", "overdue": "dark-red", "done": "blue",
    "without_progress": "gray",
}


# --------------------------------------------------------------------------------------------
# Queries


@dataclass(frozen=True)
class Sql:
    """One SQL query and the columns it returns, in order."""

    sql: str
    columns: tuple[str, ...]
    time_series: bool = False

    def contract(self) -> dict[str, str]:
        return {column: KINDS[column] for column in self.columns}


def sql(text: str, *columns: str, time_series: bool = False) -> Sql:
    unknown = [column for column in columns if column not in KINDS]
    if unknown:
        raise KeyError(f"declare the kind of {unknown} in KINDS")
    return Sql(dedent(text).strip(), columns, time_series)


@dataclass(frozen=True)
class Prom:
    """One PromQL expression."""

    expr: str
    legend: str = ""
    table: bool = False  # an instant query shown as a table (labels as columns)


Query = Sql | Prom


def target(query: Query, ref_id: str) -> dict[str, Any]:
    if isinstance(query, Sql):
        return {
            "datasource": dict(POSTGRES),
            "editorMode": "code",
            "format": "time_series" if query.time_series else "table",
            "rawQuery": True,
            "rawSql": query.sql,
            "refId": ref_id,
        }
    prometheus: dict[str, Any] = {
        "datasource": dict(PROMETHEUS),
        "editorMode": "code",
        "expr": query.expr,
        "legendFormat": query.legend or "__auto",
        "refId": ref_id,
    }
    if query.table:
        prometheus.update(format="table", instant=True, range=False)
    else:
        prometheus.update(instant=False, range=True)
    return prometheus


def ref_ids(count: int) -> list[str]:
    return [chr(ord("A") + index) for index in range(count)]


# --------------------------------------------------------------------------------------------
# Panels


@dataclass
class Panel:
    type: str
    title: str
    description: str
    width: int
    height: int
    queries: list[Query] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    overrides: list[dict[str, Any]] = field(default_factory=list)
    transformations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def datasource(self) -> dict[str, str] | None:
        if not self.queries:
            return None
        return dict(POSTGRES) if isinstance(self.queries[0], Sql) else dict(PROMETHEUS)

    def render(self, panel_id: int, x: int, y: int) -> dict[str, Any]:
        rendered: dict[str, Any] = {
            "description": self.description,
            "fieldConfig": {"defaults": self.defaults, "overrides": self.overrides},
            "gridPos": {"h": self.height, "w": self.width, "x": x, "y": y},
            "id": panel_id,
            "options": self.options,
            "title": self.title,
            "type": self.type,
        }
        if self.queries:
            rendered["datasource"] = self.datasource
            rendered["targets"] = [target(query, ref) for query, ref in zip(self.queries, ref_ids(len(self.queries)))]
        if self.transformations:
            rendered["transformations"] = self.transformations
        return rendered

    def contract(self) -> dict[str, Any]:
        source = self.datasource
        queries = []
        for query, ref in zip(self.queries, ref_ids(len(self.queries))):
            if isinstance(query, Sql):
                queries.append({"columns": query.contract(), "refId": ref})
            else:
                queries.append({"columns": {}, "expr": query.expr, "refId": ref})
        return {"datasource": source["uid"] if source else None, "queries": queries, "title": self.title}


def column_overrides(
    queries: list[Query],
    *,
    names: dict[str, str] | None = None,
    cells: bool = False,
    extra: dict[str, list[dict[str, Any]]] | None = None,
    mappings: dict[str, list[dict[str, Any]]] | None = None,
) -> list[dict[str, Any]]:
    """Per-column display name, unit, decimals, value mappings and (in tables) cell colours: the
    same for a column on every board, unless the panel says otherwise."""
    names, extra, mappings = names or {}, extra or {}, {**MAPPINGS, **(mappings or {})}
    overrides = []
    seen: set[str] = set()
    for query in queries:
        if not isinstance(query, Sql):
            continue
        for column in query.columns:
            if column in seen or column in {"time", "__text", "__value"}:
                continue
            seen.add(column)
            properties: list[dict[str, Any]] = []
            label = names.get(column, LABELS.get(column))
            if label:
                properties.append({"id": "displayName", "value": label})
            if column in UNITS:
                properties.append({"id": "unit", "value": UNITS[column]})
            if column in DECIMALS:
                properties.append({"id": "decimals", "value": DECIMALS[column]})
            if column in mappings:
                properties.append({"id": "mappings", "value": mappings[column]})
            if cells and column in THRESHOLDS:
                properties.append({"id": "thresholds", "value": THRESHOLDS[column]})
                properties.append({"id": "custom.cellOptions", "value": {"type": "color-text"}})
            if cells and column in COLOURED_CELLS:
                properties.append({"id": "custom.cellOptions", "value": {"type": "color-text"}})
            properties.extend(extra.get(column, []))
            if properties:
                overrides.append({"matcher": {"id": "byName", "options": column}, "properties": properties})
    return overrides


def stat(
    title: str,
    description: str,
    query: Query,
    *,
    unit: str = "none",
    decimals: int | None = 0,
    steps: dict[str, Any] | None = None,
    width: int = 4,
    height: int = 5,
    names: dict[str, str] | None = None,
    mappings: list[dict[str, Any]] | None = None,
    text_mode: str = "value",
) -> Panel:
    defaults: dict[str, Any] = {
        "color": {"mode": "thresholds"},
        "mappings": mappings or [],
        "noValue": "Sin datos",
        "thresholds": steps or thresholds((None, "blue")),
        "unit": unit,
    }
    if decimals is not None:
        defaults["decimals"] = decimals
    overrides = column_overrides([query], names=names) if isinstance(query, Sql) and len(query.columns) > 1 else []
    return Panel(
        "stat", title, description, width, height, [query],
        options={
            "colorMode": "value",
            "graphMode": "none",
            "justifyMode": "auto",
            "orientation": "auto",
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
            "showPercentChange": False,
            "textMode": text_mode,
            "wideLayout": True,
        },
        defaults=defaults,
        overrides=overrides,
    )


def table(
    title: str,
    description: str,
    query: Query,
    *,
    width: int = 24,
    height: int = 10,
    names: dict[str, str] | None = None,
    mappings: dict[str, list[dict[str, Any]]] | None = None,
    extra: dict[str, list[dict[str, Any]]] | None = None,
    transformations: list[dict[str, Any]] | None = None,
) -> Panel:
    return Panel(
        "table", title, description, width, height, [query],
        options={"cellHeight": "sm", "footer": {"show": False, "reducer": ["sum"], "countRows": False},
                 "showHeader": True},
        defaults={"color": {"mode": "thresholds"},
                  "custom": {"align": "auto", "cellOptions": {"type": "auto"}, "filterable": True},
                  "mappings": [], "thresholds": thresholds((None, "text"))},
        overrides=column_overrides([query], names=names, cells=True, mappings=mappings, extra=extra),
        transformations=transformations or [],
    )


def timeseries(
    title: str,
    description: str,
    queries: list[Query],
    *,
    unit: str = "none",
    width: int = 12,
    height: int = 9,
    names: dict[str, str] | None = None,
    bounds: tuple[float, float] | None = None,
    decimals: int | None = None,
    draw: str = "line",
    stacking: str = "none",
) -> Panel:
    defaults: dict[str, Any] = {
        "color": {"mode": "palette-classic"},
        "custom": {
            "axisBorderShow": False,
            "axisPlacement": "auto",
            "drawStyle": draw,
            "fillOpacity": 10,
            "lineInterpolation": "linear",
            "lineWidth": 2,
            "pointSize": 4,
            "showPoints": "auto",
            "spanNulls": False,
            "stacking": {"group": "A", "mode": stacking},
        },
        "mappings": [],
        "thresholds": thresholds((None, "green")),
        "unit": unit,
    }
    if bounds:
        defaults["min"], defaults["max"] = bounds
    if decimals is not None:
        defaults["decimals"] = decimals
    return Panel(
        "timeseries", title, description, width, height, list(queries),
        options={
            "legend": {"calcs": [], "displayMode": "list", "placement": "bottom", "showLegend": True},
            "tooltip": {"mode": "multi", "sort": "none"},
        },
        defaults=defaults,
        overrides=column_overrides(queries, names=names),
    )


def barchart(
    title: str,
    description: str,
    query: Sql,
    *,
    x_field: str,
    unit: str = "none",
    width: int = 12,
    height: int = 9,
    stacking: str = "none",
    horizontal: bool = False,
    names: dict[str, str] | None = None,
    colours: dict[str, str] | None = None,
    bounds: tuple[float, float] | None = None,
) -> Panel:
    extra = {column: [{"id": "color", "value": {"fixedColor": colour, "mode": "fixed"}}]
             for column, colour in (colours or {}).items()}
    defaults: dict[str, Any] = {
        "color": {"mode": "palette-classic"},
        "custom": {"axisPlacement": "auto", "fillOpacity": 85, "gradientMode": "none", "lineWidth": 1},
        "mappings": [],
        "thresholds": thresholds((None, "green")),
        "unit": unit,
    }
    if bounds:
        defaults["min"], defaults["max"] = bounds
    return Panel(
        "barchart", title, description, width, height, [query],
        options={
            "barWidth": 0.8,
            "groupWidth": 0.7,
            "legend": {"calcs": [], "displayMode": "list", "placement": "bottom", "showLegend": True},
            "orientation": "horizontal" if horizontal else "vertical",
            "showValue": "auto",
            "stacking": stacking,
            "tooltip": {"mode": "multi", "sort": "none"},
            "xField": x_field,
            "xTickLabelRotation": 0,
        },
        defaults=defaults,
        overrides=column_overrides([query], names=names, extra=extra),
    )


def piechart(title: str, description: str, query: Sql, *, width: int = 6, height: int = 9) -> Panel:
    return Panel(
        "piechart", title, description, width, height, [query],
        options={
            "displayLabels": ["name", "value"],
            "legend": {"displayMode": "list", "placement": "right", "showLegend": True, "values": ["value"]},
            "pieType": "donut",
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": True},
            "tooltip": {"mode": "single", "sort": "none"},
        },
        defaults={"color": {"mode": "palette-classic"}, "mappings": [], "unit": "none", "decimals": 0},
        overrides=column_overrides([query]),
    )


def text(title: str, content: str, *, width: int = 24, height: int = 4) -> Panel:
    return Panel(
        "text", title, "", width, height,
        options={"code": {"language": "plaintext", "showLineNumbers": False, "showMiniMap": False},
                 "content": dedent(content).strip() + "\n", "mode": "markdown"},
    )


# Geomap layers -----------------------------------------------------------------------------


def geojson_layer(name: str, layer: str, *, colour: str, opacity: float, label: str | None = None,
                  size: int = 6) -> dict[str, Any]:
    """A static layer: one of the plan's GIS files (shared.plan.geo.LAYERS) under public/gis/."""
    style: dict[str, Any] = {
        "color": {"fixed": colour},
        "lineWidth": 2,
        "opacity": opacity,
        "size": {"fixed": size, "max": 15, "min": 2},
        "symbol": {"fixed": "img/icons/marker/circle.svg", "mode": "fixed"},
    }
    if label:
        style["text"] = {"field": label, "fixed": "", "mode": "field"}
        style["textConfig"] = {"fontSize": 11, "offsetX": 0, "offsetY": -12, "textAlign": "center",
                               "textBaseline": "middle"}
    return {
        "config": {"rules": [], "src": f"{GIS_DIR}/{layer}.geojson", "style": style},
        "name": name,
        "opacity": 1,
        "tooltip": True,
        "type": "geojson",
    }


def markers_layer(name: str, ref_id: str, *, colour_field: str | None = None, fixed_colour: str = "blue",
                  size_field: str | None = None) -> dict[str, Any]:
    """Points drawn from a query's latitude/longitude columns, coloured by a column's value mappings."""
    colour: dict[str, Any] = {"fixed": fixed_colour}
    if colour_field:
        colour["field"] = colour_field
    size: dict[str, Any] = {"fixed": 7, "max": 16, "min": 5}
    if size_field:
        size["field"] = size_field
    return {
        "config": {
            "showLegend": True,
            "style": {
                "color": colour,
                "opacity": 0.8,
                "rotation": {"fixed": 0, "max": 360, "min": -360, "mode": "mod"},
                "size": size,
                "symbol": {"fixed": "img/icons/marker/circle.svg", "mode": "fixed"},
                "symbolAlign": {"horizontal": "center", "vertical": "center"},
            },
        },
        "filterData": {"id": "byRefId", "options": ref_id},
        "location": {"latitude": "latitude", "longitude": "longitude", "mode": "coords"},
        "name": name,
        "opacity": 1,
        "tooltip": True,
        "type": "markers",
    }


def geomap(title: str, description: str, queries: list[Sql], layers: list[dict[str, Any]], *,
           width: int = 24, height: int = 16) -> Panel:
    """A map of Putre with switchable layers (each a named entry of ``layers``)."""
    return Panel(
        "geomap", title, description, width, height, list(queries),
        options={
            "basemap": {"config": {}, "name": "Mapa base", "type": "default"},
            "controls": {"mouseWheelZoom": True, "showAttribution": True, "showDebug": False,
                         "showMeasure": False, "showScale": True, "showZoom": True},
            "layers": layers,
            "tooltip": {"mode": "details"},
            "view": {"allLayers": True, "id": "coords", "lat": -18.35, "lon": -69.45, "zoom": 8},
        },
        defaults={"color": {"mode": "thresholds"}, "mappings": [], "thresholds": thresholds((None, "blue"))},
        overrides=column_overrides(queries),
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
        if not self.public:
            dashboard["links"] = [{
                "asDropdown": True, "icon": "external link", "includeVars": False, "keepTime": False,
                "tags": list(TAGS), "targetBlank": False, "title": "Tableros PLADECO", "tooltip": "",
                "type": "dashboards", "url": "",
            }]
        return dashboard

    def contracts(self) -> dict[str, Any]:
        return {str(number): panel.contract() for panel, number, _, _ in self.layout()}


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


def cuadro_mando() -> Board:
    status_by_axis = sql("""
        SELECT group_name,
               on_track,
               at_risk,
               late,
               overdue,
               done,
               without_progress
        FROM scorecard.rollup
        WHERE level = 'axis'
        ORDER BY group_code
    """, "group_name", "on_track", "at_risk", "late", "overdue", "done", "without_progress")
    return Board(
        "pladeco-cuadro-mando",
        "Cuadro de mando PLADECO",
        "Estado general del Plan de Desarrollo Comunal de Putre: avance, plazos, presupuesto, alertas y efectividad.",
        [
            plan_figure("Avance físico del plan", "Avance físico del plan completo, ponderado por presupuesto.",
                        "physical_progress_pct", unit=PERCENT, decimals=1),
            plan_figure("Avance planificado", "Lo que el plan completo debía llevar hoy, ponderado por "
                        "presupuesto (las mismas iniciativas que el avance físico).", "planned_progress_pct",
                        unit=PERCENT, decimals=1),
            plan_figure("SPI(t) del plan", SPI_HELP, "spi_t", decimals=2, steps=SPI_THRESHOLDS),
            plan_figure("Ejecución financiera", "Gasto acumulado informado / presupuesto del plan.",
                        "financial_execution_pct", unit=PERCENT, decimals=1),
            plan_figure("Iniciativas atrasadas", "Iniciativas en curso con SPI(t) bajo 0,85.", "late",
                        steps=COUNT_BAD_THRESHOLDS),
            plan_figure("Iniciativas vencidas", "Iniciativas cuya fecha de término pasó sin informarse terminadas.",
                        "overdue", steps=COUNT_BAD_THRESHOLDS),
            plan_figure("Hitos vencidos", "Hitos cuya fecha pasó sin informarse cumplidos ni cancelados.",
                        "milestones_overdue", steps=COUNT_BAD_THRESHOLDS),
            barchart("Estado de las iniciativas por eje estratégico",
                     "Cantidad de iniciativas de cada eje según su estado.", status_by_axis,
                     x_field="group_name", stacking="normal", horizontal=True,
                     names={"group_name": "Eje estratégico"}, colours=STATUS_COUNT_COLOURS),
            s_curve("Avance planificado y real del plan (curva S)", S_CURVE_HELP, "level = 'plan'"),
            barchart("Ejecución presupuestaria por fuente de financiamiento",
                     "Presupuesto y gasto real de cada fuente; una iniciativa con varias fuentes cuenta por la "
                     "parte que paga cada una.",
                     sql("""
                         SELECT group_name,
                                budget_clp,
                                actual_cost_clp
                         FROM scorecard.rollup
                         WHERE level = 'funding_source'
                         ORDER BY budget_clp DESC
                     """, "group_name", "budget_clp", "actual_cost_clp"),
                     x_field="group_name", unit=CLP, names={"group_name": "Fuente de financiamiento"}),
            piechart("Alertas abiertas por severidad", "Alertas activas o reconocidas, aún no resueltas.",
                     sql(f"""
                         SELECT {SEVERITY_LABEL_SQL} AS severity_label,
                                count(*) AS alerts
                         FROM alert
                         WHERE state IN ('firing', 'acknowledged')
                         GROUP BY severity
                         ORDER BY min(CASE severity WHEN 'critical' THEN 1 WHEN 'warning' THEN 2 ELSE 3 END)
                     """, "severity_label", "alerts")),
            stat("Efectividad del plan",
                 "Objetivos logrados / objetivos con algún indicador de resultado medido: un objetivo se logra "
                 "cuando todos sus indicadores de efectividad medidos alcanzan su meta.",
                 sql("""
                     SELECT effectiveness_pct,
                            objectives_achieved,
                            objectives_measured
                     FROM scorecard.effectiveness
                 """, "effectiveness_pct", "objectives_achieved", "objectives_measured"),
                 unit="none", decimals=None, width=6, height=9, text_mode="value_and_name"),
            table("Últimos informes de avance", "Los 20 informes recibidos más recientes.",
                  sql("""
                      SELECT recorded_at,
                             to_char(as_of, 'YYYY-MM-DD') AS as_of,
                             initiative_code,
                             initiative_name,
                             department_code,
                             physical_progress_pct,
                             spent_to_date_clp,
                             source_system
                      FROM scorecard.progress_report
                      ORDER BY recorded_at DESC
                      LIMIT 20
                  """, "recorded_at", "as_of", "initiative_code", "initiative_name", "department_code",
                      "physical_progress_pct", "spent_to_date_clp", "source_system")),
        ],
    )


def departamento() -> Board:
    chosen = "'${departamento}'"
    return Board(
        "pladeco-departamento",
        "Departamento",
        "Las iniciativas de una unidad municipal: plazos, costos, hitos, metas del departamento y su curva S.",
        [
            table("Resumen del departamento", "Cifras del departamento ponderadas por presupuesto.",
                  sql(f"""
                      SELECT group_name,
                             initiatives,
                             budget_clp,
                             physical_progress_pct,
                             planned_progress_pct,
                             spi_t,
                             spi,
                             cpi,
                             financial_execution_pct,
                             milestone_compliance_pct,
                             overdue,
                             reports_outdated
                      FROM scorecard.rollup
                      WHERE level = 'department' AND group_code = {chosen}
                  """, "group_name", "initiatives", "budget_clp", "physical_progress_pct", "planned_progress_pct",
                      "spi_t", "spi", "cpi", "financial_execution_pct", "milestone_compliance_pct", "overdue",
                      "reports_outdated"),
                  names={"group_name": "Departamento"}, height=4),
            table("Iniciativas del departamento",
                  f"{SPI_HELP} CPI = valor ganado / gasto real. Hitos: cumplidos a tiempo, con atraso y vencidos.",
                  sql(f"""
                      SELECT initiative_code,
                             name,
                             status_label,
                             report_qualifier,
                             physical_progress_pct,
                             planned_progress_pct,
                             spi_t,
                             schedule_variance_days,
                             spi,
                             cpi,
                             budget_clp,
                             actual_cost_clp,
                             milestones_done_on_time,
                             milestones_done_late,
                             milestones_overdue,
                             milestones_pending,
                             to_char(last_report_as_of, 'YYYY-MM-DD') AS last_report_as_of,
                             days_since_last_report
                      FROM scorecard.initiative
                      WHERE department_code = {chosen}
                      ORDER BY initiative_code
                  """, "initiative_code", "name", "status_label", "report_qualifier", "physical_progress_pct",
                      "planned_progress_pct", "spi_t", "schedule_variance_days", "spi", "cpi", "budget_clp",
                      "actual_cost_clp", "milestones_done_on_time", "milestones_done_late", "milestones_overdue",
                      "milestones_pending", "last_report_as_of", "days_since_last_report"),
                  names={"name": "Iniciativa"}, height=11),
            s_curve("Curva S del departamento", S_CURVE_HELP, f"level = 'department' AND group_code = {chosen}"),
            barchart("Iniciativas por estado", "Cantidad de iniciativas del departamento según su estado.",
                     sql(f"""
                         SELECT group_name,
                                on_track,
                                at_risk,
                                late,
                                overdue,
                                done,
                                without_progress
                         FROM scorecard.rollup
                         WHERE level = 'department' AND group_code = {chosen}
                     """, "group_name", "on_track", "at_risk", "late", "overdue", "done", "without_progress"),
                     x_field="group_name", names={"group_name": "Departamento"}, colours=STATUS_COUNT_COLOURS),
            table("Cumplimiento de las metas del departamento",
                  "Indicadores de categoría «meta del departamento»: cumplimiento = metas en verde / metas medidas.",
                  sql(f"""
                      SELECT department_name,
                             goals,
                             goals_measured,
                             goals_green,
                             goals_yellow,
                             goals_red,
                             average_efficacy_pct,
                             compliance_pct
                      FROM scorecard.department_goal
                      WHERE department_code = {chosen}
                  """, "department_name", "goals", "goals_measured", "goals_green", "goals_yellow", "goals_red",
                      "average_efficacy_pct", "compliance_pct"),
                  height=5),
        ],
        variables=[query_variable(
            "departamento", "Departamento",
            """
            SELECT group_code AS __value,
                   group_name AS __text
            FROM scorecard.rollup
            WHERE level = 'department'
            ORDER BY group_name
            """,
            "Unidad municipal responsable de las iniciativas.",
        )],
    )


def iniciativa() -> Board:
    chosen = "'${iniciativa}'"
    return Board(
        "pladeco-iniciativa",
        "Iniciativa",
        "Una iniciativa del plan de inversiones: su ficha, su avance mes a mes, indicadores, hitos, historia y "
        "alertas.",
        [
            table("Ficha de la iniciativa",
                  "Datos del plan y cifras a hoy («Cifras al»): el avance es el del último informe («Fecha de "
                  "corte»), el plan sigue corriendo. SPI(t) = tiempo ganado / tiempo transcurrido; el término "
                  "estimado al ritmo observado es inicio + duración / SPI(t).",
                  sql(f"""
                      SELECT initiative_code,
                             name,
                             department_name,
                             programme_name,
                             territory_name,
                             locality_name,
                             status_label,
                             budget_clp,
                             to_char(start_date, 'YYYY-MM-DD') AS start_date,
                             to_char(end_date, 'YYYY-MM-DD') AS end_date,
                             to_char(judged_on, 'YYYY-MM-DD') AS judged_on,
                             to_char(data_date, 'YYYY-MM-DD') AS data_date,
                             days_since_last_report,
                             report_qualifier,
                             physical_progress_pct,
                             planned_progress_pct,
                             to_char(earned_schedule_date, 'YYYY-MM-DD') AS earned_schedule_date,
                             spi_t,
                             schedule_variance_days,
                             to_char(ieac_t_date, 'YYYY-MM-DD') AS ieac_t_date,
                             to_char(ieac_t_planned_date, 'YYYY-MM-DD') AS ieac_t_planned_date,
                             spi,
                             cpi,
                             actual_cost_clp,
                             estimate_at_completion_clp
                      FROM scorecard.initiative
                      WHERE initiative_code = {chosen}
                  """, "initiative_code", "name", "department_name", "programme_name", "territory_name",
                      "locality_name", "status_label", "budget_clp", "start_date", "end_date", "judged_on",
                      "data_date", "days_since_last_report", "report_qualifier", "physical_progress_pct",
                      "planned_progress_pct", "earned_schedule_date", "spi_t", "schedule_variance_days",
                      "ieac_t_date", "ieac_t_planned_date", "spi", "cpi", "actual_cost_clp",
                      "estimate_at_completion_clp"),
                  names={"name": "Iniciativa"}, height=4),
            timeseries("Historia del avance: planificado y real",
                       "Avance planificado y avance físico acumulados al cierre de cada mes.",
                       [sql(f"""
                           SELECT {S_CURVE_TIME},
                                  planned_progress_pct,
                                  physical_progress_pct
                           FROM scorecard.initiative_monthly
                           WHERE initiative_code = {chosen}
                           ORDER BY month
                       """, "time", "planned_progress_pct", "physical_progress_pct", time_series=True)],
                       unit=PERCENT, bounds=(0, 100), decimals=1, names=S_CURVE_NAMES),
            timeseries("SPI(t) mes a mes",
                       "Tiempo ganado / tiempo transcurrido al cierre de cada mes (cronograma ganado). Bajo 0,95: "
                       "en riesgo; bajo 0,85: atrasada. Terminada la iniciativa, su SPI(t) queda fijo.",
                       [sql(f"""
                           SELECT {S_CURVE_TIME},
                                  spi_t
                           FROM scorecard.initiative_monthly
                           WHERE initiative_code = {chosen} AND spi_t IS NOT NULL
                           ORDER BY month
                       """, "time", "spi_t", time_series=True)],
                       unit="none", decimals=2, names={"spi_t": "SPI(t)"}),
            table("Hitos", "Hitos por fecha de vencimiento; el resultado lo decide el último estado informado.",
                  sql(f"""
                      SELECT to_char(due_date, 'YYYY-MM-DD') AS due_date,
                             milestone_code,
                             name,
                             reported_status,
                             to_char(status_date, 'YYYY-MM-DD') AS status_date,
                             outcome,
                             days_overdue
                      FROM scorecard.milestone
                      WHERE initiative_code = {chosen}
                      ORDER BY due_date, milestone_code
                  """, "due_date", "milestone_code", "name", "reported_status", "status_date", "outcome",
                      "days_overdue"),
                  names={"name": "Hito"}, width=12, height=9),
            table("Indicadores y metas",
                  "Eficacia = 100 × (valor − línea base) / (meta − línea base). Semáforo según los umbrales "
                  "de cada indicador.",
                  sql(f"""
                      SELECT indicator_code,
                             name,
                             dimension,
                             unit,
                             baseline,
                             target,
                             to_char(target_date, 'YYYY-MM-DD') AS target_date,
                             value,
                             period,
                             efficacy_pct,
                             light,
                             target_reached
                      FROM scorecard.indicator
                      WHERE initiative_code = {chosen}
                      ORDER BY indicator_code
                  """, "indicator_code", "name", "dimension", "unit", "baseline", "target", "target_date", "value",
                      "period", "efficacy_pct", "light", "target_reached"),
                  names={"name": "Indicador"}, height=8),
            table("Alertas abiertas de la iniciativa",
                  "Alertas activas o reconocidas. En las alertas de pronóstico, la explicación da la pendiente "
                  "de avance por mes, la fecha proyectada de término con su banda de confianza, los informes "
                  "usados y el ritmo que haría falta.",
                  sql(f"""
                      SELECT raised_at,
                             severity,
                             state,
                             title,
                             explanation,
                             action
                      FROM alert
                      WHERE initiative_code = {chosen}
                        AND state IN ('firing', 'acknowledged')
                      ORDER BY raised_at DESC
                  """, "raised_at", "severity", "state", "title", "explanation", "action"),
                  height=8,
                  extra={"explanation": [{"id": "custom.inspect", "value": True}]}),
            table("Informes de avance", "Historia de informes de la iniciativa, el más reciente primero.",
                  sql(f"""
                      SELECT recorded_at,
                             to_char(as_of, 'YYYY-MM-DD') AS as_of,
                             physical_progress_pct,
                             spent_to_date_clp,
                             reporter,
                             source_system,
                             event_id::text AS event_id
                      FROM scorecard.progress_report
                      WHERE initiative_code = {chosen}
                      ORDER BY recorded_at DESC
                  """, "recorded_at", "as_of", "physical_progress_pct", "spent_to_date_clp", "reporter",
                      "source_system", "event_id"),
                  width=12, height=9),
            table("Cambios del plan que la afectan",
                  "Revisiones del plan que cambiaron la iniciativa, sus hitos o sus indicadores.",
                  sql(f"""
                      SELECT applied_at,
                             revision,
                             change_type,
                             entity,
                             code,
                             fields::text AS fields,
                             actor,
                             reason
                      FROM scorecard.plan_change
                      WHERE initiative_code = {chosen}
                         OR (entity = 'initiative' AND code = {chosen})
                      ORDER BY revision DESC, seq
                  """, "applied_at", "revision", "change_type", "entity", "code", "fields", "actor", "reason"),
                  width=12, height=9),
        ],
        variables=[query_variable(
            "iniciativa", "Iniciativa",
            """
            SELECT initiative_code AS __value,
                   initiative_code || ' · ' || name AS __text
            FROM scorecard.initiative
            ORDER BY initiative_code
            """,
            "Iniciativa del plan de inversiones.",
        )],
    )


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


def territorio() -> Board:
    return Board(
        "pladeco-territorio",
        "Territorio",
        "El plan sobre el territorio: unidades territoriales, localidades, diagnóstico, imagen objetivo y las "
        "iniciativas del plan de inversiones según su estado.",
        [
            geomap("Mapa del PLADECO",
                   "Capas del plan (archivos de grafana/gis/, generados con «pladeco plan gis»): territorios, "
                   "imagen objetivo, diagnóstico, localidades; y las iniciativas coloreadas por estado, desde el "
                   "cuadro de mando (pase el cursor sobre un punto para ver su ficha). Cada capa es una entrada con "
                   "nombre de la lista de capas del panel: se muestra u oculta editando el panel.",
                   [INITIATIVE_MARKERS],
                   [
                       geojson_layer("Territorios", "territorios", colour="#8AB8FF", opacity=0.15, label="nombre"),
                       geojson_layer("Imagen objetivo", "imagen-objetivo", colour="#B877D9", opacity=0.1),
                       geojson_layer("Diagnóstico: problemas priorizados", "diagnostico", colour="#FF9830",
                                     opacity=0.7, size=5),
                       geojson_layer("Localidades", "localidades", colour="#6E6E6E", opacity=0.9, label="nombre",
                                     size=4),
                       initiatives_layer(),
                   ], height=18),
            table("Iniciativas por territorio", "Cifras de cada territorio ponderadas por presupuesto.",
                  sql("""
                      SELECT group_name,
                             initiatives,
                             initiatives_reporting,
                             budget_clp,
                             physical_progress_pct,
                             planned_progress_pct,
                             spi_t,
                             financial_execution_pct,
                             on_track,
                             at_risk,
                             late,
                             overdue,
                             done,
                             without_progress,
                             milestone_compliance_pct
                      FROM scorecard.rollup
                      WHERE level = 'territory'
                      ORDER BY group_code
                  """, "group_name", "initiatives", "initiatives_reporting", "budget_clp", "physical_progress_pct",
                      "planned_progress_pct", "spi_t", "financial_execution_pct", "on_track", "at_risk", "late",
                      "overdue", "done", "without_progress", "milestone_compliance_pct"),
                  names={"group_name": "Territorio"}, height=6),
            barchart("Avance por territorio", "Avance planificado y físico de cada territorio.",
                     PROGRESS_BY_TERRITORY, x_field="group_name", unit=PERCENT, bounds=(0, 100),
                     names={"group_name": "Territorio"}),
            table("Iniciativas de ${territorio:text}", "Las iniciativas del territorio elegido.",
                  sql("""
                      SELECT initiative_code,
                             name,
                             locality_name,
                             status_label,
                             physical_progress_pct,
                             budget_clp,
                             beneficiaries
                      FROM scorecard.initiative
                      WHERE territory_code = '${territorio}'
                      ORDER BY initiative_code
                  """, "initiative_code", "name", "locality_name", "status_label", "physical_progress_pct",
                      "budget_clp", "beneficiaries"),
                  names={"name": "Iniciativa", "beneficiaries": "Beneficiarios"}, width=12, height=9),
        ],
        variables=[query_variable(
            "territorio", "Territorio",
            """
            SELECT group_code AS __value,
                   group_name AS __text
            FROM scorecard.rollup
            WHERE level = 'territory'
            ORDER BY group_code
            """,
            "Unidad territorial del plan.",
        )],
    )


def alertas() -> Board:
    def count(title: str, description: str, where: str, steps: dict[str, Any]) -> Panel:
        return stat(title, description, sql(f"""
            SELECT count(*) AS alerts
            FROM alert
            WHERE {where}
        """, "alerts"), steps=steps, width=6, height=4)

    open_alerts = "state IN ('firing', 'acknowledged')"
    return Board(
        "pladeco-alertas",
        "Alertas",
        "Alertas tempranas del plan y notificaciones enviadas (tablas alert y notification).",
        [
            count("Alertas activas", "Disparadas y aún no reconocidas.", "state = 'firing'", COUNT_BAD_THRESHOLDS),
            count("Alertas reconocidas", "Reconocidas por un responsable, aún no resueltas.",
                  "state = 'acknowledged'", thresholds((None, "green"), (1, "orange"))),
            count("Alertas resueltas (últimos 90 días)", "Resueltas automáticamente al desaparecer la condición.",
                  "state = 'resolved' AND resolved_at >= now() - interval '90 days'", thresholds((None, "green"))),
            count("Alertas escaladas", "Alertas abiertas escaladas a la jefatura o a la Unidad Ejecutora Comunal.",
                  f"{open_alerts} AND escalation_level > 0", COUNT_BAD_THRESHOLDS),
            table("Alertas abiertas", "Las alertas activas y reconocidas, las más graves primero.",
                  sql(f"""
                      SELECT raised_at,
                             severity,
                             state,
                             escalation_level,
                             initiative_code,
                             rule,
                             title,
                             message,
                             acknowledged_at,
                             acknowledged_by
                      FROM alert
                      WHERE {open_alerts}
                      ORDER BY CASE severity WHEN 'critical' THEN 1 WHEN 'warning' THEN 2 ELSE 3 END, raised_at DESC
                  """, "raised_at", "severity", "state", "escalation_level", "initiative_code", "rule", "title",
                      "message", "acknowledged_at", "acknowledged_by"),
                  names={"initiative_code": "Iniciativa"}, width=16, height=10),
            barchart("Alertas abiertas por regla", "Cuántas alertas abiertas levanta cada regla.",
                     sql(f"""
                         SELECT rule,
                                count(*) AS alerts
                         FROM alert
                         WHERE {open_alerts}
                         GROUP BY rule
                         ORDER BY alerts DESC, rule
                     """, "rule", "alerts"),
                     x_field="rule", horizontal=True, width=8, height=10),
            timeseries("Alertas levantadas por día", "Alertas levantadas cada día, por severidad.",
                       [sql(f"""
                           SELECT date_trunc('day', raised_at AT TIME ZONE 'America/Santiago')
                                      AT TIME ZONE 'America/Santiago' AS time,
                                  {SEVERITY_LABEL_SQL} AS severity_label,
                                  count(*) AS alerts
                           FROM alert
                           WHERE raised_at IS NOT NULL AND $__timeFilter(raised_at)
                           GROUP BY 1, severity
                           ORDER BY 1, severity
                       """, "time", "severity_label", "alerts", time_series=True)],
                       draw="bars", stacking="normal", decimals=0, width=12, height=8,
                       names={"alerts": "${__field.labels.severity_label}"}),
            table("Alertas resueltas (últimos 90 días)", "Cuándo y cómo se resolvió cada alerta.",
                  sql("""
                      SELECT resolved_at,
                             raised_at,
                             severity,
                             initiative_code,
                             rule,
                             title,
                             resolution
                      FROM alert
                      WHERE state = 'resolved' AND resolved_at >= now() - interval '90 days'
                      ORDER BY resolved_at DESC
                  """, "resolved_at", "raised_at", "severity", "initiative_code", "rule", "title", "resolution"),
                  names={"initiative_code": "Iniciativa"}, width=12, height=8),
            stat("Notificaciones del período", "Notificaciones creadas en el período elegido, por estado.",
                 sql("""
                     SELECT count(*) FILTER (WHERE status = 'sent') AS sent,
                            count(*) FILTER (WHERE status = 'failed') AS failed,
                            count(*) FILTER (WHERE status = 'pending') AS pending
                     FROM notification
                     WHERE $__timeFilter(created_at)
                 """, "sent", "failed", "pending"),
                 width=8, height=6, text_mode="value_and_name"),
            barchart("Notificaciones por canal", "Enviadas, fallidas y pendientes de cada canal en el período.",
                     sql("""
                         SELECT channel,
                                count(*) FILTER (WHERE status = 'sent') AS sent,
                                count(*) FILTER (WHERE status = 'failed') AS failed,
                                count(*) FILTER (WHERE status = 'pending') AS pending
                         FROM notification
                         WHERE $__timeFilter(created_at)
                         GROUP BY channel
                         ORDER BY channel
                     """, "channel", "sent", "failed", "pending"),
                     x_field="channel", stacking="normal", width=16, height=6,
                     colours={"sent": "green", "failed": "red", "pending": "yellow"}),
            table("Notificaciones", "Las notificaciones del período, la más reciente primero; último error de "
                  "las que fallaron.",
                  sql("""
                      SELECT created_at,
                             subject,
                             recipient_role,
                             channel,
                             status,
                             attempts,
                             last_error,
                             sent_at
                      FROM notification
                      WHERE $__timeFilter(created_at)
                      ORDER BY created_at DESC
                      LIMIT 500
                  """, "created_at", "subject", "recipient_role", "channel", "status", "attempts", "last_error",
                      "sent_at"),
                  mappings={"status": value_mappings(NOTIFICATION_STATUSES)},
                  extra={"status": [{"id": "custom.cellOptions", "value": {"type": "color-text"}}]}),
        ],
        time=("now-90d", "now"),
        refresh="1m",
    )


def auditoria() -> Board:
    return Board(
        "pladeco-auditoria",
        "Auditoría",
        "Quién informó qué y cuándo, y quién cambió el plan, cuándo y por qué.",
        [
            table("Informes de avance recibidos",
                  "Cada informe aceptado, con quién lo informó y desde qué sistema, en el período elegido.",
                  sql("""
                      SELECT recorded_at,
                             to_char(as_of, 'YYYY-MM-DD') AS as_of,
                             initiative_code,
                             initiative_name,
                             department_code,
                             physical_progress_pct,
                             spent_to_date_clp,
                             reporter,
                             source_system,
                             event_id::text AS event_id
                      FROM scorecard.progress_report
                      WHERE $__timeFilter(recorded_at)
                      ORDER BY recorded_at DESC
                      LIMIT 1000
                  """, "recorded_at", "as_of", "initiative_code", "initiative_name", "department_code",
                      "physical_progress_pct", "spent_to_date_clp", "reporter", "source_system", "event_id"),
                  width=16, height=11),
            barchart("Informes por sistema de origen", "Cuántos informes llegaron de cada sistema en el período.",
                     sql("""
                         SELECT source_system,
                                count(*) AS reports
                         FROM scorecard.progress_report
                         WHERE $__timeFilter(recorded_at)
                         GROUP BY source_system
                         ORDER BY reports DESC, source_system
                     """, "source_system", "reports"),
                     x_field="source_system", horizontal=True, width=8, height=11),
            table("Revisiones del plan",
                  "Cada revisión aplicada: quién la cargó, por qué y cuántos cambios trajo.",
                  sql("""
                      SELECT revision,
                             min(applied_at) AS applied_at,
                             actor,
                             reason,
                             count(*) AS changes
                      FROM scorecard.plan_change
                      GROUP BY revision, actor, reason
                      ORDER BY revision DESC
                  """, "revision", "applied_at", "actor", "reason", "changes"),
                  width=10, height=10),
            table("Cambios del plan",
                  "Cada cambio de cada revisión aplicada en el período: qué registro, qué campos.",
                  sql("""
                      SELECT applied_at,
                             revision,
                             actor,
                             reason,
                             change_type,
                             entity,
                             code,
                             initiative_code,
                             fields::text AS fields
                      FROM scorecard.plan_change
                      WHERE $__timeFilter(applied_at)
                      ORDER BY revision DESC, seq
                  """, "applied_at", "revision", "actor", "reason", "change_type", "entity", "code",
                      "initiative_code", "fields"),
                  names={"initiative_code": "Iniciativa"}, width=14, height=10),
            text("Repeticiones (replays)", """
                Las ejecuciones de repetición (*replays*) del historial de eventos, que reconstruyen el cuadro de
                mando en un esquema aparte y lo comparan con el vigente, llegan con el issue #8. Este panel
                mostrará entonces cada ejecución: cuándo, sobre qué eventos y con qué resultado.
            """, height=4),
        ],
        time=("now-1y", "now"),
    )


def operacion() -> Board:
    def rate(metric: str, by: str = "", selector: str = "") -> str:
        inner = f"rate({metric}{{{selector}}}[$__rate_interval])" if selector else f"rate({metric}[$__rate_interval])"
        return f"sum by ({by}) ({inner})" if by else f"sum({inner})"

    def quantile(q: float, histogram: str) -> str:
        return f"histogram_quantile({q}, sum by (le) (rate({histogram}_bucket[$__rate_interval])))"

    job = f'job="{PROMETHEUS_JOB}"'
    return Board(
        "pladeco-operacion",
        "Operación",
        "Salud de los servicios del sistema de seguimiento: rendimiento, retraso, errores, latencias y envíos.",
        [
            stat("Servicios en línea", "Cada servicio que Prometheus logra leer (1 = en línea).",
                 Prom(f"up{{{job}}}", "{{service}}"), width=12, height=4,
                 steps=thresholds((None, "red"), (1, "green")),
                 mappings=[{"type": "value", "options": {
                     "0": {"color": "red", "index": 0, "text": "Caído"},
                     "1": {"color": "green", "index": 1, "text": "En línea"},
                 }}], text_mode="value_and_name"),
            table("Versión de cada servicio", "La métrica pladeco_service_info que exporta cada servicio.",
                  Prom(f"pladeco_service_info{{{job}}}", table=True), width=12, height=4,
                  transformations=[{"id": "organize", "options": {
                      "excludeByName": {"Time": True, "Value": True, "__name__": True, "job": True},
                      "indexByName": {},
                      "renameByName": {"instance": "Instancia", "service": "Servicio", "title": "Título",
                                       "version": "Versión"},
                  }}]),
            timeseries("Eventos aplicados al cuadro de mando", "Eventos por segundo que el servicio de "
                       "indicadores aplicó, por tipo.",
                       [Prom(rate("pladeco_indicators_events_applied_total", "event_type"), "{{event_type}}"),
                        Prom(rate("pladeco_indicators_duplicates_skipped_total", "event_type"),
                             "duplicado: {{event_type}}")],
                       unit="ops"),
            timeseries("Actualizaciones recibidas por la ingesta", "Actualizaciones por segundo, por resultado "
                       "(aceptada, duplicada, rechazada, sin Kafka).",
                       [Prom(rate("pladeco_ingest_updates_total", "outcome"), "{{outcome}}")], unit="ops"),
            timeseries("Retraso del consumidor", "Mensajes aún no consumidos por el servicio de indicadores, por "
                       "tópico (offset final − offset confirmado).",
                       [Prom("sum by (topic) (pladeco_indicators_consumer_lag)", "{{topic}}")], decimals=0),
            timeseries("Rechazos de la ingesta por motivo", "Problemas encontrados en actualizaciones rechazadas, "
                       "por código de motivo.",
                       [Prom(rate("pladeco_ingest_rejections_total", "reason"), "{{reason}}")], unit="ops"),
            timeseries("Mensajes enviados a la cola de descarte", "Eventos rechazados (pladeco.deadletter): por el "
                       "servicio de indicadores, por la ingesta desde Kafka y, según FastStream, por cada servicio.",
                       [Prom(rate("pladeco_indicators_events_dead_lettered_total", "reason_code"),
                             "indicadores: {{reason_code}}"),
                        Prom(rate("pladeco_ingest_updates_total", "", 'channel="kafka", outcome="rejected"'),
                             "ingesta (Kafka)"),
                        Prom(rate("faststream_published_messages_total", "service",
                                  'destination="pladeco.deadletter"'), "FastStream: {{service}}")],
                       unit="ops"),
            timeseries("Latencia de aplicación (p50 / p99)", "Desde que la ingesta acepta una actualización hasta "
                       "que sus cifras quedan confirmadas en el cuadro de mando.",
                       [Prom(quantile(0.5, "pladeco_indicators_apply_latency_seconds"), "p50"),
                        Prom(quantile(0.99, "pladeco_indicators_apply_latency_seconds"), "p99")], unit="s"),
            timeseries("Latencia de la API de ingesta (p50 / p99)", "Duración de las solicitudes HTTP de la ingesta.",
                       [Prom(quantile(0.5, "pladeco_ingest_request_seconds"), "p50"),
                        Prom(quantile(0.99, "pladeco_ingest_request_seconds"), "p99")], unit="s"),
            timeseries("Tiempo de base de datos por lote (p50 / p99)", "Tiempo en PostgreSQL de cada lote de "
                       "eventos aplicado por el servicio de indicadores.",
                       [Prom(quantile(0.99, "pladeco_indicators_database_seconds"), "base de datos p99"),
                        Prom(quantile(0.5, "pladeco_indicators_database_seconds"), "base de datos p50")],
                       unit="s"),
            timeseries("Notificaciones enviadas y fallidas", "Notificaciones por segundo por canal; y las que "
                       "esperan envío.",
                       [Prom(rate("pladeco_notifier_notifications_sent_total", "channel"), "enviadas: {{channel}}"),
                        Prom(rate("pladeco_notifier_notifications_failed_total", "channel"), "fallidas: {{channel}}"),
                        Prom(rate("pladeco_notifier_delivery_retries_total", "channel"),
                             "reintentos: {{channel}}")],
                       unit="ops"),
            timeseries("Notificaciones pendientes", "Notificaciones que esperan su envío.",
                       [Prom("sum(pladeco_notifier_notifications_pending)", "pendientes")], decimals=0),
            timeseries("Evaluaciones de alertas", "Evaluaciones por segundo del servicio de alertas, por causa "
                       "(evento o reloj).",
                       [Prom(rate("pladeco_alerts_evaluations_total", "trigger"), "{{trigger}}"),
                        Prom(rate("pladeco_alerts_lifecycle_events_total"), "eventos de alerta")], unit="ops"),
            timeseries("Reglas de alerta en vigor", "Reglas cargadas; y archivos de reglas rechazados.",
                       [Prom("sum(pladeco_alerts_rules_loaded)", "reglas en vigor"),
                        Prom("sum(pladeco_alerts_rules_rejected_total)", "archivos rechazados (total)")], decimals=0),
            timeseries("Mensajes procesados por FastStream", "Mensajes de Kafka procesados por segundo, por servicio "
                       "y resultado.",
                       [Prom(rate("faststream_received_processed_messages_total", "service, status"),
                             "{{service}}: {{status}}")],
                       unit="ops", width=24),
        ],
        time=("now-6h", "now"),
        refresh="30s",
    )


def publico() -> Board:
    def plan_stat(title: str, description: str, column: str, **options: Any) -> Panel:
        return plan_figure(title, description, column, **options)

    return Board(
        "pladeco-publico",
        "Avance del PLADECO de Putre",
        "Avance del Plan de Desarrollo Comunal de Putre para la ciudadanía: cifras del plan, avance por eje y "
        "territorio, curva S, iniciativas y mapa.",
        [
            text("Sobre este tablero", """
                El **Plan de Desarrollo Comunal (PLADECO) de Putre** ordena las iniciativas que la Municipalidad
                se propuso realizar. Aquí se ve cuánto han avanzado, cuánto se ha gastado y dónde están. El avance
                se pondera por presupuesto: una obra grande pesa más que un taller. Las cifras se actualizan cada
                vez que una unidad municipal informa avances.
            """, height=4),
            plan_stat("Avance físico del plan", "Avance del plan completo, ponderado por presupuesto.",
                      "physical_progress_pct", unit=PERCENT, decimals=1),
            plan_stat("Avance planificado", "Lo que el plan debía llevar a la fecha de los últimos informes.",
                      "planned_progress_pct", unit=PERCENT, decimals=1),
            plan_stat("Ejecución financiera", "Gasto informado / presupuesto del plan.", "financial_execution_pct",
                      unit=PERCENT, decimals=1),
            plan_stat("Presupuesto del plan", "Suma de los presupuestos de las iniciativas, en pesos.", "budget_clp",
                      unit=CLP),
            plan_stat("Iniciativas", "Iniciativas del plan de inversiones.", "initiatives"),
            plan_stat("Iniciativas terminadas", "Iniciativas con 100 % de avance físico.", "done",
                      steps=thresholds((None, "green"))),
            barchart("Avance por eje estratégico", "Avance planificado y físico de cada eje del plan.",
                     sql("""
                         SELECT group_name,
                                planned_progress_pct,
                                physical_progress_pct
                         FROM scorecard.rollup
                         WHERE level = 'axis'
                         ORDER BY group_code
                     """, "group_name", "planned_progress_pct", "physical_progress_pct"),
                     x_field="group_name", unit=PERCENT, horizontal=True, bounds=(0, 100),
                     names={"group_name": "Eje estratégico"}),
            barchart("Avance por territorio", "Avance planificado y físico de cada territorio de la comuna.",
                     PROGRESS_BY_TERRITORY, x_field="group_name", unit=PERCENT, bounds=(0, 100),
                     names={"group_name": "Territorio"}),
            s_curve("Curva S del plan", S_CURVE_HELP, "level = 'plan'", width=24),
            table("Iniciativas del plan", "Cada iniciativa con su territorio, su estado y su avance.",
                  sql("""
                      SELECT initiative_code,
                             name,
                             territory_name,
                             status_label,
                             physical_progress_pct,
                             budget_clp
                      FROM scorecard.initiative
                      ORDER BY initiative_code
                  """, "initiative_code", "name", "territory_name", "status_label", "physical_progress_pct",
                      "budget_clp"),
                  names={"name": "Iniciativa"}, width=12, height=16),
            geomap("Mapa de las iniciativas", "Cada iniciativa en su sitio (o en su localidad), coloreada según su "
                   "estado, sobre los territorios de la comuna.",
                   [INITIATIVE_MARKERS],
                   [geojson_layer("Territorios", "territorios", colour="#8AB8FF", opacity=0.15, label="nombre"),
                    initiatives_layer()],
                   width=12, height=16),
        ],
        refresh="15m",
        public=True,
    )


BOARDS = (cuadro_mando, departamento, iniciativa, territorio, alertas, auditoria, operacion, publico)


def boards() -> list[Board]:
    return [build() for build in BOARDS]


def build_all() -> dict[str, dict[str, Any]]:
    """File name → dashboard, for every board."""
    return {f"{board.uid}.json": board.render() for board in boards()}


def contracts() -> dict[str, Any]:
    """Dashboard uid → panel id → its title, datasource uid and the columns each query returns."""
    return {board.uid: board.contracts() for board in boards()}


def dumps(document: Any) -> str:
    """The committed form: sorted keys, indent 2, UTF-8 as is, trailing newline."""
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write(directory: Path = DASHBOARDS_DIR, contracts_file: Path = CONTRACTS_FILE) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    generated = build_all()
    for stale in directory.glob("*.json"):
        if stale.name not in generated:
            stale.unlink()
    written = []
    for name, dashboard in generated.items():
        path = directory / name
        path.write_text(dumps(dashboard), encoding="utf-8")
        written.append(path)
    contracts_file.write_text(dumps(contracts()), encoding="utf-8")
    written.append(contracts_file)
    return written


def main() -> int:
    for path in write():
        print(path.relative_to(HERE.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
