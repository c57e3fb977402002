"""``pladeco plan``: the planner's commands. Messages are in Spanish (Chile): planners read them.

    pladeco plan validate FILE                          check a plan file, list every problem
    pladeco plan load FILE --actor WHO --reason WHY     publish what changed; wait until applied
    pladeco plan export --format yaml|xlsx [--output F] the catalogue's current plan as a file
    pladeco plan gis --output DIR [--from FILE]         the GIS layers as GeoJSON files
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

from shared.plan.files import PlanCheck, UnsupportedFormat, check_plan_file, plan_yaml, write_plan_file


def _say(message: str) -> None:
    print(message)


def _fail(message: str, code: int = 1) -> int:
    print(f"pladeco: {message}", file=sys.stderr)
    return code


def _checked(path: Path) -> PlanCheck | int:
    if not path.is_file():
        return _fail(f"no existe el archivo {path}", 2)
    try:
        check = check_plan_file(path)
    except UnsupportedFormat as error:
        return _fail(str(error), 2)
    if check.issues:
        for message in check.messages:
            print(message, file=sys.stderr)
        count = len(check.issues)
        print(f"El plan tiene {count} {'error' if count == 1 else 'errores'}; no se cargó nada.", file=sys.stderr)
        return 1
    return check


def validate(args: argparse.Namespace) -> int:
    check = _checked(Path(args.file))
    if isinstance(check, int):
        return check
    plan = check.plan
    milestones = sum(len(i.milestones) for i in plan.initiatives)
    indicators = sum(len(i.indicators) for i in plan.initiatives)
    _say(
        f"El plan {plan.header.code} es válido: {len(plan.initiatives)} iniciativas, "
        f"{milestones} hitos, {indicators} indicadores, {len(plan.departments)} departamentos, "
        f"{len(plan.territories)} territorios."
    )
    return 0


def load(args: argparse.Namespace) -> int:
    check = _checked(Path(args.file))
    if isinstance(check, int):
        return check
    from cli.main import common_settings

    return asyncio.run(_load(check, args, common_settings()))


async def _load(check: PlanCheck, args: argparse.Namespace, settings) -> int:  # noqa: ANN001
    import asyncpg

    from shared.broker import create_broker, publish_event
    from shared.clock import utc_now
    from shared.plan.catalogue import applied_revision, current_plan
    from shared.plan.changes import PlanMismatch, change_summary, revision_event
    from shared.topics import PLAN

    try:
        connection = await asyncpg.connect(settings.database_url, timeout=10)
    except (OSError, asyncpg.PostgresError) as error:
        return _fail(f"no se pudo conectar a la base de datos: {error}", 3)
    try:
        state = await current_plan(connection)
        try:
            event = revision_event(
                current_code=state.plan_code, current_revision=state.revision,
                current_document=state.document, new_document=check.plan.to_document(),
                actor=args.actor, reason=args.reason, source_system="pladeco-cli", now=utc_now(),
            )
        except PlanMismatch as mismatch:
            return _fail(str(mismatch), 1)
        if event is None:
            _say(f"Sin cambios: el catálogo ya contiene este plan (revisión {state.revision}).")
            return 0
        summary = change_summary(event.payload.changes)
        if args.dry_run:
            _print_changes(event.payload.changes)
            _say(f"Simulación: se publicarían {len(event.payload.changes)} cambios; no se publicó nada.")
            return 0
        broker = create_broker(settings, client_id="pladeco-plan-cli")
        try:
            await broker.connect()
            await publish_event(broker, PLAN, event)
        except Exception as error:  # noqa: BLE001 - any broker failure: nothing was published
            return _fail(f"no se pudo publicar en Kafka ({settings.kafka_bootstrap_servers}): {error!r}", 3)
        finally:
            await broker.stop()
        revision = event.payload.revision
        _say(f"Publicada la revisión {revision} del plan {event.payload.plan_code} (evento {event.event_id}).")
        deadline = time.monotonic() + args.wait
        while True:
            applied = await applied_revision(connection, event.payload.plan_code, revision)
            if applied is not None:
                break
            if time.monotonic() > deadline:
                return _fail(
                    f"la revisión {revision} está publicada pero el catálogo aún no la aplica después de "
                    f"{args.wait:g} s; revise que el servicio de indicadores esté en marcha",
                    1,
                )
            await asyncio.sleep(0.2)
        if applied[0] != str(event.event_id):
            return _fail(f"otra carga aplicó primero la revisión {revision}; vuelva a cargar el plan", 1)
        _say(f"Plan cargado: revisión {revision}, {len(event.payload.changes)} cambios.")
        for change_type, count in summary.items():
            _say(f"  {change_type}: {count}")
        return 0
    finally:
        await connection.close()


def _print_changes(changes) -> None:  # noqa: ANN001
    for change in changes:
        fields = ", ".join(change.fields) if change.fields else ""
        _say(f"  {change.change_type} {change.code}" + (f" ({fields})" if fields else ""))


def export(args: argparse.Namespace) -> int:
    from cli.main import common_settings

    return asyncio.run(_export(args, common_settings()))


async def _export(args: argparse.Namespace, settings) -> int:  # noqa: ANN001
    from shared.plan.model import Plan

    state = await _catalogue_state(settings)
    if isinstance(state, int):
        return state
    if state.document is None:
        return _fail("el catálogo está vacío: cargue un plan con «pladeco plan load»", 1)
    plan = Plan.model_validate(state.document)
    if args.output is None and args.format == "yaml":
        sys.stdout.write(plan_yaml(plan))
        return 0
    output = Path(args.output or f"{plan.header.code}-rev{state.revision}.{args.format}")
    if output.suffix.lower() != f".{args.format}":
        return _fail(f"el archivo de salida debe terminar en .{args.format}", 2)
    write_plan_file(plan, output)
    _say(f"Plan {plan.header.code}, revisión {state.revision}, exportado a {output}.")
    return 0


def gis(args: argparse.Namespace) -> int:
    from shared.plan.geo import LAYERS, layer

    if args.source:
        check = _checked(Path(args.source))
        if isinstance(check, int):
            return check
        plan = check.plan
    else:
        from cli.main import common_settings
        from shared.plan.model import Plan

        state = asyncio.run(_catalogue_state(common_settings()))
        if isinstance(state, int):
            return state
        if state.document is None:
            return _fail("el catálogo está vacío: cargue un plan o indique --from ARCHIVO", 1)
        plan = Plan.model_validate(state.document)
    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)
    for name in LAYERS:
        path = output / f"{name}.geojson"
        path.write_text(json.dumps(layer(plan, name), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        _say(f"  {path}")
    return 0


async def _catalogue_state(settings):  # noqa: ANN001, ANN202
    """The catalogue's current plan, or the exit code after saying why it cannot be read."""
    import asyncpg

    from shared.plan.catalogue import current_plan

    try:
        connection = await asyncpg.connect(settings.database_url, timeout=10)
    except (OSError, asyncpg.PostgresError) as error:
        return _fail(f"no se pudo conectar a la base de datos: {error}", 3)
    try:
        return await current_plan(connection)
    finally:
        await connection.close()


