"""The portal's HTTP behaviour without a database: a database that is down is a Spanish 503 with
Retry-After (never a 500); static files never leave their folders; every answer has the CSP."""

from __future__ import annotations

import httpx
from prometheus_client import CollectorRegistry

from services.portal.app import create_app
from services.portal.settings import PortalSettings


class DownPool:
    def acquire(self):
        raise ConnectionRefusedError("PostgreSQL is down")

    async def fetchval(self, *args, **kwargs):
        raise ConnectionRefusedError("PostgreSQL is down")


def client() -> httpx.AsyncClient:
    app = create_app(PortalSettings(), DownPool(), CollectorRegistry())
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://portal")


async def test_a_database_that_is_down_is_a_503_with_retry_after():
    async with client() as http:
        for path in ("/", "/iniciativas/INI-001", "/datos/iniciativas.csv", "/buscar?q=x"):
            answer = await http.get(path)
            assert answer.status_code == 503, path
            assert answer.headers["retry-after"] == "10"
            assert 'lang="es-CL"' in answer.text
            assert "script-src 'self'" in answer.headers["content-security-policy"]


async def test_static_files_are_served_from_their_folders_only():
    async with client() as http:
        assert (await http.get("/static/portal.css")).status_code == 200
        assert (await http.get("/static/../settings.py")).status_code == 404
        assert (await http.get("/static/%2e%2e/settings.py")).status_code == 404
        assert (await http.get("/static/vendor/axe-core/axe.min.js")).status_code == 404


async def test_no_api_documentation_page_loads_scripts_from_a_cdn():
    async with client() as http:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert (await http.get(path)).status_code == 404
