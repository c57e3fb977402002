"""Events survive a broker restart: produced before it, consumed after it, nothing lost or doubled."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.integration.conftest import post_progress
from tests.integration.probes import eventually, progress_update, topic_end

pytestmark = pytest.mark.integration


async def test_an_event_produced_before_a_broker_restart_is_consumed_after_it(
    services, db, kafka, api_key
):
    ingest = services("ingest")
    update = progress_update("INI-008", physical_progress_pct=15.0)
    assert post_progress(ingest, update, await api_key("daem", ["DAEM"])).status_code == 202
    ingest.stop()

    kafka.stop()
    kafka.start()

    services("indicators")
    row = await eventually(
        lambda: db.fetchrow("SELECT * FROM progress_report WHERE event_id = $1",
                            uuid.UUID(update["event_id"])),
        what="the report produced before the restart",
    )
    assert row["initiative_code"] == "INI-008"
    assert await db.fetchval(
        "SELECT count(*) FROM progress_report WHERE event_id = $1", uuid.UUID(update["event_id"])
    ) == 1


async def test_ingest_answers_503_while_the_broker_is_down_and_accepts_again_after(
    services, db, kafka, api_key
):
    ingest = services("ingest", PLADECO_PUBLISH_RETRY_AFTER_S="7")
    key = await api_key("salud", ["SALUD"])
    refused = progress_update()
    before = await topic_end(kafka.bootstrap_servers, "pladeco.progress")
    kafka.stop()
    try:
        answer = post_progress(ingest, refused, key, timeout=60)
        assert answer.status_code == 503
        assert answer.headers["Retry-After"] == "7"
        assert httpx.get(f"{ingest.url}/readyz", timeout=10).status_code == 503
    finally:
        kafka.start()
    # Nothing half-written: no record of the refused update, and nothing on the topic.
    assert await db.fetchval("SELECT count(*) FROM ingest_event WHERE event_id = $1",
                             uuid.UUID(refused["event_id"])) == 0

    async def accepted_again():
        return post_progress(ingest, refused, key, timeout=60).status_code == 202

    await eventually(accepted_again, what="ingest accepting the same update again after the restart")
    assert await topic_end(kafka.bootstrap_servers, "pladeco.progress") == before + 1
