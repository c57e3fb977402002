"""``pladeco replay``: rebuild the plan catalogue, the figures and the alerts from the stored event
history into a separate schema, for auditors and the annual public account (messages in Spanish).

    pladeco replay [--into SCHEMA] [--as-of AAAA-MM-DD]

The events are read from the tamper-evident log (``event_log``, in the order they were applied) and
applied with the same code the services use, into ``SCHEMA`` (tables) and ``SCHEMA_scorecard``
(views). The rebuilt log's head hash equals the live one when nothing was left out: the replay
says so. ``--as-of`` keeps the reports about dates up to DATE (their ``as_of``) and the plan
revisions loaded up to DATE (the first revision always: without a plan nothing can be computed);
alerts are evaluated on that date.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import re
import sys
import time

from cli import store
from shared.clock import SANTIAGO, santiago_today, utc_now

SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,40}$")
REPLAY_BATCH = 5000
"""Progress events applied per transaction: larger than the live service's batches, since nobody
waits for any one of them."""


def replay(args: argparse.Namespace) -> int:
    if not SCHEMA_NAME.match(args.into) or args.into in {"public", "scorecard"}:
        print(f"pladeco: esquema inválido «{args.into}» (minúsculas, dígitos y _; no public ni scorecard)", file=sys.stderr)
        return 2
    as_of = dt.date.fromisoformat(args.as_of) if args.as_of else None
    from cli.main import common_settings

    return asyncio.run(_replay(args.into, as_of, common_settings()))


async def _replay(schema: str, as_of: dt.date | None, settings) -> int:  # noqa: ANN001
    import asyncpg
    from tqdm import tqdm

    from services.alerts.handlers import run_evaluation
    from services.alerts.rules import load_rules
    from services.alerts.settings import AlertRulesSettings
    from services.indicators.store import rejudge_figures

    views = f"{schema}_scorecard"
    live = await asyncpg.connect(settings.database_url)
    try:
        total = await store.event_count(live)
        live_head = await store.head_hash(live)
        pool = await fresh_schema(live, settings.database_url, schema)
        started = time.monotonic()
        try:
            applier = HistoryApplier(pool, judged_on(as_of))
            with tqdm(total=total, unit=" eventos", desc="Reconstruyendo", disable=not sys.stderr.isatty()) as bar:
                applied, skipped = await _apply_history(live, applier, as_of, bar)
            ruleset = load_rules(AlertRulesSettings().alerts_rules_file)
            now = end_of(as_of) if as_of else utc_now()
            async with pool.acquire() as connection, connection.transaction():
                await rejudge_figures(connection, judged_on(as_of), now)
            async with pool.acquire() as connection, connection.transaction():
                alert_events = await run_evaluation(connection, ruleset, None, now=now, escalate=False, views=views)
            async with pool.acquire() as connection:
                head = await store.head_hash(connection)
                initiatives = await store.initiative_count(connection, views)
        finally:
            await pool.close()
    finally:
        await live.close()
    elapsed = max(time.monotonic() - started, 1e-9)
    print(f"Reconstruido en el esquema {schema} (vistas en {views}): {applied} eventos aplicados "
          f"({applied / elapsed:,.0f} por segundo), {skipped} posteriores a la fecha omitidos, "
          f"{initiatives} iniciativas, {alert_events} alertas evaluadas al "
          f"{now.astimezone(SANTIAGO):%d-%m-%Y}.".replace(",", "."))
    if as_of is None:
        same = head == live_head
        print("El historial reconstruido coincide con el vigente (mismo hash de cabeza)." if same else
              "ATENCIÓN: el hash de cabeza reconstruido difiere del vigente.")
        return 0 if same else 1
    return 0


def judged_on(as_of: dt.date | None) -> dt.date:
    """The day the rebuilt figures are judged as of: the as-of day, or today in Santiago."""
    return as_of or santiago_today(utc_now)


def end_of(day: dt.date) -> dt.datetime:
    """The last instant of ``day`` in America/Santiago, in UTC."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=SANTIAGO).astimezone(dt.UTC) \
        - dt.timedelta(microseconds=1)


