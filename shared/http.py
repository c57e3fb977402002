"""The HTTP face every service shares: liveness, readiness, Prometheus metrics, AsyncAPI.

- ``GET /healthz``: the process is alive and its event loop answers (no dependency is checked, so
  an orchestrator does not restart a healthy service because Kafka is briefly away).
- ``GET /readyz``: Kafka and PostgreSQL answer now; 503 with the failing check otherwise.
- ``GET /metrics``: the service's own Prometheus registry (no process-global registry).
- ``GET /asyncapi.json`` and ``GET /asyncapi``: the channels and messages of this service's broker.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import asyncpg
from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import HTMLResponse, JSONResponse
from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI, get_asyncapi_html
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Info, generate_latest

ReadinessCheck = Callable[[], Awaitable[bool]]
CHECK_TIMEOUT_S = 2.0


def kafka_check(broker: KafkaBroker) -> ReadinessCheck:
    async def check() -> bool:
        return await broker.ping(timeout=CHECK_TIMEOUT_S)

    return check


def database_check(pool: asyncpg.Pool) -> ReadinessCheck:
    async def check() -> bool:
        try:
            return await pool.fetchval("SELECT 1", timeout=CHECK_TIMEOUT_S) == 1
        except (OSError, asyncpg.PostgresError, asyncio.TimeoutError, asyncpg.InterfaceError):
            return False

    return check


def ops_router(checks: Mapping[str, ReadinessCheck], registry: CollectorRegistry) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="Readiness: Kafka and PostgreSQL reachable")
    async def readyz() -> JSONResponse:
        names = list(checks)
        outcomes = await asyncio.gather(*(_run_check(checks[name]) for name in names))
        results = dict(zip(names, outcomes, strict=True))
        ready = all(results.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": results},
            status_code=200 if ready else 503,
        )

    @router.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router


async def _run_check(check: ReadinessCheck) -> bool:
    try:
        return await asyncio.wait_for(check(), CHECK_TIMEOUT_S + 1)
    except Exception:  # a readiness probe answers false, it never fails the request
        return False


def asyncapi_specification(broker: KafkaBroker, *, title: str, version: str, description: str) -> Any:
    """The AsyncAPI 3.0 document of a broker's subscribers and publishers."""
    return AsyncAPI(
        broker, title=title, version=version, description=description, schema_version="3.0.0"
    ).to_specification()


def asyncapi_router(specification: Any) -> APIRouter:
    router = APIRouter(tags=["documentation"])

    @router.get("/asyncapi.json", summary="AsyncAPI document of this service's Kafka channels")
    async def asyncapi_json() -> Response:
        return Response(specification.to_json(), media_type="application/json")

    @router.get("/asyncapi", summary="AsyncAPI document, as a page", response_class=HTMLResponse)
    async def asyncapi_page() -> HTMLResponse:
        return HTMLResponse(get_asyncapi_html(specification, try_it_out_path=None))

    return router


def create_http_app(
    *,
    title: str,
    description: str,
    version: str,
    broker: KafkaBroker,
    pool: asyncpg.Pool,
    registry: CollectorRegistry,
    routers: Sequence[APIRouter] = (),
) -> FastAPI:
    """A service's FastAPI app: its own routers plus the operations and AsyncAPI endpoints."""
    app = FastAPI(title=title, description=description, version=version)
    # Always present, so a scrape shows the service and its version before any traffic.
    Info("pladeco_service", "The PLADECO service behind this endpoint", registry=registry).info(
        {"title": title, "version": version}
    )
    for router in routers:
        app.include_router(router)
    app.include_router(
        ops_router({"kafka": kafka_check(broker), "database": database_check(pool)}, registry)
    )
    app.include_router(
        asyncapi_router(
            asyncapi_specification(broker, title=title, version=version, description=description)
        )
    )
    return app
