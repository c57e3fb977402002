"""Wiring of the alert service: the rules in force, the evaluator (on events and on its tick), the
outbox relay of alert events, and the acknowledge endpoints."""

from __future__ import annotations

import asyncpg
from prometheus_client import CollectorRegistry

from services.alerts.handlers import Evaluator, RulesInForce, alerts_router, register_subscriber
from services.alerts.metrics import AlertMetrics
from services.alerts.rules import RulesError
from services.alerts.settings import AlertSettings
from services.alerts.store import OUTBOX_PRODUCER
from shared.broker import create_broker
from shared.clock import Clock, offset_clock, utc_now
from shared.events import AlertChanged, EventEnvelope
from shared.http import create_http_app
from shared.outbox import OutboxRelay
from shared.service import ServiceDefinition, ServiceParts, StartupFailed
from shared.topics import ALERTS

VERSION = "0.2.0"


def wire(
    settings: AlertSettings, pool: asyncpg.Pool, registry: CollectorRegistry, clock: Clock | None = None
) -> ServiceParts:
    clock = clock or offset_clock(settings.clock_offset(utc_now()))
    broker = create_broker(
        settings,
        client_id="pladeco-alerts",
        registry=registry,
        description="Early-warning rules and trend predictions.",
    )
    # Documents the alert lifecycle events (published through the outbox relay).
    broker.publisher(ALERTS.name, title="alert lifecycle", description=ALERTS.description,
                     schema=EventEnvelope[AlertChanged])
    relay = OutboxRelay(pool, broker, OUTBOX_PRODUCER)
    metrics = AlertMetrics.create(registry)
    rules = RulesInForce(settings.alerts_rules_file, metrics)
    evaluator = Evaluator(pool=pool, rules=rules, clock=clock, relay=relay, evaluations=metrics.evaluations,
                          events=metrics.events, rejected=metrics.rejected)
    if pool is not None:
        try:
            rules.refresh()  # a bad rules file at start-up stops the service before it says it is up
        except RulesError as error:
            raise StartupFailed(f"alert rules refused: {error}") from error
    register_subscriber(broker, evaluator, group_id=settings.alerts_consumer_group, clock=clock)
    http = create_http_app(
        title="PLADECO alerts",
        description="Early warnings and trend predictions: the open alerts (a key with role manager, "
        "auditor or admin: `Authorization: Bearer pk.…`, see `pladeco keys`) and the signed acknowledge "
        "links of the e-mails.",
        version=VERSION,
        broker=broker,
        pool=pool,
        registry=registry,
        routers=[alerts_router(pool, secret=settings.link_secret(), clock=clock, relay=relay)],
    )
    return ServiceParts(
        broker=broker, http=http,
        background=(relay.run, lambda: evaluator.run_ticks(settings.alerts_tick_s)),
    )


SERVICE = ServiceDefinition(name="alerts", settings_type=AlertSettings, wire=wire)
