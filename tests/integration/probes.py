"""Probes for the integration tests: reading and writing the real topics and tables, waiting."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

T = TypeVar("T")


def progress_update(initiative_code: str = "INI-001", **fields: Any) -> dict[str, Any]:
    """A valid progress update (for the sample plan) as a municipal system would POST it."""
    return {
        "event_id": str(uuid.uuid4()),
        "initiative_code": initiative_code,
        "as_of": "2023-05-31",
        "physical_progress_pct": 40.0,
        "spent_to_date_clp": 12_500_000,
        "reporter": "oficina.salud@muniputre.example",
        **fields,
    }


def event_id_of(value: bytes) -> str | None:
    """The event id of a record's JSON value; None for the garbage some tests put on purpose."""
    try:
        return json.loads(value).get("event_id")
    except (ValueError, AttributeError):
        return None


async def eventually(
    probe: Callable[[], Awaitable[T]], *, timeout_s: float = 60, what: str = "condition"
) -> T:
    """Poll ``probe`` until it returns a truthy value; fail naming ``what`` after the timeout."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = await probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout_s}s")
        await asyncio.sleep(0.25)


async def produce(bootstrap: str, topic: str, value: bytes, key: bytes | None = None) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()


async def read_topic(bootstrap: str, topic: str, *, timeout_s: float = 5) -> list[Any]:
    """Every record now on ``topic``, from the beginning, without joining a consumer group."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        records: list[Any] = []
        end = await consumer.end_offsets(list(consumer.assignment()) or
                                         [tp for tp in await _partitions(consumer, topic)])
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for messages in batch.values():
                records.extend(messages)
            positions = {tp: await consumer.position(tp) for tp in end}
            if all(positions[tp] >= offset for tp, offset in end.items()):
                break
        return records
    finally:
        await consumer.stop()


async def topic_end(bootstrap: str, topic: str) -> int:
    """The sum of a topic's end offsets: how many records were ever written to it."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None)
    await consumer.start()
    try:
        partitions = await _partitions(consumer, topic)
        assert partitions, f"no partitions known for {topic}"
        return sum((await consumer.end_offsets(partitions)).values())
    finally:
        await consumer.stop()


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> list[Any]:
    from aiokafka import TopicPartition

    await consumer.topics()
    return [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)
