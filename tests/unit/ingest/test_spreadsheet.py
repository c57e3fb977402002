"""Progress reports uploaded as spreadsheets: what municipal staff write in Excel or a CSV becomes
progress updates, or a row-by-row report in Spanish of what to fix and where."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from typing import Any

import pytest
from openpyxl import Workbook

from services.ingest.domain import ProgressUpdate
from services.ingest.spreadsheet import SheetParse, column_for, parse_progress_sheet

REPORTER = "sistema.dom"


def parse(filename: str, content: bytes, **options: Any) -> SheetParse:
    return parse_progress_sheet(filename, content, default_reporter=REPORTER, **options)


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(*rows: list[Any], percent_cells: tuple[str, ...] = ()) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for coordinate in percent_cells:
        sheet[coordinate].number_format = "0.0%"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report(parsed: SheetParse) -> list[tuple[int, list[tuple[str | None, str]]]]:
    """Each row's number with the (column, code) of its problems."""
    return [(row.row, [(p.column, p.code) for p in row.problems]) for row in parsed.rows]


def file_problems(parsed: SheetParse) -> list[tuple[str | None, str]]:
    return [(p.column, p.code) for p in parsed.problems]


def bodies(parsed: SheetParse) -> list[dict[str, Any]]:
    """The updates without their ids, which are checked on their own."""
    return [{k: v for k, v in row.update.items() if k != "event_id"} for row in parsed.rows if row.update]


def ids(parsed: SheetParse) -> list[str]:
    return [row.update["event_id"] for row in parsed.rows if row.update]


# --- files that read cleanly ----------------------------------------------------------------------


def test_a_chilean_excel_csv_with_semicolons_decimal_commas_and_day_first_dates():
    parsed = parse("avance-mayo.csv", csv_bytes(
        "iniciativa;fecha;avance_fisico_pct;gasto_acumulado_clp;indicador;valor;periodo;nota",
        "dom-001;31-05-2023;45,5;$12.500.000;ind-01;12,5;2023-Q2;Obras en Socoroma",
        "DOM-002;30/06/2023;62 %;;;;;",
        "SECPLA-003;2023-06-15;;3.400.000;IND-07;120;;",
    ))

    assert parsed.problems == []
    assert report(parsed) == [(2, []), (3, []), (4, [])]
    assert bodies(parsed) == [
        {"initiative_code": "DOM-001", "as_of": "2023-05-31", "physical_progress_pct": 45.5,
         "spent_to_date_clp": 12500000, "note": "Obras en Socoroma", "reporter": "sistema.dom",
         "indicator_measurements": [{"indicator_code": "IND-01", "value": 12.5, "period": "2023-Q2"}]},
        {"initiative_code": "DOM-002", "as_of": "2023-06-30", "physical_progress_pct": 62.0,
         "reporter": "sistema.dom"},
        {"initiative_code": "SECPLA-003", "as_of": "2023-06-15", "spent_to_date_clp": 3400000,
         "reporter": "sistema.dom",
         "indicator_measurements": [{"indicator_code": "IND-07", "value": 120.0, "period": "2023-06"}]},
    ]
    for row in parsed.rows:
        assert ProgressUpdate.model_validate(row.update).initiative_code == row.update["initiative_code"]


def test_a_comma_separated_csv_quotes_its_decimal_commas():
    parsed = parse("avance.csv", csv_bytes(
        "iniciativa,fecha,avance_fisico_pct,nota",
        'DOM-001,31-05-2023,"45,5","Obras, etapa 2"',
    ))

    assert bodies(parsed) == [{"initiative_code": "DOM-001", "as_of": "2023-05-31",
                               "physical_progress_pct": 45.5, "note": "Obras, etapa 2",
                               "reporter": "sistema.dom"}]


