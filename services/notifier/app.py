"""Wiring of the notifier. Its routing and channels arrive with issue #6; today it runs with
its broker connection (for the alert events it will consume) and its operations endpoints."""

from __future__ import annotations

import asyncpg
from prometheus_client import CollectorRegistry

from services.notifier.settings import NotifierSettings
from shared.broker import create_broker
from shared.http import create_http_app
from shared.service import ServiceDefinition, ServiceParts

VERSION = "0.1.0"


def wire(settings: NotifierSettings, pool: asyncpg.Pool, registry: CollectorRegistry) -> ServiceParts:
    broker = create_broker(
        settings,
        client_id="pladeco-notifier",
        registry=registry,
        description="Notifies officers of alerts and escalates.",
    )
    http = create_http_app(
        title="PLADECO notifier",
        description="Notifications to responsible officers.",
        version=VERSION,
        broker=broker,
        pool=pool,
        registry=registry,
    )
    return ServiceParts(broker=broker, http=http)


SERVICE = ServiceDefinition(name="notifier", settings_type=NotifierSettings, wire=wire)
