"""Where an event's time goes in the indicator service before any database work: the CPU each
step costs per event, measured in this process on the same machine (the "why" beside the table's
throughput rows)."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable


def _progress_wires(count: int) -> list[bytes]:
    from shared.events import EventEnvelope, ProgressReported

    now = dt.datetime.now(dt.UTC)
    return [
        EventEnvelope.of(
            ProgressReported(initiative_code=f"INI-{i % 89 + 1:03d}", as_of=dt.date(2023, 1, 1) + dt.timedelta(days=i % 300),
                             physical_progress_pct=float(i % 100), spent_to_date_clp=i * 1000, reporter="bench"),
            event_id=uuid.uuid4(), at=now, source_system="bench", actor="bench", initiative_code=f"INI-{i % 89 + 1:03d}",
        ).to_wire()
        for i in range(count)
    ]


def _microseconds_each(step: Callable[[object], object], items: list) -> float:
    started = time.perf_counter()
    for item in items:
        step(item)
    return (time.perf_counter() - started) / len(items) * 1e6


def per_event_costs(count: int = 5000) -> dict[str, float]:
    """Microseconds per event of each CPU step of applying a progress event."""
    from shared.audit import canonical, chain_hash, sha256
    from shared.events import decode_event

    wires = _progress_wires(count)
    events = [decode_event(wire) for wire in wires]
    return {
        "decode and validate the event (pydantic)": _microseconds_each(decode_event, wires),
        "event log: canonical JSON and SHA-256 chain": _microseconds_each(
            lambda e: chain_hash("0" * 64, sha256(canonical(e))), events),
        "history: the payload as JSON": _microseconds_each(lambda e: e.payload.model_dump_json(), events),
    }
