"""One consumer pipeline (shared/consumer.py): a valid event of a type its topic does not carry for a
consumer is dead-lettered with ``unexpected_event_type`` and counted, by every consumer, never
silently acknowledged. In-memory broker: the wiring and the refusal; the real broker's behaviour is
covered by the integration tests."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from faststream.kafka import KafkaBroker, TestKafkaBroker
from prometheus_client import CollectorRegistry, Counter

from services.alerts.handlers import Evaluator
from services.alerts.handlers import register_subscriber as register_alerts
from services.notifier.handlers import register_subscriber as register_notifier
from services.notifier.metrics import NotifierMetrics
from services.notifier.settings import NotifierSettings
from shared.events import DeadLetter, EventEnvelope, ProgressReported
from shared.topics import ALERTS, DEAD_LETTER, INDICATORS

NOW = dt.datetime(2026, 12, 2, 15, tzinfo=dt.UTC)


def stray_event() -> bytes:
    """A valid event, of a type neither pladeco.indicators nor pladeco.alerts carries."""
    payload = ProgressReported(initiative_code="INI-001", as_of=dt.date(2026, 11, 30), reporter="pruebas",
                               physical_progress_pct=10.0)
    return EventEnvelope.of(payload, event_id=uuid.uuid4(), at=NOW, source_system="pruebas", actor="pruebas",
                            initiative_code="INI-001").model_dump_json().encode()


def counted(counter: Counter, reason: str) -> float:
    return counter.labels(reason)._value.get()  # noqa: SLF001 - the counter's current value


def alerts_consumer(broker: KafkaBroker, registry: CollectorRegistry) -> Counter:
    rejected = Counter("rejected_alerts", "dead-lettered", ["reason_code"], registry=registry)
    evaluator = Evaluator(pool=None, rules=None, clock=lambda: NOW, relay=None,  # type: ignore[arg-type]
                          evaluations=Counter("evaluations", "e", ["trigger"], registry=registry),
                          events=Counter("events", "e", registry=registry), rejected=rejected)
    register_alerts(broker, evaluator, group_id="pladeco-alerts", clock=lambda: NOW)
    return rejected


def notifier_consumer(broker: KafkaBroker, registry: CollectorRegistry) -> Counter:
    metrics = NotifierMetrics.create(registry)
    settings = NotifierSettings(alerts_link_secret="x" * 40)
    register_notifier(broker, None, settings=settings, clock=lambda: NOW, metrics=metrics)  # type: ignore[arg-type]
    return metrics.rejected


@pytest.mark.parametrize(("consumer", "topic"), [(alerts_consumer, INDICATORS), (notifier_consumer, ALERTS)],
                         ids=["alerts", "notifier"])
async def test_an_unexpected_event_type_is_dead_lettered_and_counted(consumer, topic):
    broker = KafkaBroker()
    rejected = consumer(broker, CollectorRegistry())
    letters: list[DeadLetter] = []

    @broker.subscriber(DEAD_LETTER.name, group_id="pruebas")
    async def caught(body: dict) -> None:
        letters.append(DeadLetter.model_validate(body))

    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish(stray_event(), topic=topic.name, key=b"INI-001")

    [letter] = letters
    assert (letter.reason_code, letter.source_topic) == ("unexpected_event_type", topic.name)
    assert letter.reason == f"progress.reported does not belong on {topic.name}"
    assert counted(rejected, "unexpected_event_type") == 1