def test_an_xlsx_with_real_date_cells_numbers_and_a_percentage_cell():
    content = xlsx_bytes(
        ["Iniciativa", " Fecha ", "Avance_Físico_PCT", "gasto_acumulado_clp", "indicador", "valor",
         "periodo", "hito", "estado_hito", "fecha_hito", "informante"],
        ["DOM-001", dt.date(2023, 5, 31), 45.5, 12500000, "IND-01", 3, dt.datetime(2023, 6, 1), "HITO-2",
         "Cumplido", dt.datetime(2023, 5, 20, 0, 0), "ana.mamani@putre.cl"],
        ["DOM-002", dt.datetime(2023, 6, 30, 0, 0), 0.62, None, None, None, None, None, None, None, None],
        percent_cells=("C3",),
    )

    parsed = parse("avance.xlsx", content)

    assert parsed.problems == []
    assert report(parsed) == [(2, []), (3, [])]
    assert bodies(parsed) == [
        {"initiative_code": "DOM-001", "as_of": "2023-05-31", "physical_progress_pct": 45.5,
         "spent_to_date_clp": 12500000, "reporter": "ana.mamani@putre.cl",
         "indicator_measurements": [{"indicator_code": "IND-01", "value": 3.0, "period": "2023-06"}],
         "milestone_updates": [{"milestone_code": "HITO-2", "status": "done", "date": "2023-05-20"}]},
        # The cell shows 62,0%: the officer means 62, not 0.62.
        {"initiative_code": "DOM-002", "as_of": "2023-06-30", "physical_progress_pct": 62.0,
         "reporter": "sistema.dom"},
    ]


def test_a_latin1_csv_as_old_excel_saves_it_keeps_its_accents():
    content = csv_bytes(
        "iniciativa;fecha;avance_físico_pct;nota",
        "DOM-001;31-05-2023;45;Instalación de luminarias en Socoroma y Zapahuira",
        encoding="latin-1",
    )

    parsed = parse("avance.csv", content)

    assert bodies(parsed) == [{"initiative_code": "DOM-001", "as_of": "2023-05-31", "physical_progress_pct": 45.0,
                               "note": "Instalación de luminarias en Socoroma y Zapahuira",
                               "reporter": "sistema.dom"}]


def test_a_utf8_csv_with_a_byte_order_mark_reads_its_first_header():
    content = "\ufeffiniciativa;fecha;avance_fisico_pct\nDOM-001;31-05-2023;45\n".encode()

    parsed = parse("avance.csv", content)

    assert parsed.problems == []
    assert bodies(parsed)[0]["initiative_code"] == "DOM-001"


def test_empty_rows_are_skipped_and_the_others_keep_their_row_numbers():
    csv_parsed = parse("avance.csv", csv_bytes(
        "iniciativa;fecha;avance_fisico_pct",
        "DOM-001;31-05-2023;40",
        "",
        " ; ;  ",
        "DOM-002;31-05-2023;50",
    ))
    xlsx_parsed = parse("avance.xlsx", xlsx_bytes(
        ["iniciativa", "fecha", "avance_fisico_pct"],
        ["DOM-001", "31-05-2023", 40],
        [None, None, None],
        ["  ", None, None],
        ["DOM-002", "31-05-2023", 50],
    ))

    assert report(csv_parsed) == [(2, []), (5, [])]
    assert report(xlsx_parsed) == [(2, []), (5, [])]


# --- a row-by-row report --------------------------------------------------------------------------


