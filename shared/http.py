"""The HTTP face every service shares: liveness, readiness, Prometheus metrics, AsyncAPI.

- ``GET /healthz``: the process is alive and its event loop answers (no dependency is checked, so
  an orchestrator does not restart a healthy service because Kafka is briefly away).
- ``GET /readyz``: Kafka and PostgreSQL answer now; 503 with the failing check otherwise.
- ``GET /metrics``: the service's own Prometheus registry (no process-global registry).
- ``GET /asyncapi.json`` and ``GET /asyncapi``: the channels and messages of this service's broker.

Every error of every service has one documented format, ``ErrorAnswer``: a status word, a Spanish
detail, and one ``{path, code, message}`` per problem. That includes FastAPI's own answers (a bad
query parameter, an unknown route) and a database that is down or recovering, which is answered
503 with ``Retry-After`` at every door, never 500.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Literal

import asyncpg
import structlog
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI, get_asyncapi_html
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Info, generate_latest
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.auth import ApiKey, Permission, bearer_token, key_matches
from shared.consumer import TRANSIENT_DATABASE_ERRORS
from shared.problems import Problem, error_code, error_message, json_path

ReadinessCheck = Callable[[], Awaitable[bool]]
CHECK_TIMEOUT_S = 2.0
DEFAULT_RETRY_AFTER_S = 30

DATABASE_UNAVAILABLE: tuple[type[BaseException], ...] = TRANSIENT_DATABASE_ERRORS + (
    asyncpg.OperatorInterventionError,  # shutting down, starting up, in recovery
    asyncpg.InsufficientResourcesError,
)
"""What a request meets when PostgreSQL is down or recovering: answered 503, retry later."""


# --- the error format of every door ---------------------------------------------------------------


class ProblemOut(BaseModel):
    path: str = Field(description="Where: a JSON path ($[2].physical_progress_pct), a parameter (query.mode) or a sheet column.")
    code: str = Field(description="Stable machine code, e.g. unknown_initiative, out_of_range.")
    message: str = Field(description="What is wrong, in Spanish.")


StatusWord = Literal[
    "rejected", "unauthorized", "forbidden", "not_found", "not_allowed", "conflict", "too_large", "unavailable",
    "error",
]
STATUS_WORDS: dict[int, StatusWord] = {
    400: "rejected", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "not_allowed",
    409: "conflict", 413: "too_large", 422: "rejected", 503: "unavailable",
}


class ErrorAnswer(BaseModel):
    status: StatusWord
    detail: str
    errors: list[ProblemOut] = Field(default_factory=list)


def error_response(status_code: int, detail: str, problems: Sequence[Problem] = (),
                   headers: dict[str, str] | None = None) -> JSONResponse:
    """An error in the documented format (``ErrorAnswer``)."""
    body = ErrorAnswer(status=STATUS_WORDS.get(status_code, "error"), detail=detail,
                       errors=[ProblemOut(**p.as_json()) for p in problems])
    return JSONResponse(body.model_dump(mode="json"), status_code=status_code, headers=headers)


def unavailable_response(retry_after_s: int, detail: str | None = None) -> JSONResponse:
    return error_response(503, detail or "El sistema no está disponible en este momento; no se registró "
                          "nada. Reintente más tarde.", headers={"Retry-After": str(retry_after_s)})


def request_problems(error: RequestValidationError) -> list[Problem]:
    """FastAPI's validation errors as problems: body paths as JSON paths, others as ``query.name``."""
    problems = []
    for item in error.errors():
        where, *rest = item["loc"] or ("",)
        path = json_path(tuple(rest)) if where == "body" else ".".join(str(p) for p in (where, *rest))
        problems.append(Problem(path, error_code(item), error_message(item)))
    return problems


def install_error_handlers(app: FastAPI, *, retry_after_s: int = DEFAULT_RETRY_AFTER_S) -> None:
    log = structlog.stdlib.get_logger()

    async def database_unavailable(request: Request, error: Exception) -> JSONResponse:
        log.warning("database_unavailable", path=request.url.path, error=repr(error))
        return unavailable_response(retry_after_s)

    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        return error_response(422, "La solicitud tiene errores.", request_problems(error))

    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        detail = error.detail if isinstance(error.detail, str) else "Solicitud no atendida."
        return error_response(error.status_code, detail, headers=getattr(error, "headers", None))

    for kind in DATABASE_UNAVAILABLE:
        app.add_exception_handler(kind, database_unavailable)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)


# --- API keys -------------------------------------------------------------------------------------

KeyLookup = Callable[[str], Awaitable[ApiKey | None]]


async def authenticate(request: Request, lookup: KeyLookup, permission: Permission, *, realm: str) -> ApiKey | JSONResponse:
    """The request's key when it is valid and its role grants ``permission``; else the 401 or 403
    answer to return. The key is checked before anything of the request is read."""
    parts = bearer_token(request.headers.get("authorization", ""))
    key = await lookup(parts[0]) if parts else None
    if key is None or not key_matches(key, parts[1]):
        return error_response(401, "Falta una clave de API válida: Authorization: Bearer pk.…",
                              headers={"WWW-Authenticate": f'Bearer realm="{realm}"'})
    if not key.may(permission):
        return error_response(403, f"La clave {key.key_id} (rol {key.role}) no permite esta operación.",
                              [Problem("authorization", "role_not_allowed", f"el rol {key.role} no puede {_VERBS[permission]}")])
    return key


_VERBS = {Permission.REPORT_PROGRESS: "informar avances", Permission.READ_ALERTS: "consultar las alertas"}


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
    retry_after_s: int = DEFAULT_RETRY_AFTER_S,
) -> FastAPI:
    """A service's FastAPI app: its own routers plus the operations and AsyncAPI endpoints, every
    error in the documented format."""
    app = FastAPI(title=title, description=description, version=version)
    install_error_handlers(app, retry_after_s=retry_after_s)
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
