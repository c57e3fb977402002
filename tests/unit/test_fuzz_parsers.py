"""Property-based fuzzing (Hypothesis) of every parser that reads outside input: the progress JSON,
CSV and XLSX uploads, plan files in YAML and XLSX, and event decoding. Whatever the input, each
answers with its documented problems (path, stable code, Spanish message) and never raises; the
number of cases tried is printed at the end of the session (tests/fuzzing.py)."""

from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.ingest.domain import parse_one_update, parse_updates
from services.ingest.spreadsheet import COLUMNS, parse_progress_sheet
from shared.events import ContractViolation, EventEnvelope, ProgressReported, decode_event
from shared.plan.files import check_plan_file
from tests.fuzzing import outside, record

FUZZ = settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
SLOW_FUZZ = settings(FUZZ, max_examples=80)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
update_like = st.fixed_dictionaries(
    {"event_id": st.uuids().map(str) | st.text(max_size=5), "initiative_code": st.text(max_size=12) | st.just("INI-001"),
     "as_of": st.dates().map(str) | st.text(max_size=10), "reporter": st.text(max_size=10)},
    optional={"physical_progress_pct": st.floats() | st.integers() | st.text(max_size=4),
              "spent_to_date_clp": st.integers() | st.floats(),
              "indicator_measurements": st.lists(json_values, max_size=3),
              "milestone_updates": st.lists(json_values, max_size=3), "note": json_values},
)
bodies = (st.binary(max_size=200)
          | json_values.map(lambda v: json.dumps(v).encode())
          | update_like.map(lambda v: json.dumps(v).encode())
          | st.lists(update_like, max_size=5).map(lambda v: json.dumps(v).encode())
          | st.integers(1, 5000).map(lambda n: b"[" * n + b"]" * n))


def documented(problems, target: str) -> None:
    for problem in problems:
        place = getattr(problem, "path", getattr(problem, "column", None))
        if not (problem.code and problem.message and (place is None or isinstance(place, str))):
            outside(target)
            pytest.fail(f"{target}: undocumented problem {problem!r}")


@FUZZ
@given(body=bodies)
def test_fuzz_progress_json(body):
    record("progress JSON (POST /v1/progress)")
    updates, _, problems = parse_updates(body)
    assert bool(updates) != bool(problems)
    documented(problems, "progress JSON (POST /v1/progress)")


@FUZZ
@given(body=bodies)
def test_fuzz_raw_topic_message(body):
    record("raw topic message")
    update, problems = parse_one_update(body)
    assert (update is None) == bool(problems)
    documented(problems, "raw topic message")


cells = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=15) | st.sampled_from(
    ["INI-001", "31-03-2023", "2023-03-31", "45,5", "$12.500.000", "12.500", "cumplido", "", "1e309", "nan"])


@FUZZ
@given(header=st.lists(st.sampled_from(list(COLUMNS)) | st.text(max_size=8), min_size=1, max_size=8),
       rows=st.lists(st.lists(cells, max_size=8), max_size=6), separator=st.sampled_from([";", ",", "\t"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1"]))
def test_fuzz_csv_upload(header, rows, separator, encoding):
    record("CSV upload")
    text = "\n".join(separator.join(line) for line in [header, *rows])
    parsed = parse_progress_sheet("avances.csv", text.encode(encoding, "replace"), default_reporter="fuzz")
    documented([p for p in parsed.problems], "CSV upload")
    for row in parsed.rows:
        assert (row.update is None) == bool(row.problems)


@FUZZ
@given(content=st.binary(max_size=300), name=st.sampled_from(["a.csv", "a.xlsx", "a.txt", "a"]))
def test_fuzz_upload_bytes(content, name):
    record("upload bytes (any file)")
    parsed = parse_progress_sheet(name, content, default_reporter="fuzz")
    documented(parsed.problems, "upload bytes (any file)")


@SLOW_FUZZ
@given(header=st.lists(st.sampled_from(list(COLUMNS)), min_size=1, max_size=8, unique=True),
       rows=st.lists(st.lists(cells | st.integers() | st.floats(allow_nan=True) | st.dates(), max_size=8), max_size=5))
def test_fuzz_xlsx_upload(header, rows):
    from openpyxl import Workbook

    record("XLSX upload")
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append([str(v) if isinstance(v, str) else v for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    parsed = parse_progress_sheet("avances.xlsx", buffer.getvalue(), default_reporter="fuzz")
    documented(parsed.problems, "XLSX upload")


SAMPLE = Path(__file__).resolve().parents[2] / "data" / "putre-pladeco-2020-2025.yaml"
SAMPLE_LINES = SAMPLE.read_text(encoding="utf-8").splitlines()[:400]


@SLOW_FUZZ
@given(data=st.data())
def test_fuzz_plan_yaml(data):
    record("plan YAML")
    lines = list(SAMPLE_LINES)
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(lines) - 1))
        lines[index] = data.draw(st.sampled_from([
            "", "  - [", "{{{{", "codigo: 7", lines[index] + ": x", "- " + lines[index], "\t" + lines[index],
            lines[index].replace(":", ""), "monto_clp: 99999999999999999999999",
        ]) | st.text(max_size=20))
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "plan.yaml"
        path.write_text("\n".join(lines), encoding="utf-8")
        check = check_plan_file(path)
    assert (check.plan is None) == bool(check.issues)
    assert all(message for message in check.messages)


@SLOW_FUZZ
@given(content=st.binary(max_size=400))
def test_fuzz_plan_xlsx_bytes(content):
    record("plan XLSX")
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "plan.xlsx"
        path.write_bytes(b"PK\x03\x04" + content)
        check = check_plan_file(path)
    assert check.plan is None and check.issues and all(check.messages)


GOOD_EVENT = EventEnvelope.of(
    ProgressReported.model_validate({"initiative_code": "INI-001", "as_of": "2023-05-31", "reporter": "x"}),
    event_id=uuid.UUID(int=1), at=dt.datetime(2023, 6, 1, tzinfo=dt.UTC), source_system="fuzz", actor="x",
    initiative_code="INI-001",
).to_wire()


@FUZZ
@given(body=bodies | json_values.map(lambda v: json.dumps({**json.loads(GOOD_EVENT), "payload": v}).encode())
       | st.integers(0, len(GOOD_EVENT) - 1).map(lambda n: GOOD_EVENT[:n]))
def test_fuzz_event_decoding(body):
    record("event decoding")
    try:
        decode_event(body)
    except ContractViolation as violation:
        if not (violation.reason_code and violation.reason):
            outside("event decoding")
            pytest.fail(f"undocumented refusal {violation!r}")


def test_a_plan_yaml_with_a_control_character_is_an_issue_not_a_crash(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text("\x1f", encoding="utf-8")  # found by test_fuzz_plan_yaml

    check = check_plan_file(path)

    assert check.plan is None and [issue.code for issue in check.issues] == ["invalid_yaml"]
