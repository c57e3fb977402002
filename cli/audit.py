"""``pladeco audit verify`` and ``pladeco history INITIATIVE``: for auditors (messages in Spanish).

    pladeco audit verify          walk the event log's hash chain; name the first row that was
                                  changed, deleted or inserted; print the head hash to compare with
                                  a copy kept outside the database
    pladeco history INITIATIVE    the initiative's timeline: plan changes, reports, alerts
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from shared.clock import SANTIAGO


async def _connect():  # noqa: ANN202
    import asyncpg

    from cli.main import common_settings

    return await asyncpg.connect(common_settings().database_url, timeout=10)


def verify(args: argparse.Namespace) -> int:
    async def run() -> int:
        from shared.audit import verify_chain

        connection = await _connect()
        try:
            total = await connection.fetchval("SELECT count(*) FROM event_log")
            with _progress(total, "Verificando la cadena") as bar:
                report = await verify_chain(connection, progress=bar)
        finally:
            await connection.close()
        if report.problem:
            kinds = {"changed": "MODIFICADA", "deleted": "ELIMINACIÓN", "inserted": "INSERCIÓN"}
            print(f"La cadena está rota en la fila {report.problem.seq} ({kinds[report.problem.kind]}): "
                  f"{report.problem.message}", file=sys.stderr)
            return 1
        print(f"Cadena íntegra: {report.rows} eventos. Hash de cabeza: {report.head}")
        return 0

    return asyncio.run(run())


def history(args: argparse.Namespace) -> int:
    async def run() -> int:
        connection = await _connect()
        try:
            rows = await connection.fetch(
                """
                SELECT r.applied_at AS at, 'plan' AS kind, c.change_type || ' ' || c.code || ' — ' || r.reason || ' (' || r.actor || ')' AS what
                FROM plan_change c JOIN plan_revision r USING (plan_code, revision)
                WHERE c.code = $1 OR c.initiative_code = $1
                UNION ALL
                SELECT recorded_at, 'informe', 'al ' || to_char(as_of, 'DD-MM-YYYY') || ': avance ' ||
                       COALESCE(physical_progress_pct::text || ' %', '—') || ', gasto ' ||
                       COALESCE(spent_to_date_clp::text, '—') || ' (' || reporter || ', ' || source_system || ')'
                FROM progress_report WHERE initiative_code = $1
                UNION ALL
                SELECT raised_at, 'alerta', state || ': ' || title FROM alert
                WHERE initiative_code = $1 AND raised_at IS NOT NULL
                ORDER BY 1
                """,
                args.initiative,
            )
        finally:
            await connection.close()
        if not rows:
            print(f"pladeco: no hay historia para {args.initiative}", file=sys.stderr)
            return 1
        for row in rows:
            print(f"{row['at'].astimezone(SANTIAGO):%d-%m-%Y %H:%M}  {row['kind']:<8} {row['what']}")
        return 0

    return asyncio.run(run())


class _progress:
    """A progress bar on stderr (tqdm), quiet when stderr is not a terminal."""

    def __init__(self, total: int, description: str):
        from tqdm import tqdm

        self.bar = tqdm(total=total, desc=description, unit=" eventos", disable=not sys.stderr.isatty())

    def __enter__(self):  # noqa: ANN204
        return self.bar

    def __exit__(self, *exc: object) -> None:
        self.bar.close()


def add_commands(commands: argparse._SubParsersAction) -> None:
    audit = commands.add_parser("audit", help="auditoría del historial").add_subparsers(dest="audit_command", required=True)
    audit.add_parser("verify", help="verifica la cadena de hashes del historial").set_defaults(handler=verify)
    history_cmd = commands.add_parser("history", help="la historia de una iniciativa")
    history_cmd.add_argument("initiative")
    history_cmd.set_defaults(handler=history)
