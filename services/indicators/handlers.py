"""Kafka handlers of the indicator service: decode, apply once, then commit the offset.

The GIS layers are served over HTTP from the catalogue this service keeps.

Two subscribers: plan revisions (the catalogue projection) and accepted progress reports. Both
commit an offset only after the database transaction that applied the event (``NACK_ON_ERROR``
seeks back on an exception); a message that is not a valid event of the topic is dead-lettered.
"""

from __future__ import annotations

import asyncio
import ctypes
import datetime as dt
import gc
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import structlog
from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from prometheus_client import CollectorRegistry, Gauge

from services.indicators.catalogue_store import RevisionOutcome, apply_plan_revision
from services.indicators.figures import Cause
from services.indicators.metrics import ConsumerMetrics, FiguresMetrics
from services.indicators.store import (
    OUTBOX_PRODUCER,
    BatchResult,
    SourceOffset,
    apply_progress_batch,
    recompute_figures,
    rejudge_figures,
)
from shared.audit import Logged, append_events
from shared.clock import Clock, santiago_today
from shared.consumer import (
    ApplyFailed,
    EventRefused,
    apply_with_retry,
    dead_letter,
    dead_letter_record,
    subscriber,
)
from shared.events import (
    ContractViolation,
    EventEnvelope,
    Payload,
    PlanRevised,
    ProgressReported,
    decode_event,
)
from shared.http import ErrorAnswer
from shared.logging import bound_event
from shared.outbox import OutboxRelay
from shared.plan.catalogue import current_plan
from shared.plan.geo import LAYERS, layer
from shared.plan.model import Plan
from shared.topics import PLAN, PLAN_MAX_MESSAGE_BYTES, PROGRESS, TopicSpec

Apply = Callable[[EventEnvelope[Any], SourceOffset], Awaitable[bool]]
"""Applies one decoded event; True when applied now, False when it had been applied before."""


def _consume(
    broker: KafkaBroker,
    *,
    topic: TopicSpec,
    expected: type[Payload],
    group_id: str,
    clock: Clock,
    metrics: ConsumerMetrics,
    apply: Apply,
) -> Callable[[KafkaMessage], Awaitable[None]]:
    """The handler body every subscriber of this service shares."""
    log = structlog.stdlib.get_logger()

    async def handle(message: KafkaMessage) -> None:
        async def refuse(reason_code: str, reason: str, errors: list | None = None) -> None:
            metrics.rejected.labels(reason_code).inc()
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
            if not isinstance(event.payload, expected):
                await refuse("unexpected_event_type", f"{event.event_type} does not belong on {topic.name}")
                return
            record = message.raw_message
            source = SourceOffset(record.topic, record.partition, record.offset)
            try:
                first_time = await apply_with_retry(lambda: apply(event, source))
            except EventRefused as refusal:
                await refuse(refusal.reason_code, str(refusal))
                return
            except ApplyFailed as failure:
                await refuse("apply_failed", str(failure))
                return
            if first_time:
                metrics.applied.labels(event.event_type).inc()
                log.info("event_applied", event_type=event.event_type, offset=record.offset)
            else:
                metrics.duplicates.labels(event.event_type).inc()
                log.info("duplicate_event_skipped", event_type=event.event_type)

    return handle


