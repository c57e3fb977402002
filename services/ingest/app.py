"""Wiring of the ingest service: its broker and publishers, its HTTP API and operations endpoints."""

from __future__ import annotations

import asyncpg
from prometheus_client import CollectorRegistry

from services.ingest.handlers import progress_router
from services.ingest.settings import IngestSettings
from shared.broker import create_broker
from shared.clock import Clock, utc_now
from shared.events import EventEnvelope, ProgressReported
from shared.http import create_http_app
from shared.service import ServiceDefinition, ServiceParts
from shared.topics import PROGRESS

VERSION = "0.1.0"


def wire(
    settings: IngestSettings,
    pool: asyncpg.Pool,
    registry: CollectorRegistry,
    clock: Clock = utc_now,
) -> ServiceParts:
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
    http = create_http_app(
        title="PLADECO ingest",
        description="Progress updates from municipal systems and officers.",
        version=VERSION,
        broker=broker,
        pool=pool,
        registry=registry,
        routers=[
            progress_router(
                publisher,
                clock=clock,
                registry=registry,
                retry_after_s=settings.publish_retry_after_s,
            ),
        ],
    )
    return ServiceParts(broker=broker, http=http)


SERVICE = ServiceDefinition(name="ingest", settings_type=IngestSettings, wire=wire)
