"""``pladeco progress import FILE``: sends a spreadsheet of progress reports (CSV or XLSX) to the
ingest API and prints its row-by-row report. For municipal staff: messages in Spanish.

The API key comes from ``PLADECO_API_KEY`` (never from the command line, where it would stay in
the shell history); the API's address from ``--url`` or ``PLADECO_INGEST_URL``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import httpx

MODES = ("all_or_nothing", "valid_rows")


def _fail(message: str, code: int = 1) -> int:
    print(f"pladeco: {message}", file=sys.stderr)
    return code


def import_file(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        return _fail(f"no existe el archivo {path}", 2)
    key = os.environ.get("PLADECO_API_KEY", "")
    if not key:
        return _fail("falta la clave de API: defina PLADECO_API_KEY (la entrega «pladeco keys create»)", 2)
    try:
        answer = httpx.post(
            f"{args.url.rstrip('/')}/v1/progress/upload",
            params={"mode": args.mode},
            files={"file": (path.name, path.read_bytes())},
            headers={"Authorization": f"Bearer {key}"},
            timeout=120,
        )
    except httpx.HTTPError as error:
        return _fail(f"no se pudo conectar con {args.url}: {error}", 3)
    if answer.status_code in (200, 422) and "rows" in answer.json():
        return _print_report(path, answer.json())
    body = answer.json() if answer.headers.get("content-type", "").startswith("application/json") else {}
    detail = body.get("detail", answer.text)
    for problem in body.get("errors", []):
        print(f"  {problem['path']}: {problem['message']}", file=sys.stderr)
    return _fail(f"el servidor respondió {answer.status_code}: {detail}", 3 if answer.status_code >= 500 else 1)


def _print_report(path: Path, report: dict) -> int:
    for problem in report["errors"]:
        column = f", columna «{problem['column']}»" if problem["column"] else ""
        print(f"{path}{column}: {problem['message']}", file=sys.stderr)
    for row in report["rows"]:
        for problem in row["errors"]:
            column = f", columna «{problem['column']}»" if problem["column"] else ""
            print(f"{path}, fila {row['row']}{column}: {problem['message']}", file=sys.stderr)
    verdict = {
        "accepted": "Todas las filas fueron recibidas.",
        "partial": "Se recibieron las filas válidas; las filas con errores no se registraron.",
        "rejected": "No se registró ninguna fila: corrija los errores y vuelva a enviar el archivo.",
    }[report["status"]]
    print(f"{report['accepted']} aceptadas, {report['duplicates']} ya recibidas antes, "
          f"{report['rejected']} con errores. {verdict}")
    return 0 if report["status"] == "accepted" else 1


def add_commands(commands: argparse._SubParsersAction) -> None:
    progress = commands.add_parser("progress", help="avances: importar planillas").add_subparsers(
        dest="progress_command", required=True
    )
    import_cmd = progress.add_parser("import", help="envía una planilla de avances (CSV o XLSX)")
    import_cmd.add_argument("file")
    import_cmd.add_argument("--mode", choices=MODES, default="all_or_nothing",
                            help="all_or_nothing (por defecto): nada se registra si una fila tiene errores; "
                                 "valid_rows: se registran las filas válidas")
    import_cmd.add_argument("--url", default=os.environ.get("PLADECO_INGEST_URL", "http://127.0.0.1:8001"))
    import_cmd.set_defaults(handler=import_file)
