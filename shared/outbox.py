"""The transactional outbox: events written in the same database transaction as the change that
caused them, published afterwards in order, and deleted once Kafka confirmed them. A crash between
the commit and the publish delays an event; it never loses one.

Each service that publishes derived events (indicators, alerts) writes to the ``outbox`` table
with its own ``producer`` name and runs an ``OutboxRelay`` for it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence

import asyncpg
import structlog
from faststream.kafka import KafkaBroker

from shared.db import OUTBOX_LOCK_PREFIX, try_lock
from shared.events import EventEnvelope


async def add_to_outbox(
    connection: asyncpg.Connection, producer: str, topic: str, events: Sequence[EventEnvelope]
) -> None:
    if events:
        await connection.executemany(
            "INSERT INTO outbox (producer, topic, key, value, headers) VALUES ($1, $2, $3, $4, $5::jsonb)",
            [(producer, topic, e.kafka_key(), e.to_wire(), json.dumps(e.wire_headers())) for e in events],
        )


class OutboxRelay:
    """Publishes one producer's outbox in order: after each transaction that wrote to it, and every
    ``interval_s`` for what a crash left behind."""

    def __init__(self, pool: asyncpg.Pool, broker: KafkaBroker, producer: str, *, interval_s: float = 2.0):
        self.pool = pool
        self.broker = broker
        self.producer = producer
        self.interval_s = interval_s
        self._lock = asyncio.Lock()

    async def flush(self) -> int:
        sent = 0
        async with self._lock:
            while True:
                async with self.pool.acquire() as connection, connection.transaction():
                    # One relay per producer at a time, across processes, so the order holds.
                    if not await try_lock(connection, OUTBOX_LOCK_PREFIX + self.producer):
                        return sent
                    rows = await connection.fetch(
                        "SELECT id, topic, key, value, headers::text FROM outbox WHERE producer = $1 "
                        "ORDER BY id LIMIT 500",
                        self.producer,
                    )
                    if not rows:
                        return sent
                    await asyncio.gather(*(
                        self.broker.publish(row["value"], topic=row["topic"], key=row["key"],
                                            headers=json.loads(row["headers"]))
                        for row in rows
                    ))
                    await connection.execute("DELETE FROM outbox WHERE id = ANY($1::bigint[])", [r["id"] for r in rows])
                sent += len(rows)

    async def run(self) -> None:
        log = structlog.stdlib.get_logger()
        while True:
            await asyncio.sleep(self.interval_s)
            try:
                await self.flush()
            except Exception as error:  # noqa: BLE001 - the next round retries; the rows are kept
                log.warning("outbox_flush_failed", producer=self.producer, error=repr(error))
