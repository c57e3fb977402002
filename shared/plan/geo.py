"""The plan's GIS layers as GeoJSON (RFC 7946), one per planning stage of the seed.

- ``territorios``: the three territories as polygons (stage 1, participation units);
- ``localidades``: villages as points;
- ``diagnostico``: the prioritised problems per territory, at their locality (stage 1);
- ``imagen-objetivo``: the strategic objectives each territory is aimed at (stage 2);
- ``plan-inversiones``: the initiatives of the investment plan, at their site (stage 3).

Coordinates are WGS84 (longitude, latitude). Grafana's Geomap loads polygon layers as files and
draws point layers from queries, so both forms are served (see docs/gis.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared.plan.model import Plan

LAYERS = ("territorios", "localidades", "diagnostico", "imagen-objetivo", "plan-inversiones")

Point = tuple[float, float]


def point_in_ring(point: Point, ring: Sequence[Point], *, on_edge: bool = False) -> bool:
    """Whether (lon, lat) lies inside a closed ring (even–odd rule); points on an edge count as
    inside only when ``on_edge``."""
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        if _on_segment(x, y, x1, y1, x2, y2):
            return on_edge
        if (y1 > y) != (y2 > y):
            crossing = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if x < crossing:
                inside = not inside
    return inside


def _on_segment(x: float, y: float, x1: float, y1: float, x2: float, y2: float) -> bool:
    cross = (x - x1) * (y2 - y1) - (y - y1) * (x2 - x1)
    if abs(cross) > 1e-12:
        return False
    return min(x1, x2) - 1e-12 <= x <= max(x1, x2) + 1e-12 and min(y1, y2) - 1e-12 <= y <= max(y1, y2) + 1e-12


def layer(plan: Plan, name: str) -> dict[str, Any]:
    """One layer as a FeatureCollection."""
    builders = {
        "territorios": _territories,
        "localidades": _localities,
        "diagnostico": _diagnosis,
        "imagen-objetivo": _image_objective,
        "plan-inversiones": _investment_plan,
    }
    if name not in builders:
        raise KeyError(f"unknown layer {name!r}; layers: {', '.join(LAYERS)}")
    return {"type": "FeatureCollection", "name": name, "features": builders[name](plan)}


def _feature(code: str, geometry: dict[str, Any], properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "id": code, "geometry": geometry, "properties": {"codigo": code, **properties}}


def _polygon(ring: Sequence[Point]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[list(point) for point in ring]]}


def _point(longitude: float, latitude: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [longitude, latitude]}


def _territories(plan: Plan) -> list[dict[str, Any]]:
    localities = _localities_by_territory(plan)
    return [
        _feature(t.code, _polygon(t.boundary), {"nombre": t.name, "localidades": ", ".join(localities.get(t.code, []))})
        for t in plan.territories
    ]


def _localities_by_territory(plan: Plan) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for locality in plan.localities:
        grouped.setdefault(locality.territory, []).append(locality.name)
    return grouped


def _localities(plan: Plan) -> list[dict[str, Any]]:
    return [
        _feature(l.code, _point(l.longitude, l.latitude), {"nombre": l.name, "territorio": l.territory})
        for l in plan.localities
    ]


def _diagnosis(plan: Plan) -> list[dict[str, Any]]:
    localities = {l.code: l for l in plan.localities}
    centroids = {t.code: _centroid(t.boundary) for t in plan.territories}
    features = []
    for problem in plan.problems:
        site = localities.get(problem.locality or "")
        point = (site.longitude, site.latitude) if site else centroids[problem.territory]
        features.append(
            _feature(
                problem.code,
                _point(*point),
                {
                    "tema": problem.theme,
                    "descripcion": problem.description,
                    "severidad": problem.severity,
                    "prioridad": problem.priority,
                    "territorio": problem.territory,
                    "localidad": problem.locality,
                },
            )
        )
    return features


def _image_objective(plan: Plan) -> list[dict[str, Any]]:
    axes = {a.code: a.name for a in plan.axes}
    features = []
    for territory in plan.territories:
        aimed = [o for o in plan.objectives if territory.code in o.territories]
        features.append(
            _feature(
                territory.code,
                _polygon(territory.boundary),
                {
                    "nombre": territory.name,
                    "objetivos": " · ".join(o.name for o in aimed),
                    "ejes": ", ".join(sorted({axes.get(o.axis, o.axis) for o in aimed})),
                    "cantidad_objetivos": len(aimed),
                },
            )
        )
    return features


def _investment_plan(plan: Plan) -> list[dict[str, Any]]:
    localities = {l.code: l for l in plan.localities}
    programmes = {p.code: p for p in plan.programmes}
    objectives = {o.code: o for o in plan.objectives}
    features = []
    for initiative in plan.initiatives:
        longitude, latitude = initiative_site(initiative, localities)
        programme = programmes.get(initiative.programme)
        objective = objectives.get(programme.objective) if programme else None
        features.append(
            _feature(
                initiative.code,
                _point(longitude, latitude),
                {
                    "nombre": initiative.name,
                    "tipo": initiative.kind.value,
                    "eje": objective.axis if objective else None,
                    "programa": initiative.programme,
                    "unidad_responsable": initiative.responsible_unit,
                    "territorio": initiative.territory,
                    "localidad": initiative.locality,
                    "presupuesto_clp": initiative.budget_clp,
                    "inicio": initiative.start.isoformat(),
                    "termino": initiative.end.isoformat(),
                },
            )
        )
    return features


def initiative_site(initiative: Any, localities: dict[str, Any]) -> Point:
    """Where an initiative is drawn: its own point when given, else its locality's."""
    if initiative.longitude is not None and initiative.latitude is not None:
        return initiative.longitude, initiative.latitude
    locality = localities[initiative.locality]
    return locality.longitude, locality.latitude


def _centroid(ring: Sequence[Point]) -> Point:
    points = list(ring[:-1]) if ring[0] == ring[-1] else list(ring)
    return (
        round(sum(p[0] for p in points) / len(points), 6),
        round(sum(p[1] for p in points) / len(points), 6),
    )
