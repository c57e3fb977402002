"""Wiring of the citizens' portal: read-only pages, open data and the map, over the public views.

The portal has no subscriber: its broker only keeps the start-up contract every service shares
(and will carry follow-and-notify); its readiness checks Kafka and the database like the others. It has no
/docs, /openapi.json nor /asyncapi (their pages load scripts from CDNs, which its CSP refuses).
"""

from __future__ import annotations

from pathlib import Path

import asyncpg
from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry, Info

from services.portal.handlers import error_pages, portal_router, security_headers
from services.portal.settings import PortalSettings
from shared.broker import create_broker
from shared.http import database_check, kafka_check, ops_router
from shared.service import ServiceDefinition, ServiceParts
from shared.settings import PROJECT_ROOT

VERSION = "0.1.0"


def create_app(settings: PortalSettings, pool: asyncpg.Pool, registry: CollectorRegistry,
               broker: KafkaBroker | None = None) -> FastAPI:
    """The portal's HTTP app (also used on its own by the tests, without a broker)."""
    app = FastAPI(title="PLADECO portal ciudadano", version=VERSION, docs_url=None, redoc_url=None,
                  openapi_url=None, exception_handlers=error_pages())
    Info("pladeco_service", "The PLADECO service behind this endpoint", registry=registry).info(
        {"title": "PLADECO portal", "version": VERSION})
    app.middleware("http")(security_headers)
    assets = Path(settings.portal_assets_dir)
    app.include_router(portal_router(
        pool, role=settings.portal_db_role, indicators_url=settings.portal_indicators_url,
        public_url=settings.portal_public_url, assets_dir=assets if assets.is_absolute() else PROJECT_ROOT / assets))
    checks = {"kafka": kafka_check(broker)} if broker is not None else {}
    app.include_router(ops_router({**checks, "database": database_check(pool)}, registry))
    return app


def wire(settings: PortalSettings, pool: asyncpg.Pool, registry: CollectorRegistry) -> ServiceParts:
    broker = create_broker(settings, client_id="pladeco-portal", registry=registry,
                           description="The citizens' portal (reads the public views only).")
    return ServiceParts(broker=broker, http=create_app(settings, pool, registry, broker))


SERVICE = ServiceDefinition(name="portal", settings_type=PortalSettings, wire=wire)
