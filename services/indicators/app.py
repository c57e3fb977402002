"""Wiring of the indicator service: its progress subscriber and its operations endpoints."""

from __future__ import annotations

import asyncpg
from prometheus_client import CollectorRegistry

from services.indicators.handlers import gis_router, judge_daily, register_subscribers, watch_consumer_lag
from services.indicators.settings import IndicatorSettings
from services.indicators.store import OUTBOX_PRODUCER
from shared.broker import create_broker
from shared.clock import Clock, offset_clock, utc_now
from shared.http import create_http_app
from shared.outbox import OutboxRelay
from shared.service import ServiceDefinition, ServiceParts
from shared.topics import PLAN, PROGRESS

VERSION = "0.1.0"


def wire(
    settings: IndicatorSettings,
    pool: asyncpg.Pool,
    registry: CollectorRegistry,
    clock: Clock | None = None,
) -> ServiceParts:
    clock = clock or offset_clock(settings.clock_offset(utc_now()))
    broker = create_broker(
        settings,
        client_id="pladeco-indicators",
        registry=registry,
        description="Applies plan and progress events to the scorecard.",
    )
    relay = OutboxRelay(pool, broker, OUTBOX_PRODUCER, interval_s=settings.indicators_outbox_interval_s)
    figures = register_subscribers(
        broker, pool, group_id=settings.indicators_consumer_group, clock=clock, registry=registry, relay=relay,
        max_batch=settings.indicators_max_batch,
    )
    lag_groups = {PROGRESS.name: settings.indicators_consumer_group, PLAN.name: f"{settings.indicators_consumer_group}-plan"}
    http = create_http_app(
        title="PLADECO indicators",
        description="Effectiveness, efficacy, efficiency and deadline compliance.",
        version=VERSION,
        broker=broker,
        pool=pool,
        registry=registry,
        routers=[gis_router(pool)],
    )
    return ServiceParts(
        broker=broker,
        http=http,
        background=(
            relay.run,
            lambda: judge_daily(pool, clock, relay, figures, interval_s=settings.indicators_judgement_interval_s),
            lambda: watch_consumer_lag(settings.kafka_bootstrap_servers, lag_groups, figures.consumer_lag,
                                       interval_s=settings.indicators_lag_interval_s),
        ),
    )


SERVICE = ServiceDefinition(name="indicators", settings_type=IndicatorSettings, wire=wire)
