"""Kafka handlers of the indicator service: decode, apply once, then commit the offset.

The GIS layers are served over HTTP from the catalogue this service keeps.

Two subscribers: plan revisions (the catalogue projection) and accepted progress reports. Both
commit an offset only after the database transaction that applied the event (``NACK_ON_ERROR``
seeks back on an exception); a message that is not a valid event of the topic is dead-lettered.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import structlog
from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from prometheus_client import CollectorRegistry, Counter

from services.indicators.catalogue_store import RevisionOutcome, apply_plan_revision
from services.indicators.store import SourceOffset, record_progress_report
from shared.clock import Clock
from shared.consumer import ApplyFailed, EventRefused, apply_with_retry, dead_letter
from shared.events import ContractViolation, EventEnvelope, Payload, PlanRevised, ProgressReported, decode_event
from shared.logging import bound_event
from shared.plan.catalogue import current_plan
from shared.plan.geo import LAYERS, layer
from shared.plan.model import Plan
from shared.topics import PLAN, PLAN_MAX_MESSAGE_BYTES, PROGRESS, TopicSpec


@dataclass(frozen=True)
class ConsumerMetrics:
    applied: Counter
    duplicates: Counter
    rejected: Counter

    @classmethod
    def create(cls, registry: CollectorRegistry) -> ConsumerMetrics:
        return cls(
            applied=Counter(
                "pladeco_indicators_events_applied", "Events applied to the scorecard", ["event_type"],
                registry=registry,
            ),
            duplicates=Counter(
                "pladeco_indicators_duplicates_skipped", "Events already applied, skipped", ["event_type"],
                registry=registry,
            ),
            rejected=Counter(
                "pladeco_indicators_events_dead_lettered", "Events sent to the dead-letter topic",
                ["reason_code"], registry=registry,
            ),
        )


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
) -> None:
    metrics = ConsumerMetrics.create(registry)
    plan_group = f"{group_id}-plan"

    async def apply_plan(event: EventEnvelope[PlanRevised], source: SourceOffset) -> bool:
        return await apply_plan_revision(pool, plan_group, event) is RevisionOutcome.APPLIED

    async def apply_progress(event: EventEnvelope[ProgressReported], source: SourceOffset) -> bool:
        return await record_progress_report(pool, group_id, event, source)

    handle_plan = _consume(broker, topic=PLAN, expected=PlanRevised, group_id=plan_group,
                           clock=clock, metrics=metrics, apply=apply_plan)
    handle_progress = _consume(broker, topic=PROGRESS, expected=ProgressReported, group_id=group_id,
                               clock=clock, metrics=metrics, apply=apply_progress)

    @broker.subscriber(
        PLAN.name,
        group_id=plan_group,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        # A revision is one message, as large as the plan's first load.
        max_partition_fetch_bytes=PLAN_MAX_MESSAGE_BYTES,
        title="indicators.plan",
        description="Plan revisions, applied to the plan catalogue (one transaction per revision).",
    )
    async def on_plan_revised(message: KafkaMessage) -> None:
        await handle_plan(message)

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
        await handle_progress(message)


def gis_router(pool: asyncpg.Pool) -> APIRouter:
    """The plan's GIS layers as GeoJSON, from the catalogue (docs/gis.md)."""
    router = APIRouter(prefix="/v1/gis", tags=["gis"])

    @router.get("", summary="The GIS layers and their URLs")
    async def layers() -> dict[str, Any]:
        return {"capas": [{"nombre": name, "url": f"/v1/gis/{name}.geojson"} for name in LAYERS]}

    @router.get("/{name}.geojson", summary="One GIS layer as a GeoJSON FeatureCollection")
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
