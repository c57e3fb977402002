"""The Grafana boards of the PLADECO scorecard, generated from Python.

Run ``python -m grafana.build_dashboards`` after a change to ``grafana/``: it rewrites every board in
``grafana/dashboards/`` (one JSON file per board, what Grafana provisions) and
``grafana/panel-contracts.json`` (what each panel's queries return). Both are committed.

Why generated rather than drawn in Grafana and exported:

- eight boards share the same kinds of panels, the same two datasources (by their provisioned
  uids), the same Spanish labels and units for the same columns, the same colours for the same
  statuses; written once here, they cannot drift apart from board to board;
- every SQL query is written next to the columns it returns (``Sql``), so the contract file the
  integration test checks against the real database (tests/integration/test_grafana_queries.py)
  comes from the same place as the panels;
- the JSON is deterministic (sorted keys, indent 2, trailing newline), so a diff of a board is a
  diff of what changed, and the unit tests (tests/unit/grafana/test_dashboards.py) check that the
  committed files equal this generator's output, parse them with grafana-foundation-sdk's dashboard
  model and apply our own stricter checks (datasource uids, variables, tables read, personal data
  on the public board, GIS layer files).

Rules every query follows (docs/scorecard.md): panels read the ``scorecard`` views only; the
Alertas board and a few alert panels read the ``alert`` and ``notification`` tables directly, the
documented exception until views exist for them; the public board reads no personal data (no
``owner_email``, ``reporter``, ``actor``, e-mails) and no alert table. Dates are sent to Grafana as
``YYYY-MM-DD`` text: a PostgreSQL ``date`` arrives in Grafana as UTC midnight and would show as the
day before in America/Santiago. Month-end points of the S-curves are sent as timestamps at
Santiago midnight for the same reason. Variables are single-valued and written ``'${name}'``
(Grafana does not quote a single value for SQL datasources); the only macro is ``$__timeFilter``.

Grafana 11.3 has no Chilean-peso unit (``currencyCLP`` would be shown as a literal suffix), so
amounts use the custom unit ``prefix:$`` with no decimals.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from grafana.boards.alertas import alertas
from grafana.boards.auditoria import auditoria
from grafana.boards.common import Board
from grafana.boards.cuadro_mando import cuadro_mando
from grafana.boards.departamento import departamento
from grafana.boards.iniciativa import iniciativa
from grafana.boards.operacion import operacion
from grafana.boards.publico import publico
from grafana.boards.territorio import territorio
from grafana.vocabulary import CONTRACTS_FILE, DASHBOARDS_DIR, HERE

BOARDS = (cuadro_mando, departamento, iniciativa, territorio, alertas, auditoria, operacion, publico)


def boards() -> list[Board]:
    return [build() for build in BOARDS]


def build_all() -> dict[str, dict[str, Any]]:
    """File name → dashboard, for every board."""
    return {f"{board.uid}.json": board.render() for board in boards()}


def contracts() -> dict[str, Any]:
    """Dashboard uid → panel id → its title, datasource uid and the columns each query returns."""
    return {board.uid: board.contracts() for board in boards()}


def dumps(document: Any) -> str:
    """The committed form: sorted keys, indent 2, UTF-8 as is, trailing newline."""
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write(directory: Path = DASHBOARDS_DIR, contracts_file: Path = CONTRACTS_FILE) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    generated = build_all()
    for stale in directory.glob("*.json"):
        if stale.name not in generated:
            stale.unlink()
    written = []
    for name, dashboard in generated.items():
        path = directory / name
        path.write_text(dumps(dashboard), encoding="utf-8")
        written.append(path)
    contracts_file.write_text(dumps(contracts()), encoding="utf-8")
    written.append(contracts_file)
    return written


def main() -> int:
    for path in write():
        print(path.relative_to(HERE.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
