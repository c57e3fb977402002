"""SQL of the ingest service: the catalogue facts updates are judged against, API keys, and the
record of accepted events that makes a repeated event id a duplicate.

``accept`` holds one transaction open while Kafka confirms the new events: the rows commit only
when every event is confirmed, so a failure leaves no trace and the sender's retry is accepted.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol
from uuid import UUID

import asyncpg

from services.ingest.domain import CatalogueView, InitiativeFacts
from shared.auth import ApiKey
from shared.key_store import fetch_api_key


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class Candidate:
    """An update ready to be accepted: its event, and what the record of it needs."""

    event_id: UUID
    initiative_code: str
    content_sha256: str
    source_system: str
    event: Any


class IngestStore(Protocol):
    async def api_key(self, key_id: str) -> ApiKey | None: ...

    async def catalogue(self, *, refresh: bool = False) -> CatalogueView:
        """The plan facts, reloaded when older than the TTL; ``refresh`` reloads them now (at most
        once a second), for an initiative the cached view does not know yet."""
        if self._needs_reload(refresh):
            async with self._lock:
                if self._needs_reload(refresh):  # another request may have reloaded meanwhile
                    async with self.pool.acquire() as connection:
                        self._catalogue = await load_catalogue_view(connection)
                    self._loaded_at = time.monotonic()
        return self._catalogue

    def _needs_reload(self, refresh: bool) -> bool:
        age = time.monotonic() - self._loaded_at
        return self._catalogue is None or age >= self.catalogue_ttl_s or (refresh and age >= 1.0)

    async def accept(
        self, candidates: Sequence[Candidate], *, channel: str, received_at: dt.datetime,
        publish: Callable[[Any], Awaitable[None]],
    ) -> list[Outcome]: ...


class PostgresIngestStore:
    def __init__(self, pool: asyncpg.Pool, *, catalogue_ttl_s: float = 5.0):
        self.pool = pool
        self.catalogue_ttl_s = catalogue_ttl_s
        self._catalogue: CatalogueView | None = None
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()

    async def api_key(self, key_id: str) -> ApiKey | None:
        return await fetch_api_key(self.pool, key_id)

    async def catalogue(self, *, refresh: bool = False) -> CatalogueView:
        """The plan facts, reloaded when older than the TTL; ``refresh`` reloads them now (at most
        once a second), for an initiative the cached view does not know yet."""
        age = time.monotonic() - self._loaded_at
        if self._catalogue is not None and age < self.catalogue_ttl_s and not (refresh and age > 1.0):
            return self._catalogue
        async with self._lock:
            if self._catalogue is None or time.monotonic() - self._loaded_at >= min(age, self.catalogue_ttl_s):
                async with self.pool.acquire() as connection:
                    self._catalogue = await load_catalogue_view(connection)
                self._loaded_at = time.monotonic()
        return self._catalogue

    async def accept(
        self, candidates: Sequence[Candidate], *, channel: str, received_at: dt.datetime,
        publish: Callable[[Any], Awaitable[None]],
    ) -> list[Outcome]:
        async with self.pool.acquire() as connection, connection.transaction():
            inserted = await connection.fetch(
                """
                INSERT INTO ingest_event (event_id, initiative_code, content_sha256, source_system, channel, received_at)
                SELECT e, i, c, s, $5, $6
                FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS t(e, i, c, s)
                ON CONFLICT (event_id) DO NOTHING
                RETURNING event_id
                """,
                [c.event_id for c in candidates], [c.initiative_code for c in candidates],
                [c.content_sha256 for c in candidates], [c.source_system for c in candidates],
                channel, received_at,
            )
            new_ids = {row["event_id"] for row in inserted}
            known = await connection.fetch(
                "SELECT event_id, content_sha256 FROM ingest_event WHERE event_id = ANY($1::uuid[])",
                [c.event_id for c in candidates if c.event_id not in new_ids],
            )
            outcomes = _outcomes(candidates, new_ids, {row["event_id"]: row["content_sha256"] for row in known})
            if Outcome.CONFLICT in outcomes:
                raise ConflictingEventIds([c.event_id for c, o in zip(candidates, outcomes, strict=True) if o is Outcome.CONFLICT])
            to_publish = [c for c, o in zip(candidates, outcomes, strict=True) if o is Outcome.ACCEPTED]
            # Any failure raises here and rolls the rows back: nothing is recorded as accepted.
            await asyncio.gather(*(publish(c.event) for c in to_publish))
        return outcomes


class ConflictingEventIds(Exception):
    def __init__(self, event_ids: list[UUID]):
        super().__init__(", ".join(str(e) for e in event_ids))
        self.event_ids = event_ids


def _outcomes(candidates: Sequence[Candidate], new_ids: set[UUID], known: dict[UUID, str]) -> list[Outcome]:
    outcomes: list[Outcome] = []
    first_in_request: set[UUID] = set()
    for candidate in candidates:
        if candidate.event_id in new_ids and candidate.event_id not in first_in_request:
            first_in_request.add(candidate.event_id)
            outcomes.append(Outcome.ACCEPTED)
            continue
        stored = known.get(candidate.event_id) or next(
            (c.content_sha256 for c in candidates if c.event_id == candidate.event_id), None
        )
        outcomes.append(Outcome.DUPLICATE if stored == candidate.content_sha256 else Outcome.CONFLICT)
    return outcomes


async def load_catalogue_view(connection: asyncpg.Connection) -> CatalogueView:
    period = await connection.fetchrow("SELECT period_start, period_end FROM plan")
    if period is None:
        return CatalogueView()
    indicators: dict[str, set[str]] = {}
    for row in await connection.fetch("SELECT code, initiative_code FROM indicator"):
        indicators.setdefault(row["initiative_code"], set()).add(row["code"])
    milestones: dict[str, set[str]] = {}
    for row in await connection.fetch("SELECT code, initiative_code FROM milestone"):
        milestones.setdefault(row["initiative_code"], set()).add(row["code"])
    initiatives = {
        row["code"]: InitiativeFacts(
            responsible_unit=row["responsible_unit"], start=row["start_date"], end=row["end_date"],
            indicators=frozenset(indicators.get(row["code"], ())),
            milestones=frozenset(milestones.get(row["code"], ())),
        )
        for row in await connection.fetch("SELECT code, responsible_unit, start_date, end_date FROM initiative")
    }
    return CatalogueView(period["period_start"], period["period_end"], initiatives)
