"""Every door's errors in one format: FastAPI's own answers, and a database away (503 with
Retry-After) at the indicators' GIS door too."""

from __future__ import annotations

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from services.indicators.handlers import gis_router
from shared.http import install_error_handlers


class PoolAway:
    def __init__(self, error: BaseException):
        self.error = error

    def acquire(self):
        raise self.error


def app(pool) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app, retry_after_s=7)
    app.include_router(gis_router(pool))
    return app


async def get(app: FastAPI, url: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://indicators") as client:
        return await client.get(url)


@pytest.mark.parametrize("error", [ConnectionRefusedError(111, "refused"),
                                   asyncpg.CannotConnectNowError("the database system is starting up"),
                                   asyncpg.TooManyConnectionsError("too many clients")])
async def test_the_gis_door_answers_503_with_retry_after_when_the_database_is_away(error):
    answer = await get(app(PoolAway(error)), "/v1/gis/territorios.geojson")

    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "7"
    assert answer.json()["status"] == "unavailable" and answer.json()["detail"]


async def test_an_unknown_layer_and_an_unknown_route_answer_in_the_documented_format():
    layer = await get(app(PoolAway(OSError())), "/v1/gis/nada.geojson")
    route = await get(app(PoolAway(OSError())), "/v1/nada")

    assert (layer.status_code, layer.json()["status"]) == (404, "not_found")
    assert "capa desconocida" in layer.json()["detail"]
    assert (route.status_code, route.json()["status"]) == (404, "not_found")
