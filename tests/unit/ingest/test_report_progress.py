"""POST /v1/progress: an accepted update is published keyed by its initiative; a wrong one is
answered 422 and nothing is published; Kafka away means 503 with Retry-After."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
from aiokafka.errors import KafkaConnectionError
from fastapi import FastAPI
from faststream.kafka import TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage
from prometheus_client import CollectorRegistry

from services.ingest.app import wire
from services.ingest.handlers import progress_router
from services.ingest.settings import IngestSettings
from shared.events import decode_event

NOW = dt.datetime(2023, 6, 1, 14, 30, tzinfo=dt.UTC)


def update(**fields):
    return {"event_id": str(uuid.uuid4()), "initiative_code": "DOM-001", "as_of": "2023-05-31",
            "physical_progress_pct": 40.0, "spent_to_date_clp": 12_500_000,
            "reporter": "oficina.dom@putre.cl", **fields}


async def post(app: FastAPI, body) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as client:
        return await client.post("/v1/progress", json=body)


async def test_an_accepted_update_is_published_once_keyed_by_its_initiative():
    parts = wire(IngestSettings(), None, CollectorRegistry(), clock=lambda: NOW)
    received = []

    @parts.broker.subscriber("pladeco.progress")
    async def capture(message: KafkaMessage) -> None:
        received.append(message.raw_message)

    async with TestKafkaBroker(parts.broker):
        sent = update(physical_progress_pct=62.5)
        answer = await post(parts.http, sent)
        rejected = await post(parts.http, update(physical_progress_pct=140))

    assert answer.status_code == 202
    assert answer.json() == {"status": "accepted", "event_id": sent["event_id"]}
    [record] = received
    assert record.key == b"DOM-001"
    event = decode_event(record.value)
    assert str(event.event_id) == sent["event_id"]
    assert event.payload.physical_progress_pct == 62.5
    assert event.recorded_at == NOW
    assert rejected.status_code == 422
    assert "physical_progress_pct" in rejected.text


class BrokerAway:
    async def publish(self, *args, **kwargs):
        raise KafkaConnectionError("no broker")


async def test_kafka_away_is_answered_503_with_retry_after():
    app = FastAPI()
    app.include_router(progress_router(BrokerAway(), clock=lambda: NOW,
                                       registry=CollectorRegistry(), retry_after_s=17))

    answer = await post(app, update())

    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "17"
