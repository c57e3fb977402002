"""Wiring of the alert service. Its rules and subscribers arrive with issue #6; today it runs with
its broker connection (for the alert events it will publish) and its operations endpoints."""

from __future__ import annotations

import asyncpg
from prometheus_client import CollectorRegistry

from services.alerts.settings import AlertSettings
from shared.broker import create_broker
from shared.http import create_http_app
from shared.service import ServiceDefinition, ServiceParts

VERSION = "0.1.0"


def wire(settings: AlertSettings, pool: asyncpg.Pool, registry: CollectorRegistry) -> ServiceParts:
    broker = create_broker(
        settings,
        client_id="pladeco-alerts",
        registry=registry,
        description="Early-warning rules and trend predictions.",
    )
    http = create_http_app(
        title="PLADECO alerts",
        description="Early warnings and trend predictions.",
        version=VERSION,
        broker=broker,
        pool=pool,
        registry=registry,
    )
    return ServiceParts(broker=broker, http=http)


SERVICE = ServiceDefinition(name="alerts", settings_type=AlertSettings, wire=wire)
