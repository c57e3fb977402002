"""Each class of bad input is reported at its place, in Spanish, and no plan comes out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shared.plan.files import check_plan_file, write_workbook
from shared.plan.issues import DocumentMap, render
from shared.plan.model import Plan
from shared.plan.rules import validate_document


def issues_of(document: dict[str, Any]) -> list[tuple[str, str]]:
    plan, issues = validate_document(document)
    assert plan is None, "a plan with problems must not come out"
    source = DocumentMap("plan.yaml", document)
    return [(issue.code, render(issue, source)) for issue in issues]


def test_the_small_plan_is_valid(plan_document):
    plan, issues = validate_document(plan_document)
    assert issues == []
    assert isinstance(plan, Plan)


def test_a_missing_field_names_the_record_and_the_field(plan_document):
    del plan_document["iniciativas"][1]["presupuesto_clp"]
    assert issues_of(plan_document) == [
        ("missing_field", "plan.yaml, iniciativas[2] (INI-002).presupuesto_clp: falta este dato"),
    ]


def test_an_unknown_department_and_locality_are_named(plan_document):
    plan_document["iniciativas"][0]["unidad_responsable"] = "DIDECO"
    plan_document["iniciativas"][0]["localidad"] = "ARICA"
    assert issues_of(plan_document) == [
        ("unknown_reference", "plan.yaml, iniciativas[1] (INI-001).unidad_responsable: "
         "el departamento «DIDECO» no existe en la sección «departamentos»"),
        ("unknown_reference", "plan.yaml, iniciativas[1] (INI-001).localidad: "
         "la localidad «ARICA» no existe en la sección «localidades»"),
    ]


def test_a_locality_of_another_territory_is_refused(plan_document):
    plan_document["iniciativas"][0]["localidad"] = "PARINACOTA"
    [(code, message)] = issues_of(plan_document)
    assert code == "locality_outside_territory"
    assert "pertenece al territorio «PUTRE-ALTO», no a «PUTRE-MEDIO»" in message


def test_an_end_before_the_start_is_reported_once(plan_document):
    plan_document["iniciativas"][1]["termino"] = "2022-01-01"
    assert issues_of(plan_document) == [
        ("end_before_start", "plan.yaml, iniciativas[2] (INI-002).termino: "
         "el término (01-01-2022) es anterior al inicio (01-03-2022)"),
    ]


def test_duplicate_codes_name_both_places(plan_document):
    plan_document["iniciativas"][1]["hitos"][1]["codigo"] = "INI-001-H1"
    assert issues_of(plan_document) == [
        ("duplicate_code", "plan.yaml, iniciativas[2] (INI-002).hitos[2] (INI-001-H1).codigo: "
         "el código INI-001-H1 está repetido (ya usado en iniciativas[1].hitos[1])"),
    ]


def test_a_milestone_outside_the_initiative_dates(plan_document):
    plan_document["iniciativas"][0]["hitos"][0]["fecha"] = "2022-02-01"
    [(code, message)] = issues_of(plan_document)
    assert code == "milestone_outside_initiative"
    assert message.startswith("plan.yaml, iniciativas[1] (INI-001).hitos[1] (INI-001-H1).fecha: el hito vence el 01-02-2022")


def test_coordinates_outside_the_commune(plan_document):
    plan_document["localidades"][2]["latitud"] = -33.45  # Santiago
    plan_document["iniciativas"][1]["latitud"] = -18.5
    plan_document["iniciativas"][1]["longitud"] = -70.3  # the Pacific, off Arica
    codes = [code for code, _ in issues_of(plan_document)]
    assert codes == ["outside_commune", "outside_commune"]


def test_a_non_numeric_target(plan_document):
    plan_document["iniciativas"][1]["indicadores"][0]["meta"] = "sesenta"
    assert issues_of(plan_document) == [
        ("not_a_number", "plan.yaml, iniciativas[2] (INI-002).indicadores[1] (INI-002-I1).meta: "
         "debe ser un número, no 'sesenta'"),
    ]


def test_a_cycle_in_predecessors_is_spelled_out(plan_document):
    plan_document["iniciativas"][0]["predecesoras"] = ["INI-002"]
    assert issues_of(plan_document) == [
        ("predecessor_cycle", "plan.yaml, iniciativas[1] (INI-001).predecesoras: "
         "las predecesoras forman un ciclo: INI-001 → INI-002 → INI-001"),
    ]


def test_funding_must_add_up_to_the_budget(plan_document):
    plan_document["iniciativas"][1]["financiamiento"][1]["monto_clp"] = 40_000_000
    [(code, message)] = issues_of(plan_document)
    assert code == "funding_mismatch"
    assert message.endswith("el financiamiento suma $890.000.000 y el presupuesto es $900.000.000")


def test_every_problem_is_reported_at_once(plan_document):
    plan_document["iniciativas"][1]["indicadores"][0]["meta"] = "sesenta"  # a bad child ...
    plan_document["iniciativas"][1]["termino"] = "2021-01-01"  # ... does not hide its parent's problems
    plan_document["departamentos"][1]["jefatura"]["email"] = "sin-arroba"
    codes = sorted(code for code, _ in issues_of(plan_document))
    assert codes == ["end_before_start", "invalid_format", "not_a_number"]


def test_a_direction_that_contradicts_the_target(plan_document):
    plan_document["iniciativas"][1]["indicadores"][1]["sentido"] = "ascendente"  # 40 % → 15 % loss
    [(code, _)] = issues_of(plan_document)
    assert code == "direction_contradicts_target"


def test_yaml_errors_give_the_line(tmp_path: Path, plan_document):
    from shared.plan.files import plan_yaml

    text = plan_yaml(Plan.model_validate(plan_document)).replace("presupuesto_clp: 900000000", "presupuesto_clp: mucho")
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index("  presupuesto_clp: mucho") + 1
    check = check_plan_file(path)
    assert check.plan is None
    assert check.messages == [
        f"{path}, línea {line}, iniciativas[2] (INI-002).presupuesto_clp: debe ser un número entero, no 'mucho'"
    ]


def test_broken_yaml_is_reported_with_line_and_column(tmp_path: Path):
    path = tmp_path / "plan.yaml"
    path.write_text("plan:\n  codigo: [sin cerrar\n", encoding="utf-8")
    [message] = check_plan_file(path).messages
    assert message.startswith(f"{path}, línea 3, columna 1: YAML inválido")


def test_workbook_errors_give_sheet_row_and_column(tmp_path: Path, plan_document):
    from openpyxl import load_workbook

    path = tmp_path / "plan.xlsx"
    write_workbook(Plan.model_validate(plan_document), path)
    workbook = load_workbook(path)
    milestones = workbook["Hitos"]
    headers = [cell.value for cell in milestones[1]]
    milestones.cell(row=3, column=headers.index("fecha") + 1, value="pronto")
    indicators = workbook["Indicadores"]
    headers = [cell.value for cell in indicators[1]]
    indicators.cell(row=2, column=headers.index("meta") + 1, value="sesenta")
    workbook["Financiamiento"].append(["INI-999", "FNDR", 10])
    workbook.save(path)

    check = check_plan_file(path)
    assert check.plan is None
    assert sorted(check.messages) == sorted([
        f"{path}, hoja «Financiamiento», fila 5, columna «iniciativa»: la iniciativa «INI-999» no existe en la hoja «Iniciativas»",
        f"{path}, hoja «Hitos», fila 3, columna «fecha»: debe ser una fecha AAAA-MM-DD, no 'pronto'",
        f"{path}, hoja «Indicadores», fila 2, columna «meta»: debe ser un número, no 'sesenta'",
    ])


@pytest.mark.parametrize("suffix", [".csv", ".docx"])
def test_an_unknown_file_format_is_refused(tmp_path: Path, suffix: str):
    from shared.plan.files import UnsupportedFormat

    path = tmp_path / f"plan{suffix}"
    path.write_text("x")
    with pytest.raises(UnsupportedFormat, match="formato no reconocido"):
        check_plan_file(path)