async def fresh_schema(live, database_url: str, schema: str):  # noqa: ANN001, ANN201 - asyncpg.Pool
    """Drop and recreate ``schema`` (and ``schema_scorecard``), migrate it; a pool whose search_path is it."""
    import asyncpg

    from shared.db import apply_migrations

    views = f"{schema}_scorecard"
    await store.drop_and_create_schema(live, schema, views)
    target = await asyncpg.connect(database_url, server_settings={"search_path": schema})
    try:
        await apply_migrations(target, scorecard_schema=views)
    finally:
        await target.close()
    return await asyncpg.create_pool(database_url, min_size=1, max_size=4,
                                     server_settings={"search_path": schema, "timezone": "UTC"})


async def logged_history(live):  # noqa: ANN001, ANN201 - async iterator of (event, SourceOffset)
    """The stored event history in the order it was applied, decoded, with each event's source."""
    from services.indicators.store import SourceOffset
    from shared.events import decode_event

    async for row in store.logged_rows(live):
        yield (decode_event(row["content"].encode()),
               SourceOffset(row["source_topic"], row["source_partition"], row["source_offset"]))


class HistoryApplier:
    """Applies logged events into the pool's schema with the services' own code: plan revisions one
    by one (logged, figures recomputed), progress reports in batches, judged as of ``today`` (the
    backtest moves it forward month by month). Shared by replay and backtest."""

    def __init__(self, pool, today: dt.date) -> None:  # noqa: ANN001
        self.pool = pool
        self.today = today
        self.batch: list = []

    async def revision(self, event, source) -> None:  # noqa: ANN001
        from services.indicators.catalogue_store import apply_plan_revision
        from services.indicators.figures import Cause
        from services.indicators.store import recompute_figures
        from shared.audit import Logged, append_events

        await self.flush()

        async def after(connection, codes):  # noqa: ANN001, ANN202
            await append_events(connection, [Logged(event, source.topic, source.partition, source.offset)])
            await recompute_figures(connection, {c: Cause((event.event_id,), event.recorded_at) for c in codes},
                                    self.today)

        await apply_plan_revision(self.pool, "replay-plan", event, after_apply=after)

    async def progress(self, event, source) -> None:  # noqa: ANN001
        self.batch.append((event, source))
        if len(self.batch) >= REPLAY_BATCH:
            await self.flush()

    async def flush(self) -> None:
        from services.indicators.store import apply_progress_batch

        if self.batch:
            batch, self.batch = self.batch, []
            await apply_progress_batch(self.pool, "replay", batch, today=self.today, outbox_producer=None)


async def _apply_history(live, applier: HistoryApplier, as_of: dt.date | None, bar) -> tuple[int, int]:  # noqa: ANN001
    from shared.events import PlanRevised

    applied = skipped = 0
    first_revision = True
    async for event, source in logged_history(live):
        bar.update(1)
        if isinstance(event.payload, PlanRevised):
            if as_of and not first_revision and event.occurred_at > end_of(as_of):
                skipped += 1
                continue
            first_revision = False
            await applier.revision(event, source)
        else:
            if as_of and event.payload.as_of > as_of:
                skipped += 1
                continue
            await applier.progress(event, source)
        applied += 1
    await applier.flush()
    return applied, skipped


def add_commands(commands: argparse._SubParsersAction) -> None:
    replay_cmd = commands.add_parser("replay", help="reconstruye catálogo, indicadores y alertas desde el historial")
    replay_cmd.add_argument("--into", default="replay", help="esquema de destino (se reemplaza)")
    replay_cmd.add_argument("--as-of", help="fecha AAAA-MM-DD: el estado a esa fecha (cuenta pública anual)")
    replay_cmd.set_defaults(handler=replay)
