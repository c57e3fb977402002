"""Least privilege on the real database (migration 0013): each role is refused what it must not do,
and the services still do their work connected as their own roles."""

from __future__ import annotations

import re
import secrets
import uuid

import asyncpg
import httpx
import pytest

from shared.db import READER_ROLES, SERVICE_ROLES, set_role_password
from tests.integration.conftest import post_progress
from tests.integration.probes import eventually, progress_update

pytestmark = pytest.mark.integration


@pytest.fixture
async def role_urls(db, database_url) -> dict[str, str]:
    """A connection URL per least-privilege role, with a password set for this test."""
    urls = {}
    async with db.acquire() as connection:
        for role in (*SERVICE_ROLES.values(), *READER_ROLES):
            password = secrets.token_hex(16)
            await set_role_password(connection, role, password)
            urls[role] = re.sub(r"^(postgres(?:ql)?://)[^@/]*@", rf"\g<1>{role}:{password}@", database_url)
    return urls


async def refused(url: str, sql: str) -> bool:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(sql)
    except asyncpg.InsufficientPrivilegeError:
        return True
    finally:
        await connection.close()
    return False


async def allowed(url: str, sql: str) -> bool:
    connection = await asyncpg.connect(url)
    try:
        async with connection.transaction():
            await connection.execute(sql)
            raise _Rollback
    except _Rollback:
        return True
    finally:
        await connection.close()


class _Rollback(Exception):
    pass


async def test_each_role_is_refused_what_it_must_not_do(role_urls, sample_plan):
    ingest, alerts = role_urls["pladeco_ingest"], role_urls["pladeco_alerts"]
    notifier, public, boards = role_urls["pladeco_notifier"], role_urls["public_reader"], role_urls["scorecard_reader"]
    # Ingest cannot write figures, nor the plan, nor the event log.
    assert await refused(ingest, "UPDATE initiative_figures SET spi = 2")
    assert await refused(ingest, "DELETE FROM initiative")
    assert await refused(ingest, "DELETE FROM event_log")
    assert await allowed(ingest, "SELECT responsible_unit FROM initiative")
    # The alert service cannot touch figures or notifications; the notifier cannot read keys or alerts' state.
    assert await refused(alerts, "UPDATE initiative_figures SET status = 'done'")
    assert await refused(alerts, "DELETE FROM notification")
    assert await allowed(alerts, "SELECT spi_t FROM scorecard.initiative")
    assert await refused(notifier, "SELECT * FROM api_key")
    assert await refused(notifier, "UPDATE alert SET state = 'resolved'")
    # The public board's role reads the public views only: never an officer's e-mail.
    assert await refused(public, "SELECT owner_email FROM scorecard.milestone")
    assert await refused(public, "SELECT owner_email FROM milestone")
    assert await refused(public, "SELECT reporter FROM scorecard.progress_report")
    assert await refused(public, "SELECT email FROM initiative_officer")
    assert await allowed(public, "SELECT status_label, physical_progress_pct FROM scorecard.initiative")
    assert await allowed(public, "SELECT overdue FROM scorecard.rollup")
    # The scorecard boards read every view, and write nothing.
    assert await allowed(boards, "SELECT owner_email FROM scorecard.milestone")
    assert await refused(boards, "DELETE FROM alert")
    assert await refused(boards, "SELECT * FROM api_key")


async def test_the_services_work_as_their_own_roles(role_urls, services, db, api_key, sample_plan):
    ingest = services("ingest", PLADECO_DATABASE_URL=role_urls["pladeco_ingest"])
    indicators = services("indicators", PLADECO_DATABASE_URL=role_urls["pladeco_indicators"])
    alerts = services("alerts", PLADECO_DATABASE_URL=role_urls["pladeco_alerts"], PLADECO_ALERTS_TICK_S="1")
    notifier = services("notifier", PLADECO_DATABASE_URL=role_urls["pladeco_notifier"])
    update = progress_update("INI-012", as_of="2023-03-31", physical_progress_pct=33.0)
    assert post_progress(ingest, update, await api_key("roles", None)).status_code == 202

    async def applied_judged_and_announced():
        applied = await db.fetchval("SELECT count(*) FROM progress_report WHERE event_id = $1",
                                    uuid.UUID(update["event_id"]))
        waiting = await db.fetchval("SELECT count(*) FROM outbox WHERE producer IN ('indicators', 'ingest')")
        return applied == 1 and waiting == 0

    await eventually(applied_judged_and_announced, what="the update applied and its events published")

    def evaluated_on_ticks() -> float:
        metrics = httpx.get(f"{alerts.url}/metrics", timeout=10).text
        return sum(float(line.split()[-1]) for line in metrics.splitlines()
                   if line.startswith("pladeco_alerts_evaluations_total"))

    await eventually(lambda: _async(evaluated_on_ticks() >= 2), what="the alert service evaluating")
    # Evaluated as of today, the plan has alerts: the notifier records them for their recipients.
    await eventually(lambda: db.fetchval("SELECT count(*) FROM notification_item"), what="the notifier recording")
    for service in (ingest, indicators, alerts, notifier):
        logs = service.logs().lower()
        assert "permission denied" not in logs and "insufficientprivilege" not in logs, service.logs()


async def _async(value):  # noqa: ANN001, ANN202
    return value
