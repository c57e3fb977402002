"""SQL of the API keys (table ``api_key``): read by every service that checks a key, written by
``pladeco keys``."""

from __future__ import annotations

import asyncpg

from shared.auth import ApiKey, Role


async def fetch_api_key(connection: asyncpg.Connection | asyncpg.Pool, key_id: str) -> ApiKey | None:
    """The key with this id, revoked or not; None when there is none."""
    row = await connection.fetchrow(
        "SELECT key_id, secret_sha256, source_system, units, revoked_at, role FROM api_key WHERE key_id = $1",
        key_id,
    )
    if row is None:
        return None
    units = row["units"]
    return ApiKey(
        key_id=row["key_id"], secret_sha256=row["secret_sha256"], source_system=row["source_system"],
        units=None if units is None else frozenset(units), revoked=row["revoked_at"] is not None,
        role=Role(row["role"]),
    )


async def create_api_key(
    connection: asyncpg.Connection, *, key_id: str, secret_sha256: str, source_system: str,
    units: list[str] | None, description: str, created_by: str, role: Role = Role.REPORTER,
) -> None:
    """Record a new key (its secret's digest only)."""
    await connection.execute(
        """
        INSERT INTO api_key (key_id, secret_sha256, source_system, units, description, created_by, role)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        """,
        key_id, secret_sha256, source_system, units, description, created_by, role.value,
    )


async def list_api_keys(connection: asyncpg.Connection) -> list[asyncpg.Record]:
    """Every key, oldest first, without secrets."""
    return await connection.fetch(
        "SELECT key_id, source_system, role, units, description, created_at, created_by, revoked_at, revoked_by "
        "FROM api_key ORDER BY created_at"
    )


async def revoke_api_key(connection: asyncpg.Connection, key_id: str, *, revoked_by: str) -> bool:
    """Revoke an active key; False when there is no such active key."""
    status = await connection.execute(
        "UPDATE api_key SET revoked_at = now(), revoked_by = $2 WHERE key_id = $1 AND revoked_at IS NULL",
        key_id, revoked_by,
    )
    return status.endswith(" 1")


async def known_units(connection: asyncpg.Connection) -> set[str]:
    """The responsible units (departments) of the plan in the catalogue."""
    return {row["code"] for row in await connection.fetch("SELECT code FROM department")}
