"""An in-memory ingest store for fast unit tests of the handlers; the PostgreSQL store is proven by
the integration tests."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from typing import Any

from services.ingest.domain import CatalogueView, InitiativeFacts
from services.ingest.store import Candidate, ConflictingEventIds, Outcome
from shared.auth import ApiKey, Role, issue_key

CATALOGUE = CatalogueView(
    period_start=dt.date(2020, 1, 1),
    period_end=dt.date(2025, 12, 31),
    initiatives={
        "INI-001": InitiativeFacts("DOM", dt.date(2021, 3, 1), dt.date(2023, 6, 30),
                                   frozenset({"INI-001-I1"}), frozenset({"INI-001-H1", "INI-001-H2"})),
        "INI-002": InitiativeFacts("DIDECO", dt.date(2022, 1, 1), dt.date(2024, 12, 31),
                                   frozenset({"INI-002-I1"}), frozenset({"INI-002-H1"})),
    },
)


class InMemoryIngestStore:
    def __init__(self, catalogue: CatalogueView = CATALOGUE):
        self._catalogue = catalogue
        self.keys: dict[str, ApiKey] = {}
        self.accepted: dict[Any, str] = {}
        self.catalogue_loads = 0

    def add_key(self, source_system: str, units: set[str] | None, *, revoked: bool = False,
                role: Role = Role.REPORTER) -> str:
        issued = issue_key()
        self.keys[issued.key_id] = ApiKey(issued.key_id, issued.secret_sha256, source_system,
                                          None if units is None else frozenset(units), revoked, role)
        return issued.token

    async def api_key(self, key_id: str) -> ApiKey | None:
        return self.keys.get(key_id)

    async def catalogue(self, *, refresh: bool = False) -> CatalogueView:
        self.catalogue_loads += 1
        return self._catalogue

    async def accept(self, candidates: Sequence[Candidate], *, channel: str, received_at: dt.datetime,
                     publish: Any) -> list[Outcome]:
        outcomes: list[Outcome] = []
        staged: dict[Any, str] = {}
        for candidate in candidates:
            known = self.accepted.get(candidate.event_id, staged.get(candidate.event_id))
            if known is None:
                staged[candidate.event_id] = candidate.content_sha256
                outcomes.append(Outcome.ACCEPTED)
            else:
                outcomes.append(Outcome.DUPLICATE if known == candidate.content_sha256 else Outcome.CONFLICT)
        if Outcome.CONFLICT in outcomes:
            raise ConflictingEventIds([c.event_id for c, o in zip(candidates, outcomes) if o is Outcome.CONFLICT])
        await asyncio.gather(*(publish(c.event) for c, o in zip(candidates, outcomes) if o is Outcome.ACCEPTED))
        self.accepted.update(staged)  # only once every event is confirmed
        return outcomes
