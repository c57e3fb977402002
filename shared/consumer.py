"""How every consumer of the system applies an event: at least once from Kafka, exactly once in
effect, and never stuck on a bad message.

- The offset is committed only after the database transaction that applied the event (and that
  recorded its id in ``processed_event``) has committed: subscribers use ``AckPolicy.MANUAL``.
- A message that is not a valid event goes to the dead-letter topic with its reason and source
  offset, then is acknowledged, so one bad message never stops a partition.
- A database that is away is waited for (capped exponential backoff, forever): the event is fine,
  the offset is not committed, and nothing is skipped.
- Any other failure is retried a few times, then dead-lettered with the error; the event is still
  on its history topic, so a fix and a replay can apply it later.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
import structlog
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage
from faststream.message import StreamMessage
from prometheus_client import Counter

from shared.events import DeadLetter
from shared.topics import DEAD_LETTER, TopicSpec

T = TypeVar("T")

TRANSIENT_DATABASE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.TooManyConnectionsError,
    asyncpg.CannotConnectNowError,
    asyncpg.SerializationError,
    asyncpg.DeadlockDetectedError,
)


class ApplyFailed(Exception):
    """An event could not be applied after every attempt; it is dead-lettered."""


class EventRefused(Exception):
    """The event is valid but cannot be applied to the current state; it is dead-lettered at once
    (no retry: the state will not change by waiting)."""

    reason_code = "event_refused"


async def apply_with_retry(
    apply: Callable[[], Awaitable[T]],
    *,
    unexpected_attempts: int = 3,
    first_delay_s: float = 0.2,
    max_delay_s: float = 10.0,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    transient: tuple[type[BaseException], ...] = TRANSIENT_DATABASE_ERRORS,
) -> T:
    log = structlog.stdlib.get_logger()
    delay = first_delay_s
    failures = 0
    while True:
        try:
            return await apply()
        except EventRefused:
            raise
        except transient as error:
            log.warning("dependency_unavailable_retrying", error=repr(error), retry_in_s=delay)
        except Exception as error:
            failures += 1
            if failures >= unexpected_attempts:
                raise ApplyFailed(f"{type(error).__name__}: {error}") from error
            log.warning("apply_failed_retrying", error=repr(error), attempt=failures)
        await sleep(delay)
        delay = min(delay * 2, max_delay_s)


async def dead_letter(
    broker: KafkaBroker,
    message: KafkaMessage,
    *,
    consumer: str,
    reason_code: str,
    reason: str,
    errors: list[dict[str, Any]] | None = None,
    now: dt.datetime,
) -> DeadLetter:
    """Publish a refused message to the dead-letter topic, with where it came from and why."""
    return await dead_letter_record(
        broker, message.raw_message, consumer=consumer, reason_code=reason_code, reason=reason,
        errors=errors, now=now,
    )


async def dead_letter_record(
    broker: KafkaBroker,
    record: Any,
    *,
    consumer: str,
    reason_code: str,
    reason: str,
    errors: list[dict[str, Any]] | None = None,
    now: dt.datetime,
) -> DeadLetter:
    """The same for one record of a batch (an aiokafka ``ConsumerRecord``)."""
    key = record.key.decode("utf-8", "replace") if isinstance(record.key, bytes) else record.key
    letter = DeadLetter(
        reason_code=reason_code,
        reason=reason,
        errors=errors or [],
        consumer=consumer,
        source_topic=record.topic,
        source_partition=record.partition,
        source_offset=record.offset,
        source_key=key,
        original_value=(record.value or b"").decode("utf-8", "replace"),
        dead_lettered_at=now,
    )
    await broker.publish(
        letter.model_dump_json().encode(),
        topic=DEAD_LETTER.name,
        key=record.key if isinstance(record.key, bytes) else None,
        headers={"content-type": "application/json", "reason-code": reason_code},
    )
    structlog.stdlib.get_logger().warning(
        "event_dead_lettered",
        reason_code=reason_code,
        reason=reason,
        source_topic=record.topic,
        source_partition=record.partition,
        source_offset=record.offset,
    )
    return letter


def expect(event: Any, expected: type[Any], topic: TopicSpec) -> Any:
    """The event when its payload is what ``topic`` carries for this consumer; otherwise the one
    refusal every consumer raises for a valid event of another type (``unexpected_event_type``)."""
    from shared.events import ContractViolation

    if not isinstance(event.payload, expected):
        raise ContractViolation("unexpected_event_type", f"{event.event_type} does not belong on {topic.name}")
    return event


async def decode_expected(
    broker: KafkaBroker, message: KafkaMessage, *, expected: type[Any], topic: TopicSpec, consumer: str,
    now: dt.datetime, rejected: Counter | None = None,
) -> Any | None:
    """The message's event when it is a valid event of the ``expected`` type; otherwise None, after
    the message went to the dead-letter topic with its reason (and was counted in ``rejected``, by
    reason code). Every consumer refuses the same way."""
    from shared.events import ContractViolation, decode_event

    try:
        return expect(decode_event(message.body), expected, topic)
    except ContractViolation as violation:
        await dead_letter(broker, message, consumer=consumer, reason_code=violation.reason_code,
                          reason=violation.reason, errors=violation.errors, now=now)
        if rejected is not None:
            rejected.labels(violation.reason_code).inc()
        return None


def subscriber(
    broker: KafkaBroker, topic: TopicSpec, *, group_id: str, title: str, description: str, **options: Any,
) -> Any:
    """Subscribe the way every consumer here does: the body kept as bytes (``undecoded``, decoded
    by the handler), from the earliest offset for a new group, and the offset committed only after
    the handler returned (``NACK_ON_ERROR``: an exception seeks back and the message comes again)."""
    return broker.subscriber(
        topic.name, decoder=undecoded, group_id=group_id, auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR, title=title, description=description, **options,
    )


async def undecoded(message: StreamMessage[Any]) -> Any:
    """FastStream decoder of every subscriber here: the body stays bytes (a list of bytes for a
    batch). The handlers decode and validate it themselves (``decode_event``); FastStream's own
    JSON parse would cost CPU on every message and keep a parsed copy of the last message alive —
    for a plan revision, megabytes (docs/benchmarks.md)."""
    return message.body