def test_mixed_good_and_bad_rows_give_a_report_by_row_and_column():
    parsed = parse("avance.csv", csv_bytes(
        "iniciativa,fecha,avance_fisico_pct,gasto_acumulado_clp",
        "DOM-001,31-05-2023,40,1000000",
        "DOM-001,31-05-2023,cuarenta,1000000",
        "DOM-001,31-13-2023,41,",
        "DOM-001,31-05-2023,140,",
        "DOM-001,31-05-2023,,-500",
        "DOM 001,31-05-2023,10,",
        ",ayer,20,12.500.000,50",
    ))

    assert parsed.problems == []
    assert report(parsed) == [
        (2, []),
        (3, [("avance_fisico_pct", "not_a_number")]),
        (4, [("fecha", "not_a_date")]),
        (5, [("avance_fisico_pct", "out_of_range")]),
        (6, [("gasto_acumulado_clp", "out_of_range")]),
        (7, [("iniciativa", "invalid_format")]),
        (8, [("iniciativa", "missing_field"), ("fecha", "not_a_date"), (None, "value_without_column")]),
    ]
    messages = {row.row: [p.message for p in row.problems] for row in parsed.rows}
    assert messages[3] == ["debe ser un número, no 'cuarenta'"]
    assert messages[4] == ["no es una fecha del calendario: '31-13-2023'"]
    assert messages[5] == ["debe estar entre 0 y 100"]
    assert messages[6] == ["no puede ser negativo"]
    assert [row.update is not None for row in parsed.rows] == [True, False, False, False, False, False, False]


def test_a_row_reports_every_problem_at_once():
    parsed = parse("avance.csv", csv_bytes(
        "iniciativa;fecha;avance_fisico_pct;gasto_acumulado_clp;periodo;indicador;valor",
        "DOM-001;mayo;140;$1.000.000,50;2023-Q5;IND-01;12",
    ))

    assert report(parsed) == [(2, [
        ("fecha", "not_a_date"), ("avance_fisico_pct", "out_of_range"), ("gasto_acumulado_clp", "not_whole_pesos"),
        ("periodo", "invalid_period"),
    ])]
    assert parsed.rows[0].update is None


@pytest.mark.parametrize(("written", "pesos"), [
    ("12500000", 12500000), ("12.500.000", 12500000), ("$12.500.000", 12500000),
    ("$ 12.500.000", 12500000), ("12.500.000,00", 12500000), ("CLP 750.000", 750000),
])
def test_spending_is_read_as_chilean_pesos(written: str, pesos: int):
    parsed = parse("avance.csv", csv_bytes("iniciativa;fecha;gasto_acumulado_clp", f"DOM-001;31-05-2023;{written}"))

    assert bodies(parsed)[0]["spent_to_date_clp"] == pesos


@pytest.mark.parametrize(("column", "written", "code", "message"), [
    ("gasto_acumulado_clp", "12.500.000,50", "not_whole_pesos", "los pesos no llevan decimales: '12.500.000,50'"),
    ("gasto_acumulado_clp", "doce millones", "not_a_number", "debe ser un número, no 'doce millones'"),
    ("avance_fisico_pct", "12.500", "ambiguous_number",
     "el número '12.500' es ambiguo: escriba 12500 si son miles o 12,500 si lleva decimales"),
    ("avance_fisico_pct", "45,5,1", "not_a_number", "debe ser un número, no '45,5,1'"),
])
def test_numbers_that_are_wrong_or_could_mean_two_things_are_refused(column, written, code, message):
    parsed = parse("avance.csv", csv_bytes(f"iniciativa;fecha;{column}", f"DOM-001;31-05-2023;{written}"))

    [problem] = parsed.rows[0].problems
    assert (problem.column, problem.code, problem.message) == (column, code, message)


def test_an_indicator_or_a_milestone_given_by_halves_is_incomplete():
    parsed = parse("avance.csv", csv_bytes(
        "iniciativa;fecha;indicador;valor;periodo;hito;estado_hito;fecha_hito;nota",
        "DOM-001;31-05-2023;IND-01;;;;;;",
        "DOM-001;31-05-2023;;12;;;;;",
        "DOM-001;31-05-2023;;;2023;;;;",
        "DOM-001;31-05-2023;;;;HITO-1;;;",
        "DOM-001;31-05-2023;;;;;cumplido;20-05-2023;",
        "DOM-001;31-05-2023;;;;;;;solo una nota",
    ))

    assert report(parsed) == [
        (2, [("valor", "incomplete_measurement")]),
        (3, [("indicador", "incomplete_measurement")]),
        (4, [("indicador", "incomplete_measurement"), ("valor", "incomplete_measurement")]),
        (5, [("estado_hito", "incomplete_milestone")]),
        (6, [("hito", "incomplete_milestone")]),
        (7, [(None, "empty_row_data")]),
    ]
    assert parsed.rows[5].problems[0].message == "la fila no informa avance, gasto, indicador ni hito"


