"""Handlers of the notifier: alert events become items for their recipients (once per event), and
the dispatcher forms groups per recipient and delivers them on each channel, recording every
notification before it is sent and its outcome after.

Delivery guarantee: a notification is a row (with its Message-ID) before any byte is sent; it is
marked sent when the server accepted it. A crash before that mark sends it again after the restart
(never lost); only a crash in the instant between the server's acceptance and the mark repeats
one, and the repeat carries the same Message-ID, by which mail systems recognise it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

import asyncpg
import structlog
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from services.notifier.channels import Channel, DeliveryFailed, Notification, Retrier
from services.notifier.channels.email import EmailChannel
from services.notifier.channels.webhook import WebhookChannel
from services.notifier.messages import (
    AlertItem,
    Recipient,
    compose,
)
from services.notifier.metrics import NotifierMetrics
from services.notifier.routing import Routes, recipients_for
from services.notifier.settings import NotifierSettings
from services.notifier.store import (
    add_reminders,
    assign_items,
    contacts,
    due_notifications,
    group_items,
    mark_attempt_failed,
    mark_sent,
    pending_count,
    ready_groups,
    record_alert_event,
    record_notification,
)
from shared.clock import Clock
from shared.consumer import apply_with_retry, decode_expected, subscriber
from shared.db import NOTIFIER_GROUPS_LOCK, hold_lock
from shared.events import AlertChanged, EventEnvelope
from shared.logging import bound_event
from shared.signing import ack_url
from shared.topics import ALERTS


def alert_item(event: EventEnvelope[AlertChanged], board_url: str) -> dict[str, Any]:
    """What a notice says of one alert (the recipient's acknowledge link is added when sending)."""
    p = event.payload
    return {
        "alert_id": str(p.alert_id), "rule": p.rule, "severity": p.severity, "initiative_code": p.initiative_code,
        "initiative_name": p.initiative_name, "department_code": p.department_code, "title": p.title,
        "message": p.message, "explanation": p.explanation, "action": p.action,
        "escalation_level": p.escalation_level, "raised_at": p.raised_at.isoformat(),
        "board_url": f"{board_url.rstrip('/')}/d/pladeco-iniciativa/iniciativa?var-iniciativa={p.initiative_code}",
    }


def register_subscriber(
    broker: KafkaBroker, pool: asyncpg.Pool, *, settings: NotifierSettings, clock: Clock, metrics: NotifierMetrics,
) -> None:
    consumer_group = settings.notifier_consumer_group  # Kafka's; group_id below is a notification group

    @subscriber(broker, ALERTS, group_id=consumer_group, title="notifier.alerts",
                description="Alert lifecycle events: recorded as items for their recipients (once per event).")
    async def on_alert_event(message: KafkaMessage) -> None:
        event = await decode_expected(broker, message, expected=AlertChanged, topic=ALERTS, consumer=consumer_group,
                                      now=clock(), rejected=metrics.rejected)
        if event is None:
            return
        with bound_event(event.event_id, event.initiative_code):
            async def record() -> bool:
                async with pool.acquire() as connection, connection.transaction():
                    people = recipients_for(event.event_type, event.payload.severity, event.payload.escalation_level,
                                            await contacts(connection, event.payload.initiative_code))
                    return await record_alert_event(connection, event, people,
                                                    alert_item(event, settings.notifier_board_url), now=clock())

            if await apply_with_retry(record):
                metrics.events.labels(event.event_type).inc()


class Dispatcher:
    """Forms the groups that are due and delivers the notifications that are due, every tick."""

    def __init__(self, pool: asyncpg.Pool, settings: NotifierSettings, routes: Routes, clock: Clock,
                 metrics: NotifierMetrics):
        self.pool = pool
        self.settings = settings
        self.routes = routes
        self.clock = clock
        self.metrics = metrics
        self.log = structlog.stdlib.get_logger()
        self._lock = asyncio.Lock()
        self.email = EmailChannel(settings)
        self.retrier = Retrier(settings.notifier_max_attempts, settings.notifier_retry_base_s)

    async def run(self) -> None:
        while True:
            try:
                await self.dispatch_once()
            except Exception as error:  # noqa: BLE001 - the next tick tries again; nothing is lost
                self.log.error("dispatch_failed", error=repr(error))
            await asyncio.sleep(self.settings.notifier_dispatch_interval_s)

    async def dispatch_once(self) -> int:
        async with self._lock:
            await self._form_groups()
            return await self._deliver_due()

    async def _form_groups(self) -> None:
        s = self.settings
        now = self.clock()
        async with self.pool.acquire() as connection, connection.transaction():
            await hold_lock(connection, NOTIFIER_GROUPS_LOCK)
            await add_reminders(connection, now=now, repeat_interval=dt.timedelta(seconds=s.notifier_repeat_interval_s))
            for group in await ready_groups(connection, now=now,
                                            group_wait=dt.timedelta(seconds=s.notifier_group_wait_s),
                                            group_interval=dt.timedelta(seconds=s.notifier_group_interval_s)):
                group_id = uuid.uuid4()
                for channel in self.routes.channels_for(group.recipient.email):
                    notification_id = uuid.uuid4()
                    composed = compose(str(notification_id), _recipient(group.recipient), self._items(group.items, group.recipient.email),
                                       domain=s.notifier_message_domain)
                    await record_notification(connection, group, group_id=group_id, channel=channel,
                                              notification_id=notification_id, message_id=composed.message_id,
                                              subject=composed.subject, now=now)
                await assign_items(connection, group, group_id, now)

    def _items(self, items: list[dict[str, Any]], recipient_email: str) -> list[AlertItem]:
        s = self.settings
        result = []
        for item in items:
            expires_at = self.clock() + dt.timedelta(days=s.alerts_link_valid_days)
            link = None if item["kind"] == "resolved" else ack_url(s.alerts_public_url, s.link_secret(), item["alert_id"],
                                                                   recipient_email, expires_at=expires_at)
            result.append(AlertItem(
                alert_id=item["alert_id"], kind=item["kind"], rule=item["rule"], severity=item["severity"],
                initiative_code=item["initiative_code"], initiative_name=item["initiative_name"],
                department_code=item["department_code"], title=item["title"], message=item["message"],
                explanation=item["explanation"], action=item["action"], escalation_level=item["escalation_level"],
                raised_at=dt.datetime.fromisoformat(item["raised_at"]), board_url=item["board_url"], ack_url=link,
            ))
        return result

    async def _deliver_due(self) -> int:
        delivered = 0
        async with self.pool.acquire() as connection:
            due = await due_notifications(connection, self.clock())
            self.metrics.pending.set(await pending_count(connection))
            for row in due:
                items = self._items(await group_items(connection, row["group_id"]), row["recipient_email"])
                recipient = Recipient(row["recipient_name"], row["recipient_email"], row["recipient_role"])
                notification = Notification(str(row["notification_id"]), recipient, items, row["created_at"])
                try:
                    await self._channel(row["channel"]).send(notification)
                except DeliveryFailed as failure:
                    await self._failed(connection, row, failure)
                    continue
                except Exception as error:  # noqa: BLE001 - one bad notification must not stop the others
                    await self._failed(connection, row, DeliveryFailed(repr(error), permanent=False))
                    continue
                await mark_sent(connection, row["notification_id"], self.clock())
                self.metrics.sent.labels(_kind(row["channel"])).inc()
                self.log.info("notification_sent", notification_id=str(row["notification_id"]),
                              channel=row["channel"], items=len(items), message_id=row["message_id"])
                delivered += 1
        return delivered

    async def _failed(self, connection: asyncpg.Connection, row: asyncpg.Record, failure: DeliveryFailed) -> None:
        attempts = row["attempts"] + 1
        retry = self.retrier.after(failure, attempts, self.clock())
        permanent = retry.give_up
        await mark_attempt_failed(connection, row["notification_id"], error=str(failure), permanent=permanent,
                                  next_attempt_at=retry.next_attempt_at)
        (self.metrics.failed if permanent else self.metrics.retried).labels(_kind(row["channel"])).inc()
        self.log.warning("notification_failed" if permanent else "notification_retry",
                         notification_id=str(row["notification_id"]), channel=row["channel"],
                         attempts=attempts, error=str(failure))

    def _channel(self, name: str) -> Channel:
        """The channel a notification was recorded for: ``email`` or ``webhook:<name>`` of the routes."""
        if name == "email":
            return self.email
        webhook = self.routes.webhooks.get(name.removeprefix("webhook:"))
        if webhook is None:
            return _Gone(name)
        return WebhookChannel(webhook.url, webhook.secret())


class _Gone:
    """A webhook removed from the routes file since the notification was recorded: a permanent failure."""

    def __init__(self, name: str):
        self.name = name

    async def send(self, notification: Notification) -> None:
        raise DeliveryFailed(f"channel {self.name} is no longer in the routes file", permanent=True)


def _kind(channel: str) -> str:
    return "email" if channel == "email" else "webhook"


def _recipient(person: Any) -> Recipient:
    return Recipient(person.name, person.email, person.role)
