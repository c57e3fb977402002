"""The Kafka broker factory and the one way events are published.

Producers wait for every in-sync replica (acks=all) with idempotence on, so that a retry after a
broker restart neither loses nor duplicates a write; "accepted" always means "confirmed by Kafka".
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry

from shared.events import EventEnvelope
from shared.settings import CommonSettings
from shared.topics import PLAN_MAX_MESSAGE_BYTES, TopicSpec


def create_broker(
    settings: CommonSettings,
    *,
    client_id: str,
    registry: CollectorRegistry | None = None,
    middlewares: Sequence[Any] = (),
    description: str | None = None,
) -> KafkaBroker:
    """A FastStream KafkaBroker with the project's producer guarantees and Prometheus metrics."""
    all_middlewares = list(middlewares)
    if registry is not None:
        from faststream.kafka.prometheus import KafkaPrometheusMiddleware

        all_middlewares.append(KafkaPrometheusMiddleware(registry=registry, app_name=client_id))
    compression = None if settings.kafka_compression == "none" else settings.kafka_compression
    return KafkaBroker(
        [server.strip() for server in settings.kafka_bootstrap_servers.split(",")],
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        compression_type=compression,
        # A few ms of batching costs little latency and saves many requests under load.
        linger_ms=5,
        max_request_size=PLAN_MAX_MESSAGE_BYTES,
        request_timeout_ms=15_000,
        retry_backoff_ms=250,
        allow_auto_create_topics=False,
        graceful_timeout=15.0,
        middlewares=all_middlewares,
        logger=logging.getLogger(f"faststream.{client_id}"),
        # FastStream logs every message received and processed; our handlers log what matters.
        log_level=logging.DEBUG,
        description=description,
    )


async def publish_event(broker: KafkaBroker, topic: TopicSpec, event: EventEnvelope[Any]) -> None:
    """Publish one event keyed by its initiative and wait until Kafka confirms it."""
    await broker.publish(
        event.to_wire(),
        topic=topic.name,
        key=event.kafka_key(),
        headers=event.wire_headers(),
    )
