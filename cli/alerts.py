"""``pladeco alerts``: what officers and the planning office do with alerts (messages in Spanish).

    pladeco alerts list [--all]
    pladeco alerts ack ALERT_ID --actor WHO
    pladeco alerts silence (--rule NAME | --initiative CODE)... --until AAAA-MM-DD --actor WHO --reason WHY
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import uuid

from shared.clock import SANTIAGO, utc_now


def _fail(message: str, code: int = 1) -> int:
    print(f"pladeco: {message}", file=sys.stderr)
    return code


async def _pool():  # noqa: ANN202
    import asyncpg

    from cli.main import common_settings

    return await asyncpg.create_pool(common_settings().database_url, min_size=1, max_size=2)


def list_alerts(args: argparse.Namespace) -> int:
    async def run() -> int:
        from services.alerts.store import list_alerts as fetch

        pool = await _pool()
        try:
            async with pool.acquire() as connection:
                rows = await fetch(connection, include_resolved=args.all)
        finally:
            await pool.close()
        states = {"firing": "activa", "acknowledged": "confirmada", "resolved": "resuelta"}
        for row in rows:
            raised = row["raised_at"].astimezone(SANTIAGO).strftime("%d-%m-%Y %H:%M") if row["raised_at"] else "—"
            print(f"{row['alert_id']}  {states.get(row['state'], row['state']):<10} {row['severity']:<8} "
                  f"{raised}  {row['title']}")
        print(f"{len(rows)} alertas.")
        return 0

    return asyncio.run(run())


def ack(args: argparse.Namespace) -> int:
    async def run() -> int:
        from services.alerts.store import acknowledge

        try:
            alert_id = uuid.UUID(args.alert_id)
        except ValueError:
            return _fail(f"«{args.alert_id}» no es un identificador de alerta", 2)
        pool = await _pool()
        try:
            outcome = await acknowledge(pool, alert_id, by=args.actor, now=utc_now())
        finally:
            await pool.close()
        messages = {
            "acknowledged": "Alerta confirmada; el servicio de alertas publica el cambio en segundos.",
            "already": "La alerta ya estaba confirmada o resuelta.",
            "unknown": "No existe esa alerta.",
        }
        print(messages[outcome], file=sys.stdout if outcome == "acknowledged" else sys.stderr)
        return 0 if outcome == "acknowledged" else 1

    return asyncio.run(run())


def silence(args: argparse.Namespace) -> int:
    async def run() -> int:
        from services.alerts.store import add_silence

        if not args.rule and not args.initiative:
            return _fail("indique --rule, --initiative o ambos", 2)
        try:
            until = dt.date.fromisoformat(args.until)
        except ValueError:
            return _fail(f"--until debe ser una fecha AAAA-MM-DD, no «{args.until}»", 2)
        # The silence lasts through the whole given day in Santiago.
        ends_at = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=SANTIAGO).astimezone(dt.UTC)
        pool = await _pool()
        try:
            async with pool.acquire() as connection:
                silence_id = await add_silence(connection, rule=args.rule, initiative_code=args.initiative,
                                               ends_at=ends_at, created_by=args.actor, reason=args.reason,
                                               now=utc_now())
        finally:
            await pool.close()
        what = " y ".join(filter(None, [f"la regla {args.rule}" if args.rule else None,
                                        f"la iniciativa {args.initiative}" if args.initiative else None]))
        print(f"Silencio {silence_id}: {what} no notificará hasta el {until:%d-%m-%Y} inclusive.")
        return 0

    return asyncio.run(run())


def add_commands(commands: argparse._SubParsersAction) -> None:
    alerts = commands.add_parser("alerts", help="alertas: listar, confirmar, silenciar").add_subparsers(
        dest="alerts_command", required=True
    )
    list_cmd = alerts.add_parser("list", help="alertas abiertas")
    list_cmd.add_argument("--all", action="store_true", help="incluye las resueltas")
    list_cmd.set_defaults(handler=list_alerts)
    ack_cmd = alerts.add_parser("ack", help="confirma la recepción de una alerta (detiene su escalamiento)")
    ack_cmd.add_argument("alert_id")
    ack_cmd.add_argument("--actor", required=True)
    ack_cmd.set_defaults(handler=ack)
    silence_cmd = alerts.add_parser("silence", help="silencia una regla o una iniciativa hasta una fecha")
    silence_cmd.add_argument("--rule")
    silence_cmd.add_argument("--initiative")
    silence_cmd.add_argument("--until", required=True)
    silence_cmd.add_argument("--actor", required=True)
    silence_cmd.add_argument("--reason", required=True)
    silence_cmd.set_defaults(handler=silence)
