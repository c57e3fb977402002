"""An update posted to the ingest service travels over the real broker to the indicator service,
which stores it once in the real database; bad messages go to the dead-letter topic."""

from __future__ import annotations

import uuid

import pytest

from shared.events import DeadLetter, decode_event
from shared.topics import DEAD_LETTER, PROGRESS
from tests.integration.conftest import post_progress
from tests.integration.probes import event_id_of, eventually, produce, progress_update, read_topic

pytestmark = pytest.mark.integration


async def stored_report(db, event_id: str):
    return await db.fetchrow("SELECT * FROM progress_report WHERE event_id = $1", uuid.UUID(event_id))


async def test_an_update_posted_to_ingest_is_stored_by_the_indicator_service(services, db, kafka, api_key):
    ingest = services("ingest")
    services("indicators")
    update = progress_update("INI-002", physical_progress_pct=62.5, spent_to_date_clp=48_000_000)

    answer = post_progress(ingest, update, await api_key("secplan", ["SECPLAN"]))

    assert answer.status_code == 202, answer.text
    row = await eventually(lambda: stored_report(db, update["event_id"]), what="the stored report")
    assert row["initiative_code"] == "INI-002"
    assert float(row["physical_progress_pct"]) == 62.5
    assert row["spent_to_date_clp"] == 48_000_000
    assert row["source_topic"] == PROGRESS.name
    on_topic = [r for r in await read_topic(kafka.bootstrap_servers, PROGRESS.name)
                if event_id_of(r.value) == update["event_id"]]
    assert [r.key for r in on_topic] == [b"INI-002"], "keyed by initiative, published once"


async def test_the_same_event_delivered_twice_is_stored_once(services, db, kafka, api_key):
    services("indicators")
    ingest = services("ingest")
    update = progress_update("INI-003")
    key = await api_key("salud", ["SALUD"])

    assert post_progress(ingest, update, key).status_code == 202
    # The second copy goes straight onto the topic, past ingest's own duplicate check.
    event = decode_event([r.value for r in await read_topic(kafka.bootstrap_servers, PROGRESS.name)
                          if event_id_of(r.value) == update["event_id"]][0])
    await produce(kafka.bootstrap_servers, PROGRESS.name, event.to_wire(), key=event.kafka_key())
    marker = progress_update("INI-003")  # sent after both copies: once it is stored, both were seen
    assert post_progress(ingest, marker, key).status_code == 202
    await eventually(lambda: stored_report(db, marker["event_id"]), what="the marker report")

    copies = await db.fetchval(
        "SELECT count(*) FROM progress_report WHERE event_id = $1", uuid.UUID(update["event_id"])
    )
    assert copies == 1


async def test_a_malformed_message_goes_to_the_dead_letter_topic_and_the_next_one_still_flows(
    services, db, kafka, api_key
):
    services("indicators")
    ingest = services("ingest")
    garbage = b'{"event_id": "not-a-uuid", "hello": ' + uuid.uuid4().hex.encode() + b"}"

    await produce(kafka.bootstrap_servers, PROGRESS.name, garbage, key=b"INI-001")
    follower = progress_update("INI-001")
    assert post_progress(ingest, follower, await api_key("salud", ["SALUD"])).status_code == 202

    await eventually(lambda: stored_report(db, follower["event_id"]), what="the valid follower")

    async def dead_letter_for_garbage():
        letters = [DeadLetter.model_validate_json(r.value)
                   for r in await read_topic(kafka.bootstrap_servers, DEAD_LETTER.name)]
        return [letter for letter in letters if letter.original_value == garbage.decode()]

    [letter] = await eventually(dead_letter_for_garbage, what="the dead letter")
    assert letter.reason_code == "invalid_json"
    assert letter.source_topic == PROGRESS.name
    assert letter.consumer == "pladeco-indicators"
    assert letter.source_offset >= 0
