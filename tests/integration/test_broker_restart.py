"""Events survive a broker restart: produced before it, consumed after it, nothing lost or doubled."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.integration.probes import eventually, progress_update

pytestmark = pytest.mark.integration


async def test_an_event_produced_before_a_broker_restart_is_consumed_after_it(
    services, db, kafka
):
    ingest = services("ingest")
    update = progress_update("DAEM-003", physical_progress_pct=15.0)
    assert httpx.post(f"{ingest.url}/v1/progress", json=update, timeout=30).status_code == 202
    ingest.stop()

    kafka.stop()
    kafka.start()

    services("indicators")
    row = await eventually(
        lambda: db.fetchrow("SELECT * FROM progress_report WHERE event_id = $1",
                            uuid.UUID(update["event_id"])),
        what="the report produced before the restart",
    )
    assert row["initiative_code"] == "DAEM-003"
    assert await db.fetchval(
        "SELECT count(*) FROM progress_report WHERE event_id = $1", uuid.UUID(update["event_id"])
    ) == 1


async def test_ingest_answers_503_while_the_broker_is_down_and_accepts_again_after(
    services, kafka
):
    ingest = services("ingest", PLADECO_PUBLISH_RETRY_AFTER_S="7")
    kafka.stop()
    try:
        answer = httpx.post(f"{ingest.url}/v1/progress", json=progress_update(), timeout=60)
        assert answer.status_code == 503
        assert answer.headers["Retry-After"] == "7"
        assert httpx.get(f"{ingest.url}/readyz", timeout=10).status_code == 503
    finally:
        kafka.start()

    async def accepted_again():
        response = httpx.post(f"{ingest.url}/v1/progress", json=progress_update(), timeout=60)
        return response.status_code == 202

    await eventually(accepted_again, what="ingest accepting again after the restart")
