"""``pladeco audit verify`` and ``pladeco history INITIATIVE``: for auditors (messages in Spanish).

    pladeco audit verify          walk the event log's hash chain; name the first row that was
                                  changed, deleted or inserted; print the head hash to compare with
                                  a copy kept outside the database
    pladeco audit verify --heads  also compare the chain with every head published on
                                  pladeco.audit, and name the first divergence (a chain rewritten
                                  whole, hashes and all)
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

        heads = None
        if args.heads:
            # Read before the walk: every head published then describes rows the walk will see.
            try:
                heads, unreadable = await published_heads()
            except Exception as error:  # noqa: BLE001 - the auditor reads one line, in Spanish
                print(f"No se pudo leer pladeco.audit: {type(error).__name__}: {error}", file=sys.stderr)
                return 2
            if unreadable:
                print(f"Atención: {unreadable} mensaje(s) ilegibles en pladeco.audit no se compararon.", file=sys.stderr)
        connection = await _connect()
        try:
            total = await connection.fetchval("SELECT count(*) FROM event_log")
            with _progress(total, "Verificando la cadena") as bar:
                report = await verify_chain(connection, progress=bar, heads=heads)
        finally:
            await connection.close()
        if report.problem:
            kinds = {"changed": "MODIFICADA", "deleted": "ELIMINACIÓN", "inserted": "INSERCIÓN",
                     "diverged": "DIFIERE DE LO PUBLICADO"}
            print(f"La cadena está rota en la fila {report.problem.seq} ({kinds[report.problem.kind]}): "
                  f"{report.problem.message}", file=sys.stderr)
            return 1
        compared = (f" Coincide con las {report.heads_checked} cabezas publicadas en pladeco.audit."
                    if heads is not None else "")
        print(f"Cadena íntegra: {report.rows} eventos. Hash de cabeza: {report.head}.{compared}")
        return 0

    return asyncio.run(run())


async def published_heads(timeout_s: float = 30.0) -> tuple[list, int]:
    """Every head on pladeco.audit, from its first offset to its end now; (heads, unreadable)."""
    import time

    from aiokafka import AIOKafkaConsumer, TopicPartition

    from cli.main import common_settings
    from shared.audit import PublishedHead
    from shared.events import AuditHeadAdvanced, ContractViolation, decode_event
    from shared.topics import AUDIT

    consumer = AIOKafkaConsumer(bootstrap_servers=common_settings().kafka_bootstrap_servers, group_id=None,
                                enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    try:
        partition = TopicPartition(AUDIT.name, 0)
        consumer.assign([partition])
        await consumer.seek_to_beginning(partition)
        end = (await consumer.end_offsets([partition]))[partition]
        heads, unreadable = [], 0
        deadline = time.monotonic() + timeout_s
        with _progress(end, "Leyendo pladeco.audit") as bar:
            while await consumer.position(partition) < end:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"pladeco.audit no entregó sus {end} mensajes en {timeout_s:.0f} s")
                for record in (await consumer.getmany(partition, timeout_ms=1000)).get(partition, []):
                    bar.update(1)
                    try:
                        event = decode_event(record.value)
                    except ContractViolation:
                        unreadable += 1
                        continue
                    if isinstance(event.payload, AuditHeadAdvanced):
                        heads.append(PublishedHead(event.payload.last_seq, event.payload.head_hash, record.offset,
                                                   event.recorded_at))
        return heads, unreadable
    finally:
        await consumer.stop()


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
    verify_cmd = audit.add_parser("verify", help="verifica la cadena de hashes del historial")
    verify_cmd.add_argument("--heads", action="store_true",
                            help="compara además con cada cabeza publicada en pladeco.audit")
    verify_cmd.set_defaults(handler=verify)
    history_cmd = commands.add_parser("history", help="la historia de una iniciativa")
    history_cmd.add_argument("initiative")
    history_cmd.set_defaults(handler=history)
