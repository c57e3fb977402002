"""The same bad value gets the same code at every door — the JSON API, a spreadsheet row and a plan
file — because all three translate validation errors with shared/problems.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from services.ingest.domain import parse_one_update
from services.ingest.spreadsheet import parse_progress_sheet
from shared.plan.files import check_plan_file


def json_codes(**fields) -> set[str]:
    body = {"initiative_code": "INI-001", "as_of": "2023-03-31", "reporter": "dom", **fields}
    body = {key: value for key, value in body.items() if value is not None}
    _, problems = parse_one_update(json.dumps(body).encode())
    return {problem.code for problem in problems}


def sheet_codes(initiative: str) -> set[str]:
    csv = f"iniciativa;fecha;avance_fisico_pct;informante\n{initiative};31-03-2023;25;dom\n".encode()
    parsed = parse_progress_sheet("avances.csv", csv, default_reporter="dom")
    return {problem.code for row in parsed.rows for problem in row.problems} | {p.code for p in parsed.problems}


def plan_codes(tmp_path: Path, document: dict) -> set[str]:
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return {issue.code for issue in check_plan_file(path).issues}


@pytest.mark.parametrize(("code", "bad_json", "bad_cell", "break_plan"), [
    ("invalid_format", {"initiative_code": "dom 001"}, "dom 001",
     lambda plan: plan["iniciativas"][0].update(codigo="dom 001")),
    ("missing_field", {"initiative_code": None}, "",
     lambda plan: plan["iniciativas"][0].pop("nombre")),
], ids=["malformed code", "missing value"])
def test_one_bad_value_one_code_at_every_door(tmp_path, plan_document, code, bad_json, bad_cell, break_plan):
    break_plan(plan_document)
    assert code in json_codes(**bad_json)
    assert code in sheet_codes(bad_cell)
    assert code in plan_codes(tmp_path, plan_document)
