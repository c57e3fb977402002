"""Wiring of the ingest service: the progress API, the raw-topic pipeline, and their publisher."""

from __future__ import annotations

from typing import Any

import asyncpg
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from services.ingest.domain import ProgressUpdate
from services.ingest.handlers import (
    IngestRules,
    progress_router,
    register_raw_subscriber,
    request_metrics_middleware,
)
from services.ingest.metrics import IngestMetrics
from services.ingest.settings import IngestSettings
from services.ingest.store import IngestStore, PostgresIngestStore
from shared.broker import create_broker
from shared.clock import Clock, utc_now
from shared.events import EventEnvelope, ProgressReported
from shared.http import create_http_app
from shared.service import ServiceDefinition, ServiceParts
from shared.topics import PROGRESS

VERSION = "0.2.0"


def wire(
    settings: IngestSettings,
    pool: asyncpg.Pool,
    registry: CollectorRegistry,
    clock: Clock = utc_now,
    store: IngestStore | None = None,
) -> ServiceParts:
    store = store or PostgresIngestStore(pool, catalogue_ttl_s=settings.ingest_catalogue_ttl_s)
    broker = create_broker(
        settings,
        client_id="pladeco-ingest",
        registry=registry,
        description="Receives progress updates and publishes the accepted ones.",
    )
    publisher = broker.publisher(
        PROGRESS.name,
        title="progress.reported",
        description=PROGRESS.description,
        schema=EventEnvelope[ProgressReported],
    )

    async def publish(event: EventEnvelope[ProgressReported]) -> None:
        await publisher.publish(event.to_wire(), key=event.kafka_key(), headers=event.wire_headers())

    metrics = IngestMetrics.create(registry)
    rules = IngestRules(
        retry_after_s=settings.publish_retry_after_s,
        grace_days=settings.ingest_report_grace_days,
        max_body_bytes=settings.ingest_max_body_bytes,
        max_upload_bytes=settings.ingest_max_upload_bytes,
    )
    register_raw_subscriber(broker, store=store, publish=publish, clock=clock, metrics=metrics, rules=rules,
                            group_id=settings.ingest_raw_consumer_group)
    http = create_http_app(
        title="PLADECO ingest",
        description="Progress updates from municipal systems and officers. Every request carries an "
        "API key (`Authorization: Bearer pk.…`, see `pladeco keys`). Errors list each problem with "
        "its path, a stable code and a message in Spanish.",
        version=VERSION,
        broker=broker,
        pool=pool,
        registry=registry,
        routers=[progress_router(store=store, publish=publish, clock=clock, metrics=metrics, rules=rules)],
        retry_after_s=settings.publish_retry_after_s,
    )
    http.middleware("http")(request_metrics_middleware(metrics))
    _document_progress_body(http)
    return ServiceParts(broker=broker, http=http)


def _document_progress_body(app: FastAPI) -> None:
    """The progress body is parsed by hand (one update or a list, with our own error format), so
    its schema is added to the OpenAPI components for the route's documented request body."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        definitions = ProgressUpdate.model_json_schema(ref_template="#/components/schemas/{model}")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(definitions.pop("$defs", {}))
        components["ProgressUpdate"] = definitions
        return schema

    app.openapi = openapi


SERVICE = ServiceDefinition(name="ingest", settings_type=IngestSettings, wire=wire)
