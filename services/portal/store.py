"""SQL of the citizens' portal: reads of the public views (schema ``scorecard_portal``, migration
0020) and nothing else.

Every read goes through :func:`public_reading`: a read-only transaction that first assumes the
``portal_reader`` role, so a query of the portal cannot reach a table or view that role was not
granted, whatever user the pool logged in as.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from shared.db import SCORECARD_SCHEMA

PORTAL_SCHEMA = f"{SCORECARD_SCHEMA}_portal"
PORTAL_ROLE = "portal_reader"
S = PORTAL_SCHEMA


@asynccontextmanager
async def public_reading(pool: asyncpg.Pool, role: str = PORTAL_ROLE) -> AsyncIterator[asyncpg.Connection]:
    """A connection in a read-only transaction running as ``role``."""
    async with pool.acquire() as connection, connection.transaction(readonly=True):
        await connection.execute(f'SET LOCAL ROLE "{role}"')
        yield connection


def _dicts(rows: Sequence[asyncpg.Record]) -> list[dict[str, Any]]:
    return [dict(row) for row in rows]


async def plan(connection: asyncpg.Connection) -> dict[str, Any] | None:
    """The plan's name, period and the dates of its last judgement and report."""
    row = await connection.fetchrow(f"SELECT * FROM {S}.plan")
    return dict(row) if row else None


async def rollups(connection: asyncpg.Connection, level: str) -> list[dict[str, Any]]:
    """The roll-up rows of one level (plan, axis, territory, funding_source, …), by group code."""
    return _dicts(await connection.fetch(f"SELECT * FROM {S}.rollup WHERE level = $1 ORDER BY group_code", level))


async def rollup(connection: asyncpg.Connection, level: str, code: str) -> dict[str, Any] | None:
    """One group's roll-up row."""
    row = await connection.fetchrow(f"SELECT * FROM {S}.rollup WHERE level = $1 AND group_code = $2", level, code)
    return dict(row) if row else None


async def axes(connection: asyncpg.Connection) -> list[dict[str, Any]]:
    """The strategic axes, by code."""
    return _dicts(await connection.fetch(f"SELECT * FROM {S}.axis ORDER BY axis_code"))


async def territories(connection: asyncpg.Connection) -> list[dict[str, Any]]:
    """The territories (without their boundaries), by code."""
    return _dicts(await connection.fetch(f"SELECT territory_code, name FROM {S}.territory ORDER BY territory_code"))


async def localities(connection: asyncpg.Connection) -> list[dict[str, Any]]:
    """The localities with their territory, by name."""
    return _dicts(await connection.fetch(f"SELECT * FROM {S}.locality ORDER BY name"))


async def initiatives(connection: asyncpg.Connection, *, column: str | None = None,
                      value: str | None = None) -> list[dict[str, Any]]:
    """The initiatives (all, or those whose axis/territory/locality code is ``value``), by code."""
    if column is None:
        return _dicts(await connection.fetch(f"SELECT * FROM {S}.initiative ORDER BY initiative_code"))
    if column not in ("axis_code", "territory_code", "locality_code"):
        raise ValueError(f"no initiative filter on {column!r}")
    return _dicts(await connection.fetch(
        f"SELECT * FROM {S}.initiative WHERE {column} = $1 ORDER BY initiative_code", value))


async def initiative(connection: asyncpg.Connection, code: str) -> dict[str, Any] | None:
    """One initiative's figures."""
    row = await connection.fetchrow(f"SELECT * FROM {S}.initiative WHERE initiative_code = $1", code)
    return dict(row) if row else None


async def funding(connection: asyncpg.Connection, code: str) -> list[dict[str, Any]]:
    """An initiative's budget by funding source, in plan order."""
    return _dicts(await connection.fetch(
        f"SELECT * FROM {S}.initiative_funding WHERE initiative_code = $1 ORDER BY position", code))


async def milestones(connection: asyncpg.Connection, code: str) -> list[dict[str, Any]]:
    """An initiative's milestones by due date."""
    return _dicts(await connection.fetch(
        f"SELECT * FROM {S}.milestone WHERE initiative_code = $1 ORDER BY due_date, milestone_code", code))


async def indicators(connection: asyncpg.Connection, code: str) -> list[dict[str, Any]]:
    """An initiative's indicators against their targets."""
    return _dicts(await connection.fetch(
        f"SELECT * FROM {S}.indicator WHERE initiative_code = $1 ORDER BY indicator_code", code))


async def monthly(connection: asyncpg.Connection, code: str) -> list[dict[str, Any]]:
    """An initiative's S-curve: planned and reported progress at each month, in order."""
    return _dicts(await connection.fetch(
        f"SELECT * FROM {S}.initiative_monthly WHERE initiative_code = $1 ORDER BY month", code))


async def last_reports(connection: asyncpg.Connection, code: str, limit: int = 5) -> list[dict[str, Any]]:
    """An initiative's latest progress reports, newest first."""
    return _dicts(await connection.fetch(
        f"SELECT * FROM {S}.progress_history WHERE initiative_code = $1 "
        "ORDER BY as_of DESC, recorded_at DESC LIMIT $2", code, limit))


async def history_head(connection: asyncpg.Connection) -> dict[str, Any] | None:
    """The event history's head: sequence number, hash, when it was logged."""
    row = await connection.fetchrow(f"SELECT * FROM {S}.history_head")
    return dict(row) if row else None


DATASET_QUERIES = {
    "iniciativas": f"SELECT {{columns}} FROM {S}.initiative ORDER BY initiative_code",
    "indicadores": f"SELECT {{columns}} FROM {S}.indicator ORDER BY initiative_code, indicator_code",
    "hitos": f"SELECT {{columns}} FROM {S}.milestone ORDER BY initiative_code, due_date, milestone_code",
    "avance": f"SELECT {{columns}} FROM {S}.progress_history ORDER BY initiative_code, as_of, recorded_at, event_id",
}


async def dataset(connection: asyncpg.Connection, name: str, columns: Sequence[str]) -> list[dict[str, Any]]:
    """One open-data set's rows with exactly ``columns`` (names from services/portal/opendata.py)."""
    selected = ", ".join(f'"{column}"' for column in columns)
    return _dicts(await connection.fetch(DATASET_QUERIES[name].format(columns=selected)))


async def sites(connection: asyncpg.Connection) -> dict[str, tuple[float, float]]:
    """Each initiative's site (longitude, latitude), for the open data's GeoJSON."""
    rows = await connection.fetch(f"SELECT initiative_code, longitude, latitude FROM {S}.initiative")
    return {r["initiative_code"]: (r["longitude"], r["latitude"]) for r in rows
            if r["longitude"] is not None and r["latitude"] is not None}
