"""Wiring of the indicator service: its progress subscriber and its operations endpoints."""

from __future__ import annotations

import asyncpg
from prometheus_client import CollectorRegistry

from services.indicators.handlers import gis_router, register_subscribers
from services.indicators.settings import IndicatorSettings
from shared.broker import create_broker
from shared.clock import Clock, utc_now
from shared.http import create_http_app
from shared.service import ServiceDefinition, ServiceParts

VERSION = "0.1.0"


def wire(
    settings: IndicatorSettings,
    pool: asyncpg.Pool,
    registry: CollectorRegistry,
    clock: Clock = utc_now,
) -> ServiceParts:
    broker = create_broker(
        settings,
        client_id="pladeco-indicators",
        registry=registry,
        description="Applies plan and progress events to the scorecard.",
    )
    register_subscribers(
        broker, pool, group_id=settings.consumer_group, clock=clock, registry=registry
    )
    http = create_http_app(
        title="PLADECO indicators",
        description="Effectiveness, efficacy, efficiency and deadline compliance.",
        version=VERSION,
        broker=broker,
        pool=pool,
        registry=registry,
        routers=[gis_router(pool)],
    )
    return ServiceParts(broker=broker, http=http)


SERVICE = ServiceDefinition(name="indicators", settings_type=IndicatorSettings, wire=wire)
