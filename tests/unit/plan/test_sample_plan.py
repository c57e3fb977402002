"""The sample Putre 2020–2025 plan in data/ is valid, complete and converts both ways unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.plan.files import check_plan_file, plan_yaml, write_workbook
from shared.plan.geo import LAYERS, layer
from shared.plan.model import IndicatorCategory, IndicatorDimension, InitiativeKind, Plan
from tests.conftest import ROOT
from tests.unit.plan.test_gis_layers import assert_valid_geojson

SAMPLE = ROOT / "data" / "putre-pladeco-2020-2025.yaml"
LOCALITIES = {"Putre", "Socoroma", "Zapahuira", "Chapiquiña", "Belén", "Tignámar", "Parinacota",
              "Chucuyo", "Caquena", "Guallatire"}


@pytest.fixture(scope="module")
def sample() -> Plan:
    check = check_plan_file(SAMPLE)
    assert check.messages == []
    return check.plan


def test_the_sample_file_is_in_canonical_form(sample: Plan):
    text = SAMPLE.read_text(encoding="utf-8")
    assert text.split("\nplan:", 1)[1] == plan_yaml(sample).split("\nplan:", 1)[1]


def test_the_sample_covers_the_whole_commune_and_plan(sample: Plan):
    initiatives = sample.initiatives
    assert 60 <= len(initiatives) <= 100
    assert 5 <= len(sample.axes) <= 7
    assert {d.code for d in sample.departments} == {i.responsible_unit for i in initiatives}
    assert {t.name.split(" (")[0] for t in sample.territories} == {"Putre Bajo", "Putre Medio", "Putre Alto"}
    assert {t.code for t in sample.territories} == {i.territory for i in initiatives}
    assert {loc.name for loc in sample.localities} == LOCALITIES
    assert {loc.code for loc in sample.localities} == {i.locality for i in initiatives}
    assert {s.code for s in sample.funding_sources} == {f.source for i in initiatives for f in i.funding}
    assert {i.kind for i in initiatives} == set(InitiativeKind)
    indicators = [indicator for i in initiatives for indicator in i.indicators]
    assert {i.category for i in indicators} == set(IndicatorCategory)
    assert {i.dimension for i in indicators} == set(IndicatorDimension)
    assert all(i.milestones for i in initiatives)
    assert any(i.predecessors for i in initiatives)
    assert {p.territory for p in sample.problems} == {t.code for t in sample.territories}


def test_the_sample_converts_to_a_workbook_and_back_without_loss(sample: Plan, tmp_path: Path):
    path = tmp_path / "plan.xlsx"
    write_workbook(sample, path)
    check = check_plan_file(path)
    assert check.messages == []
    assert check.plan.to_document() == sample.to_document()


def test_every_layer_of_the_sample_is_valid_geojson(sample: Plan):
    from shapely.geometry import shape

    for name in LAYERS:
        assert_valid_geojson(layer(sample, name))
    territories = [shape(f["geometry"]) for f in layer(sample, "territorios")["features"]]
    for i, first in enumerate(territories):
        for second in territories[i + 1:]:
            assert first.intersection(second).area < 1e-9, "territories do not overlap"
