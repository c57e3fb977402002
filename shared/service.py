"""Running a service process: settings, logging, dependencies, HTTP, and a clean stop.

Start-up order: settings are read (a bad one → one line naming the variable, exit 2); logging is
configured; PostgreSQL and Kafka are reached with exponential backoff until
``PLADECO_STARTUP_TIMEOUT_S`` (each retry is a JSON warning; giving up → one line, exit 3); the
database schema must be current; then the broker's subscribers start and the HTTP server serves.
On SIGTERM/SIGINT the HTTP server stops, the broker drains in-flight messages, the pool closes.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import structlog
import uvicorn
from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry
from pydantic import ValidationError

from shared.db import create_pool, pending_migrations
from shared.logging import configure_logging
from shared.settings import ServiceSettings, describe_settings_error

SettingsT = TypeVar("SettingsT", bound=ServiceSettings)
T = TypeVar("T")

EXIT_BAD_SETTINGS = 2
EXIT_DEPENDENCY_UNAVAILABLE = 3


@dataclass(frozen=True)
class ServiceParts:
    """What a service's wiring returns: its broker (with subscribers), its HTTP app, and the
    periodic jobs that run while it serves (started after the broker, cancelled before it stops)."""

    broker: KafkaBroker
    http: FastAPI
    background: tuple[Callable[[], Awaitable[None]], ...] = ()


@dataclass(frozen=True)
class ServiceDefinition(Generic[SettingsT]):
    name: str
    settings_type: type[SettingsT]
    wire: Callable[[SettingsT, asyncpg.Pool, CollectorRegistry], ServiceParts]


class StartupFailed(Exception):
    """The service cannot start; the message is the one line the operator reads."""


def run_service(definition: ServiceDefinition[SettingsT]) -> int:
    """Run a service until it is told to stop; return the process exit code."""
    try:
        settings = definition.settings_type()
    except ValidationError as error:
        _say(definition.name, describe_settings_error(error))
        return EXIT_BAD_SETTINGS
    configure_logging(definition.name, settings.log_level)
    try:
        asyncio.run(_serve(definition, settings))
    except StartupFailed as error:
        _say(definition.name, str(error))
        return EXIT_DEPENDENCY_UNAVAILABLE
    except KeyboardInterrupt:
        return 130
    return 0


async def _serve(definition: ServiceDefinition[SettingsT], settings: SettingsT) -> None:
    log = structlog.stdlib.get_logger(definition.name)
    deadline = time.monotonic() + settings.startup_timeout_s
    database = redact_url(settings.database_url)
    pool = await retry_until(
        deadline,
        lambda: create_pool(settings.database_url, max_size=settings.db_pool_max_size),
        what=f"PostgreSQL at {database}",
    )
    try:
        async with pool.acquire() as connection:
            pending = await pending_migrations(connection)
        if pending:
            names = ", ".join(f"{m.version:04d}_{m.name}" for m in pending)
            raise StartupFailed(
                f"the database at {database} lacks migrations {names}: run `pladeco db migrate`"
            )
        registry = CollectorRegistry()
        parts = definition.wire(settings, pool, registry)
        await retry_until(
            deadline,
            lambda: _start_broker(parts.broker),
            what=f"Kafka at {settings.kafka_bootstrap_servers}",
        )
        jobs = [asyncio.create_task(job()) for job in parts.background]
        try:
            log.info("service_started", http=f"{settings.http_host}:{settings.http_port}")
            await _serve_http(parts.http, settings)
        finally:
            for job in jobs:
                job.cancel()
            await asyncio.gather(*jobs, return_exceptions=True)
            await parts.broker.stop()
            log.info("service_stopped")
    finally:
        await pool.close()


async def _start_broker(broker: KafkaBroker) -> None:
    try:
        await broker.start()
    except BaseException:
        # A half-started broker keeps its producer; stop it so the next attempt starts clean.
        await broker.stop()
        raise


async def _serve_http(app: FastAPI, settings: ServiceSettings) -> None:
    config = uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        lifespan="off",
        log_config=None,
        access_log=False,
    )
    server = uvicorn.Server(config)
    try:
        await server.serve()
    except SystemExit as error:  # uvicorn exits when it cannot bind its socket
        raise StartupFailed(
            f"cannot listen on {settings.http_host}:{settings.http_port} (is another process using it?)"
        ) from error
    if not server.started:
        raise StartupFailed(f"cannot listen on {settings.http_host}:{settings.http_port}")


async def retry_until(
    deadline: float,
    attempt: Callable[[], Awaitable[T]],
    *,
    what: str,
    first_delay_s: float = 0.5,
    max_delay_s: float = 5.0,
) -> T:
    """Call ``attempt`` until it succeeds, backing off exponentially, until ``deadline``."""
    log = structlog.stdlib.get_logger()
    delay = first_delay_s
    tries = 0
    while True:
        tries += 1
        try:
            return await attempt()
        except Exception as error:
            if isinstance(error, asyncpg.InvalidPasswordError | asyncpg.InvalidCatalogNameError):
                raise StartupFailed(f"{what} refused the connection: {error}") from error
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise StartupFailed(
                    f"cannot reach {what} after {tries} attempt(s): {_reason(error)}"
                ) from error
            wait = min(delay, max_delay_s, remaining)
            log.warning("dependency_unavailable", dependency=what, attempt=tries,
                        retry_in_s=round(wait, 2), error=_reason(error))
            await asyncio.sleep(wait)
            delay *= 2


def _reason(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def redact_url(url: str) -> str:
    """The URL with its password replaced, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _say(service: str, message: str) -> None:
    print(f"pladeco {service}: {message}", file=sys.stderr, flush=True)
