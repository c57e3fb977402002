"""The plan travels as events through the real broker into the catalogue, and comes back out.

A planner validates the sample plan, loads it with ``pladeco plan load`` (the real CLI, as a
process), exports it in both forms and gets the same content; a changed plan publishes exactly its
differences, and the catalogue keeps who changed what and why; a bad plan publishes nothing.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from shared.events import DeadLetter, EventEnvelope, PlanRevised, decode_event
from shared.plan.files import check_plan_file, plan_yaml
from shared.plan.geo import LAYERS
from shared.plan.model import Plan
from shared.topics import DEAD_LETTER, PLAN
from tests.conftest import ROOT
from tests.integration.probes import eventually, produce, read_topic, topic_end
from tests.unit.plan.test_gis_layers import assert_valid_geojson

pytestmark = pytest.mark.integration

SAMPLE = ROOT / "data" / "putre-pladeco-2020-2025.yaml"


def pladeco(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args], env={**os.environ, **env}, cwd=ROOT,
        capture_output=True, text=True, timeout=180,
    )


def sample_document() -> dict[str, Any]:
    check = check_plan_file(SAMPLE)
    assert check.issues == [], check.messages
    return check.plan.to_document()


def write_plan(document: dict[str, Any], path: Path) -> Path:
    path.write_text(plan_yaml(Plan.model_validate(document)), encoding="utf-8")
    return path


async def revisions_on_topic(bootstrap: str) -> list[Any]:
    events = [decode_event(record.value) for record in await read_topic(bootstrap, PLAN.name)]
    return [event for event in events if isinstance(event.payload, PlanRevised)]


def load(env, path: Path, *, actor: str, reason: str) -> subprocess.CompletedProcess:
    return pladeco(env, "plan", "load", str(path), "--actor", actor, "--reason", reason, "--wait", "90")


@pytest.fixture
def cli_env(service_env: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in service_env.items() if key != "PLADECO_STARTUP_TIMEOUT_S"}


async def test_the_sample_plan_loads_into_the_catalogue_and_exports_back_unchanged(
    services, cli_env, db, kafka, tmp_path: Path
):
    indicators = services("indicators")
    validated = pladeco(cli_env, "plan", "validate", str(SAMPLE))
    assert validated.returncode == 0, validated.stderr
    assert "es válido" in validated.stdout

    loaded = load(cli_env, SAMPLE, actor="secplan@muniputre.example", reason="Carga inicial del PLADECO")
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    document = sample_document()
    initiatives = await db.fetchval("SELECT count(*) FROM initiative")
    assert initiatives == len(document["iniciativas"])
    milestones = await db.fetchval("SELECT count(*) FROM milestone")
    assert milestones == sum(len(i["hitos"]) for i in document["iniciativas"])

    exported_yaml = tmp_path / "exportado.yaml"
    exported_xlsx = tmp_path / "exportado.xlsx"
    for fmt, path in (("yaml", exported_yaml), ("xlsx", exported_xlsx)):
        exported = pladeco(cli_env, "plan", "export", "--format", fmt, "--output", str(path))
        assert exported.returncode == 0, exported.stderr
    # Byte for byte, the YAML export is the canonical sample file.
    assert exported_yaml.read_text(encoding="utf-8").split("\nplan:", 1)[1] == \
        SAMPLE.read_text(encoding="utf-8").split("\nplan:", 1)[1]
    assert check_plan_file(exported_xlsx).plan.to_document() == document

    again = load(cli_env, exported_xlsx, actor="secplan@muniputre.example", reason="sin cambios")
    assert again.returncode == 0 and "Sin cambios" in again.stdout, again.stdout + again.stderr

    # The GIS layers are served from the catalogue as valid GeoJSON.
    listed = httpx.get(f"{indicators.url}/v1/gis", timeout=10).json()
    assert [entry["nombre"] for entry in listed["capas"]] == list(LAYERS)
    for name in LAYERS:
        answer = httpx.get(f"{indicators.url}/v1/gis/{name}.geojson", timeout=10)
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/geo+json"
        assert_valid_geojson(answer.json())
    initiatives_layer = httpx.get(f"{indicators.url}/v1/gis/plan-inversiones.geojson", timeout=10).json()
    assert len(initiatives_layer["features"]) == len(document["iniciativas"])
    assert httpx.get(f"{indicators.url}/v1/gis/catastro.geojson", timeout=10).status_code == 404


async def test_a_changed_plan_publishes_exactly_its_differences_with_who_and_why(
    services, cli_env, db, kafka, tmp_path: Path
):
    services("indicators")
    original = sample_document()
    first = load(cli_env, write_plan(original, tmp_path / "original.yaml"), actor="secplan@muniputre.example",
                 reason="Plan vigente")
    assert first.returncode == 0, first.stdout + first.stderr
    revision_before = await db.fetchval("SELECT revision FROM plan")

    changed = copy.deepcopy(original)
    initiative = changed["iniciativas"][0]
    indicator = next(i for i in changed["iniciativas"] if i["indicadores"])["indicadores"][0]
    moved_target = indicator["meta"] * 2 if indicator["sentido"] == "ascendente" else indicator["meta"] / 2
    indicator["meta"] = moved_target
    milestone = initiative["hitos"][0]
    milestone["fecha"] = initiative["termino"]
    removed = changed["iniciativas"].pop()
    path = write_plan(changed, tmp_path / "modificado.yaml")

    changed_load = load(cli_env, path, actor="concejo@muniputre.example", reason="Acuerdo de Concejo N° 45/2023")
    assert changed_load.returncode == 0, changed_load.stdout + changed_load.stderr

    revision = await db.fetchval("SELECT revision FROM plan")
    assert revision == revision_before + 1
    [event] = [e for e in await revisions_on_topic(kafka.bootstrap_servers) if e.payload.revision == revision]
    assert event.actor == "concejo@muniputre.example"
    removed_children = len(removed["hitos"]) + len(removed["indicadores"])
    got = sorted((c.change_type, c.code) for c in event.payload.changes)
    expected = sorted(
        [("indicator.target_changed", indicator["codigo"]), ("milestone.rescheduled", milestone["codigo"]),
         ("initiative.removed", removed["codigo"])]
        + [("milestone.removed", m["codigo"]) for m in removed["hitos"]]
        + [("indicator.removed", i["codigo"]) for i in removed["indicadores"]]
    )
    assert got == expected and len(got) == 3 + removed_children

    # The catalogue shows the new state ...
    assert await db.fetchval("SELECT target FROM indicator WHERE code = $1", indicator["codigo"]) == moved_target
    assert await db.fetchval("SELECT count(*) FROM initiative WHERE code = $1", removed["codigo"]) == 0
    assert await db.fetchval("SELECT count(*) FROM milestone WHERE initiative_code = $1", removed["codigo"]) == 0
    # ... and its history: when the target moved, from what to what, by whom and why.
    history = await db.fetchrow(
        """
        SELECT c.fields, r.actor, r.reason FROM plan_change c
        JOIN plan_revision r USING (plan_code, revision)
        WHERE c.change_type = 'indicator.target_changed' AND c.code = $1 AND c.revision = $2
        """,
        indicator["codigo"], revision,
    )
    assert json.loads(history["fields"])["meta"] == {"before": original_target(original, indicator["codigo"]),
                                                    "after": moved_target}
    assert (history["actor"], history["reason"]) == ("concejo@muniputre.example", "Acuerdo de Concejo N° 45/2023")

    restored = load(cli_env, write_plan(original, tmp_path / "original.yaml"), actor="secplan@muniputre.example",
                    reason="Vuelve al plan vigente")
    assert restored.returncode == 0, restored.stdout + restored.stderr


def original_target(document: dict[str, Any], code: str) -> float:
    return next(i["meta"] for ini in document["iniciativas"] for i in ini["indicadores"] if i["codigo"] == code)


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (lambda d: d["iniciativas"][0].pop("presupuesto_clp"), "presupuesto_clp: falta este dato"),
        (lambda d: d["iniciativas"][0].update(unidad_responsable="NO-EXISTE"), "el departamento «NO-EXISTE» no existe"),
        (lambda d: d["iniciativas"][0].update(termino="2019-01-01"), "es anterior al inicio"),
        (lambda d: d["iniciativas"][1].update(codigo=d["iniciativas"][0]["codigo"]), "está repetido"),
        (lambda d: d["localidades"][0].update(latitud=-33.45), "quedan fuera de la comuna"),
        (lambda d: d["iniciativas"][0]["indicadores"].__setitem__(0, {**d["iniciativas"][0]["indicadores"][0], "meta": "alta"})
         if d["iniciativas"][0]["indicadores"] else None, "debe ser un número"),
        (lambda d: d["iniciativas"][0].update(predecesoras=[d["iniciativas"][0]["codigo"]]), "predecesora de sí misma"),
    ],
    ids=["missing-field", "unknown-department", "end-before-start", "duplicate-code", "outside-commune",
         "non-numeric-target", "self-predecessor"],
)
async def test_a_bad_plan_names_the_place_and_publishes_nothing(cli_env, kafka, tmp_path: Path, breakage, expected):
    document = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    breakage(document)
    path = tmp_path / "malo.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    before = await topic_end(kafka.bootstrap_servers, PLAN.name)

    result = load(cli_env, path, actor="secplan@muniputre.example", reason="prueba")

    assert result.returncode == 1
    assert expected in result.stderr
    assert f"{path}, línea " in result.stderr, "the error names the file and line"
    assert "no se cargó nada" in result.stderr
    assert await topic_end(kafka.bootstrap_servers, PLAN.name) == before


async def test_a_revision_computed_against_an_old_base_is_refused_whole(services, cli_env, db, kafka, tmp_path):
    services("indicators")
    loaded = load(cli_env, SAMPLE, actor="secplan@muniputre.example", reason="Plan vigente")
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    current = await db.fetchval("SELECT revision FROM plan")
    [latest] = [e for e in await revisions_on_topic(kafka.bootstrap_servers) if e.payload.revision == current]
    # Another planner's load, computed against revision 0, arrives after ours.
    stale_payload = latest.payload.model_copy(update={"revision": 1, "base_revision": 0, "reason": "carga antigua"})
    stale = EventEnvelope[PlanRevised](**{**dict(latest), "event_id": uuid.uuid4(), "payload": stale_payload})
    await produce(kafka.bootstrap_servers, PLAN.name, stale.to_wire(), key=stale.kafka_key())

    async def dead_letter():
        letters = [DeadLetter.model_validate_json(r.value) for r in await read_topic(kafka.bootstrap_servers, DEAD_LETTER.name)]
        return [letter for letter in letters if str(stale.event_id) in letter.original_value]

    [letter] = await eventually(dead_letter, what="the stale revision's dead letter")
    assert letter.reason_code == "stale_plan_revision"
    assert "load the plan again" in letter.reason
    assert await db.fetchval("SELECT revision FROM plan") == current
    assert await db.fetchval("SELECT count(*) FROM plan_revision WHERE event_id = $1", stale.event_id) == 0
