"""HTTP handlers of the ingest service: thin; validation is the models', publishing the broker's."""

from __future__ import annotations

from typing import Any

import structlog
from aiokafka.errors import KafkaError
from fastapi import APIRouter, status
from fastapi.responses import JSONResponse
from faststream.kafka.publisher import DefaultPublisher as KafkaPublisher
from prometheus_client import CollectorRegistry, Counter

from services.ingest.domain import ProgressUpdate, progress_event
from shared.clock import Clock
from shared.logging import bound_event

SOURCE_SYSTEM_HTTP = "http"


def progress_router(
    publisher: KafkaPublisher, *, clock: Clock, registry: CollectorRegistry, retry_after_s: int
) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["progress"])
    accepted = Counter(
        "pladeco_ingest_updates_accepted", "Progress updates accepted and confirmed by Kafka",
        registry=registry,
    )
    unavailable = Counter(
        "pladeco_ingest_updates_unavailable", "Progress updates refused because Kafka was away",
        registry=registry,
    )
    log = structlog.stdlib.get_logger()

    @router.post(
        "/progress",
        status_code=status.HTTP_202_ACCEPTED,
        summary="Report an initiative's progress",
        responses={503: {"description": "Kafka is unavailable; retry after Retry-After seconds."}},
    )
    async def report_progress(update: ProgressUpdate) -> Any:
        event = progress_event(update, source_system=SOURCE_SYSTEM_HTTP, received_at=clock())
        with bound_event(event.event_id, event.initiative_code):
            try:
                await publisher.publish(
                    event.to_wire(),
                    key=event.kafka_key(),
                    headers=event.wire_headers(),
                )
            except (KafkaError, TimeoutError) as error:
                unavailable.inc()
                log.warning("progress_update_unavailable", error=repr(error))
                return JSONResponse(
                    {"status": "unavailable", "detail": "El sistema no puede recibir avances "
                     "en este momento; reintente más tarde."},
                    status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
                    headers={"Retry-After": str(retry_after_s)},
                )
            accepted.inc()
            log.info("progress_update_accepted")
        return {"status": "accepted", "event_id": str(event.event_id)}

    return router