def register_subscribers(
    broker: KafkaBroker,
    pool: asyncpg.Pool,
    *,
    group_id: str,
    clock: Clock,
    registry: CollectorRegistry,
    relay: OutboxRelay,
    max_batch: int = 2000,
) -> FiguresMetrics:
    metrics = ConsumerMetrics.create(registry)
    figures = FiguresMetrics.create(registry)
    plan_group = f"{group_id}-plan"
    log = structlog.stdlib.get_logger()

    async def after_revision(
        connection: asyncpg.Connection, codes: set[str], event: EventEnvelope[Any], source: SourceOffset
    ) -> None:
        await append_events(connection, [Logged(event, source.topic, source.partition, source.offset)],
                            producer=OUTBOX_PRODUCER)
        cause = Cause((event.event_id,), event.recorded_at)
        figures.figures_events.inc(
            await recompute_figures(connection, {code: cause for code in codes}, santiago_today(clock)))

    async def apply_plan(event: EventEnvelope[PlanRevised], source: SourceOffset) -> bool:
        outcome = await apply_plan_revision(
            pool, plan_group, event,
            after_apply=lambda connection, codes: after_revision(connection, codes, event, source),
        )
        return outcome is RevisionOutcome.APPLIED

    handle_plan = _consume(broker, topic=PLAN, expected=PlanRevised, group_id=plan_group,
                           clock=clock, metrics=metrics, apply=apply_plan)

    @subscriber(
        broker, PLAN,
        group_id=plan_group,
        # A revision is one message, as large as the plan's first load.
        max_partition_fetch_bytes=PLAN_MAX_MESSAGE_BYTES,
        title="indicators.plan",
        description="Plan revisions, applied to the plan catalogue (one transaction per revision); "
        "the figures of the initiatives they touch are recomputed in the same transaction.",
    )
    async def on_plan_revised(message: KafkaMessage) -> None:
        await handle_plan(message)
        await relay.flush()
        release_freed_memory()

    # The batch's offsets are committed after the handler returns (its transaction is committed by
    # then); on an exception every partition of the batch is rewound to its first record.
    @subscriber(
        broker, PROGRESS,
        group_id=group_id,
        batch=True,
        max_records=max_batch,
        batch_timeout_ms=50,
        title="indicators.progress",
        description="Accepted progress updates, applied in batches: history, figures and the "
        "indicators.updated events in one transaction per batch.",
    )
    async def on_progress_batch(message: KafkaMessage) -> None:
        records = message.raw_message if isinstance(message.raw_message, tuple) else (message.raw_message,)
        good, bad = _decode_batch(records)
        started = time.perf_counter()
        try:
            today = santiago_today(clock)
            result = await apply_with_retry(lambda: apply_progress_batch(pool, group_id, good, today=today))
        except ApplyFailed:
            # One event the database refuses must not hold back the rest: apply them one by one
            # and dead-letter the ones that still fail.
            result, failed = await _apply_one_by_one(pool, group_id, good, today)
            bad += failed
        figures.database_seconds.observe(time.perf_counter() - started)
        figures.batch_size.observe(len(records))
        figures.figures_events.inc(result.figures_events)
        now = clock()
        for event in result.applied:
            metrics.applied.labels(event.event_type).inc()
            figures.apply_latency.observe(max(0.0, (now - event.recorded_at).total_seconds()))
        if result.duplicates:
            metrics.duplicates.labels(ProgressReported.EVENT_TYPE).inc(result.duplicates)
            log.info("duplicate_events_skipped", count=result.duplicates)
        log.info("progress_batch_applied", events=len(records), applied=len(result.applied),
                 duplicates=result.duplicates, figures_events=result.figures_events,
                 initiatives=sorted({e.payload.initiative_code for e in result.applied})[:20])
        for record, violation in bad:
            metrics.rejected.labels(violation.reason_code).inc()
            await dead_letter_record(broker, record, consumer=group_id, reason_code=violation.reason_code,
                                     reason=violation.reason, errors=violation.errors, now=now)
        await relay.flush()

    return figures


