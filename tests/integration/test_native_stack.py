"""The README's run command: `deploy/stack.sh up` brings up Kafka, PostgreSQL, the four services
and Prometheus (which scrapes them all); `down` stops every process `up` started."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time

import httpx
import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.integration

SERVICE_PORTS = {"ingest": 8001, "indicators": 8002, "alerts": 8003, "notifier": 8004, "portal": 8005}
PROMETHEUS_PORT = 9090


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def stack(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ROOT / "deploy" / "stack.sh"), command], env=env,
                          capture_output=True, text=True, timeout=300)


def targets_health() -> dict[str, str]:
    answer = httpx.get(f"http://127.0.0.1:{PROMETHEUS_PORT}/api/v1/targets", timeout=5).json()
    return {
        target["labels"].get("service", target["labels"]["job"]): target["health"]
        for target in answer["data"]["activeTargets"]
    }


def test_the_demo_fills_the_scorecard_sends_e_mail_and_down_leaves_nothing_running():
    busy = [port for port in [*SERVICE_PORTS.values(), PROMETHEUS_PORT] if port_open(port)]
    if busy:
        pytest.skip(f"ports {busy} are in use (is the demo stack running?)")
    var_dir = ROOT / "var" / "stack-test"
    shutil.rmtree(var_dir, ignore_errors=True)
    env = {**os.environ, "PLADECO_VAR_DIR": str(var_dir), "PLADECO_KAFKA_PORT": "29092",
           "PLADECO_KAFKA_CONTROLLER_PORT": "29093", "PLADECO_PG_PORT": "25432", "PLADECO_SMTP_PORT": "21025"}
    for name in ("PLADECO_KAFKA_BOOTSTRAP_SERVERS", "PLADECO_DATABASE_URL"):
        env.pop(name, None)

    # The README's run command: the stack, the sample plan, a simulated history, alerts, e-mail.
    up = subprocess.run([str(ROOT / "deploy" / "demo.sh")], env=env, capture_output=True, text=True, timeout=600)
    try:
        assert up.returncode == 0, up.stderr[-3000:]
        assert "http://127.0.0.1:8005/" in up.stdout  # the demo prints the portal's URL
        mails = list((var_dir / "mail").glob("*.eml"))
        assert mails, "at least one e-mail in the catcher"
        database = "postgresql://pladeco:pladeco@127.0.0.1:25432/pladeco"
        progress = subprocess.run(
            ["psql", database, "-tAc", "SELECT physical_progress_pct FROM scorecard.rollup WHERE level = 'plan'"],
            capture_output=True, text=True, timeout=30)
        assert float(progress.stdout.strip()) > 10, progress.stdout + progress.stderr
        for name, port in SERVICE_PORTS.items():
            base = f"http://127.0.0.1:{port}"
            assert httpx.get(f"{base}/healthz").status_code == 200, name
            assert httpx.get(f"{base}/readyz").json()["checks"] == {"kafka": True, "database": True}
            assert "pladeco_service_info" in httpx.get(f"{base}/metrics").text, name
        deadline = time.monotonic() + 60
        while set(targets_health().values()) != {"up"} and time.monotonic() < deadline:
            time.sleep(1)
        assert targets_health() == {
            "prometheus": "up", "ingest": "up", "indicators": "up", "alerts": "up", "notifier": "up", "portal": "up",
        }
        pids = {path.stem: int(path.read_text()) for path in (var_dir / "run").glob("*.pid")}
        assert set(pids) == {"kafka", "postgres", "prometheus", "mailcatcher", *SERVICE_PORTS}
    finally:
        down = stack("down", env)
    assert down.returncode == 0, down.stderr
    assert [name for name, pid in pids.items() if pid_alive(pid)] == []
    assert [p for p in [*SERVICE_PORTS.values(), PROMETHEUS_PORT, 29092, 25432, 21025] if port_open(p)] == []
    assert list((var_dir / "run").glob("*.pid")) == []