def test_milestone_statuses_are_accepted_in_spanish_or_english():
    statuses = ["Cumplido", "en curso", "REALIZADO", "Cancelado", "pendiente", "In_Progress", "en_curso", "done"]
    parsed = parse("avance.csv", csv_bytes(
        "iniciativa;fecha;hito;estado_hito;fecha_hito",
        *[f"DOM-001;31-05-2023;hito-{i};{status};15-05-2023" for i, status in enumerate(statuses)],
        "DOM-001;31-05-2023;HITO-9;terminado;",
    ))

    updates = [row.update["milestone_updates"][0] for row in parsed.rows if row.update]
    assert [m["status"] for m in updates] == [
        "done", "in_progress", "done", "cancelled", "pending", "in_progress", "in_progress", "done",
    ]
    assert updates[0] == {"milestone_code": "HITO-0", "status": "done", "date": "2023-05-15"}
    [refused] = parsed.rows[-1].problems
    assert (refused.column, refused.code, refused.message) == (
        "estado_hito", "invalid_status",
        "estado de hito desconocido 'terminado': use pendiente, en_curso, cumplido o cancelado",
    )


def test_indicator_periods_take_every_form_and_default_to_the_month_of_the_date():
    periods = ["2023", "2023-06", "2023-Q2", "2023-S1", "2023-T3", "06/2023", ""]
    parsed = parse("avance.csv", csv_bytes(
        "iniciativa;fecha;indicador;valor;periodo",
        *[f"DOM-001;31-05-2023;IND-01;1;{period}" for period in periods],
    ))

    assert [m["indicator_measurements"][0]["period"] for m in bodies(parsed)] == [
        "2023", "2023-06", "2023-Q2", "2023-S1", "2023-Q3", "2023-06", "2023-05",
    ]


# --- ids ------------------------------------------------------------------------------------------


def test_rows_without_an_id_get_the_same_derived_id_every_time_the_file_is_uploaded():
    content = csv_bytes(
        "iniciativa;fecha;avance_fisico_pct",
        "DOM-001;31-05-2023;45",
        "DOM-001;31-05-2023;46",
    )

    first, second = parse("avance.csv", content), parse("avance.csv", content)

    assert ids(first) == ids(second)
    assert ids(first)[0] != ids(first)[1]
    assert ids(first)[0] == "3b0d1625-81d9-5b2f-8d51-15d5aea038e4"
    assert uuid.UUID(ids(first)[1]).version == 5


def test_the_same_report_as_csv_or_xlsx_gets_the_same_id():
    from_csv = parse("avance.csv", csv_bytes("iniciativa;fecha;avance_fisico_pct", "DOM-001;31-05-2023;45,5"))
    from_xlsx = parse("avance.xlsx", xlsx_bytes(
        ["iniciativa", "fecha", "avance_fisico_pct"], ["DOM-001", dt.date(2023, 5, 31), 45.5],
    ))

    assert ids(from_csv) == ids(from_xlsx)
    assert len(ids(from_csv)) == 1


def test_an_explicit_id_evento_is_kept():
    parsed = parse("avance.csv", csv_bytes(
        "id_evento;iniciativa;fecha;avance_fisico_pct",
        "3F2504E0-4F89-11D3-9A0C-0305E82C3301;DOM-001;31-05-2023;45",
        ";DOM-001;31-05-2023;45",
        "no-es-un-uuid;DOM-001;31-05-2023;45",
    ))

    assert ids(parsed) == ["3f2504e0-4f89-11d3-9a0c-0305e82c3301", "3b0d1625-81d9-5b2f-8d51-15d5aea038e4"]
    assert report(parsed)[2] == (4, [("id_evento", "invalid_event_id")])


