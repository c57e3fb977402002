"""Queries and panels: each SQL query with the columns it returns (``Sql``, the panel contract), and
one builder per kind of panel (stat, table, time series, bar and pie charts, text, geomap)."""

from __future__ import annotations

from dataclasses import dataclass, field
from textwrap import dedent
from typing import Any

from grafana.vocabulary import (
    COLOURED_CELLS,
    DECIMALS,
    GIS_DIR,
    KINDS,
    LABELS,
    MAPPINGS,
    POSTGRES,
    PROMETHEUS,
    THRESHOLDS,
    UNITS,
    thresholds,
)

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
