"""Reading the plan catalogue (the projection of plan revisions) back into a plan document.

The catalogue is written only by the indicator service's plan consumer
(``services.indicators.catalogue_store``); the CLI (export, diff before a load) and the services
that validate against the plan read it here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import asyncpg

from shared.plan.changes import assemble_document

RECORD_TABLES = {
    "department": "department",
    "territory": "territory",
    "locality": "locality",
    "funding_source": "funding_source",
    "axis": "strategic_axis",
    "objective": "objective",
    "programme": "programme",
    "problem": "problem",
    "initiative": "initiative",
    "milestone": "milestone",
    "indicator": "indicator",
}


@dataclass(frozen=True)
class CatalogueState:
    plan_code: str | None
    revision: int
    content_sha256: str | None
    document: dict[str, Any] | None


async def current_plan(connection: asyncpg.Connection) -> CatalogueState:
    """The plan as the catalogue holds it now (revision 0 and no document when empty)."""
    async with connection.transaction(isolation="repeatable_read", readonly=True):
        header = await connection.fetchrow("SELECT code, revision, content_sha256, spec::text FROM plan")
        if header is None:
            return CatalogueState(None, 0, None, None)
        records = {("plan", header["code"]): json.loads(header["spec"])}
        for entity, table in RECORD_TABLES.items():
            for row in await connection.fetch(f"SELECT code, spec::text FROM {table}"):  # noqa: S608 - fixed names
                records[(entity, row["code"])] = json.loads(row["spec"])
    return CatalogueState(header["code"], header["revision"], header["content_sha256"], assemble_document(records))


async def applied_revision(
    connection: asyncpg.Connection, plan_code: str, revision: int
) -> tuple[str, str] | None:
    """The (event id, content hash) recorded for a revision, or None while it is not applied."""
    row = await connection.fetchrow(
        "SELECT event_id::text, content_sha256 FROM plan_revision WHERE plan_code = $1 AND revision = $2",
        plan_code,
        revision,
    )
    return (row["event_id"], row["content_sha256"]) if row else None