def release_freed_memory() -> None:
    """Give back to the system what a plan revision used: its message is as large as the plan
    (megabytes for a large commune), parsed once, then dropped; without this the allocator keeps
    the freed heap and the service's memory would follow the plan's size (docs/benchmarks.md)."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (musl, macOS): the allocator keeps it, no harm
        pass


async def _apply_one_by_one(pool: asyncpg.Pool, group_id: str, good: list, today: dt.date) -> tuple[BatchResult, list]:
    total, failed = BatchResult(), []
    for event, source in good:
        try:
            result = await apply_with_retry(
                lambda: apply_progress_batch(pool, group_id, [(event, source)], today=today))
        except ApplyFailed as failure:
            record = _SourceRecord(source, event)
            failed.append((record, ContractViolation("apply_failed", str(failure))))
            continue
        total.applied += result.applied
        total.duplicates += result.duplicates
        total.figures_events += result.figures_events
    return total, failed


@dataclass(frozen=True)
class _SourceRecord:
    """What a dead letter needs of a record that decoded but could not be applied."""

    source: SourceOffset
    event: EventEnvelope[Any]

    @property
    def topic(self) -> str:
        return self.source.topic

    @property
    def partition(self) -> int:
        return self.source.partition

    @property
    def offset(self) -> int:
        return self.source.offset

    @property
    def key(self) -> bytes | None:
        return self.event.kafka_key()

    @property
    def value(self) -> bytes:
        return self.event.to_wire()


def _decode_batch(records: tuple[Any, ...]) -> tuple[list, list]:
    good, bad = [], []
    for record in records:
        try:
            event = decode_event(record.value or b"")
        except ContractViolation as violation:
            bad.append((record, violation))
            continue
        if not isinstance(event.payload, ProgressReported):
            bad.append((record, ContractViolation("unexpected_event_type",
                                                  f"{event.event_type} does not belong on {PROGRESS.name}")))
            continue
        good.append((event, SourceOffset(record.topic, record.partition, record.offset)))
    return good, bad


async def judge_daily(
    pool: asyncpg.Pool, clock: Clock, relay: OutboxRelay, figures: FiguresMetrics, *, interval_s: float
) -> None:
    """Every ``interval_s``: judge again, as of today in America/Santiago, the initiatives last
    judged on another day (after midnight, all of them once). A database that is down only delays it."""
    log = structlog.stdlib.get_logger()
    while True:
        try:
            today = santiago_today(clock)
            async with pool.acquire() as connection, connection.transaction():
                changed = await rejudge_figures(connection, today, clock())
            figures.figures_events.inc(changed)
            if changed:
                log.info("initiatives_judged", judged_on=str(today), status_changes=changed)
                await relay.flush()
        except (asyncpg.PostgresError, OSError) as error:
            log.warning("judgement_deferred", error=repr(error))
        await asyncio.sleep(interval_s)


async def watch_consumer_lag(
    bootstrap_servers: str, group_ids: dict[str, str], gauge: Gauge, *, interval_s: float = 15.0
) -> None:
    """Every ``interval_s``: end offsets minus the group's committed offsets, per topic."""
    from aiokafka import AIOKafkaConsumer, TopicPartition
    from aiokafka.admin import AIOKafkaAdminClient

    log = structlog.stdlib.get_logger()
    while True:
        try:
            admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="pladeco-indicators-lag")
            probe = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, group_id=None)
            await admin.start()
            await probe.start()
            try:
                for topic, group in group_ids.items():
                    committed = await admin.list_consumer_group_offsets(group)
                    partitions = [TopicPartition(topic, p) for p in probe.partitions_for_topic(topic) or ()]
                    if not partitions:
                        await probe.topics()
                        partitions = [TopicPartition(topic, p) for p in probe.partitions_for_topic(topic) or ()]
                    ends = await probe.end_offsets(partitions) if partitions else {}
                    lag = sum(max(0, end - (committed[tp].offset if tp in committed else 0)) for tp, end in ends.items())
                    gauge.labels(topic).set(lag)
            finally:
                await probe.stop()
                await admin.close()
        except Exception as error:  # noqa: BLE001 - a metric must never stop the service
            log.warning("consumer_lag_unavailable", error=repr(error))
        await asyncio.sleep(interval_s)


def gis_router(pool: asyncpg.Pool) -> APIRouter:
    """The plan's GIS layers as GeoJSON, from the catalogue (docs/gis.md)."""
    router = APIRouter(prefix="/v1/gis", tags=["gis"])

    @router.get("", summary="The GIS layers and their URLs")
    async def layers() -> dict[str, Any]:
        return {"capas": [{"nombre": name, "url": f"/v1/gis/{name}.geojson"} for name in LAYERS]}

    @router.get("/{name}.geojson", summary="One GIS layer as a GeoJSON FeatureCollection",
                responses={404: {"model": ErrorAnswer, "description": "Unknown layer, or no plan loaded yet."},
                           503: {"model": ErrorAnswer, "description": "PostgreSQL is unavailable; retry later."}})
    async def geojson(name: str) -> JSONResponse:
        if name not in LAYERS:
            raise HTTPException(404, detail=f"capa desconocida «{name}»; capas: {', '.join(LAYERS)}")
        async with pool.acquire() as connection:
            state = await current_plan(connection)
        if state.document is None:
            raise HTTPException(404, detail="el catálogo está vacío: aún no se carga un plan")
        return JSONResponse(
            layer(Plan.model_validate(state.document), name),
            media_type="application/geo+json",
            headers={"Cache-Control": "max-age=60", "Access-Control-Allow-Origin": "*"},
        )

    return router
