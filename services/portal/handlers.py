"""The portal's HTTP face: pages, open-data files, the map's layers, its static files.

Each handler reads the public views (store.py, as ``portal_reader``), calls the pure modules
(present.py, opendata.py) and renders a template; Jinja escapes every value. A database or an
indicator service that is down answers 503 with ``Retry-After``, never 500.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import structlog
from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.portal import opendata, present, store
from shared.plan.geo import LAYERS

HERE = Path(__file__).parent
RETRY_AFTER_S = "10"
log = structlog.stdlib.get_logger("portal")

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
LAYER_TITLES = {
    "territorios": "Territorios", "localidades": "Localidades", "diagnostico": "Diagnóstico: problemas priorizados",
    "imagen-objetivo": "Imagen objetivo y objetivos", "plan-inversiones": "Plan de inversiones",
}


def templates() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(clp=present.clp, pct=present.pct, number=present.number, date=present.date,
                       long_date=present.long_date, month=present.month, mark=present.status_mark)
    env.globals.update(MILESTONE_OUTCOMES=present.MILESTONE_OUTCOMES, LIGHTS=present.LIGHTS,
                       STATUS_MARKS=present.STATUS_MARKS, DATASETS=opendata.DATASETS, FORMATS=opendata.FORMATS,
                       LICENCE=opendata.LICENCE, LICENCE_NAME=opendata.LICENCE_NAME)
    return env


async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Every answer carries the CSP (scripts and styles from the portal only, none inline) and the
    other protective headers."""
    response = await call_next(request)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


class Unavailable(Exception):
    """A dependency of the page is down: 503 with Retry-After."""


def portal_router(pool: asyncpg.Pool, *, role: str, indicators_url: str, public_url: str,
                  assets_dir: Path) -> APIRouter:
    router = APIRouter()
    env = templates()
    gis_cache: dict[str, tuple[float, bytes]] = {}

    async def read(work: Callable[[asyncpg.Connection], Awaitable[Any]]) -> Any:
        try:
            async with store.public_reading(pool, role) as connection:
                return await work(connection)
        except (OSError, asyncio.TimeoutError, asyncpg.CannotConnectNowError,
                asyncpg.InterfaceError, asyncpg.ConnectionDoesNotExistError) as error:
            log.warning("database_unavailable", error=repr(error))
            raise Unavailable("la base de datos no responde") from error

    def page(name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        return HTMLResponse(env.get_template(name).render(**context), status_code=status_code)

    async def common(connection: asyncpg.Connection) -> dict[str, Any]:
        return {"plan": await store.plan(connection)}

    @router.get("/", response_class=HTMLResponse, summary="El plan de un vistazo")
    async def home() -> HTMLResponse:
        async def work(c: asyncpg.Connection) -> dict[str, Any]:
            total = await store.rollup(c, "plan", (await store.plan(c) or {}).get("plan_code", ""))
            plans = await store.rollups(c, "plan")
            return {**await common(c), "total": total or (plans[0] if plans else None),
                    "axes": await store.rollups(c, "axis"), "territories": await store.rollups(c, "territory"),
                    "localities": await store.localities(c), "head": await store.history_head(c)}
        data = await read(work)
        return page("home.html", **data, counts=present.status_counts(data["total"]))

    async def group_page(kind: str, code: str) -> HTMLResponse:
        level, column = {"axis": ("axis", "axis_code"), "territory": ("territory", "territory_code"),
                         "locality": (None, "locality_code")}[kind]

        async def work(c: asyncpg.Connection) -> dict[str, Any]:
            rows = await store.initiatives(c, column=column, value=code)
            data = {**await common(c), "initiatives": rows}
            if level:
                data["group"] = await store.rollup(c, level, code)
            else:
                data["group"] = next((l for l in await store.localities(c) if l["locality_code"] == code), None)
            if kind == "axis":
                data["about"] = next((a for a in await store.axes(c) if a["axis_code"] == code), None)
            return data
        data = await read(work)
        if data["group"] is None:
            raise HTTPException(404, detail=f"no existe «{code}»")
        summary = present.summarise(data["initiatives"])
        counts = present.status_counts(data["group"]) if level else summary["counts"]
        return page("group.html", kind=kind, code=code, counts=counts, summary=summary, **data)

    @router.get("/ejes/{code}", response_class=HTMLResponse, summary="Un eje estratégico")
    async def axis(code: str) -> HTMLResponse:
        return await group_page("axis", code)

    @router.get("/territorios/{code}", response_class=HTMLResponse, summary="Un territorio")
    async def territory(code: str) -> HTMLResponse:
        return await group_page("territory", code)

    @router.get("/localidades/{code}", response_class=HTMLResponse, summary="Una localidad")
    async def locality(code: str) -> HTMLResponse:
        return await group_page("locality", code)

    @router.get("/iniciativas/{code}", response_class=HTMLResponse, summary="Una iniciativa")
    async def initiative(code: str) -> HTMLResponse:
        async def work(c: asyncpg.Connection) -> dict[str, Any] | None:
            found = await store.initiative(c, code)
            if found is None:
                return None
            return {**await common(c), "i": found, "funding": await store.funding(c, code),
                    "milestones": await store.milestones(c, code), "indicators": await store.indicators(c, code),
                    "monthly": await store.monthly(c, code), "reports": await store.last_reports(c, code)}
        data = await read(work)
        if data is None:
            raise HTTPException(404, detail=f"no existe la iniciativa «{code}»")
        points = present.curve_points(data["monthly"])
        return page("initiative.html", curve=present.s_curve(points), points=points, **data)

    @router.get("/buscar", response_class=HTMLResponse, summary="Buscar iniciativas")
    async def search(q: str = "") -> HTMLResponse:
        q = q[:200]

        async def work(c: asyncpg.Connection) -> dict[str, Any]:
            return {**await common(c), "all": await store.initiatives(c)}
        data = await read(work)
        return page("search.html", q=q, results=present.search(q, data.pop("all")), **data)

    @router.get("/mapa", response_class=HTMLResponse, summary="El mapa de las iniciativas")
    async def map_page() -> HTMLResponse:
        async def work(c: asyncpg.Connection) -> dict[str, Any]:
            return {**await common(c), "initiatives": await store.initiatives(c)}
        data = await read(work)
        return page("map.html", layers=LAYER_TITLES, **data)

    @router.get("/datos", response_class=HTMLResponse, summary="Datos abiertos")
    async def data_page() -> HTMLResponse:
        async def work(c: asyncpg.Connection) -> dict[str, Any]:
            return {**await common(c), "head": await store.history_head(c)}
        return page("data.html", **await read(work))

    @router.get("/datos/catalogo.jsonld", summary="Catálogo DCAT (JSON-LD)")
    async def catalogue() -> JSONResponse:
        async def work(c: asyncpg.Connection) -> dict[str, Any]:
            return {**await common(c), "head": await store.history_head(c)}
        data = await read(work)
        plan = data["plan"] or {}
        body = opendata.catalogue(public_url, plan_name=plan.get("name", "PLADECO"),
                                  commune=plan.get("commune", ""), modified=plan.get("judged_on"), head=data["head"])
        return JSONResponse(body, media_type="application/ld+json")

    @router.get("/datos/{name}.{fmt}", summary="Un conjunto de datos abiertos (csv, xlsx, geojson)")
    async def download(name: str, fmt: str) -> Response:
        dataset = opendata.DATASETS.get(name)
        if dataset is None or fmt not in opendata.FORMATS:
            raise HTTPException(404, detail=f"no existe el archivo «{name}.{fmt}»")

        async def work(c: asyncpg.Connection) -> tuple[list[dict[str, Any]], dict[str, Any]]:
            rows = await store.dataset(c, name, dataset.columns)
            return rows, (await store.sites(c) if fmt == "geojson" else {})
        rows, sites = await read(work)
        body = opendata.serialise(fmt, dataset, rows, sites)
        return Response(body, media_type=opendata.FORMATS[fmt], headers={
            "Content-Disposition": f'attachment; filename="{name}.{fmt}"', "Cache-Control": "max-age=60",
            "Access-Control-Allow-Origin": "*"})

    @router.get("/gis/{name}.geojson", summary="Una capa del SIG (desde el servicio de indicadores)")
    async def gis_layer(name: str) -> Response:
        if name not in LAYERS:
            raise HTTPException(404, detail=f"capa desconocida «{name}»")
        cached = gis_cache.get(name)
        if cached is None or time.monotonic() - cached[0] > 60:
            try:
                async with httpx.AsyncClient(timeout=5) as client:
                    answer = await client.get(f"{indicators_url.rstrip('/')}/v1/gis/{name}.geojson")
            except httpx.HTTPError as error:
                log.warning("indicators_unavailable", error=repr(error))
                raise Unavailable("el servicio de indicadores no responde") from error
            if answer.status_code == 404:
                raise HTTPException(404, detail="aún no se carga un plan")
            if answer.status_code != 200:
                raise Unavailable(f"el servicio de indicadores respondió {answer.status_code}")
            cached = gis_cache[name] = (time.monotonic(), answer.content)
        return Response(cached[1], media_type="application/geo+json", headers={"Cache-Control": "max-age=60"})

    @router.get("/static/{path:path}", summary="Hojas de estilo, guiones y la biblioteca del mapa")
    async def static(path: str) -> Response:
        return static_file(path, assets_dir)

    return router


STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".png": "image/png",
                ".svg": "image/svg+xml", ".map": "application/json"}
