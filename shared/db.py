"""PostgreSQL: the connection pool factory, the numbered migrations, and the advisory locks that
serialise writers across processes (each lock named once, here).

Migrations are the SQL files ``shared/migrations/NNNN_name.sql``, applied in number order, each in
its own transaction, recorded in ``schema_migration`` with a checksum. A migration file that
changed after it was applied is refused: history is not rewritten, a new migration is added.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import asyncpg

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_LOCK_KEY = 0x504C4144  # "PLAD": one migrator at a time across every process

# --- advisory locks, held until the end of the caller's transaction ---------------------------------

EVENT_LOG_LOCK = "pladeco.event_log"
"""Appends to the event log, and every writer of figures (a plan revision, a batch, the daily judgement)."""
PLAN_CATALOGUE_LOCK = "pladeco.plan_catalogue"
"""One plan revision at a time."""
ALERT_EVALUATION_LOCK = "pladeco.alerts.evaluate"
"""One alert evaluation at a time."""
NOTIFIER_GROUPS_LOCK = "pladeco.notifier.groups"
"""One forming of notification groups at a time."""
OUTBOX_LOCK_PREFIX = "pladeco.outbox."
"""Followed by the producer: one relay per producer at a time, so that the order holds."""


async def hold_lock(connection: asyncpg.Connection, name: str) -> None:
    """Wait for the advisory lock ``name`` and hold it until the transaction ends."""
    await connection.execute("SELECT pg_advisory_xact_lock(hashtext($1))", name)


async def try_lock(connection: asyncpg.Connection, name: str) -> bool:
    """Take the advisory lock ``name`` until the transaction ends, if nobody holds it."""
    return bool(await connection.fetchval("SELECT pg_try_advisory_xact_lock(hashtext($1))", name))


# --- least-privilege roles (migration 0013) ---------------------------------------------------------

SERVICE_ROLES = {"ingest": "pladeco_ingest", "indicators": "pladeco_indicators", "alerts": "pladeco_alerts",
                 "notifier": "pladeco_notifier"}
"""The login role each service connects as."""
READER_ROLES = ("scorecard_reader", "public_reader")
"""Grafana's roles: the scorecard boards, and the public board."""


async def set_role_password(connection: asyncpg.Connection, role: str, password: str) -> None:
    """Set the password of one of the least-privilege roles (the owner runs it)."""
    if role not in (*SERVICE_ROLES.values(), *READER_ROLES):
        raise ValueError(f"unknown role {role!r}")
    await connection.execute(f'ALTER ROLE "{role}" PASSWORD {_quote_literal(password)}')


def _quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


SCORECARD_PLACEHOLDER = "{{scorecard}}"
SCORECARD_SCHEMA = "scorecard"
"""The views Grafana reads live in their own schema; a second copy of the tables (a test's scratch
schema, a replay) gets its own views schema, named by the caller."""


async def create_pool(database_url: str, *, max_size: int = 10) -> asyncpg.Pool:
    return await asyncpg.create_pool(
        database_url,
        min_size=1,
        max_size=max_size,
        command_timeout=30,
        server_settings={"application_name": "pladeco", "timezone": "UTC"},
    )


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()

    def sql_for(self, scorecard_schema: str) -> str:
        """The SQL with its schema placeholders filled in (the checksum is of the template)."""
        return self.sql.replace(SCORECARD_PLACEHOLDER, scorecard_schema)


class MigrationError(Exception):
    pass


def discover_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    migrations = []
    for path in sorted(directory.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files are named NNNN_snake_case.sql")
        migrations.append(Migration(int(match[1]), match[2], path.read_text(encoding="utf-8")))
    versions = [migration.version for migration in migrations]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"two migrations share a number in {directory}")
    return migrations


async def apply_migrations(
    connection: asyncpg.Connection,
    migrations: list[Migration] | None = None,
    *,
    scorecard_schema: str = SCORECARD_SCHEMA,
) -> list[Migration]:
    """Apply the migrations not yet recorded; return those applied now."""
    migrations = discover_migrations() if migrations is None else migrations
    await connection.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
    try:
        await connection.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migration (
                version    integer PRIMARY KEY,
                name       text NOT NULL,
                checksum   text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """
        )
        applied = {
            row["version"]: row["checksum"]
            for row in await connection.fetch("SELECT version, checksum FROM schema_migration")
        }
        newly_applied = []
        for migration in migrations:
            if migration.version in applied:
                if applied[migration.version] != migration.checksum:
                    raise MigrationError(
                        f"migration {migration.version:04d}_{migration.name} changed after it was "
                        "applied; add a new migration instead"
                    )
                continue
            async with connection.transaction():
                await connection.execute(migration.sql_for(scorecard_schema))
                await connection.execute(
                    "INSERT INTO schema_migration (version, name, checksum) VALUES ($1, $2, $3)",
                    migration.version,
                    migration.name,
                    migration.checksum,
                )
            newly_applied.append(migration)
        return newly_applied
    finally:
        await connection.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)


async def pending_migrations(connection: asyncpg.Connection) -> list[Migration]:
    """Migrations not yet applied to this database (a service refuses to start while any are)."""
    exists = await connection.fetchval("SELECT to_regclass('schema_migration') IS NOT NULL")
    applied = (
        {row["version"] for row in await connection.fetch("SELECT version FROM schema_migration")}
        if exists
        else set()
    )
    return [migration for migration in discover_migrations() if migration.version not in applied]
