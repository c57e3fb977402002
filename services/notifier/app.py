"""Wiring of the notifier: the alert-event subscriber and the dispatcher that groups and delivers."""

from __future__ import annotations

import asyncpg
from prometheus_client import CollectorRegistry

from services.notifier.handlers import Dispatcher, register_subscriber
from services.notifier.metrics import NotifierMetrics
from services.notifier.routing import RoutesError, load_routes
from services.notifier.settings import NotifierSettings
from shared.broker import create_broker
from shared.clock import Clock, utc_now
from shared.http import create_http_app
from shared.service import ServiceDefinition, ServiceParts, StartupFailed

VERSION = "0.2.0"


def wire(
    settings: NotifierSettings, pool: asyncpg.Pool, registry: CollectorRegistry, clock: Clock = utc_now
) -> ServiceParts:
    try:
        routes = load_routes(settings.notifier_routes_file)
    except RoutesError as error:
        raise StartupFailed(f"notification routes refused: {error}") from error
    broker = create_broker(
        settings,
        client_id="pladeco-notifier",
        registry=registry,
        description="Notifies officers of alerts (e-mail, webhooks), grouped per recipient.",
    )
    metrics = NotifierMetrics.create(registry)
    register_subscriber(broker, pool, settings=settings, clock=clock, metrics=metrics)
    dispatcher = Dispatcher(pool, settings, routes, clock, metrics)
    http = create_http_app(
        title="PLADECO notifier",
        description="Notifications and escalations.",
        version=VERSION,
        broker=broker,
        pool=pool,
        registry=registry,
    )
    return ServiceParts(broker=broker, http=http, background=(dispatcher.run,))


SERVICE = ServiceDefinition(name="notifier", settings_type=NotifierSettings, wire=wire)
