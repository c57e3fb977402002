"""Memory of each service under the same workload with the sample plan and with a plan ten times
larger (``data/generate_putre_plan.py``, ``scale=10``), read from ``/proc``: the resident set
after the workload (``VmRSS``, what the service keeps) and its peak (``VmHWM``, which includes
parsing the plan's revision message once, a size that follows the plan by nature)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SERVICES = ("ingest", "indicators", "alerts", "notifier")
WORKLOAD_EVENTS = 5_000
"""Progress events of the memory workload, spread over every initiative of the plan."""


@dataclass(frozen=True)
class Memory:
    resident_mib: float
    peak_mib: float


def memory_of(pid: int) -> Memory:
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return Memory(int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024)


def write_scaled_plan(path: Path, scale: int) -> Path:
    import importlib.util

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("generate_putre_plan", root / "data" / "generate_putre_plan.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from shared.plan.files import plan_yaml
    from shared.plan.model import Plan

    path.write_text(plan_yaml(Plan.model_validate(module.build_putre_plan(scale=scale))), encoding="utf-8")
    return path