# --- the file as a whole --------------------------------------------------------------------------


def test_unknown_and_missing_columns_stop_the_file_before_its_rows():
    parsed = parse("avance.csv", csv_bytes(
        "iniciativa;avance;comentario;iniciativa",
        "DOM-001;45;bien;DOM-001",
    ))

    assert parsed.rows == []
    assert file_problems(parsed) == [
        ("avance", "unknown_column"), ("comentario", "unknown_column"), ("iniciativa", "duplicate_column"),
        ("fecha", "missing_column"),
    ]
    assert parsed.problems[0].message == "columna desconocida «avance»; ¿quiso decir «avance_fisico_pct»?"
    assert parsed.problems[3].message == "falta la columna obligatoria «fecha»"


def test_more_rows_than_allowed_is_refused_whole():
    lines = ["iniciativa;fecha;avance_fisico_pct", *[f"DOM-00{i};31-05-2023;{i}" for i in range(1, 5)]]

    too_many = parse("avance.csv", csv_bytes(*lines), max_rows=3)
    just_enough = parse("avance.csv", csv_bytes(*lines[:4]), max_rows=3)

    assert file_problems(too_many) == [(None, "too_many_rows")]
    assert too_many.rows == []
    assert file_problems(just_enough) == []
    assert [row.row for row in just_enough.rows] == [2, 3, 4]


@pytest.mark.parametrize(("filename", "content", "code"), [
    ("avance.xls", b"\xd0\xcf\x11\xe0 old excel", "unsupported_format"),
    ("avance.ods", b"PK\x03\x04", "unsupported_format"),
    ("avance", b"iniciativa;fecha", "unsupported_format"),
    ("avance.xlsx", b"esto no es un libro excel", "unreadable_file"),
    ("avance.xlsx", b"PK\x03\x04 truncated zip", "unreadable_file"),
    ("avance.csv", xlsx_bytes(["iniciativa", "fecha"]), "unreadable_file"),
    ("avance.csv", b"", "empty_file"),
    ("avance.csv", b"iniciativa;fecha;avance_fisico_pct\r\n", "no_data_rows"),
])
def test_files_that_cannot_be_read_are_reported_not_raised(filename: str, content: bytes, code: str):
    parsed = parse(filename, content)

    assert parsed.rows == []
    assert file_problems(parsed) == [(None, code)]


def test_the_reporter_defaults_to_the_uploading_system():
    parsed = parse("avance.csv", csv_bytes(
        "iniciativa;fecha;avance_fisico_pct;informante",
        "DOM-001;31-05-2023;45;",
        "DOM-001;31-05-2023;45;jose.choque@putre.cl",
    ))

    assert [body["reporter"] for body in bodies(parsed)] == ["sistema.dom", "jose.choque@putre.cl"]


# --- columns for later problems -------------------------------------------------------------------


@pytest.mark.parametrize(("field_path", "column"), [
    ("initiative_code", "iniciativa"),
    ("as_of", "fecha"),
    ("physical_progress_pct", "avance_fisico_pct"),
    ("spent_to_date_clp", "gasto_acumulado_clp"),
    ("indicator_measurements.0.indicator_code", "indicador"),
    ("indicator_measurements.3.value", "valor"),
    ("indicator_measurements.12.period", "periodo"),
    ("milestone_updates.0.milestone_code", "hito"),
    ("milestone_updates.1.status", "estado_hito"),
    ("milestone_updates.0.date", "fecha_hito"),
    ("milestone_updates.0", "hito"),
    ("event_id", "id_evento"),
    ("reporter", "informante"),
    ("budget", None),
    ("indicator_measurements.0.unit", None),
])
def test_column_for_places_a_field_path_on_its_column(field_path: str, column: str | None):
    assert column_for(field_path) == column
