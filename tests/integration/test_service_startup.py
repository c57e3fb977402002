"""Every service answers its operations endpoints, and refuses to start in one clear line when it
cannot: an unreachable broker or database, or a bad setting."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from tests.conftest import ROOT, free_port

pytestmark = pytest.mark.integration

SERVICES = ["ingest", "indicators", "alerts", "notifier"]


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_answers_health_readiness_and_metrics(services, name):
    service = services(name)

    assert httpx.get(f"{service.url}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{service.url}/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"kafka": True, "database": True}
    metrics = httpx.get(f"{service.url}/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    assert 'pladeco_service_info{title="PLADECO ' in metrics.text
    asyncapi = httpx.get(f"{service.url}/asyncapi.json").json()
    assert asyncapi["asyncapi"] == "3.0.0"
    assert asyncapi["info"]["title"] == f"PLADECO {name}"


def test_ingest_documents_the_progress_event_it_publishes_in_asyncapi(services):
    asyncapi = httpx.get(f"{services('ingest').url}/asyncapi.json").json()

    addresses = sorted(channel["address"] for channel in asyncapi["channels"].values())
    assert addresses == ["pladeco.progress", "pladeco.progress.raw"]
    envelope = asyncapi["components"]["schemas"]["EventEnvelope[ProgressReported]"]
    assert {"event_id", "event_type", "schema_version", "occurred_at", "recorded_at",
            "source_system", "actor", "payload"} <= set(envelope["properties"])


def run_service(name: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", "serve", name],
        env={**os.environ, "PLADECO_HTTP_PORT": str(free_port()), **env},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )


def assert_one_clear_line(result: subprocess.CompletedProcess[str], *, code: int, mentions: str):
    assert result.returncode == code, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert mentions in lines[0]
    assert "Traceback" not in result.stdout + result.stderr


def test_an_unreachable_broker_is_retried_then_reported_in_one_line(database_url):
    port = free_port()  # nothing listens there
    result = run_service(
        "indicators",
        PLADECO_KAFKA_BOOTSTRAP_SERVERS=f"127.0.0.1:{port}",
        PLADECO_DATABASE_URL=database_url,
        PLADECO_STARTUP_TIMEOUT_S="2",
    )
    assert_one_clear_line(result, code=3, mentions=f"cannot reach Kafka at 127.0.0.1:{port}")
    assert '"dependency_unavailable"' in result.stdout, "each retry is logged as JSON"


def test_an_unreachable_database_is_reported_in_one_line_without_its_password(kafka):
    port = free_port()
    result = run_service(
        "ingest",
        PLADECO_KAFKA_BOOTSTRAP_SERVERS=kafka.bootstrap_servers,
        PLADECO_DATABASE_URL=f"postgresql://pladeco:s3cret@127.0.0.1:{port}/pladeco",
        PLADECO_STARTUP_TIMEOUT_S="1",
    )
    assert_one_clear_line(result, code=3, mentions=f"cannot reach PostgreSQL at postgresql://pladeco:***@127.0.0.1:{port}/pladeco")
    assert "s3cret" not in result.stdout + result.stderr


def test_a_bad_setting_is_named_in_one_line():
    result = run_service("alerts", PLADECO_STARTUP_TIMEOUT_S="soon")
    assert_one_clear_line(result, code=2, mentions="PLADECO_STARTUP_TIMEOUT_S='soon'")


def test_a_database_without_the_migrations_is_refused(kafka, database_url):
    scratch = database_url.rsplit("/", 1)[0] + "/postgres"  # exists, but has no migrations applied
    result = run_service(
        "notifier",
        PLADECO_KAFKA_BOOTSTRAP_SERVERS=kafka.bootstrap_servers,
        PLADECO_DATABASE_URL=scratch,
        PLADECO_STARTUP_TIMEOUT_S="5",
        PLADECO_ALERTS_LINK_SECRET="x" * 32,
    )
    assert_one_clear_line(result, code=3, mentions="run `pladeco db migrate`")
