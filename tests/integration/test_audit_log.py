"""The event log auditors trust: every applied event is chained; changing, deleting or inserting a
stored event is named by ``audit verify``."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest

from shared.audit import chain_hash, sha256, verify_chain
from tests.conftest import ROOT
from tests.integration.conftest import post_progress
from tests.integration.probes import eventually, progress_update

pytestmark = pytest.mark.integration


@pytest.fixture
async def logged(services, db, api_key, sample_plan):
    """At least a plan revision and five reports in the log."""
    ingest = services("ingest")
    services("indicators")
    key = await api_key("secplan", ["SECPLAN"])
    updates = [progress_update("INI-009", as_of=f"2021-0{month}-28", physical_progress_pct=10.0 * month)
               for month in range(1, 6)]
    assert post_progress(ingest, updates, key).status_code == 202
    await eventually(lambda: db.fetchval("SELECT count(*) = 5 FROM event_log WHERE event_id = ANY($1::uuid[])",
                                         [uuid.UUID(u["event_id"]) for u in updates]), what="the logged events")
    return await db.fetchval("SELECT max(seq) FROM event_log")


async def tampered(db, *statements: tuple[str, tuple]):
    """The verdict of verify_chain after the statements, in a transaction that is rolled back."""
    async with db.acquire() as connection:
        transaction = connection.transaction()
        await transaction.start()
        try:
            await connection.execute("ALTER TABLE event_log DISABLE TRIGGER event_log_append_only")
            for sql, args in statements:
                await connection.execute(sql, *args)
            return await verify_chain(connection)
        finally:
            await transaction.rollback()


async def test_the_untouched_chain_verifies_and_the_log_refuses_edits(db, logged):
    async with db.acquire() as connection:
        report = await verify_chain(connection)
        assert report.problem is None and report.rows == logged
        with pytest.raises(Exception, match="append-only"):
            await connection.execute("UPDATE event_log SET content = content WHERE seq = 1")


async def test_a_changed_event_is_named(db, logged):
    target = logged - 2
    report = await tampered(db, ("UPDATE event_log SET content = replace(content, '\"physical_progress_pct\":30.0', "
                                 "'\"physical_progress_pct\":90.0') WHERE seq = $1", (target,)))
    assert (report.problem.seq, report.problem.kind) == (target, "changed")


async def test_a_changed_event_whose_hashes_were_recomputed_is_still_caught(db, logged):
    target = logged - 2
    row = await db.fetchrow("SELECT content, prev_hash FROM event_log WHERE seq = $1", target)
    forged = row["content"].replace('"physical_progress_pct":30.0', '"physical_progress_pct":90.0')
    report = await tampered(db, ("UPDATE event_log SET content = $2, content_sha256 = $3, hash = $4 WHERE seq = $1",
                                 (target, forged, sha256(forged), chain_hash(row["prev_hash"], sha256(forged)))))
    assert report.problem.seq == target + 1  # its successor no longer links to it
    assert report.problem.kind in {"deleted", "inserted"}


async def test_a_deleted_event_is_named(db, logged):
    target = logged - 3
    report = await tampered(db, ("DELETE FROM event_log WHERE seq = $1", (target,)))
    assert (report.problem.seq, report.problem.kind) == (target + 1, "deleted")
    assert f"{target}–{target}" in report.problem.message


async def test_a_deletion_hidden_by_renumbering_is_named(db, logged):
    target = logged - 3
    report = await tampered(
        db, ("DELETE FROM event_log WHERE seq = $1", (target,)),
        ("UPDATE event_log SET seq = seq - 1 WHERE seq > $1", (target,)),
    )
    assert (report.problem.seq, report.problem.kind) == (target, "deleted")


async def test_an_inserted_event_is_named(db, logged):
    target = logged - 2  # the forged row takes this place; the rest move up by one
    before = await db.fetchrow("SELECT hash FROM event_log WHERE seq = $1", target - 1)
    content = '{"forged":true}'
    report = await tampered(
        db, ("UPDATE event_log SET seq = seq + 1000000 WHERE seq >= $1", (target,)),
        ("UPDATE event_log SET seq = seq - 1000000 + 1 WHERE seq >= 1000000", ()),
        ("INSERT INTO event_log (seq, event_id, event_type, source_topic, source_partition, source_offset, "
         "recorded_at, content, content_sha256, prev_hash, hash) VALUES ($1, $2, 'progress.reported', "
         "'pladeco.progress', 0, 0, now(), $3, $4, $5, $6)",
         (target, uuid.uuid4(), content, sha256(content), before["hash"], chain_hash(before["hash"], sha256(content)))),
    )
    assert (report.problem.seq, report.problem.kind) == (target, "inserted")


async def test_the_cli_names_a_changed_row(db, logged, service_env):
    env = {**os.environ, **{k: v for k, v in service_env.items() if k != "PLADECO_STARTUP_TIMEOUT_S"}}
    clean = subprocess.run([sys.executable, "-m", "cli", "audit", "verify"], env=env, cwd=ROOT,
                           capture_output=True, text=True, timeout=60)
    assert clean.returncode == 0 and "Cadena íntegra" in clean.stdout, clean.stderr
    target = logged - 1
    original = await db.fetchval("SELECT content FROM event_log WHERE seq = $1", target)
    async with db.acquire() as connection:
        await connection.execute("ALTER TABLE event_log DISABLE TRIGGER event_log_append_only")
        try:
            await connection.execute("UPDATE event_log SET content = content || ' ' WHERE seq = $1", target)
            broken = subprocess.run([sys.executable, "-m", "cli", "audit", "verify"], env=env, cwd=ROOT,
                                    capture_output=True, text=True, timeout=60)
        finally:
            await connection.execute("UPDATE event_log SET content = $2 WHERE seq = $1", target, original)
            await connection.execute("ALTER TABLE event_log ENABLE TRIGGER event_log_append_only")
    assert broken.returncode == 1
    assert f"fila {target} (MODIFICADA)" in broken.stderr


async def test_every_append_publishes_the_head_outside_the_database(db, logged, kafka):
    from shared.events import AuditHeadAdvanced, decode_event
    from shared.topics import AUDIT
    from tests.integration.probes import read_topic

    head = await db.fetchval("SELECT hash FROM event_log ORDER BY seq DESC LIMIT 1")

    async def published():
        heads = [decode_event(r.value).payload for r in await read_topic(kafka.bootstrap_servers, AUDIT.name)]
        return [h for h in heads if isinstance(h, AuditHeadAdvanced) and h.head_hash == head]

    [latest] = await eventually(published, what="the head on pladeco.audit")
    assert latest.last_seq == logged


async def published_heads_now(kafka, db):
    """The heads on pladeco.audit, once the current head is among them."""
    from shared.audit import PublishedHead
    from shared.events import AuditHeadAdvanced, decode_event
    from shared.topics import AUDIT
    from tests.integration.probes import read_topic

    head = await db.fetchval("SELECT hash FROM event_log ORDER BY seq DESC LIMIT 1")

    async def published():
        heads = []
        for record in await read_topic(kafka.bootstrap_servers, AUDIT.name):
            event = decode_event(record.value)
            if isinstance(event.payload, AuditHeadAdvanced):
                heads.append(PublishedHead(event.payload.last_seq, event.payload.head_hash, record.offset))
        return heads if any(h.head_hash == head for h in heads) else None

    return await eventually(published, what="the current head on pladeco.audit")


def rewritten_from(rows, target: int) -> list[tuple]:
    """UPDATE statements that change row ``target`` and recompute every hash after it: a chain that
    is consistent with itself."""
    statements, previous = [], None
    for row in rows:
        content, prev_hash = row["content"], row["prev_hash"] if previous is None else previous
        if row["seq"] == target:
            content = content.replace('"physical_progress_pct":30.0', '"physical_progress_pct":90.0')
            assert content != row["content"]
        digest = sha256(content)
        previous = chain_hash(prev_hash, digest)
        statements.append(("UPDATE event_log SET content = $2, content_sha256 = $3, prev_hash = $4, hash = $5 "
                           "WHERE seq = $1", (row["seq"], content, digest, prev_hash, previous)))
    return statements


async def test_a_chain_rewritten_whole_is_consistent_but_differs_from_the_published_heads(db, logged, kafka):
    heads = await published_heads_now(kafka, db)
    target = logged - 2
    rows = await db.fetch("SELECT seq, content, prev_hash FROM event_log WHERE seq >= $1 ORDER BY seq", target)
    rewrite = rewritten_from(rows, target)

    alone = await tampered(db, *rewrite)
    async with db.acquire() as connection:
        transaction = connection.transaction()
        await transaction.start()
        try:
            await connection.execute("ALTER TABLE event_log DISABLE TRIGGER event_log_append_only")
            for sql, args in rewrite:
                await connection.execute(sql, *args)
            report = await verify_chain(connection, heads=heads)
        finally:
            await transaction.rollback()

    assert alone.problem is None, "rewritten whole, the chain agrees with itself"
    first_published_after = min(h.last_seq for h in heads if h.last_seq >= target)
    assert (report.problem.seq, report.problem.kind) == (first_published_after, "diverged")
    assert "pladeco.audit" in report.problem.message and "se reescribió" in report.problem.message


async def test_the_cli_compares_with_the_published_heads_and_names_the_divergence(db, logged, kafka, service_env):
    env = {**os.environ, **{k: v for k, v in service_env.items() if k != "PLADECO_STARTUP_TIMEOUT_S"}}
    await published_heads_now(kafka, db)
    verify = [sys.executable, "-m", "cli", "audit", "verify", "--heads"]
    clean = subprocess.run(verify, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert clean.returncode == 0, clean.stderr
    assert "Cadena íntegra" in clean.stdout and "cabezas publicadas en pladeco.audit" in clean.stdout

    target = logged - 2
    rows = await db.fetch("SELECT seq, content, content_sha256, prev_hash, hash FROM event_log WHERE seq >= $1 "
                          "ORDER BY seq", target)
    async with db.acquire() as connection:
        await connection.execute("ALTER TABLE event_log DISABLE TRIGGER event_log_append_only")
        try:
            for sql, args in rewritten_from(rows, target):
                await connection.execute(sql, *args)
            broken = subprocess.run(verify, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
        finally:
            for row in rows:
                await connection.execute("UPDATE event_log SET content = $2, content_sha256 = $3, prev_hash = $4, "
                                         "hash = $5 WHERE seq = $1", row["seq"], row["content"], row["content_sha256"],
                                         row["prev_hash"], row["hash"])
            await connection.execute("ALTER TABLE event_log ENABLE TRIGGER event_log_append_only")

    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "(DIFIERE DE LO PUBLICADO)" in broken.stderr
    assert "pladeco.audit" in broken.stderr
    assert not any(word in broken.stderr for word in ("row ", "was ", "changed", "deleted")), "Spanish only"
