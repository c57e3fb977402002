"""SQL of the auditors' commands (replay, backtest, audit): the stored event log read in order, a
scratch schema rebuilt, and what happened to each initiative."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import asyncpg


async def event_count(connection: asyncpg.Connection) -> int:
    """How many events the log holds."""
    return int(await connection.fetchval("SELECT count(*) FROM event_log"))


async def head_hash(connection: asyncpg.Connection) -> str | None:
    """The hash of the log's last event (none for an empty log)."""
    return await connection.fetchval("SELECT hash FROM event_log ORDER BY seq DESC LIMIT 1")


async def logged_rows(connection: asyncpg.Connection) -> AsyncIterator[asyncpg.Record]:
    """Every event of the log in the order it was applied, from one consistent snapshot."""
    async with connection.transaction(isolation="repeatable_read", readonly=True):
        async for row in connection.cursor(
            "SELECT content, source_topic, source_partition, source_offset FROM event_log ORDER BY seq", prefetch=2000
        ):
            yield row


async def drop_and_create_schema(connection: asyncpg.Connection, schema: str, views: str) -> None:
    """Drop ``schema`` and its views' schema ``views`` if they exist; create ``schema`` empty."""
    await connection.execute(f'DROP SCHEMA IF EXISTS "{views}" CASCADE; DROP SCHEMA IF EXISTS "{schema}" CASCADE; '
                             f'CREATE SCHEMA "{schema}"')


async def initiative_count(connection: asyncpg.Connection, views: str) -> int:
    """How many initiatives the views of schema ``views`` show."""
    return int(await connection.fetchval(f'SELECT count(*) FROM "{views}".initiative'))


async def initiative_outcomes(connection: asyncpg.Connection, views: str) -> list[tuple[str, dt.date, dt.date | None]]:
    """Each initiative's code, end date and the date of its first report at 100 % (none if never)."""
    rows = await connection.fetch(
        f'SELECT i.initiative_code, i.end_date, (SELECT min(r.as_of) FROM progress_report r '
        f'WHERE r.initiative_code = i.initiative_code AND r.physical_progress_pct >= 100) AS finished_on '
        f'FROM "{views}".initiative i')
    return [(row["initiative_code"], row["end_date"], row["finished_on"]) for row in rows]


async def raised_alerts(connection: asyncpg.Connection) -> list[asyncpg.Record]:
    """Every alert that fired: its rule, initiative, when it was raised and its severity."""
    return await connection.fetch(
        "SELECT rule, initiative_code, raised_at, severity FROM alert WHERE raised_at IS NOT NULL")
