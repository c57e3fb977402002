"""The ingest doors under abuse (issue 14): each test failed before its fix.

Deep JSON, a database that is away, a raw message holding a list, amounts beyond ``bigint``, a
scoped key probing another unit's initiatives, and uploads that are not what they claim."""

from __future__ import annotations

import json

import asyncpg
import httpx
import pytest
from faststream.kafka import TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage

from shared.auth import Role
from shared.events import MAX_CLP, DeadLetter
from tests.unit.ingest.fakes import InMemoryIngestStore
from tests.unit.ingest.test_report_progress import Ingest, update

CSV = ("iniciativa;fecha;avance_fisico_pct;informante\nINI-001;31-03-2023;25,5;planilla dom\n").encode()


@pytest.fixture
async def ingest():
    service = Ingest()
    async with TestKafkaBroker(service.parts.broker):
        yield service


async def call(ingest: Ingest, method: str, path: str, **kwargs) -> httpx.Response:
    transport = httpx.ASGITransport(app=ingest.parts.http)
    async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as client:
        return await client.request(method, path, **kwargs)


def bearer(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


# --- JSON nested beyond the limit ------------------------------------------------------------------


@pytest.mark.parametrize("body", [b"[" * 100_000 + b"]" * 100_000, b"[" * 100_000, b'{"a":' * 50_000],
                         ids=["closed", "unclosed", "objects"])
async def test_json_nested_100000_levels_is_a_422_too_deep_not_a_crash(ingest, body):
    answer = await ingest.post(None, raw=body)

    assert answer.status_code == 422
    assert answer.json()["status"] == "rejected"
    assert [(e["path"], e["code"]) for e in answer.json()["errors"]] == [("$", "too_deep")]
    assert ingest.metric("pladeco_ingest_rejections_total", channel="http", reason="too_deep") == 1


async def test_json_at_a_reasonable_depth_is_judged_as_usual(ingest):
    nested = update(note=None)
    answer = await ingest.post(None, raw=json.dumps([nested]).encode())

    assert answer.status_code == 202


# --- PostgreSQL away: 503 with Retry-After at every door --------------------------------------------


class DatabaseAway(InMemoryIngestStore):
    def __init__(self, fail_at: str, error: Exception):
        super().__init__()
        self.fail_at, self.error = fail_at, error

    async def api_key(self, key_id):
        if self.fail_at == "api_key":
            raise self.error
        return await super().api_key(key_id)

    async def catalogue(self, *, refresh=False):
        if self.fail_at == "catalogue":
            raise self.error
        return await super().catalogue(refresh=refresh)

    async def accept(self, candidates, **kwargs):
        if self.fail_at == "accept":
            raise self.error
        return await super().accept(candidates, **kwargs)


@pytest.mark.parametrize("fail_at", ["api_key", "catalogue", "accept"])
@pytest.mark.parametrize("error", [ConnectionRefusedError(111, "Connection refused"),
                                   asyncpg.CannotConnectNowError("the database system is in recovery mode"),
                                   asyncpg.AdminShutdownError("terminating connection due to administrator command"),
                                   asyncpg.ConnectionDoesNotExistError("connection was closed")],
                         ids=["refused", "recovering", "shutdown", "dropped"])
@pytest.mark.parametrize("door", ["progress", "upload"])
async def test_a_database_away_is_a_503_with_retry_after_at_every_ingest_door(fail_at, error, door):
    service = Ingest(DatabaseAway(fail_at, error), publish_retry_after_s=11)
    key = service.store.add_key("sistema-dom", {"DOM"})
    async with TestKafkaBroker(service.parts.broker):
        if door == "progress":
            answer = await call(service, "POST", "/v1/progress", json=update(), headers=bearer(key))
        else:
            answer = await call(service, "POST", "/v1/progress/upload", headers=bearer(key),
                                files={"file": ("avances.csv", CSV, "text/csv")})

    assert answer.status_code == 503, answer.text
    assert answer.headers["Retry-After"] == "11"
    assert answer.json()["status"] == "unavailable"
    assert service.store.accepted == {}


# --- the raw topic: one JSON object per message ------------------------------------------------------


@pytest.mark.parametrize("body", [[update(), update(as_of="2023-04-30")], [update()], "INI-001", 42],
                         ids=["two-updates", "one-in-a-list", "string", "number"])
async def test_a_raw_message_that_is_not_one_object_is_dead_lettered_whole(ingest, body):
    letters = []

    @ingest.parts.broker.subscriber("pladeco.deadletter")
    async def capture(message: KafkaMessage) -> None:
        letters.append(DeadLetter.model_validate_json(message.raw_message.value))

    async with TestKafkaBroker(ingest.parts.broker) as broker:
        await broker.publish(json.dumps(body).encode(), topic="pladeco.progress.raw", key=b"INI-001")

    assert ingest.published == [], "no element of it goes on"
    [letter] = letters
    assert letter.reason_code == "not_an_object"
    assert letter.original_value == json.dumps(body)
    assert "objeto JSON" in letter.reason


async def test_a_raw_message_with_one_object_still_goes_on(ingest):
    async with TestKafkaBroker(ingest.parts.broker) as broker:
        await broker.publish(json.dumps(update()).encode(), topic="pladeco.progress.raw", key=b"INI-001")

    assert len(ingest.published) == 1


# --- amounts that fit the column -----------------------------------------------------------------------


@pytest.mark.parametrize("amount", [10**25, MAX_CLP + 1])
async def test_an_amount_beyond_bigint_is_refused_at_ingest(ingest, amount):
    answer = await ingest.post(update(spent_to_date_clp=amount))

    assert answer.status_code == 422
    [problem] = answer.json()["errors"]
    assert (problem["path"], problem["code"]) == ("$.spent_to_date_clp", "out_of_range")
    assert ingest.published == []


async def test_the_largest_amount_bigint_holds_is_accepted(ingest):
    assert (await ingest.post(update(spent_to_date_clp=MAX_CLP))).status_code == 202


# --- scope before content ------------------------------------------------------------------------------


@pytest.mark.parametrize("fields", [
    {"indicator_measurements": [{"indicator_code": "INI-001-I1", "value": 3, "period": "2023-05"}]},
    {"as_of": "2019-01-01"},
    {"physical_progress_pct": "mucho"},
    {"color": "rojo"},
], ids=["foreign-indicator", "date-outside-plan", "not-a-number", "unknown-field"])
async def test_a_scoped_key_learns_nothing_about_another_units_initiative(ingest, fields):
    answer = await ingest.post(update(initiative_code="INI-002", **fields))

    assert answer.status_code == 403
    assert [(e["path"], e["code"]) for e in answer.json()["errors"]] == [("$.initiative_code", "out_of_scope")]


async def test_in_a_batch_only_the_scope_is_named_when_an_item_is_out_of_it(ingest):
    answer = await ingest.post([update(physical_progress_pct=140), update(initiative_code="INI-002", as_of="2030-01-01")])

    assert answer.status_code == 403
    assert [(e["path"], e["code"]) for e in answer.json()["errors"]] == [("$[1].initiative_code", "out_of_scope")]


# --- roles ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.MANAGER, Role.AUDITOR])
async def test_a_key_whose_role_does_not_report_progress_is_refused(ingest, role):
    key = ingest.store.add_key("control", None, role=role)

    answer = await ingest.post(update(), key=key)
    upload = await call(ingest, "POST", "/v1/progress/upload", headers=bearer(key),
                        files={"file": ("avances.csv", CSV, "text/csv")})

    assert answer.status_code == upload.status_code == 403
    assert answer.json()["errors"][0]["code"] == "role_not_allowed"
    assert ingest.published == []


# --- uploads -------------------------------------------------------------------------------------------


class CountingBody:
    """A request body streamed in 64 KiB chunks, counting how many were read."""

    def __init__(self, size: int):
        self.size, self.read = size, 0

    async def __aiter__(self):
        sent = 0
        while sent < self.size:
            self.read += 1
            chunk = b"x" * min(65536, self.size - sent)
            sent += len(chunk)
            yield chunk


MULTIPART = "multipart/form-data; boundary=frontera"


async def test_an_upload_without_a_key_is_refused_before_its_body_is_read(ingest):
    body = CountingBody(8 * 1024 * 1024)

    answer = await call(ingest, "POST", "/v1/progress/upload", content=body, headers={"content-type": MULTIPART})

    assert answer.status_code == 401
    assert answer.json()["status"] == "unauthorized"
    assert body.read <= 1, f"{body.read} chunks of 64 KiB read before the key was checked"


async def test_an_oversized_upload_is_refused_while_streaming():
    service = Ingest(ingest_max_upload_bytes=1024 * 1024)
    body = CountingBody(8 * 1024 * 1024)
    async with TestKafkaBroker(service.parts.broker):
        answer = await call(service, "POST", "/v1/progress/upload", content=body,
                            headers={**bearer(service.dom_key), "content-type": MULTIPART})

    assert answer.status_code == 413
    assert answer.json()["status"] == "too_large"
    assert body.read <= 1024 * 1024 // 65536 + 3, "stopped soon after the limit"


async def test_an_upload_declaring_an_oversized_length_is_refused_unread():
    service = Ingest(ingest_max_upload_bytes=1024 * 1024)
    body = CountingBody(8 * 1024 * 1024)
    async with TestKafkaBroker(service.parts.broker):
        answer = await call(service, "POST", "/v1/progress/upload", content=body,
                            headers={**bearer(service.dom_key), "content-type": MULTIPART,
                                     "content-length": str(8 * 1024 * 1024)})

    assert answer.status_code == 413
    assert body.read <= 1


@pytest.mark.parametrize(("content", "content_type", "path", "code"), [
    (b"--frontera\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nabc", MULTIPART,
     "$", "invalid_multipart"),
    (b"no es multipart", "text/plain", "$", "invalid_multipart"),
    (b"--frontera\r\nContent-Disposition: form-data; name=\"otro\"\r\n\r\nabc\r\n--frontera--\r\n", MULTIPART,
     "file", "missing_field"),
], ids=["truncated", "not-multipart", "no-file-field"])
async def test_a_malformed_upload_is_answered_in_the_documented_format(ingest, content, content_type, path, code):
    answer = await call(ingest, "POST", "/v1/progress/upload", content=content,
                        headers={**bearer(ingest.dom_key), "content-type": content_type})

    assert answer.status_code == 422
    assert answer.json()["status"] == "rejected" and answer.json()["detail"]
    assert [(e["path"], e["code"]) for e in answer.json()["errors"]] == [(path, code)]
    assert answer.json()["errors"][0]["message"]


async def test_an_unknown_upload_mode_is_answered_in_the_documented_format(ingest):
    answer = await call(ingest, "POST", "/v1/progress/upload?mode=todo", headers=bearer(ingest.dom_key),
                        files={"file": ("avances.csv", CSV, "text/csv")})

    assert answer.status_code == 422
    [problem] = answer.json()["errors"]
    assert (problem["path"], problem["code"]) == ("query.mode", "invalid_mode")
    assert "all_or_nothing" in problem["message"]


async def test_a_good_upload_still_goes_through(ingest):
    answer = await call(ingest, "POST", "/v1/progress/upload?mode=valid_rows", headers=bearer(ingest.dom_key),
                        files={"file": ("avances.csv", CSV, "text/csv")})

    assert answer.status_code == 200, answer.text
    assert answer.json()["accepted"] == 1
    assert len(ingest.published) == 1


async def test_an_unknown_route_is_answered_in_the_documented_format(ingest):
    answer = await call(ingest, "GET", "/v1/nada")

    assert answer.status_code == 404
    assert answer.json()["status"] == "not_found"

