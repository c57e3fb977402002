"""SQL of the indicator service. Each write records the event id in ``processed_event`` in the same
transaction, so that applying an event twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from shared.events import EventEnvelope, ProgressReported


@dataclass(frozen=True)
class SourceOffset:
    topic: str
    partition: int
    offset: int


async def record_progress_report(
    pool: asyncpg.Pool,
    consumer: str,
    event: EventEnvelope[ProgressReported],
    source: SourceOffset,
) -> bool:
    """Store an accepted progress report once; False when this consumer had already applied it."""
    report = event.payload
    async with pool.acquire() as connection, connection.transaction():
        first_time = await connection.fetchval(
            """
            INSERT INTO processed_event (consumer, event_id) VALUES ($1, $2)
            ON CONFLICT DO NOTHING
            RETURNING true
            """,
            consumer,
            event.event_id,
        )
        if not first_time:
            return False
        await connection.execute(
            """
            INSERT INTO progress_report (
                event_id, initiative_code, as_of, physical_progress_pct, spent_to_date_clp,
                reporter, source_system, occurred_at, recorded_at, payload,
                source_topic, source_partition, source_offset)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, $13)
            """,
            event.event_id,
            report.initiative_code,
            report.as_of,
            report.physical_progress_pct,
            report.spent_to_date_clp,
            report.reporter,
            event.source_system,
            event.occurred_at,
            event.recorded_at,
            report.model_dump_json(),
            source.topic,
            source.partition,
            source.offset,
        )
        return True