def add_commands(commands: argparse._SubParsersAction) -> None:
    plan = commands.add_parser("plan", help="el plan: validar, cargar, exportar").add_subparsers(
        dest="plan_command", required=True
    )
    validate_cmd = plan.add_parser("validate", help="valida un archivo de plan (.yaml o .xlsx)")
    validate_cmd.add_argument("file")
    validate_cmd.set_defaults(handler=validate)

    load_cmd = plan.add_parser("load", help="carga una revisión del plan: publica los cambios")
    load_cmd.add_argument("file")
    load_cmd.add_argument("--actor", required=True, help="quién carga el plan (nombre o correo)")
    load_cmd.add_argument("--reason", required=True, help="por qué: acuerdo del Concejo, ajuste, …")
    load_cmd.add_argument("--dry-run", action="store_true", help="muestra los cambios sin publicarlos")
    load_cmd.add_argument("--wait", type=float, default=60.0, help="segundos a esperar que se aplique")
    load_cmd.set_defaults(handler=load)

    export_cmd = plan.add_parser("export", help="exporta el plan vigente del catálogo")
    export_cmd.add_argument("--format", choices=("yaml", "xlsx"), required=True)
    export_cmd.add_argument("--output", help="archivo de salida (YAML: por defecto a la pantalla)")
    export_cmd.set_defaults(handler=export)

    gis_cmd = plan.add_parser("gis", help="escribe las capas SIG en GeoJSON")
    gis_cmd.add_argument("--output", required=True, help="carpeta de salida")
    gis_cmd.add_argument("--from", dest="source", help="archivo de plan (por defecto, el catálogo)")
    gis_cmd.set_defaults(handler=gis)
