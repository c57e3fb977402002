"""Latency from an accepted update to its alert (``alert.raised`` on Kafka) and to its notification
(the e-mail at an SMTP server), measured with the bench's own clock.

Each update reports spending above its initiative's budget, which the ``sobrecosto`` rule
(budget_overrun, no consecutive evaluations) turns into a critical alert at once. The notifier runs
with no grouping wait (``group_wait = 0``): its production default of 30 s is a deliberate delay, not
a cost, and would only add itself to every figure.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import statistics
import threading
import time
import uuid
from dataclasses import dataclass, field

import httpx
from aiokafka import AIOKafkaConsumer

ALERT_SERVICE_ENV = {
    # Early 2020: hardly any milestone is due yet, so the alerts measured are the bench's own.
    "PLADECO_ALERTS_CLOCK_START": "2020-01-10T12:00:00-03:00",
    "PLADECO_ALERTS_TICK_S": "5",
}
NOTIFIER_ENV = {
    "PLADECO_NOTIFIER_GROUP_WAIT_S": "0",
    "PLADECO_NOTIFIER_GROUP_INTERVAL_S": "0",
    "PLADECO_NOTIFIER_DISPATCH_INTERVAL_S": "0.2",
}


@dataclass
class Inbox:
    """An SMTP server that notes when each message arrived and what it said."""

    arrived: list[tuple[float, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802 - aiosmtpd's hook
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        text = f"{message['subject']}\n{body.get_content() if body else ''}"
        with self.lock:
            self.arrived.append((time.time(), text))
        return "250 OK"

    def first_mention(self, code: str) -> float | None:
        pattern = re.compile(rf"{re.escape(code)}(?![\w-])")
        with self.lock:
            return min((at for at, text in self.arrived if pattern.search(text)), default=None)


def start_inbox(port: int) -> tuple[Inbox, object]:
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return inbox, controller


@dataclass(frozen=True)
class AlertLatency:
    to_alert_p50: float
    to_alert_p99: float
    to_notification_p50: float
    to_notification_p99: float
    updates: int


async def alert_and_notification_latency(
    connection, kafka: str, ingest_url: str, key: str, inbox: Inbox, *, updates: int = 40, spacing_s: float = 0.25,
) -> AlertLatency:
    initiatives = await connection.fetch(
        "SELECT code, budget_clp, start_date FROM initiative WHERE budget_clp > 0 ORDER BY code LIMIT $1", updates)
    raised: dict[str, float] = {}
    watcher = AIOKafkaConsumer("pladeco.alerts", bootstrap_servers=kafka, group_id=None, auto_offset_reset="latest")
    await watcher.start()
    stop = asyncio.Event()

    async def watch() -> None:
        from shared.events import AlertRaised, decode_event

        while not stop.is_set():
            batch = await watcher.getmany(timeout_ms=100)
            for records in batch.values():
                for record in records:
                    event = decode_event(record.value)
                    if isinstance(event.payload, AlertRaised) and event.payload.rule == "sobrecosto":
                        raised.setdefault(event.payload.initiative_code, time.time())

    watching = asyncio.create_task(watch())
    await asyncio.sleep(2)  # the watcher's partitions assigned at their ends
    accepted: dict[str, float] = {}
    try:
        async with httpx.AsyncClient(base_url=ingest_url, timeout=30,
                                     headers={"authorization": f"Bearer {key}"}) as client:
            for row in initiatives:
                body = {"event_id": str(uuid.uuid4()), "initiative_code": row["code"],
                        "as_of": row["start_date"].isoformat(), "physical_progress_pct": 1.0,
                        "spent_to_date_clp": row["budget_clp"] + 1_000_000, "reporter": "bench"}
                answer = await client.post("/v1/progress", json=body)
                answer.raise_for_status()
                accepted[row["code"]] = time.time()
                await asyncio.sleep(spacing_s)
        deadline = time.time() + 90
        while time.time() < deadline and (len(raised) < len(accepted)
                                          or any(inbox.first_mention(c) is None for c in accepted)):
            await asyncio.sleep(0.2)
    finally:
        stop.set()
        await watching
        await watcher.stop()
    to_alert = sorted(raised[c] - accepted[c] for c in accepted if c in raised)
    mailed = {c: inbox.first_mention(c) for c in accepted}
    to_mail = sorted(at - accepted[c] for c, at in mailed.items() if at is not None)
    if len(to_alert) < len(accepted) or len(to_mail) < len(accepted):
        raise SystemExit(f"only {len(to_alert)} alerts and {len(to_mail)} e-mails for {len(accepted)} overruns")
    return AlertLatency(statistics.median(to_alert), percentile_99(to_alert), statistics.median(to_mail),
                        percentile_99(to_mail), len(accepted))


def percentile_99(ordered: list[float]) -> float:
    return ordered[int(0.99 * (len(ordered) - 1))]
