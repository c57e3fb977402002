"""The ingest service over the real broker and database: keys and their scope, batches and
duplicates, spreadsheets with mixed rows, and Kafka-speaking systems publishing with kcat."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from shared.events import DeadLetter, decode_event
from shared.topics import DEAD_LETTER, PROGRESS, PROGRESS_RAW
from tests.conftest import ROOT
from tests.integration.conftest import initiative_of, post_progress
from tests.integration.probes import event_id_of, eventually, progress_update, read_topic, topic_end

pytestmark = pytest.mark.integration


def pladeco(env: dict[str, str], *args: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli", *args], env={**os.environ, **env, **(extra_env or {})},
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.fixture
def cli_env(service_env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in service_env.items() if k != "PLADECO_STARTUP_TIMEOUT_S"}


async def events_on_progress(kafka, event_ids: set[str]) -> list:
    records = await read_topic(kafka.bootstrap_servers, PROGRESS.name)
    return [r for r in records if event_id_of(r.value) in event_ids]



async def test_a_batch_is_published_keyed_by_initiative_and_a_repeat_is_answered_as_duplicates(
    services, kafka, api_key, sample_plan
):
    ingest = services("ingest")
    key = await api_key("daem", ["DAEM"])
    daem = [i["codigo"] for i in sample_plan["iniciativas"] if i["unidad_responsable"] == "DAEM"][:3]
    batch = [progress_update(code, as_of="2023-04-30") for code in daem]

    first = post_progress(ingest, batch, key)
    again = post_progress(ingest, batch, key)

    assert first.status_code == 202 and first.json()["accepted"] == 3, first.text
    assert again.status_code == 200 and again.json() == {**again.json(), "status": "duplicate", "duplicates": 3}
    on_topic = await events_on_progress(kafka, {u["event_id"] for u in batch})
    assert sorted((r.key.decode(), event_id_of(r.value)) for r in on_topic) == \
        sorted((u["initiative_code"], u["event_id"]) for u in batch), "each once, keyed by its initiative"


async def test_keys_created_listed_and_revoked_with_the_cli_and_never_logged(
    services, cli_env, kafka, sample_plan
):
    ingest = services("ingest")
    created = pladeco(cli_env, "keys", "create", "--source-system", "sistema-obras", "--unit", "DOM",
                      "--actor", "informatica@muniputre.example")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    key_id = token.split(".")[1]
    dom = initiative_of(sample_plan, "DOM")["codigo"]
    didecos = initiative_of(sample_plan, "DIDECO")["codigo"]

    accepted = post_progress(ingest, progress_update(dom), token)
    foreign = post_progress(ingest, progress_update(didecos), token)
    listed = pladeco(cli_env, "keys", "list")

    assert accepted.status_code == 202, accepted.text
    assert foreign.status_code == 403
    assert foreign.json()["errors"][0]["code"] == "out_of_scope"
    assert key_id in listed.stdout and token.split(".")[2] not in listed.stdout

    revoked = pladeco(cli_env, "keys", "revoke", key_id, "--actor", "informatica@muniputre.example")
    assert revoked.returncode == 0, revoked.stderr
    assert post_progress(ingest, progress_update(dom), token).status_code == 401
    ingest.stop()
    assert token.split(".")[2] not in ingest.logs(), "the secret never reaches the logs"


SHEET = """iniciativa;fecha;avance_fisico_pct;gasto_acumulado_clp;indicador;valor;hito;estado_hito;fecha_hito;informante
{ok1};31-03-2023;25,5;$12.000.000;;;;;;planilla dom
{ok2};30/04/2023;40;;;;;;;planilla dom
{ok1};30-04-2023;cuarenta;;;;;;;planilla dom
{unknown};30-04-2023;10;;;;;;;planilla dom
{ok1};30-04-2023;30;;{foreign_indicator};4;;;;planilla dom
{ok2};31-05-2023;140;;;;;;;planilla dom
"""


async def test_a_spreadsheet_with_mixed_rows_gets_a_row_by_row_report(
    services, cli_env, kafka, api_key, sample_plan, tmp_path: Path
):
    ingest = services("ingest")
    key = await api_key("dom", ["DOM"])
    dom = [i for i in sample_plan["iniciativas"] if i["unidad_responsable"] == "DOM"]
    other = next(i for i in sample_plan["iniciativas"] if i["unidad_responsable"] != "DOM")
    sheet = tmp_path / "avances-dom.csv"
    sheet.write_text(SHEET.format(ok1=dom[0]["codigo"], ok2=dom[1]["codigo"], unknown="INI-999",
                                  foreign_indicator=other["indicadores"][0]["codigo"]), encoding="utf-8")
    env = {"PLADECO_API_KEY": key, "PLADECO_INGEST_URL": ingest.url}
    before = await topic_end(kafka.bootstrap_servers, PROGRESS.name)

    strict = pladeco(cli_env, "progress", "import", str(sheet), extra_env=env)

    assert strict.returncode == 1
    report = strict.stderr.splitlines()
    assert f"{sheet}, fila 4, columna «avance_fisico_pct»: debe ser un número, no 'cuarenta'" in report
    assert any(line.startswith(f"{sheet}, fila 5, columna «iniciativa»: la iniciativa INI-999 no existe") for line in report)
    assert any(line.startswith(f"{sheet}, fila 6, columna «indicador»: el indicador") for line in report)
    assert any(line.startswith(f"{sheet}, fila 7, columna «avance_fisico_pct»: debe estar entre 0 y 100") for line in report)
    assert "No se registró ninguna fila" in strict.stdout
    assert await topic_end(kafka.bootstrap_servers, PROGRESS.name) == before, "all or nothing: nothing published"

    lenient = pladeco(cli_env, "progress", "import", str(sheet), "--mode", "valid_rows", extra_env=env)

    assert lenient.returncode == 1  # some rows were refused
    assert "2 aceptadas, 0 ya recibidas antes, 4 con errores" in lenient.stdout
    assert await topic_end(kafka.bootstrap_servers, PROGRESS.name) == before + 2

    again = pladeco(cli_env, "progress", "import", str(sheet), "--mode", "valid_rows", extra_env=env)
    assert "0 aceptadas, 2 ya recibidas antes, 4 con errores" in again.stdout, "same file, same rows: duplicates"
    assert await topic_end(kafka.bootstrap_servers, PROGRESS.name) == before + 2


@pytest.mark.skipif(shutil.which("kcat") is None, reason="kcat (Debian package kcat) is not installed")
async def test_kcat_publishes_raw_events_valid_ones_flow_on_invalid_ones_are_dead_lettered(
    services, kafka, sample_plan
):
    services("ingest")
    code = sample_plan["iniciativas"][0]["codigo"]
    valid = progress_update(code, as_of="2023-02-28", physical_progress_pct=12.0)
    out_of_range = progress_update(code, physical_progress_pct=250)
    unknown = progress_update("INI-999")
    not_json = "esto no es json " + uuid.uuid4().hex
    lines = [json.dumps(valid), json.dumps(out_of_range), json.dumps(unknown), not_json]

    produced = subprocess.run(
        ["kcat", "-b", kafka.bootstrap_servers, "-t", PROGRESS_RAW.name, "-P", "-k", code,
         "-H", "source-system=sistema-contable"],
        input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=60,
    )
    assert produced.returncode == 0, produced.stderr

    [record] = await eventually(lambda: events_on_progress(kafka, {valid["event_id"]}), what="the valid raw event")
    event = decode_event(record.value)
    assert record.key == code.encode() and event.source_system == "sistema-contable"

    async def letters():
        found = {}
        for r in await read_topic(kafka.bootstrap_servers, DEAD_LETTER.name):
            letter = DeadLetter.model_validate_json(r.value)
            for name, line in (("range", lines[1]), ("unknown", lines[2]), ("json", lines[3])):
                if letter.original_value == line:
                    found[name] = letter
        return found if len(found) == 3 else None

    found = await eventually(letters, what="the three dead letters")
    assert found["range"].reason_code == "out_of_range"
    assert found["unknown"].reason_code == "unknown_initiative"
    assert found["json"].reason_code == "invalid_json"
    assert {letter.source_topic for letter in found.values()} == {PROGRESS_RAW.name}
    assert all(letter.source_offset >= 0 and letter.consumer == "pladeco-ingest-raw" for letter in found.values())
    assert not await events_on_progress(kafka, {out_of_range["event_id"], unknown["event_id"]})


async def test_keys_of_each_role_created_with_the_cli_open_only_their_doors(services, cli_env, sample_plan):
    import httpx

    ingest = services("ingest")
    alerts = services("alerts")
    tokens = {}
    for role in ("manager", "auditor", "admin"):
        created = pladeco(cli_env, "keys", "create", "--role", role, "--source-system", f"consola-{role}",
                          "--actor", "informatica@muniputre.example")
        assert created.returncode == 0, created.stderr
        assert f"role {role}" in created.stderr
        tokens[role] = created.stdout.strip()
    scoped = pladeco(cli_env, "keys", "create", "--role", "manager", "--unit", "DOM", "--source-system", "x",
                     "--actor", "informatica@muniputre.example")
    assert scoped.returncode == 2 and "not scoped to units" in scoped.stderr
    listed = pladeco(cli_env, "keys", "list")
    assert all(f"consola-{role}" in listed.stdout for role in tokens)

    for role, token in tokens.items():
        # Every one of these roles may read the open alerts (docs/security.md) ...
        answer = httpx.get(f"{alerts.url}/v1/alerts", headers={"authorization": f"Bearer {token}"}, timeout=10)
        assert answer.status_code == 200, (role, answer.text)
        # ... and only the administrator may also report progress (shared/auth.py's matrix).
        answer = post_progress(ingest, progress_update(initiative_of(sample_plan, "DOM")["codigo"]), token)
        if role == "admin":
            assert answer.status_code == 202, answer.text
        else:
            assert answer.status_code == 403 and answer.json()["errors"][0]["code"] == "role_not_allowed", (role,
                                                                                                           answer.text)
