"""What Grafana would do with the provisioned boards, without Grafana: every SQL panel query runs
against the real PostgreSQL (sample plan loaded, updates applied) and returns the columns and types
its panel expects; every PromQL expression passes promtool and is answered by a real Prometheus
scraping the real services; the public board never returns personal data."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
import pytest

from shared.db import set_role_password
from tests.conftest import ROOT, free_port
from tests.integration.conftest import post_progress
from tests.integration.probes import eventually, progress_update

pytestmark = pytest.mark.integration

DASHBOARDS = ROOT / "grafana" / "dashboards"
CONTRACTS = json.loads((ROOT / "grafana" / "panel-contracts.json").read_text(encoding="utf-8"))
DATASOURCE_ROLES = {"pladeco-postgres": "scorecard_reader", "pladeco-postgres-public": "public_reader"}
"""The role each provisioned SQL datasource logs in as (grafana/provisioning/datasources/)."""
SAMPLE_VALUES = {"departamento": "DOM", "iniciativa": "INI-001", "territorio": "PUTRE-MEDIO"}
NUMBER_TYPES = {"int2", "int4", "int8", "numeric", "float4", "float8"}
TIME_TYPES = {"date", "timestamp", "timestamptz"}
STRING_TYPES = {"text", "varchar", "bpchar", "name", "uuid", "jsonb", "json"}


def panels(dashboard: dict) -> list[dict]:
    found = []
    for panel in dashboard.get("panels", []):
        found.append(panel)
        found.extend(panel.get("panels", []))
    return found


def sql_targets() -> list[tuple[str, str, str, str]]:
    targets = []
    for path in sorted(DASHBOARDS.glob("*.json")):
        board = json.loads(path.read_text(encoding="utf-8"))
        for panel in panels(board):
            for target in panel.get("targets", []):
                if "rawSql" in target:
                    targets.append((board["uid"], str(panel["id"]), target.get("refId", "A"), target["rawSql"]))
    return targets


def executable(sql: str) -> str:
    """The query as Grafana would send it: variables and the time-filter macro filled in."""
    sql = re.sub(r"\$__timeFilter\(([^)]+)\)", r"(\1 BETWEEN '2020-01-01' AND '2030-01-01')", sql)
    for name, value in SAMPLE_VALUES.items():
        sql = re.sub(r"\$\{" + name + r"(:[a-z]+)?\}|\$" + name + r"\b", value, sql)
    assert "$" not in sql.replace("$$", ""), f"unreplaced variable or macro in: {sql}"
    return sql


def kind_of(pg_type: str) -> str:
    if pg_type in NUMBER_TYPES:
        return "number"
    if pg_type in TIME_TYPES:
        return "time"
    if pg_type == "bool":
        return "boolean"
    return "string"




async def test_every_sql_panel_returns_the_columns_and_types_it_expects(db, database_url, sample_plan, services,
                                                                      api_key):
    # Some updates through the real pipeline, so that figures, S-curves and histories have rows.
    ingest = services("ingest")
    services("indicators")
    key = await api_key("daem", ["DAEM"])
    batch = [progress_update(code, as_of=as_of, physical_progress_pct=pct)
             for code in ("INI-010", "INI-011") for as_of, pct in (("2022-01-31", 20.0), ("2022-06-30", 45.0))]
    assert post_progress(ingest, batch, key).status_code in (200, 202)
    await eventually(lambda: db.fetchval("SELECT count(*) FROM scorecard.initiative_monthly WHERE "
                                         "initiative_code = 'INI-010' AND physical_progress_pct IS NOT NULL"),
                     what="figures of the posted updates")
    targets = sql_targets()
    assert len(targets) >= 20, "the boards have their SQL panels"
    problems = []
    # Each query runs as the role its datasource logs in as (migration 0013), as Grafana would.
    readers = {}
    async with db.acquire() as owner:
        for uid, role in DATASOURCE_ROLES.items():
            password = secrets.token_hex(16)
            await set_role_password(owner, role, password)
            readers[uid] = await asyncpg.connect(
                re.sub(r"^(postgres(?:ql)?://)[^@/]*@", rf"\g<1>{role}:{password}@", database_url))
    async with db.acquire() as connection:
        for uid, panel_id, ref_id, sql in targets:
            contract = CONTRACTS[uid][panel_id]
            expected = next(q for q in contract["queries"] if q["refId"] == ref_id)["columns"]
            reader = readers[contract["datasource"]]
            try:
                statement = await reader.prepare(executable(sql))
                rows = await statement.fetch()
            except Exception as error:  # noqa: BLE001 - report every broken query at once
                problems.append(f"{uid} panel {panel_id} ({contract['title']}): {error}")
                continue
            got = {attribute.name: kind_of(attribute.type.name) for attribute in statement.get_attributes()}
            if got != expected:
                problems.append(f"{uid} panel {panel_id} ({contract['title']}): columns {got}, expected {expected}")
            if uid == "pladeco-publico":
                text = json.dumps([dict(r) for r in rows], default=str)
                if "@" in text:
                    problems.append(f"public board panel {panel_id} returns an e-mail address")
                officers = [name for (name,) in await connection.fetch("SELECT DISTINCT name FROM initiative_officer")]
                leaked = [name for name in officers if name in text]
                if leaked:
                    problems.append(f"public board panel {panel_id} returns officers' names: {leaked[:3]}")
    for reader in readers.values():
        await reader.close()
    assert problems == []


def prometheus_targets() -> list[tuple[str, str, str]]:
    exprs = []
    for path in sorted(DASHBOARDS.glob("*.json")):
        board = json.loads(path.read_text(encoding="utf-8"))
        for panel in panels(board):
            for target in panel.get("targets", []):
                if "expr" in target:
                    exprs.append((board["uid"], str(panel["id"]), target["expr"]))
    return exprs


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool (Debian package prometheus) is not installed")
def test_every_promql_expression_passes_promtool(tmp_path: Path):
    exprs = prometheus_targets()
    assert exprs, "the operations board has PromQL panels"
    rules = {"groups": [{"name": "boards", "rules": [
        {"record": f"board:check:{i}", "expr": expr.replace("$__rate_interval", "5m").replace("$__interval", "1m")}
        for i, (_, _, expr) in enumerate(exprs)]}]}
    path = tmp_path / "boards.rules.yml"
    path.write_text(json.dumps(rules), encoding="utf-8")
    checked = subprocess.run(["promtool", "check", "rules", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.skipif(shutil.which("prometheus") is None, reason="prometheus (Debian package) is not installed")
async def test_prometheus_scraping_the_real_services_answers_every_board_expression(services, api_key, sample_plan, tmp_path):
    ingest = services("ingest")
    running = {"ingest": ingest, "indicators": services("indicators"), "alerts": services("alerts"),
               "notifier": services("notifier")}
    key = await api_key("daem", ["DAEM"])
    post_progress(ingest, progress_update("INI-012", as_of="2021-05-31"), key)
    post_progress(ingest, {"event_id": str(uuid.uuid4())}, key)  # a rejection, for the error panels
    # The deployment's scrape job, pointed at this test's services.
    config = {"global": {"scrape_interval": "1s", "evaluation_interval": "1s"}, "scrape_configs": [
        {"job_name": "pladeco", "metrics_path": "/metrics", "static_configs": [
            {"targets": [f"127.0.0.1:{service.port}"], "labels": {"service": name}}
            for name, service in running.items()]}]}
    (tmp_path / "prometheus.yml").write_text(json.dumps(config), encoding="utf-8")
    port = free_port()
    prometheus = subprocess.Popen(
        ["prometheus", f"--config.file={tmp_path / 'prometheus.yml'}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
         f"--web.listen-address=127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        api = f"http://127.0.0.1:{port}/api/v1/query"

        async def scraped():
            try:
                answer = httpx.get(api, params={"query": 'up == 1'}, timeout=5)
            except httpx.HTTPError:
                return False
            # 503 while Prometheus opens its storage
            return answer.status_code == 200 and len(answer.json()["data"]["result"]) == len(running)

        await eventually(scraped, timeout_s=60, what="Prometheus scraping the four services")
        time.sleep(6)  # enough samples for rate() over the panels' windows
        problems, empty = [], []
        for uid, panel_id, expr in prometheus_targets():
            query = expr.replace("$__rate_interval", "1m").replace("$__interval", "15s")
            answer = httpx.get(api, params={"query": query}, timeout=10).json()
            if answer["status"] != "success":
                problems.append(f"{uid} panel {panel_id}: {answer.get('error')}")
            elif not answer["data"]["result"]:
                empty.append(expr)
        assert problems == []
        # Counters of events that happened in this test must be there; some (dead letters,
        # failed notifications) may rightly be empty.
        answered = len(prometheus_targets()) - len(empty)
        assert answered >= len(prometheus_targets()) // 2, f"too many empty answers: {empty}"
    finally:
        prometheus.terminate()
        prometheus.wait(10)
