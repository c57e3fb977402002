"""Kafka handlers of the indicator service: decode, apply once, then commit the offset."""

from __future__ import annotations

import asyncpg
import structlog
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from prometheus_client import CollectorRegistry, Counter

from services.indicators.store import SourceOffset, record_progress_report
from shared.clock import Clock
from shared.consumer import ApplyFailed, apply_with_retry, dead_letter
from shared.events import ContractViolation, ProgressReported, decode_event
from shared.logging import bound_event
from shared.topics import PROGRESS


def register_progress_subscriber(
    broker: KafkaBroker,
    pool: asyncpg.Pool,
    *,
    group_id: str,
    clock: Clock,
    registry: CollectorRegistry,
) -> None:
    applied = Counter(
        "pladeco_indicators_events_applied", "Events applied to the scorecard", ["event_type"],
        registry=registry,
    )
    duplicates = Counter(
        "pladeco_indicators_duplicates_skipped", "Events already applied, skipped", ["event_type"],
        registry=registry,
    )
    rejected = Counter(
        "pladeco_indicators_events_dead_lettered", "Events sent to the dead-letter topic",
        ["reason_code"], registry=registry,
    )
    log = structlog.stdlib.get_logger()

    @broker.subscriber(
        PROGRESS.name,
        group_id=group_id,
        auto_offset_reset="earliest",
        # Commit after the handler returns (its transaction is committed by then); on an exception
        # seek back so the event comes again: nothing after it is committed past it.
        ack_policy=AckPolicy.NACK_ON_ERROR,
        title="indicators.progress",
        description="Accepted progress updates, applied to the indicator tables.",
    )
    async def on_progress(message: KafkaMessage) -> None:
        async def refuse(reason_code: str, reason: str, errors: list | None = None) -> None:
            rejected.labels(reason_code).inc()
            await dead_letter(
                broker, message, consumer=group_id, reason_code=reason_code, reason=reason,
                errors=errors, now=clock(),
            )

        try:
            event = decode_event(message.body)
        except ContractViolation as violation:
            await refuse(violation.reason_code, violation.reason, violation.errors)
            return
        with bound_event(event.event_id, event.initiative_code):
            if not isinstance(event.payload, ProgressReported):
                await refuse(
                    "unexpected_event_type", f"{event.event_type} does not belong on {PROGRESS.name}"
                )
                return
            record = message.raw_message
            source = SourceOffset(record.topic, record.partition, record.offset)
            try:
                first_time = await apply_with_retry(
                    lambda: record_progress_report(pool, group_id, event, source)
                )
            except ApplyFailed as failure:
                await refuse("apply_failed", str(failure))
                return
            if first_time:
                applied.labels(event.event_type).inc()
                log.info("event_applied", event_type=event.event_type, offset=record.offset)
            else:
                duplicates.labels(event.event_type).inc()
                log.info("duplicate_event_skipped", event_type=event.event_type)
