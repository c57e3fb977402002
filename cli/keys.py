"""``pladeco keys``: API keys, each with one role (shared/auth.py, docs/security.md).

    pladeco keys create --source-system NAME (--unit DOM [--unit …] | --all-units) --actor WHO
    pladeco keys create --role manager|auditor|admin --source-system NAME --actor WHO
    pladeco keys list
    pladeco keys revoke KEY_ID --actor WHO

A reporter key (the default role) reports progress on the initiatives of its units; the other
roles are not scoped to units. The whole key is printed once, by ``create``; only its SHA-256 is
stored. Keys are never logged.
"""

from __future__ import annotations

import argparse
import asyncio
import sys


def _fail(message: str, code: int = 1) -> int:
    print(f"pladeco: {message}", file=sys.stderr)
    return code


async def _connect():  # noqa: ANN202
    import asyncpg

    from cli.main import common_settings

    return await asyncpg.connect(common_settings().database_url, timeout=10)


def create(args: argparse.Namespace) -> int:
    return asyncio.run(_create(args))


async def _create(args: argparse.Namespace) -> int:
    from shared.auth import Role, issue_key
    from shared.key_store import create_api_key, known_units

    role = Role(args.role)
    if role is Role.REPORTER and not args.all_units and not args.unit:
        return _fail("give the responsible units the key may report on (--unit DOM …) or --all-units", 2)
    if role is not Role.REPORTER and (args.all_units or args.unit):
        return _fail(f"a {role} key is not scoped to units: drop --unit/--all-units", 2)
    connection = await _connect()
    try:
        units = sorted({unit.strip().upper() for unit in args.unit or []})
        unknown = sorted(set(units) - await known_units(connection))
        if unknown:
            return _fail(f"unknown responsible unit(s): {', '.join(unknown)} (load the plan first?)", 2)
        key = issue_key()
        await create_api_key(
            connection, key_id=key.key_id, secret_sha256=key.secret_sha256, source_system=args.source_system,
            units=None if args.all_units or role is not Role.REPORTER else units, description=args.description,
            created_by=args.actor, role=role,
        )
    finally:
        await connection.close()
    if role is Role.REPORTER:
        scope = "every unit" if args.all_units else ", ".join(units)
        print(f"Key {key.key_id} for {args.source_system}, role reporter (may report on: {scope}).", file=sys.stderr)
    else:
        print(f"Key {key.key_id} for {args.source_system}, role {role}.", file=sys.stderr)
    print("Store it now: it is not shown again.", file=sys.stderr)
    print(key.token)
    return 0


def list_keys(args: argparse.Namespace) -> int:
    return asyncio.run(_list())


async def _list() -> int:
    from shared.key_store import list_api_keys

    connection = await _connect()
    try:
        rows = await list_api_keys(connection)
    finally:
        await connection.close()
    print(f"{'key id':<14} {'source system':<24} {'role':<9} {'units':<28} {'created':<17} state")
    for row in rows:
        units = ("every unit" if row["units"] is None else ",".join(row["units"])) if row["role"] == "reporter" else "-"
        state = f"revoked {row['revoked_at']:%Y-%m-%d} by {row['revoked_by']}" if row["revoked_at"] else "active"
        print(f"{row['key_id']:<14} {row['source_system']:<24} {row['role']:<9} {units:<28} {row['created_at']:%Y-%m-%d %H:%M} {state}")
    return 0


def revoke(args: argparse.Namespace) -> int:
    return asyncio.run(_revoke(args))


async def _revoke(args: argparse.Namespace) -> int:
    from shared.key_store import revoke_api_key

    connection = await _connect()
    try:
        revoked = await revoke_api_key(connection, args.key_id, revoked_by=args.actor)
    finally:
        await connection.close()
    if not revoked:
        return _fail(f"no active key {args.key_id}")
    print(f"Key {args.key_id} revoked; requests with it are refused from now on.")
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    keys = commands.add_parser("keys", help="API keys and their roles").add_subparsers(
        dest="keys_command", required=True
    )
    create_cmd = keys.add_parser("create", help="create a key (printed once)")
    create_cmd.add_argument("--role", choices=["reporter", "manager", "auditor", "admin"], default="reporter",
                            help="what the key may do (docs/security.md); default reporter")
    create_cmd.add_argument("--source-system", required=True, help="the system or office that holds the key")
    create_cmd.add_argument("--unit", action="append", help="a responsible unit it may report on (repeat)")
    create_cmd.add_argument("--all-units", action="store_true", help="may report on every unit")
    create_cmd.add_argument("--description", default="")
    create_cmd.add_argument("--actor", required=True, help="who creates it")
    create_cmd.set_defaults(handler=create)
    keys.add_parser("list", help="list keys (never their secrets)").set_defaults(handler=list_keys)
    revoke_cmd = keys.add_parser("revoke", help="revoke a key")
    revoke_cmd.add_argument("key_id")
    revoke_cmd.add_argument("--actor", required=True)
    revoke_cmd.set_defaults(handler=revoke)
