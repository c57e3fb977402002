"""POST /v1/progress over FastStream's in-memory broker: what is accepted is published once, keyed
by its initiative; what is wrong is answered with every problem and nothing is published."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest
from aiokafka.errors import KafkaConnectionError
from fastapi import FastAPI
from faststream.kafka import TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage
from prometheus_client import CollectorRegistry

from services.ingest.app import wire
from services.ingest.handlers import IngestRules, progress_router
from services.ingest.metrics import IngestMetrics
from services.ingest.settings import IngestSettings
from shared.events import decode_event
from tests.unit.ingest.fakes import InMemoryIngestStore

NOW = dt.datetime(2023, 6, 1, 14, 30, tzinfo=dt.UTC)


def update(**fields):
    return {"event_id": str(uuid.uuid4()), "initiative_code": "INI-001", "as_of": "2023-05-31",
            "physical_progress_pct": 40.0, "spent_to_date_clp": 12_500_000,
            "reporter": "oficina.dom@muniputre.example", **fields}


class Ingest:
    """The ingest app over TestKafkaBroker, with what it published."""

    def __init__(self, store: InMemoryIngestStore | None = None, **settings):
        self.store = store or InMemoryIngestStore()
        self.registry = CollectorRegistry()
        self.parts = wire(IngestSettings(**settings), None, self.registry, clock=lambda: NOW, store=self.store)
        self.published = []

        @self.parts.broker.subscriber("pladeco.progress")
        async def capture(message: KafkaMessage) -> None:
            self.published.append(message.raw_message)

        self.dom_key = self.store.add_key("sistema-dom", {"DOM"})

    async def post(self, body, *, key: str | None = "default", raw: bytes | None = None) -> httpx.Response:
        headers = {"content-type": "application/json"}
        if key is not None:
            headers["authorization"] = f"Bearer {self.dom_key if key == 'default' else key}"
        transport = httpx.ASGITransport(app=self.parts.http)
        async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as client:
            if raw is not None:
                return await client.post("/v1/progress", content=raw, headers=headers)
            return await client.post("/v1/progress", json=body, headers=headers)

    def metric(self, name: str, **labels) -> float:
        return self.registry.get_sample_value(name, labels) or 0.0


@pytest.fixture
async def ingest():
    service = Ingest()
    async with TestKafkaBroker(service.parts.broker):
        yield service


async def test_an_accepted_update_is_published_once_keyed_by_its_initiative(ingest):
    sent = update(physical_progress_pct=62.5)

    answer = await ingest.post(sent)

    assert answer.status_code == 202
    assert answer.json() == {"status": "accepted", "event_id": sent["event_id"], "accepted": 1, "duplicates": 0,
                             "results": [{"event_id": sent["event_id"], "status": "accepted"}]}
    [record] = ingest.published
    assert record.key == b"INI-001"
    event = decode_event(record.value)
    assert str(event.event_id) == sent["event_id"]
    assert event.payload.physical_progress_pct == 62.5
    assert event.source_system == "sistema-dom"  # the key says which system sent it
    assert event.recorded_at == NOW
    assert ingest.metric("pladeco_ingest_updates_total", channel="http", outcome="accepted") == 1


async def test_a_repeated_event_id_is_answered_as_a_duplicate_and_not_published_again(ingest):
    sent = update()
    await ingest.post(sent)

    again = await ingest.post(sent)

    assert again.status_code == 200
    assert again.json()["status"] == "duplicate"
    assert len(ingest.published) == 1
    assert ingest.metric("pladeco_ingest_updates_total", channel="http", outcome="duplicate") == 1


async def test_an_event_id_reused_with_other_content_is_a_conflict(ingest):
    sent = update()
    await ingest.post(sent)

    answer = await ingest.post({**sent, "physical_progress_pct": 90.0})

    assert answer.status_code == 409
    assert answer.json()["errors"][0]["code"] == "event_id_reused"
    assert len(ingest.published) == 1


async def test_a_batch_with_one_bad_update_is_refused_whole_with_the_item_named(ingest):
    batch = [update(), update(physical_progress_pct=140), update(spent_to_date_clp=-5)]

    answer = await ingest.post(batch)

    assert answer.status_code == 422
    assert [(e["path"], e["code"]) for e in answer.json()["errors"]] == [
        ("$[1].physical_progress_pct", "out_of_range"),
        ("$[2].spent_to_date_clp", "out_of_range"),
    ]
    assert answer.json()["errors"][0]["message"] == "debe ser menor o igual a 100; se recibió 140"
    assert ingest.published == []


async def test_a_good_batch_is_published_item_by_item(ingest):
    batch = [update(as_of="2023-03-31"), update(as_of="2023-04-30")]

    answer = await ingest.post(batch)

    assert answer.status_code == 202
    assert answer.json()["event_id"] is None and answer.json()["accepted"] == 2
    assert sorted(decode_event(r.value).payload.as_of.isoformat() for r in ingest.published) == ["2023-03-31", "2023-04-30"]


@pytest.mark.parametrize(
    ("fields", "path", "code"),
    [
        ({"initiative_code": "INI-999"}, "$.initiative_code", "unknown_initiative"),
        ({"indicator_measurements": [{"indicator_code": "INI-002-I1", "value": 3, "period": "2023-05"}]},
         "$.indicator_measurements[0].indicator_code", "indicator_not_in_initiative"),
        ({"milestone_updates": [{"milestone_code": "INI-002-H1", "status": "done", "date": "2023-05-02"}]},
         "$.milestone_updates[0].milestone_code", "milestone_not_in_initiative"),
        ({"as_of": "2023-06-02"}, "$.as_of", "date_in_future"),
        ({"as_of": "2019-12-31"}, "$.as_of", "date_outside_plan"),
        ({"physical_progress_pct": None, "spent_to_date_clp": None}, "$", "empty_update"),
        ({"physical_progress_pct": "mucho"}, "$.physical_progress_pct", "not_a_number"),
        ({"as_of": "31-05-2023"}, "$.as_of", "not_a_date"),
        ({"reporter": None}, "$.reporter", "not_a_text"),
        ({"color": "rojo"}, "$.color", "unknown_field"),
    ],
    ids=["unknown-initiative", "foreign-indicator", "foreign-milestone", "future-date", "before-the-plan",
         "empty", "non-numeric", "chilean-date-format", "null-reporter", "unknown-field"],
)
async def test_each_problem_has_a_path_a_stable_code_and_a_spanish_message(ingest, fields, path, code):
    answer = await ingest.post(update(**fields))

    assert answer.status_code == 422
    [problem] = answer.json()["errors"]
    assert (problem["path"], problem["code"]) == (path, code)
    assert problem["message"] and "Input should" not in problem["message"]  # Spanish, not pydantic's English
    assert ingest.published == []
    assert ingest.metric("pladeco_ingest_rejections_total", channel="http", reason=code) == 1


async def test_malformed_json_is_a_422_naming_the_position(ingest):
    answer = await ingest.post(None, raw=b'{"event_id": ')

    assert answer.status_code == 422
    [problem] = answer.json()["errors"]
    assert problem["code"] == "invalid_json"
    assert "línea 1" in problem["message"]


async def test_an_oversized_body_is_refused_before_it_is_read():
    service = Ingest(ingest_max_body_bytes=2048)
    async with TestKafkaBroker(service.parts.broker):
        answer = await service.post([update(note="x" * 1500), update(note="y" * 1500)])
    assert answer.status_code == 413
    assert answer.json()["status"] == "too_large"
    assert service.published == []


async def test_without_a_valid_key_nothing_is_accepted(ingest):
    revoked = ingest.store.add_key("sistema-viejo", None, revoked=True)
    forged = ingest.dom_key[:-4] + "AAAA"

    answers = [await ingest.post(update(), key=None), await ingest.post(update(), key=revoked),
               await ingest.post(update(), key=forged), await ingest.post(update(), key="pk.nada")]

    assert [a.status_code for a in answers] == [401, 401, 401, 401]
    assert answers[0].headers["WWW-Authenticate"].startswith("Bearer")
    assert ingest.published == []


async def test_a_dom_key_cannot_report_on_a_dideco_initiative(ingest):
    answer = await ingest.post([update(), update(initiative_code="INI-002", as_of="2023-05-31")])

    assert answer.status_code == 403
    [problem] = answer.json()["errors"]
    assert (problem["path"], problem["code"]) == ("$[1].initiative_code", "out_of_scope")
    assert "a cargo de DIDECO" in problem["message"]
    assert ingest.published == []


async def test_a_key_for_every_unit_may_report_on_any_initiative(ingest):
    everything = ingest.store.add_key("secplan", None)

    answer = await ingest.post(update(initiative_code="INI-002"), key=everything)

    assert answer.status_code == 202


class BrokerAway:
    def __init__(self):
        self.calls = 0

    async def __call__(self, event) -> None:
        self.calls += 1
        raise KafkaConnectionError("no broker")


async def test_kafka_away_is_answered_503_with_retry_after_and_nothing_is_recorded():
    store = InMemoryIngestStore()
    away = BrokerAway()
    app = FastAPI()
    registry = CollectorRegistry()
    app.include_router(progress_router(
        store=store, publish=away, clock=lambda: NOW, metrics=IngestMetrics.create(registry),
        rules=IngestRules(retry_after_s=17, grace_days=365, max_body_bytes=1 << 20, max_upload_bytes=1 << 20),
    ))
    key = store.add_key("sistema-dom", {"DOM"})
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as client:
        answer = await client.post("/v1/progress", json=update(), headers={"authorization": f"Bearer {key}"})

    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "17"
    assert away.calls == 1
    assert store.accepted == {}, "a retry after the outage is accepted as new"
    assert registry.get_sample_value("pladeco_ingest_updates_total", {"channel": "http", "outcome": "unavailable"}) == 1
