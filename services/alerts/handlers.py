"""Handlers of the alert service: evaluation on every ``indicators.updated`` event and on a
periodic tick (a milestone is missed by the passing of time, not by an event), the rules file in
force, and the acknowledge links of the e-mails."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import html
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import asyncpg
import structlog
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from prometheus_client import Counter

from services.alerts.kinds import evaluate
from services.alerts.lifecycle import escalations, reconcile
from services.alerts.metrics import AlertMetrics
from services.alerts.rules import RulesError, RuleSet, load_rules
from services.alerts.store import (
    acknowledge,
    apply_changes,
    list_alerts,
    load_facts,
    load_open_alerts,
    load_silences,
    lock_evaluation,
    with_successors,
)
from shared.auth import ApiKey, Permission
from shared.clock import SANTIAGO, Clock
from shared.consumer import decode_expected, subscriber
from shared.db import SCORECARD_SCHEMA
from shared.events import IndicatorsUpdated
from shared.http import ErrorAnswer, authenticate
from shared.key_store import fetch_api_key
from shared.logging import bound_event
from shared.outbox import OutboxRelay
from shared.signing import ack_link_state
from shared.topics import INDICATORS


class RulesInForce:
    """The last good rules file; a changed file is reread, and refused whole if it has problems."""

    def __init__(self, path: Path, metrics: AlertMetrics):
        self.path = path
        self.ruleset: RuleSet | None = None
        self.digest: str | None = None
        self.rejected = metrics.rules_rejected
        self.loaded = metrics.rules_loaded
        self.log = structlog.stdlib.get_logger()

    def refresh(self) -> RuleSet:
        try:
            digest = hashlib.sha256(self.path.read_bytes()).hexdigest()
        except OSError as error:
            digest = f"unreadable:{error}"
        if digest != self.digest:
            self.digest = digest
            try:
                self.ruleset = load_rules(self.path)
                self.loaded.set(len(self.ruleset.enabled()))
                self.log.info("alert_rules_loaded", path=str(self.path), rules=len(self.ruleset.enabled()),
                              sha256=digest[:12])
            except RulesError as error:
                self.rejected.inc()
                self.log.error("alert_rules_refused", path=str(self.path), error=str(error),
                               in_force="previous rules" if self.ruleset else "none")
                if self.ruleset is None:
                    raise
        return self.ruleset


@dataclass
class Evaluator:
    pool: asyncpg.Pool
    rules: RulesInForce
    clock: Clock
    relay: OutboxRelay
    evaluations: Counter
    events: Counter
    rejected: Counter
    """Messages of pladeco.indicators dead-lettered, by reason code."""

    async def evaluate(self, codes: Sequence[str] | None, *, escalate: bool) -> int:
        # The rules file is reread on the tick only; events use the rules in force.
        ruleset = self.rules.refresh() if codes is None else self.rules.ruleset
        async with self.pool.acquire() as connection, connection.transaction():
            written = await run_evaluation(connection, ruleset, codes, now=self.clock(), escalate=escalate)
        self.evaluations.labels("tick" if codes is None else "event").inc()
        self.events.inc(written)
        await self.relay.flush()
        return written

    async def run_ticks(self, interval_s: float) -> None:
        log = structlog.stdlib.get_logger()
        while True:
            try:
                await self.evaluate(None, escalate=True)
            except Exception as error:  # noqa: BLE001 - the next tick tries again
                log.error("alert_tick_failed", error=repr(error))
            await asyncio.sleep(interval_s)


async def run_evaluation(
    connection: asyncpg.Connection, ruleset: RuleSet, codes: Sequence[str] | None, *, now: dt.datetime,
    escalate: bool, views: str = SCORECARD_SCHEMA,
) -> int:
    """One evaluation inside the caller's transaction: the rules over the initiatives' facts, the
    lifecycle changes, their events into the outbox. Returns how many events."""
    await lock_evaluation(connection)
    today = now.astimezone(SANTIAGO).date()
    scope = None if codes is None else await with_successors(connection, codes)
    facts = await load_facts(connection, scope, views=views)
    findings = [finding for fact in facts for finding in evaluate(ruleset, fact, today)]
    changes = reconcile(await load_open_alerts(connection, scope), findings, now=now,
                        silences=await load_silences(connection, now))
    if escalate:
        changes += escalations(await load_open_alerts(connection, None), now=now,
                               department_head_after=ruleset.escalation.department_head_after,
                               management_unit_after=ruleset.escalation.management_unit_after)
    return await apply_changes(connection, changes, now=now)


def register_subscriber(broker: KafkaBroker, evaluator: Evaluator, *, group_id: str, clock: Clock) -> None:
    # Evaluating is idempotent (the same figures give the same alerts), so a redelivered event
    # changes nothing; the offset is committed after the evaluation's transaction.
    @subscriber(broker, INDICATORS, group_id=group_id, title="alerts.indicators",
                description="indicators.updated events: the initiative (and those waiting for it) is evaluated.")
    async def on_figures(message: KafkaMessage) -> None:
        event = await decode_expected(broker, message, expected=IndicatorsUpdated, topic=INDICATORS,
                                      consumer=group_id, now=clock(), rejected=evaluator.rejected)
        if event is None:
            return
        with bound_event(event.event_id, event.initiative_code):
            await evaluator.evaluate([event.payload.initiative_code], escalate=False)


LATEST_EXPIRY = 4_102_444_800  # 2100-01-01 UTC: later expiries are no link the notifier wrote
LinkBy = Annotated[str, Query(max_length=320, description="The recipient the link was written for.")]
LinkExpiry = Annotated[int, Query(ge=0, le=LATEST_EXPIRY, description="Expiry, Unix seconds (signed).")]
LinkToken = Annotated[str, Query(max_length=128, description="HMAC of the alert, the recipient and the expiry.")]


def alerts_router(pool: asyncpg.Pool, *, secret: str, clock: Clock, relay: OutboxRelay) -> APIRouter:
    """The alerts API (a key whose role may read alerts) and the acknowledge links of the e-mails
    (no key: the link's signature, bound to the alert, the recipient and an expiry, is the
    credential). The GET of a link only shows a confirmation page: it changes nothing, so a mail
    scanner or a browser's prefetch that follows the link acknowledges nothing."""
    router = APIRouter(prefix="/v1/alerts", tags=["alerts"])

    async def lookup(key_id: str) -> ApiKey | None:
        return await fetch_api_key(pool, key_id)

    @router.get("", summary="Open alerts (add ?all=true for resolved ones too); a key with role manager, auditor or admin",
                responses=KEY_ERRORS)
    async def alerts(request: Request, all: bool = False) -> Any:  # noqa: A002
        key = await authenticate(request, lookup, Permission.READ_ALERTS, realm="pladeco-alerts")
        if isinstance(key, JSONResponse):
            return key
        async with pool.acquire() as connection:
            rows = await list_alerts(connection, include_resolved=all)
        return [{name: (str(value) if value is not None else None) for name, value in dict(row).items()} for row in rows]

    def refused(alert_id: uuid.UUID, by: str, exp: int, token: str) -> HTMLResponse | None:
        state = ack_link_state(secret, str(alert_id), by, exp, token, now=clock())
        if state == "valid":
            return None
        if state == "expired":
            text = (f"Este enlace venció el {dt.datetime.fromtimestamp(exp, SANTIAGO):%d-%m-%Y %H:%M}. "
                    "Si la alerta sigue abierta, el próximo recordatorio traerá un enlace nuevo.")
        else:
            text = "Enlace inválido o alterado."
        return HTMLResponse(_page("Enlace no válido", f"<p>{html.escape(text)}</p>"), status_code=403)

    @router.get("/{alert_id}/acknowledge", response_class=HTMLResponse, responses=LINK_ERRORS,
                summary="Acknowledge page (signed link): shows a confirmation form, changes nothing")
    async def confirm_page(alert_id: uuid.UUID, by: LinkBy, exp: LinkExpiry, token: LinkToken) -> HTMLResponse:
        if (answer := refused(alert_id, by, exp, token)) is not None:
            return answer
        return HTMLResponse(_page(
            "Confirmar recepción de la alerta",
            f"<p>¿Confirma que recibió la alerta y que se hará cargo, {html.escape(by)}?</p>"
            f'<form method="post"><button type="submit">Confirmar recepción</button></form>',
        ))

    @router.post("/{alert_id}/acknowledge", response_class=HTMLResponse, responses=LINK_ERRORS,
                 summary="Acknowledge (signed link)")
    async def confirm(alert_id: uuid.UUID, by: LinkBy, exp: LinkExpiry, token: LinkToken) -> HTMLResponse:
        if (answer := refused(alert_id, by, exp, token)) is not None:
            return answer
        outcome = await acknowledge(pool, alert_id, by=by, now=clock())
        await relay.flush()
        text = {
            "acknowledged": "Gracias: la alerta quedó confirmada a su nombre y no se escalará.",
            "already": "La alerta ya estaba confirmada o resuelta; no hay nada más que hacer.",
            "unknown": "No existe esa alerta.",
        }[outcome]
        return HTMLResponse(_page("Alerta confirmada" if outcome == "acknowledged" else "Alerta", f"<p>{text}</p>"),
                            status_code=404 if outcome == "unknown" else 200)

    return router


KEY_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorAnswer, "description": "Missing, unknown or revoked API key."},
    403: {"model": ErrorAnswer, "description": "The key's role may not read alerts."},
    503: {"model": ErrorAnswer, "description": "PostgreSQL is unavailable; retry after Retry-After seconds."},
}
LINK_ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"content": {"text/html": {}}, "description": "Tampered, foreign or expired link (a page saying which)."},
    404: {"content": {"text/html": {}}, "description": "No such alert."},
    422: {"model": ErrorAnswer, "description": "A parameter of the link is missing or malformed."},
    503: {"model": ErrorAnswer, "description": "PostgreSQL is unavailable; retry after Retry-After seconds."},
}


def _page(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="es"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"</head><body><h1>{html.escape(title)}</h1>{body}<p>PLADECO Putre · Cuadro de mando</p></body></html>")