VENDOR = {"leaflet/": "leaflet/dist/"}


def static_file(path: str, assets_dir: Path) -> Response:
    """The portal's own static files, or (under ``vendor/``) the npm assets it serves; nothing
    outside those folders."""
    if path.startswith("vendor/"):
        rest = path.removeprefix("vendor/")
        prefix = next((p for p in VENDOR if rest.startswith(p)), None)
        if prefix is None:
            raise HTTPException(404)
        base = (assets_dir / VENDOR[prefix]).resolve()
        target = (base / rest.removeprefix(prefix)).resolve()
    else:
        base = (HERE / "static").resolve()
        target = (base / path).resolve()
    if not target.is_relative_to(base) or not target.is_file() or target.suffix not in STATIC_TYPES:
        raise HTTPException(404, detail="archivo no encontrado")
    return Response(target.read_bytes(), media_type=STATIC_TYPES[target.suffix],
                    headers={"Cache-Control": "max-age=3600"})


def error_pages(env: Environment | None = None) -> dict[Any, Callable[[Request, Exception], Awaitable[Response]]]:
    """Spanish pages for 404 and the 503 of a dependency that is down."""
    env = env or templates()

    async def unavailable(request: Request, error: Exception) -> Response:
        body = env.get_template("error.html").render(
            plan=None, title="Servicio no disponible",
            message="Los datos no están disponibles en este momento. Intente nuevamente en unos segundos.")
        return HTMLResponse(body, status_code=503, headers={"Retry-After": RETRY_AFTER_S})

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        if error.status_code != 404:
            return JSONResponse({"detail": error.detail}, status_code=error.status_code)
        body = env.get_template("error.html").render(
            plan=None, title="Página no encontrada",
            message=error.detail if isinstance(error.detail, str) and error.detail != "Not Found"
            else "La página que busca no existe.")
        return HTMLResponse(body, status_code=404)

    return {Unavailable: unavailable, StarletteHTTPException: http_error}
