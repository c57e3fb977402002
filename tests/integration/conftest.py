"""Fixtures of the integration tests: the sample plan in the catalogue, API keys, authorised
requests to the ingest service."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from shared.auth import Role, issue_key
from shared.key_store import create_api_key
from shared.plan.changes import content_sha256
from shared.plan.files import check_plan_file
from tests.conftest import ROOT, ServiceProcess

SAMPLE_PLAN = ROOT / "data" / "putre-pladeco-2020-2025.yaml"


@pytest.fixture(scope="session")
async def sample_plan(kafka, database_url, tmp_path_factory) -> dict:
    """The sample Putre plan, loaded into the catalogue through the real broker once per session
    (or found there already); its document."""
    document = check_plan_file(SAMPLE_PLAN).plan.to_document()
    connection = await asyncpg.connect(database_url)
    try:
        loaded = await connection.fetchval("SELECT content_sha256 FROM plan")
    finally:
        await connection.close()
    if loaded == content_sha256(document):
        return document
    env = {"PLADECO_KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers, "PLADECO_DATABASE_URL": database_url}
    indicators = ServiceProcess("indicators", {**env, "PLADECO_STARTUP_TIMEOUT_S": "60"},
                                tmp_path_factory.mktemp("sample-plan")).start()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "cli", "plan", "load", str(SAMPLE_PLAN), "--actor", "tests@muniputre.example",
             "--reason", "Plan de muestra para las pruebas", "--wait", "90"],
            env={**os.environ, **env}, cwd=ROOT, capture_output=True, text=True, timeout=180,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    finally:
        indicators.stop()
    return document


@pytest.fixture
async def api_key(db, sample_plan) -> Callable[..., str]:
    """``await api_key("sistema-dom", units=["DOM"])`` → a fresh reporter key (``units=None``: every
    unit); ``await api_key("control", role=Role.AUDITOR)`` → a key of another role."""

    async def make(source_system: str = "pruebas", units: list[str] | None = None, role: Role = Role.REPORTER) -> str:
        issued = issue_key()
        async with db.acquire() as connection:
            await create_api_key(connection, key_id=issued.key_id, secret_sha256=issued.secret_sha256,
                                 source_system=source_system, units=units, description="tests",
                                 created_by="tests", role=role)
        return issued.token

    return make


def post_progress(service: ServiceProcess, body, key: str, *, timeout: float = 30) -> httpx.Response:
    return httpx.post(f"{service.url}/v1/progress", json=body, timeout=timeout,
                      headers={"authorization": f"Bearer {key}"})


def initiative_of(document: dict, unit: str) -> dict:
    return next(i for i in document["iniciativas"] if i["unidad_responsable"] == unit)


def tmp_file(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


# --- a real SMTP server and a real HTTP receiver on loopback ----------------------------------------


class MailCatcher:
    """An SMTP server (aiosmtpd) that keeps every message it accepts."""

    def __init__(self) -> None:
        import threading

        self.messages: list[Any] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802 - aiosmtpd's hook
        import email
        from email import policy

        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 OK"

    def received(self) -> list[Any]:
        with self._lock:
            return list(self.messages)

    def to(self, address: str) -> list[Any]:
        return [m for m in self.received() if address.lower() in str(m["To"]).lower()]


@pytest.fixture
def smtp_server() -> Iterator[tuple[MailCatcher, int]]:
    from aiosmtpd.controller import Controller

    from tests.conftest import free_port

    catcher = MailCatcher()
    port = free_port()
    controller = Controller(catcher, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield catcher, port
    finally:
        controller.stop()


class WebhookReceiver:
    """An HTTP server that records every POST (headers and body) and answers 200."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        from tests.conftest import free_port

        self.posts: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's hook
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                receiver.posts.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    try:
        yield receiver
    finally:
        receiver.close()
