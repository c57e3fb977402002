"""``pladeco`` sub-commands.

    pladeco serve ingest|indicators|alerts|notifier|portal   run one service until SIGTERM
    pladeco db migrate                                 apply the numbered SQL migrations
    pladeco db passwords --dir DIR                     give the least-privilege roles their passwords
    pladeco topics ensure                              create missing Kafka topics, report drift
    pladeco asyncapi SERVICE                           print a service's AsyncAPI document
    pladeco plan validate|load|export|gis              the plan (planners' commands, in Spanish)
    pladeco keys create|list|revoke                    API keys of reporting systems
    pladeco progress import FILE                       send a progress spreadsheet (Spanish)
    pladeco alerts list|ack|silence                    alerts (Spanish)
    pladeco audit verify / pladeco history CODE        the event log's hash chain; an initiative's timeline
    pladeco simulate / pladeco mailcatcher             the demo: a simulated history; an SMTP catcher
    pladeco replay [--into S] [--as-of DATE]           rebuild catalogue, figures, alerts from the history
    pladeco backtest [--from DATE] [--to DATE]         score the early warnings against the history

Operator messages are in English; the planners' commands (cli/plan.py) speak Spanish.
Exit codes: 0 ok, 1 failure, 2 bad usage or settings, 3 a dependency unreachable.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
from collections.abc import Callable, Sequence

from pydantic import ValidationError

from shared.settings import CommonSettings, describe_settings_error

SERVICES = ("ingest", "indicators", "alerts", "notifier", "portal")


def _service_definition(name: str):  # noqa: ANN202 - ServiceDefinition of any settings type
    return importlib.import_module(f"services.{name}.app").SERVICE


def serve(args: argparse.Namespace) -> int:
    from shared.service import run_service

    return run_service(_service_definition(args.service))


def db_migrate(args: argparse.Namespace) -> int:
    import asyncpg

    from shared.db import apply_migrations
    from shared.service import redact_url

    settings = common_settings()

    async def migrate() -> list[str]:
        connection = await asyncpg.connect(settings.database_url, timeout=10)
        try:
            return [f"{m.version:04d}_{m.name}" for m in await apply_migrations(connection)]
        finally:
            await connection.close()

    try:
        applied = asyncio.run(migrate())
    except (OSError, asyncpg.PostgresError) as error:
        return _fail(f"cannot migrate {redact_url(settings.database_url)}: {error}", 3)
    print("applied: " + ", ".join(applied) if applied else "database schema is up to date")
    return 0


def db_passwords(args: argparse.Namespace) -> int:
    """Give each least-privilege role (migration 0013) a password, kept in DIR/<role> (0600): read
    when the file exists, generated and written when it does not. The passwords are never printed."""
    import secrets
    from pathlib import Path

    import asyncpg

    from shared.db import READER_ROLES, SERVICE_ROLES, set_role_password
    from shared.service import redact_url

    settings = common_settings()
    directory = Path(args.dir)
    # A volume shared by containers that run as other users (Grafana) must let them read the files;
    # only the containers that mount it see it.
    folder_mode, file_mode = (0o755, 0o644) if args.shared_volume else (0o700, 0o600)
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(folder_mode)
    passwords = {}
    for role in (*SERVICE_ROLES.values(), *READER_ROLES):
        file = directory / role
        if not file.exists():
            file.touch(mode=0o600)
            file.write_text(secrets.token_hex(24), encoding="utf-8")
        file.chmod(file_mode)
        passwords[role] = file.read_text(encoding="utf-8").strip()

    async def apply() -> None:
        connection = await asyncpg.connect(settings.database_url, timeout=10)
        try:
            for role, password in passwords.items():
                await set_role_password(connection, role, password)
        finally:
            await connection.close()

    try:
        asyncio.run(apply())
    except (OSError, asyncpg.PostgresError) as error:
        return _fail(f"cannot set the roles' passwords on {redact_url(settings.database_url)}: {error}", 3)
    print("passwords set for: " + ", ".join(passwords) + f" (kept in {directory})")
    return 0


def topics_ensure(args: argparse.Namespace) -> int:
    from aiokafka.errors import KafkaError

    from shared.topics import ensure_topics

    settings = common_settings()
    try:
        report = asyncio.run(
            ensure_topics(settings.kafka_bootstrap_servers, settings.kafka_replication_factor)
        )
    except (OSError, KafkaError) as error:
        return _fail(f"cannot reach Kafka at {settings.kafka_bootstrap_servers}: {error!r}", 3)
    for name in report.created:
        print(f"created {name}")
    for name in report.already_present:
        print(f"present {name}")
    for problem in report.drifted:
        print(f"drifted {problem}", file=sys.stderr)
    return 1 if report.drifted else 0


def asyncapi(args: argparse.Namespace) -> int:
    from prometheus_client import CollectorRegistry

    from shared.http import asyncapi_specification

    definition = _service_definition(args.service)
    # The document describes the wiring only: nothing connects, so no pool is needed.
    parts = definition.wire(definition.settings_type(), None, CollectorRegistry())
    app = parts.http
    specification = asyncapi_specification(
        parts.broker, title=app.title, version=app.version, description=app.description
    )
    print(specification.to_json())
    return 0


def common_settings() -> CommonSettings:
    try:
        return CommonSettings()
    except ValidationError as error:
        raise SystemExit(_fail(describe_settings_error(error), 2)) from error


def _fail(message: str, code: int) -> int:
    print(f"pladeco: {message}", file=sys.stderr)
    return code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pladeco", description="PLADECO monitoring system.")
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, handler: Callable[[argparse.Namespace], int], help: str):  # noqa: A002
        sub = commands.add_parser(name, help=help)
        sub.set_defaults(handler=handler)
        return sub

    command("serve", serve, "run a service").add_argument("service", choices=SERVICES)
    command("asyncapi", asyncapi, "print a service's AsyncAPI document").add_argument(
        "service", choices=SERVICES
    )

    db = commands.add_parser("db", help="database").add_subparsers(dest="db_command", required=True)
    db.add_parser("migrate", help="apply pending migrations").set_defaults(handler=db_migrate)
    passwords = db.add_parser("passwords", help="give the least-privilege roles their passwords (kept in DIR)")
    passwords.add_argument("--dir", required=True, help="folder of one file per role (0700, files 0600)")
    passwords.add_argument("--shared-volume", action="store_true",
                           help="a container volume read by other users (Grafana): folder 0755, files 0644")
    passwords.set_defaults(handler=db_passwords)

    topics = commands.add_parser("topics", help="Kafka topics").add_subparsers(
        dest="topics_command", required=True
    )
    topics.add_parser("ensure", help="create missing topics").set_defaults(handler=topics_ensure)

    from cli.alerts import add_commands as add_alert_commands
    from cli.audit import add_commands as add_audit_commands
    from cli.backtest import add_commands as add_backtest_commands
    from cli.keys import add_commands as add_key_commands
    from cli.plan import add_commands as add_plan_commands
    from cli.progress import add_commands as add_progress_commands
    from cli.replay import add_commands as add_replay_commands
    from cli.simulate import add_commands as add_simulation_commands

    add_plan_commands(commands)
    add_key_commands(commands)
    add_progress_commands(commands)
    add_alert_commands(commands)
    add_audit_commands(commands)
    add_simulation_commands(commands)
    add_replay_commands(commands)
    add_backtest_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
