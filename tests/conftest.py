"""Shared fixtures: the real Kafka broker and PostgreSQL the integration tests run against.

Where they come from, in order:
1. ``KAFKA_BOOTSTRAP_SERVERS`` / ``DATABASE_URL`` when set (a CI with its own services);
2. testcontainers, when a Docker engine answers;
3. otherwise the project's own native scripts (deploy/kafka.sh, deploy/postgres.sh), started under
   var/test/ on ports that do not collide with the demo stack, wiped at the start of each session.

Only the native broker can be stopped and restarted by a test; tests that need that are skipped
when the broker is someone else's.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
TEST_VAR = ROOT / "var" / "test"
PORT_OFFSET = int(os.environ.get("PLADECO_TEST_PORT_OFFSET", "0"))
"""Added to the native test ports, so that two checkouts on one machine can run their suites at once."""
LINK_SECRET = secrets.token_hex(32)
"""The acknowledge-link secret the test session's alert service and notifier share."""
NATIVE_ENV = {
    "PLADECO_VAR_DIR": str(TEST_VAR),
    "PLADECO_KAFKA_PORT": str(19092 + PORT_OFFSET),
    "PLADECO_KAFKA_CONTROLLER_PORT": str(19093 + PORT_OFFSET),
    "PLADECO_PG_PORT": str(15432 + PORT_OFFSET),
}


def _docker_engine_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=2).ping()
        return True
    except Exception:
        return False


def _deploy(script: str, command: str) -> None:
    subprocess.run(
        [str(ROOT / "deploy" / script), command],
        env={**os.environ, **NATIVE_ENV},
        check=True,
        stdout=subprocess.DEVNULL,
    )


@dataclass
class Kafka:
    bootstrap_servers: str
    controllable: bool = False

    def stop(self) -> None:
        self._require_control()
        _deploy("kafka.sh", "stop")

    def start(self) -> None:
        self._require_control()
        _deploy("kafka.sh", "start")

    def _require_control(self) -> None:
        if not self.controllable:
            pytest.skip("this broker is not started by the tests, so they cannot restart it")


@pytest.fixture(scope="session")
def docker_available() -> bool:
    return _docker_engine_answers()


@pytest.fixture(scope="session")
def kafka(docker_available: bool) -> Iterator[Kafka]:
    from shared.topics import ensure_topics

    if servers := os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        broker = Kafka(servers)
        asyncio.run(ensure_topics(servers, replication_factor=1))
        yield broker
        return
    if docker_available:
        from testcontainers.kafka import KafkaContainer

        with KafkaContainer("apache/kafka:4.1.1").with_kraft() as container:
            broker = Kafka(container.get_bootstrap_server())
            asyncio.run(ensure_topics(broker.bootstrap_servers, replication_factor=1))
            yield broker
        return
    _deploy("kafka.sh", "stop")
    shutil.rmtree(TEST_VAR / "kafka", ignore_errors=True)
    _deploy("kafka.sh", "start")
    broker = Kafka(f"127.0.0.1:{NATIVE_ENV['PLADECO_KAFKA_PORT']}", controllable=True)
    asyncio.run(ensure_topics(broker.bootstrap_servers, replication_factor=1))
    try:
        yield broker
    finally:
        _deploy("kafka.sh", "stop")


@pytest.fixture(scope="session")
def database_url(docker_available: bool) -> Iterator[str]:
    from shared.db import apply_migrations

    async def migrate(url: str) -> None:
        connection = await asyncpg.connect(url)
        try:
            await apply_migrations(connection)
        finally:
            await connection.close()

    if url := os.environ.get("DATABASE_URL"):
        asyncio.run(migrate(url))
        yield url
        return
    if docker_available:
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgis/postgis:15-3.4", driver=None) as container:
            url = container.get_connection_url()
            asyncio.run(migrate(url))
            yield url
        return
    _deploy("postgres.sh", "stop")
    shutil.rmtree(TEST_VAR / "postgres", ignore_errors=True)
    _deploy("postgres.sh", "start")
    url = f"postgresql://pladeco:pladeco@127.0.0.1:{NATIVE_ENV['PLADECO_PG_PORT']}/pladeco"
    asyncio.run(migrate(url))
    try:
        yield url
    finally:
        _deploy("postgres.sh", "stop")


@pytest.fixture
async def db(database_url: str) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    yield pool
    await pool.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ServiceProcess:
    """A service run as its own OS process with ``pladeco serve``, as in production."""

    name: str
    env: dict[str, str]
    log_dir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, wait_ready: bool = True) -> ServiceProcess:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.stdout = open(self.log_dir / f"{self.name}.out", "ab")  # noqa: SIM115
        self.stderr = open(self.log_dir / f"{self.name}.err", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cli", "serve", self.name],
            env={**os.environ, **self.env, "PLADECO_HTTP_PORT": str(self.port)},
            stdout=self.stdout,
            stderr=self.stderr,
            cwd=ROOT,
        )
        if wait_ready:
            self.wait_ready()
        return self

    def wait_ready(self, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.process.returncode}: {self.logs()}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"{self.name} not ready after {timeout_s}s: {self.logs()}")

    def stop(self) -> int:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode if self.process else 0

    def logs(self) -> str:
        out = (self.log_dir / f"{self.name}.out").read_text(errors="replace")[-3000:]
        err = (self.log_dir / f"{self.name}.err").read_text(errors="replace")[-3000:]
        return f"\n--- stdout ---\n{out}\n--- stderr ---\n{err}"


@pytest.fixture
def service_env(kafka: Kafka, database_url: str) -> dict[str, str]:
    return {
        "PLADECO_KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
        "PLADECO_DATABASE_URL": database_url,
        "PLADECO_STARTUP_TIMEOUT_S": "60",
        # As in production: a secret of its own, never the development default.
        "PLADECO_ALERTS_LINK_SECRET": LINK_SECRET,
    }


@pytest.fixture
def services(service_env: dict[str, str], tmp_path: Path) -> Iterator[callable]:
    """Start services as processes: ``services("ingest")``; all are stopped after the test."""
    started: list[ServiceProcess] = []

    def start(name: str, **env: str) -> ServiceProcess:
        service = ServiceProcess(name, {**service_env, **env}, tmp_path / "logs").start()
        started.append(service)
        return service

    yield start
    for service in reversed(started):
        service.stop()


def pytest_terminal_summary(terminalreporter) -> None:  # noqa: ANN001 - pytest's hook
    """How many cases each fuzzer tried (tests/fuzzing.py), so that the count is seen in every run."""
    from tests.fuzzing import summary

    lines = summary()
    if lines:
        terminalreporter.section("fuzzing")
        for line in lines:
            terminalreporter.write_line(line)
