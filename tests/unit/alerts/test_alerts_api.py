"""The alerts API and the acknowledge links: a key with a role to read alerts, links bound to the
alert, the recipient and an expiry, a GET that changes nothing, and a database away answered 503."""

from __future__ import annotations

import datetime as dt
import uuid
from contextlib import asynccontextmanager
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI

from services.alerts.handlers import alerts_router
from shared.auth import Role, issue_key
from shared.http import install_error_handlers
from shared.signing import ack_url

SECRET = "s" * 40
NOW = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC)
ALERT = uuid.UUID("0b6f9b0e-3c1f-4a59-9f67-3f1d8ad2e001")


class Untouchable:
    """A pool or relay that fails the test if anything uses it."""

    def __init__(self):
        self.touched: list[str] = []

    def __getattr__(self, name):
        self.touched.append(name)
        raise AssertionError(f"the GET page used {name}")


class FakeConnection:
    def __init__(self, pool):
        self.pool = pool

    async def fetch(self, query, *args):
        self.pool.queries.append(query)
        return [{"alert_id": ALERT, "rule": "hito_vencido", "state": "firing"}]


class FakePool:
    """Keys and alerts in memory; ``away`` makes every use fail as a stopped PostgreSQL does."""

    def __init__(self, away: BaseException | None = None):
        self.keys: dict[str, dict] = {}
        self.queries: list[str] = []
        self.away = away

    def add_key(self, role: Role, *, revoked: bool = False) -> str:
        issued = issue_key()
        self.keys[issued.key_id] = {"key_id": issued.key_id, "secret_sha256": issued.secret_sha256,
                                    "source_system": "pruebas", "units": None, "role": role.value,
                                    "revoked_at": NOW if revoked else None}
        return issued.token

    async def fetchrow(self, query, key_id):
        if self.away:
            raise self.away
        return self.keys.get(key_id)

    @asynccontextmanager
    async def acquire(self):
        if self.away:
            raise self.away
        yield FakeConnection(self)


def app_with(pool, relay=None, now=NOW) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app, retry_after_s=9)
    app.include_router(alerts_router(pool, secret=SECRET, clock=lambda: now, relay=relay or Untouchable()))
    return app


async def call(app: FastAPI, method: str, url: str, **kwargs) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://alerts") as client:
        return await client.request(method, url, **kwargs)


def link(alert_id=ALERT, by="ana@muniputre.example", expires_at=NOW + dt.timedelta(days=14)) -> str:
    url = urlsplit(ack_url("http://alerts", SECRET, str(alert_id), by, expires_at=expires_at))
    return f"{url.path}?{url.query}"


# --- the alerts API needs a key whose role reads alerts ---------------------------------------------


async def test_listing_alerts_without_a_key_is_refused():
    pool = FakePool()

    answer = await call(app_with(pool), "GET", "/v1/alerts")

    assert answer.status_code == 401
    assert answer.json()["status"] == "unauthorized"
    assert pool.queries == [], "no alert was read"


@pytest.mark.parametrize(("role", "status"), [(Role.MANAGER, 200), (Role.AUDITOR, 200), (Role.ADMIN, 200),
                                              (Role.REPORTER, 403)])
async def test_only_roles_that_read_alerts_list_them(role, status):
    pool = FakePool()
    key = pool.add_key(role)

    answer = await call(app_with(pool), "GET", "/v1/alerts", headers={"authorization": f"Bearer {key}"})

    assert answer.status_code == status
    if status == 200:
        assert answer.json()[0]["alert_id"] == str(ALERT)
    else:
        assert answer.json()["errors"][0]["code"] == "role_not_allowed"


async def test_a_revoked_manager_key_is_refused():
    pool = FakePool()
    key = pool.add_key(Role.MANAGER, revoked=True)

    answer = await call(app_with(pool), "GET", "/v1/alerts", headers={"authorization": f"Bearer {key}"})

    assert answer.status_code == 401


# --- acknowledge links ---------------------------------------------------------------------------------


async def test_the_get_of_a_link_shows_a_form_and_touches_nothing():
    pool, relay = Untouchable(), Untouchable()

    answer = await call(app_with(pool, relay), "GET", link())

    assert answer.status_code == 200
    assert '<form method="post">' in answer.text
    assert pool.touched == [] and relay.touched == [], "a prefetch or a mail scanner acknowledges nothing"


@pytest.mark.parametrize("forged", ["other-alert", "other-person", "longer-life", "tampered", "no-expiry"])
async def test_a_link_for_another_alert_person_or_expiry_is_refused(forged):
    good = link()
    query = parse_qs(urlsplit(good).query)
    other_alert = uuid.uuid4()
    url = {
        "other-alert": good.replace(str(ALERT), str(other_alert)),
        "other-person": good.replace("ana%40muniputre.example", "pedro%40muniputre.example"),
        "longer-life": good.replace(f"exp={query['exp'][0]}", f"exp={int(query['exp'][0]) + 86400 * 365}"),
        "tampered": good[:-3] + ("000" if not good.endswith("000") else "111"),
        "no-expiry": good.replace(f"exp={query['exp'][0]}&", ""),
    }[forged]

    page = await call(app_with(Untouchable()), "GET", url)
    post = await call(app_with(Untouchable()), "POST", url)

    assert page.status_code == post.status_code == (422 if forged == "no-expiry" else 403)


async def test_an_expired_link_is_refused_with_a_page_saying_so():
    expired = link(expires_at=NOW - dt.timedelta(seconds=1))

    answer = await call(app_with(Untouchable()), "POST", expired)

    assert answer.status_code == 403
    assert "venció" in answer.text


async def test_a_link_works_until_its_expiry():
    app = app_with(Untouchable(), now=NOW + dt.timedelta(days=14) - dt.timedelta(seconds=1))

    assert (await call(app, "GET", link())).status_code == 200


# --- PostgreSQL away -----------------------------------------------------------------------------------


@pytest.mark.parametrize("error", [ConnectionRefusedError(111, "refused"), OSError("network unreachable")])
async def test_a_database_away_is_a_503_with_retry_after(error):
    pool = FakePool(away=error)

    listed = await call(app_with(pool), "GET", "/v1/alerts", headers={"authorization": "Bearer pk.abc.def"})
    acknowledged = await call(app_with(pool), "POST", link())

    for answer in (listed, acknowledged):
        assert answer.status_code == 503
        assert answer.headers["Retry-After"] == "9"
        assert answer.json()["status"] == "unavailable"
