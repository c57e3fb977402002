"""``pladeco simulate``: streams a simulated 2020–2025 history through the ingest API, and
``pladeco mailcatcher``: an SMTP server that keeps every e-mail as a file (for the native demo).

    pladeco simulate [--plan FILE] [--until AAAA-MM-DD] [--rate N] [--batch N] [--url URL]
    pladeco mailcatcher [--port 1025] [--dir var/mail]

The API key comes from ``PLADECO_API_KEY`` (a key for every unit, e.g. the demo's).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

import httpx

from shared.settings import PROJECT_ROOT


def simulate(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from shared.plan.files import check_plan_file
    from simulator.history import simulate as history

    key = os.environ.get("PLADECO_API_KEY", "")
    if not key:
        print("pladeco: defina PLADECO_API_KEY (una clave para todas las unidades)", file=sys.stderr)
        return 2
    check = check_plan_file(Path(args.plan))
    if check.plan is None:
        print("\n".join(check.messages), file=sys.stderr)
        return 1
    reports = history(check.plan, until=dt.date.fromisoformat(args.until), seed=args.seed)
    good = [r.body for r in reports if r.valid]
    bad = [r.body for r in reports if not r.valid]
    headers = {"authorization": f"Bearer {key}"}
    url = f"{args.url.rstrip('/')}/v1/progress"
    accepted = duplicates = refused = 0
    started = time.monotonic()
    with httpx.Client(timeout=60) as client, tqdm(total=len(reports), unit=" informes", desc="Simulando",
                                                  disable=not sys.stderr.isatty()) as bar:
        for body in bad:  # deliberate mistakes: answered 422 with the reason
            answer = client.post(url, json=body, headers=headers)
            refused += answer.status_code == 422
            bar.update(1)
        for start in range(0, len(good), args.batch):
            batch = good[start:start + args.batch]
            answer = _post(client, url, batch, headers)
            if answer.status_code not in (200, 202):
                print(f"pladeco: el lote {start // args.batch + 1} fue rechazado ({answer.status_code}): "
                      f"{answer.text[:500]}", file=sys.stderr)
                return 1
            body = answer.json()
            accepted += body["accepted"]
            duplicates += body["duplicates"]
            bar.update(len(batch))
            # Hold the requested rate: events per second.
            ahead = (start + len(batch)) / args.rate - (time.monotonic() - started)
            if ahead > 0:
                time.sleep(ahead)
    print(f"Historia simulada hasta el {dt.date.fromisoformat(args.until):%d-%m-%Y}: {accepted} informes aceptados, "
          f"{duplicates} ya recibidos, {refused} errores deliberados rechazados.")
    return 0


def _post(client: httpx.Client, url: str, batch: list, headers: dict) -> httpx.Response:
    for attempt in range(10):
        answer = client.post(url, json=batch, headers=headers)
        if answer.status_code != 503:
            return answer
        time.sleep(min(30, int(answer.headers.get("Retry-After", "2"))))
    return answer


def mailcatcher(args: argparse.Namespace) -> int:
    """An SMTP server on loopback that writes every message it accepts to ``DIR/<n>.eml``."""
    import asyncio

    from aiosmtpd.controller import Controller

    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)

    class Keeper:
        async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802 - aiosmtpd's hook
            name = f"{time.time_ns()}.eml"
            (folder / name).write_bytes(envelope.content)
            return "250 OK"

    controller = Controller(Keeper(), hostname="127.0.0.1", port=args.port)
    controller.start()
    print(f"mailcatcher: listening on 127.0.0.1:{args.port}, writing to {folder}", flush=True)
    try:
        asyncio.run(asyncio.Event().wait())
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    sim = commands.add_parser("simulate", help="simula la historia 2020–2025 a través de la API de avances")
    sim.add_argument("--plan", default=str(PROJECT_ROOT / "data" / "putre-pladeco-2020-2025.yaml"))
    sim.add_argument("--until", default="2025-12-31")
    sim.add_argument("--rate", type=float, default=400.0, help="informes por segundo")
    sim.add_argument("--batch", type=int, default=50)
    sim.add_argument("--seed", type=int, default=2020)
    sim.add_argument("--url", default=os.environ.get("PLADECO_INGEST_URL", "http://127.0.0.1:8001"))
    sim.set_defaults(handler=simulate)
    catcher = commands.add_parser("mailcatcher", help="SMTP server that keeps e-mails as files (demo)")
    catcher.add_argument("--port", type=int, default=int(os.environ.get("PLADECO_SMTP_PORT", "1025")))
    catcher.add_argument("--dir", default=str(PROJECT_ROOT / "var" / "mail"))
    catcher.set_defaults(handler=mailcatcher)
