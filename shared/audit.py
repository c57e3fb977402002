"""The tamper-evident event log: every applied plan and progress event, chained by hashes.

Each row keeps the event as canonical JSON, its SHA-256, the previous row's hash, and its own hash
``sha256(prev_hash + content_sha256)``. Appends are serialised (an advisory lock), so the chain
never forks. ``verify_chain`` walks the rows in order and names the first that does not fit: a
changed row (its content or hash no longer match), a deleted row (a gap in the sequence, or a row
that links to an earlier one), or an inserted row (one that the next row skips over).

After every append the new head is published on ``pladeco.audit`` (through the outbox). A chain an
administrator rewrote whole, recomputing every hash, is consistent with itself; compared with those
published heads (``verify_chain(heads=…)``, ``pladeco audit verify --heads``) it is not, and the
first published head it no longer matches is named. Messages are in Spanish: auditors read them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from shared.clock import SANTIAGO
from shared.db import EVENT_LOG_LOCK, hold_lock
from shared.events import AuditHeadAdvanced, EventEnvelope
from shared.outbox import add_to_outbox
from shared.topics import AUDIT

GENESIS = "0" * 64
HEAD_NAMESPACE = uuid.UUID("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d")


def canonical(event: EventEnvelope[Any]) -> str:
    """The event's wire JSON with sorted keys and no spaces (``model_dump(mode="json")`` gives the
    same values as the wire, without writing and parsing the JSON once more)."""
    return json.dumps(event.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def chain_hash(prev_hash: str, content_sha256: str) -> str:
    return sha256(prev_hash + content_sha256)


@dataclass(frozen=True)
class Logged:
    event: EventEnvelope[Any]
    topic: str
    partition: int
    offset: int


async def append_events(
    connection: asyncpg.Connection, entries: Sequence[Logged], *, producer: str | None = None
) -> str | None:
    """Append the events (inside the caller's transaction); returns the new head hash. With a
    ``producer``, the new head is also written to the outbox for the ``pladeco.audit`` topic: a
    copy of the chain's state outside the database."""
    if not entries:
        return None
    await hold_lock(connection, EVENT_LOG_LOCK)
    last = await connection.fetchrow("SELECT seq, hash FROM event_log ORDER BY seq DESC LIMIT 1")
    seq, prev = (last["seq"], last["hash"]) if last else (0, GENESIS)
    records = []
    for entry in entries:
        content = canonical(entry.event)
        content_hash = sha256(content)
        seq += 1
        current = chain_hash(prev, content_hash)
        records.append((seq, entry.event.event_id, entry.event.event_type, entry.event.initiative_code, entry.topic,
                        entry.partition, entry.offset, entry.event.recorded_at, content, content_hash, prev, current))
        prev = current
    await connection.copy_records_to_table(
        "event_log",
        columns=["seq", "event_id", "event_type", "initiative_code", "source_topic", "source_partition",
                 "source_offset", "recorded_at", "content", "content_sha256", "prev_hash", "hash"],
        records=records,
    )
    if producer is not None:
        head = AuditHeadAdvanced(last_seq=seq, head_hash=prev, appended=len(records))
        event = EventEnvelope.of(head, event_id=uuid.uuid5(HEAD_NAMESPACE, prev),
                                 at=max(entry.event.recorded_at for entry in entries),
                                 source_system="pladeco-indicators", actor="pladeco-indicators")
        await add_to_outbox(connection, producer, AUDIT.name, [event])
    return prev


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    kind: str  # changed | deleted | inserted | diverged
    message: str
    """In Spanish: auditors read it."""


@dataclass(frozen=True)
class PublishedHead:
    """A head hash as published on ``pladeco.audit``: a copy of the chain outside the database."""

    last_seq: int
    head_hash: str
    offset: int
    published_at: dt.datetime | None = None


@dataclass(frozen=True)
class ChainReport:
    rows: int
    head: str
    problem: ChainProblem | None
    heads_checked: int = 0


ROWS_SQL = "SELECT seq, event_id, content, content_sha256, prev_hash, hash FROM event_log ORDER BY seq"


async def _rows(connection: asyncpg.Connection) -> AsyncIterator[asyncpg.Record]:
    if connection.is_in_transaction():  # the caller's snapshot (a test that tampers, then rolls back)
        async for row in connection.cursor(ROWS_SQL, prefetch=1000):
            yield row
        return
    # One consistent snapshot, however long the walk takes.
    async with connection.transaction(isolation="repeatable_read", readonly=True):
        async for row in connection.cursor(ROWS_SQL, prefetch=1000):
            yield row


def first_heads(published: Iterable[PublishedHead]) -> dict[int, PublishedHead]:
    """The first head published for each row, in publishing order: a later, different head for the
    same row is itself a sign of a rewrite, and the first one is what the chain said then."""
    heads: dict[int, PublishedHead] = {}
    for head in sorted(published, key=lambda h: h.offset):
        heads.setdefault(head.last_seq, head)
    return heads


async def verify_chain(
    connection: asyncpg.Connection, *, progress: Any = None, heads: Iterable[PublishedHead] | None = None,
) -> ChainReport:
    """Walk the chain in one snapshot: the first row changed, deleted or inserted, and, with
    ``heads`` (read from ``pladeco.audit`` before the walk), the first published head the chain no
    longer matches: a chain rewritten whole, hashes and all, is consistent with itself but not
    with the heads published while it grew."""
    by_seq = first_heads(heads or [])
    checked = 0
    previous: asyncpg.Record | None = None
    previous_hash, expected_seq, count = GENESIS, 1, 0
    seen: set[str] = {GENESIS}
    suspect: tuple[asyncpg.Record, str] | None = None  # a row that did not link, judged by the next one
    async for row in _rows(connection):
        count += 1
        if progress is not None:
            progress.update(1)
        if sha256(row["content"]) != row["content_sha256"] or chain_hash(row["prev_hash"], row["content_sha256"]) != row["hash"]:
            return _report(count, previous_hash, row, "changed", "fue modificada: su contenido o su hash ya no coinciden")
        if suspect is not None:
            odd, before = suspect
            if row["prev_hash"] == before:
                return _report(count, previous_hash, odd, "inserted",
                               f"fue insertada: la fila {row['seq']} se enlaza con la anterior a ella")
            return _report(count, previous_hash, odd, "deleted",
                           "no se enlaza con la fila anterior: se eliminó (o modificó) una fila antes de ella")
        if row["seq"] != expected_seq:
            return _report(count, previous_hash, row, "deleted",
                           f"sigue a un hueco: se eliminaron las filas {expected_seq}–{row['seq'] - 1}")
        if row["prev_hash"] != previous_hash:
            if previous is not None and row["prev_hash"] in seen:
                # It links past the previous row: that row does not belong to the chain.
                return _report(count, previous_hash, previous, "inserted",
                               f"fue insertada: la fila {row['seq']} se enlaza con la anterior a ella")
            suspect = (row, previous_hash)
        head = by_seq.get(row["seq"])
        if head is not None and suspect is None:
            if head.head_hash != row["hash"]:
                return _diverged(count, previous_hash, row, head, by_seq)
            checked += 1
        seen.add(row["hash"])
        previous, previous_hash, expected_seq = row, row["hash"], row["seq"] + 1
    if suspect is not None:
        return _report(count, previous_hash, suspect[0], "inserted",
                       "no se enlaza con la fila anterior (fue insertada, o se eliminó la fila anterior)")
    beyond = [h for h in by_seq.values() if h.last_seq > expected_seq - 1]
    if beyond:
        head = min(beyond, key=lambda h: h.last_seq)
        return ChainReport(count, previous_hash, ChainProblem(
            expected_seq, "deleted",
            f"la cadena termina en la fila {expected_seq - 1}, pero pladeco.audit publicó la fila {head.last_seq} "
            f"(offset {head.offset}{_when(head)}): se eliminaron filas del final",
        ), checked)
    return ChainReport(count, previous_hash, None, checked)


def _diverged(count: int, head_hash: str, row: asyncpg.Record, head: PublishedHead,
              by_seq: dict[int, PublishedHead]) -> ChainReport:
    agreed = max((seq for seq in by_seq if seq < row["seq"]), default=0)
    since = f"entre la fila {agreed + 1} y la {row['seq']}" if agreed + 1 < row["seq"] else f"la fila {row['seq']}"
    return _report(count, head_hash, row, "diverged",
                   f"no coincide con la cabeza publicada en pladeco.audit (offset {head.offset}{_when(head)}): "
                   f"se publicó {head.head_hash[:16]}…, la base dice {row['hash'][:16]}…; la cadena se reescribió "
                   f"a partir de {since}")


def _when(head: PublishedHead) -> str:
    return f", {head.published_at.astimezone(SANTIAGO):%d-%m-%Y %H:%M}" if head.published_at else ""


def _report(count: int, head: str, row: asyncpg.Record, kind: str, what: str) -> ChainReport:
    return ChainReport(count, head, ChainProblem(row["seq"], kind, f"fila {row['seq']} (evento {row['event_id']}) {what}"))
