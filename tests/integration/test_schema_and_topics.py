"""The migrations and topics the deploy scripts rely on, against the real database and broker."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from shared.db import Migration, MigrationError, apply_migrations
from shared.topics import ALL_TOPICS, PLAN, PROGRESS, ensure_topics

pytestmark = pytest.mark.integration


@pytest.fixture
async def scratch_database(database_url: str):
    """A connection whose tables all land in a new empty schema, dropped after the test."""
    name = f"scratch_{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(database_url, server_settings={"search_path": name})
    await connection.execute(f'CREATE SCHEMA "{name}"')
    yield connection
    await connection.execute(f'DROP SCHEMA IF EXISTS "{name}_scorecard" CASCADE')
    await connection.execute(f'DROP SCHEMA "{name}" CASCADE')
    await connection.close()


async def test_migrations_apply_in_order_once_and_are_recorded(scratch_database):
    first = [Migration(1, "towns", "CREATE TABLE town (name text PRIMARY KEY)"),
             Migration(2, "putre", "INSERT INTO town VALUES ('Putre')")]

    applied_now = await apply_migrations(scratch_database, first)
    applied_again = await apply_migrations(scratch_database, first)

    assert [m.version for m in applied_now] == [1, 2]
    assert applied_again == []
    assert await scratch_database.fetchval("SELECT count(*) FROM town") == 1
    recorded = await scratch_database.fetch("SELECT version, name FROM schema_migration ORDER BY 1")
    assert [(r["version"], r["name"]) for r in recorded] == [(1, "towns"), (2, "putre")]


async def test_a_migration_edited_after_it_was_applied_is_refused(scratch_database):
    await apply_migrations(scratch_database, [Migration(1, "towns", "CREATE TABLE town (n text)")])

    with pytest.raises(MigrationError, match="0001_towns changed after it was applied"):
        await apply_migrations(scratch_database, [Migration(1, "towns", "CREATE TABLE town (x int)")])


async def test_a_failing_migration_leaves_nothing_half_applied(scratch_database):
    broken = [Migration(1, "half", "CREATE TABLE a (n int); CREATE TABLE a (n int)")]

    with pytest.raises(asyncpg.DuplicateTableError):
        await apply_migrations(scratch_database, broken)

    assert await scratch_database.fetchval("SELECT to_regclass('a')") is None
    assert await scratch_database.fetchval("SELECT count(*) FROM schema_migration") == 0


async def test_the_project_migrations_build_the_tables_and_the_scorecard_views(scratch_database):
    views_schema = await scratch_database.fetchval("SELECT current_schema()") + "_scorecard"
    await apply_migrations(scratch_database, scorecard_schema=views_schema)
    tables = {r["tablename"] for r in await scratch_database.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")}
    assert {"schema_migration", "processed_event", "progress_report", "initiative", "initiative_figures",
            "outbox"} <= tables
    views = {r["viewname"] for r in await scratch_database.fetch(
        "SELECT viewname FROM pg_views WHERE schemaname = $1", views_schema)}
    assert {"initiative", "rollup", "milestone", "indicator", "rollup_monthly"} <= views
    # The scratch views read the scratch tables, not the deployment's.
    assert await scratch_database.fetchval(
        f'SELECT count(*) FROM "{views_schema}".initiative') == 0


async def test_topics_exist_with_the_partitions_and_retention_the_design_needs(kafka):
    report = await ensure_topics(kafka.bootstrap_servers, replication_factor=1)
    assert report.created == [] and report.drifted == [], "the session fixture already made them"

    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers)
    await admin.start()
    try:
        described = {t["topic"]: t for t in await admin.describe_topics([t.name for t in ALL_TOPICS])}
        configs = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, t.name) for t in (PLAN, PROGRESS)]
        )
    finally:
        await admin.close()
    for spec in ALL_TOPICS:
        assert len(described[spec.name]["partitions"]) == spec.partitions
    for response in configs:
        for resource in response.resources:
            entries = {entry[0]: entry[1] for entry in resource[4]}
            assert entries["retention.ms"] == "-1", f"{resource[3]} must be kept forever"
            assert entries["cleanup.policy"] == "delete", f"{resource[3]} must never be compacted"
