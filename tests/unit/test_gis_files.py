"""The GIS layer files Grafana loads (grafana/gis/) are those of the sample plan, regenerated."""

from __future__ import annotations

import json

from shared.plan.files import check_plan_file
from shared.plan.geo import LAYERS, layer
from tests.conftest import ROOT


def test_the_committed_layer_files_match_the_sample_plan():
    plan = check_plan_file(ROOT / "data" / "putre-pladeco-2020-2025.yaml").plan
    for name in LAYERS:
        committed = json.loads((ROOT / "grafana" / "gis" / f"{name}.geojson").read_text(encoding="utf-8"))
        assert committed == layer(plan, name), f"regenerate: pladeco plan gis --output grafana/gis --from data/… ({name})"
