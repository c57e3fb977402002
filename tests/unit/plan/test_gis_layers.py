"""The GIS layers are valid GeoJSON that Grafana's Geomap can draw."""

from __future__ import annotations

import pytest
from shapely.geometry import shape

from shared.plan.geo import LAYERS, layer, point_in_ring
from shared.plan.model import Plan

SQUARE = [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0), (0.0, 0.0)]


@pytest.mark.parametrize(
    ("point", "inside"),
    [((1.0, 1.0), True), ((3.0, 1.0), False), ((1.0, -0.5), False), ((1.999, 1.999), True)],
)
def test_point_in_ring(point, inside):
    assert point_in_ring(point, SQUARE) is inside


def test_a_point_on_the_edge_counts_only_when_asked():
    assert point_in_ring((2.0, 1.0), SQUARE) is False
    assert point_in_ring((2.0, 1.0), SQUARE, on_edge=True) is True


def assert_valid_geojson(collection: dict) -> None:
    assert collection["type"] == "FeatureCollection"
    ids = [feature["id"] for feature in collection["features"]]
    assert len(ids) == len(set(ids)), "feature ids are unique"
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        geometry = shape(feature["geometry"])
        assert geometry.is_valid, feature["id"]
        min_lon, min_lat, max_lon, max_lat = geometry.bounds
        assert -180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90
        if feature["geometry"]["type"] == "Polygon":
            ring = feature["geometry"]["coordinates"][0]
            assert ring[0] == ring[-1], "RFC 7946: a ring is closed"


def test_every_layer_of_the_small_plan_is_valid(plan_document):
    plan = Plan.model_validate(plan_document)
    for name in LAYERS:
        assert_valid_geojson(layer(plan, name))


def test_the_investment_plan_layer_puts_initiatives_at_their_locality(plan_document):
    plan = Plan.model_validate(plan_document)
    features = {f["id"]: f for f in layer(plan, "plan-inversiones")["features"]}
    assert features["INI-002"]["geometry"]["coordinates"] == [-69.599, -18.266]  # Socoroma
    assert features["INI-002"]["properties"]["eje"] == "EJE-1"


def test_the_image_objective_layer_lists_each_territory_objectives(plan_document):
    plan = Plan.model_validate(plan_document)
    features = {f["id"]: f for f in layer(plan, "imagen-objetivo")["features"]}
    assert features["PUTRE-ALTO"]["properties"]["objetivos"] == "Agua potable segura"
    assert features["PUTRE-ALTO"]["properties"]["cantidad_objetivos"] == 1


def test_layers_carry_no_personal_data(plan_document):
    plan = Plan.model_validate(plan_document)
    text = str([layer(plan, name) for name in LAYERS])
    assert "@" not in text and "Pedro Flores" not in text
