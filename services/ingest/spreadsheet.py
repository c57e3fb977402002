"""Progress reports kept in spreadsheets: one row of a CSV or XLSX upload, one progress update.

Owns reading the uploaded bytes (no other I/O) into the JSON bodies that the progress API takes,
with a row-by-row report in Spanish of what is wrong and where: the row number as the user sees it
in Excel (the header is row 1) and the column header. It does not judge the updates against the
plan catalogue nor publish anything; the HTTP layer does, and places those later problems on a
column with ``column_for``.

Municipal staff write what Excel shows in Chile, so reading is lenient about form and strict about
meaning: headers ignore case, spaces and accents; numbers take a decimal comma and thousands dots
(``45,5``, ``$12.500.000``); dates take ``DD-MM-AAAA``; milestone statuses take Spanish words. A
value that could mean two things (``12.500`` as a percentage) is refused rather than guessed.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import io
import json
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import zip_longest
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from services.ingest.domain import ProgressUpdate
from shared.problems import error_code, error_message


@dataclass(frozen=True)
class CellProblem:
    column: str | None
    """The Spanish column header; None for a problem of the whole row or the whole file."""
    code: str
    """Stable machine code, e.g. ``not_a_number``."""
    message: str
    """Plain Spanish, for the person who fills in the sheet."""


@dataclass(frozen=True)
class SheetRow:
    row: int
    """The row number as the user sees it: the header is row 1, the first data row is 2."""
    update: dict[str, Any] | None
    """The ProgressUpdate JSON body when the row parsed; None when it has problems."""
    problems: list[CellProblem]


@dataclass(frozen=True)
class SheetParse:
    rows: list[SheetRow]
    """Rows with data, in order; empty when the file itself has problems."""
    problems: list[CellProblem]
    """Problems of the whole file (columns, format, size)."""


NAMESPACE = uuid.UUID("4d7708ea-f44f-4ecd-a6c3-c1ad03ec9c3f")
"""Namespace of the ids derived for rows without ``id_evento``. Never change it: every derived id
would change with it, and re-uploaded files would no longer be recognised as duplicates."""

COLUMNS: dict[str, str] = {
    "id_evento": "event_id (optional): the sender's UUID; derived from the row's content when empty",
    "iniciativa": "initiative_code (required)",
    "fecha": "as_of (required): AAAA-MM-DD, DD-MM-AAAA or DD/MM/AAAA, or a date cell",
    "avance_fisico_pct": "physical_progress_pct: 0 to 100; 45,5 and 45,5% accepted",
    "gasto_acumulado_clp": "spent_to_date_clp: whole pesos; 12.500.000 and $12.500.000 accepted",
    "indicador": "indicator_measurements[0].indicator_code (with valor)",
    "valor": "indicator_measurements[0].value (with indicador)",
    "periodo": "indicator_measurements[0].period: 2023, 2023-06, 2023-Q2, 2023-S1; month of fecha when empty",
    "hito": "milestone_updates[0].milestone_code (with estado_hito)",
    "estado_hito": "milestone_updates[0].status: pendiente, en_curso, cumplido (realizado), cancelado",
    "fecha_hito": "milestone_updates[0].date: like fecha",
    "nota": "note",
    "informante": "reporter: who reports; the uploading system when empty",
}
REQUIRED_COLUMNS = ("iniciativa", "fecha")
DATA_COLUMNS = ("avance_fisico_pct", "gasto_acumulado_clp", "indicador", "valor", "periodo",
                "hito", "estado_hito", "fecha_hito")
"""A row must fill at least one of these; the incomplete groups get their own, clearer problem."""

FIELD_COLUMN: dict[str, str] = {
    "event_id": "id_evento",
    "initiative_code": "iniciativa",
    "as_of": "fecha",
    "physical_progress_pct": "avance_fisico_pct",
    "spent_to_date_clp": "gasto_acumulado_clp",
    "indicator_measurements": "indicador",
    "indicator_measurements.0": "indicador",
    "indicator_measurements.0.indicator_code": "indicador",
    "indicator_measurements.0.value": "valor",
    "indicator_measurements.0.period": "periodo",
    "milestone_updates": "hito",
    "milestone_updates.0": "hito",
    "milestone_updates.0.milestone_code": "hito",
    "milestone_updates.0.status": "estado_hito",
    "milestone_updates.0.date": "fecha_hito",
    "note": "nota",
    "reporter": "informante",
}

MILESTONE_STATUS: dict[str, str] = {
    "pendiente": "pending", "pending": "pending",
    "en_curso": "in_progress", "in_progress": "in_progress",
    "cumplido": "done", "realizado": "done", "done": "done",
    "cancelado": "cancelled", "cancelled": "cancelled", "canceled": "cancelled",
}


def parse_progress_sheet(
    filename: str, content: bytes, *, default_reporter: str, max_rows: int = 5000
) -> SheetParse:
    """Every data row of the upload as an update or as its problems. Never raises on bad content."""
    try:
        # Read one row past the limit: enough to know it is exceeded without reading a huge file.
        table = _read_table(filename, content, limit=max_rows + 2)
    except _FileProblem as failure:
        return SheetParse([], [failure.problem])
    if not table:
        return SheetParse([], [CellProblem(None, "empty_file", "el archivo está vacío")])
    (_, header), *data = table
    columns, problems = _header(header)
    if not problems and not data:
        problems.append(CellProblem(None, "no_data_rows", "el archivo no tiene filas con datos bajo los encabezados"))
    if len(data) > max_rows:
        problems.append(CellProblem(
            None, "too_many_rows",
            f"el archivo tiene más de {max_rows} filas con datos; divídalo en archivos más pequeños",
        ))
    if problems:
        return SheetParse([], problems)
    return SheetParse([_parse_row(number, columns, values, default_reporter) for number, values in data], [])


def column_for(field_path: str) -> str | None:
    """The column of a ProgressUpdate field path such as ``indicator_measurements.3.value``."""
    parts = ["0" if part.isdigit() else part for part in field_path.split(".")]
    return FIELD_COLUMN.get(".".join(parts))


# --- reading the file -----------------------------------------------------------------------------

Table = list[tuple[int, list[Any]]]
"""Rows that hold something, each with its number as the user sees it."""


class _FileProblem(Exception):
    def __init__(self, problem: CellProblem):
        super().__init__(problem.message)
        self.problem = problem


def _unreadable(message: str) -> _FileProblem:
    return _FileProblem(CellProblem(None, "unreadable_file", message))


def _read_table(filename: str, content: bytes, *, limit: int) -> Table:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix == "csv":
        return _csv_table(content, limit)
    if suffix == "xlsx":
        return _xlsx_table(content, limit)
    shown = f"«.{suffix}»" if suffix else "sin extensión"
    raise _FileProblem(CellProblem(
        None, "unsupported_format", f"formato de archivo no admitido ({shown}): guárdelo como .xlsx o .csv",
    ))


def _non_empty(rows: Iterable[list[Any]], limit: int) -> Table:
    table: Table = []
    for number, values in enumerate(rows, start=1):
        if any(not _blank(value) for value in values):
            table.append((number, values))
            if len(table) >= limit:
                break
    return table


def _csv_table(content: bytes, limit: int) -> Table:
    if content.startswith(b"PK\x03\x04"):
        raise _unreadable("el archivo parece un libro Excel con extensión .csv: súbalo como .xlsx")
    text = _decode(content)
    if "\x00" in text:
        raise _unreadable("el archivo no es un CSV de texto")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        return _non_empty(reader, limit)
    except csv.Error as error:
        raise _unreadable(f"el CSV no se puede leer ({error})") from error


def _decode(content: bytes) -> str:
    # Excel saves "CSV UTF-8" with a BOM, plain "CSV" in Windows-1252, "Unicode text" in UTF-16.
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return content.decode("latin-1")  # decodes any byte: the header check will tell if it is nonsense


def _delimiter(text: str) -> str:
    # The header decides: column names never contain a delimiter, unlike notes or decimal commas.
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: header.count(delimiter) for delimiter in (";", ",", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _xlsx_table(content: bytes, limit: int) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for bytes that are not a workbook
        raise _unreadable("el archivo no es un libro Excel (.xlsx) válido") from error
    try:
        if not workbook.worksheets:
            raise _unreadable("el libro Excel no tiene hojas")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some programs write a wrong used range; read what is there
        return _non_empty(([_xlsx_value(cell) for cell in row] for row in sheet.iter_rows()), limit)
    except _FileProblem:
        raise
    except Exception as error:
        raise _unreadable("el libro Excel está dañado y no se puede leer") from error
    finally:
        workbook.close()


def _xlsx_value(cell: Any) -> Any:
    value = cell.value
    if _is_number(value) and _is_percent_format(cell.number_format or ""):
        # A cell shown as 45,5% holds 0.455; the user means 45.5, as when writing "45,5%" in a CSV.
        return round(value * 100, 10)
    return value


def _is_percent_format(number_format: str) -> bool:
    # A quoted or escaped % is literal text: it does not scale the value.
    return "%" in re.sub(r'"[^"]*"|\\.', "", number_format)


# --- the header -----------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Lower case, no accents, words joined by ``_``: how headers and statuses are compared."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[\s-]+", "_", plain.strip().lower())


def _header(cells: list[Any]) -> tuple[list[str | None], list[CellProblem]]:
    """The column of each position (None: no header there) and the problems of the header."""
    columns: list[str | None] = []
    problems: list[CellProblem] = []
    for cell in cells:
        written = _text(cell)
        name = _fold(written) if written is not None else None
        if name is not None and name not in COLUMNS:
            problems.append(CellProblem(written, "unknown_column", _unknown_column_message(written, name)))
            name = None
        elif name is not None and name in columns:
            problems.append(CellProblem(name, "duplicate_column", f"la columna «{name}» aparece más de una vez"))
            name = None
        columns.append(name)
    for required in REQUIRED_COLUMNS:
        if required not in columns:
            problems.append(CellProblem(required, "missing_column", f"falta la columna obligatoria «{required}»"))
    return columns, problems


def _unknown_column_message(written: str, name: str) -> str:
    # Staff often shorten a header ("avance", "gasto"): a column containing it is the likely one.
    close = [column for column in COLUMNS if name in column] or difflib.get_close_matches(name, COLUMNS, n=1)
    hint = f"; ¿quiso decir «{close[0]}»?" if close else f"; las columnas válidas son: {', '.join(COLUMNS)}"
    return f"columna desconocida «{written}»{hint}"


# --- one row --------------------------------------------------------------------------------------


class _Invalid(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class _Row:
    """The filled cells of one row, by column, and the problems found so far."""

    def __init__(self) -> None:
        self.cells: dict[str, Any] = {}
        self.problems: list[CellProblem] = []

    def has(self, column: str) -> bool:
        return column in self.cells

    def value(self, column: str, parse: Callable[[Any], Any]) -> Any:
        """The parsed cell, or None when it is empty or wrong (then the problem is recorded)."""
        if column not in self.cells:
            return None
        try:
            return parse(self.cells[column])
        except _Invalid as invalid:
            self.add(column, invalid.code, invalid.message)
            return None

    def add(self, column: str | None, code: str, message: str) -> None:
        self.problems.append(CellProblem(column, code, message))


def _parse_row(number: int, columns: list[str | None], values: list[Any], default_reporter: str) -> SheetRow:
    row = _Row()
    for column, value in zip_longest(columns, values):
        if _blank(value):
            continue
        if column is None:
            row.add(None, "value_without_column", f"hay un dato ({_show(value)!r}) en una columna sin encabezado")
        else:
            row.cells[column] = value
    body = _body(row, default_reporter)
    _check_validity(row, body)
    if row.problems:
        return SheetRow(number, None, sorted(row.problems, key=_left_to_right))
    return SheetRow(number, body, [])


_POSITION = {column: position for position, column in enumerate(COLUMNS)}


def _left_to_right(problem: CellProblem) -> int:
    """Problems in the order of the template's columns; the whole row's last."""
    return _POSITION.get(problem.column or "", len(_POSITION))


def _body(row: _Row, default_reporter: str) -> dict[str, Any]:
    """The update as far as it parsed; problems are recorded on ``row`` as they are met."""
    if not row.has("iniciativa"):
        row.add("iniciativa", "missing_field", "falta el código de la iniciativa")
    if not row.has("fecha"):
        row.add("fecha", "missing_field", "falta la fecha a la que corresponde el avance")
    if not any(row.has(column) for column in DATA_COLUMNS):
        row.add(None, "empty_row_data", "la fila no informa avance, gasto, indicador ni hito")
    as_of = row.value("fecha", _date)
    fields: dict[str, Any] = {
        "initiative_code": row.value("iniciativa", _code),
        "as_of": as_of,
        "physical_progress_pct": row.value("avance_fisico_pct", _number),
        "spent_to_date_clp": row.value("gasto_acumulado_clp", _pesos),
        "indicator_measurements": _measurements(row, as_of),
        "milestone_updates": _milestones(row),
        "note": row.value("nota", _text),
        "reporter": row.value("informante", _text) or default_reporter,
    }
    body = {name: value for name, value in fields.items() if value is not None}
    event_id = row.value("id_evento", _event_id) or _derived_event_id(body)
    return {"event_id": event_id, **body}


def _derived_event_id(body: dict[str, Any]) -> str:
    """The id of a row sent without one: the same content always gets the same id."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return str(uuid.uuid5(NAMESPACE, canonical))


def _measurements(row: _Row, as_of: str | None) -> list[dict[str, Any]] | None:
    if not any(row.has(column) for column in ("indicador", "valor", "periodo")):
        return None
    if not row.has("indicador"):
        row.add("indicador", "incomplete_measurement", "falta el código del indicador al que corresponde el valor")
    if not row.has("valor"):
        row.add("valor", "incomplete_measurement", "falta el valor medido del indicador")
    code = row.value("indicador", _code)
    value = row.value("valor", _number)
    period = row.value("periodo", _period) if row.has("periodo") else (as_of[:7] if as_of else None)
    if code is None or value is None or period is None:
        return None
    return [{"indicator_code": code, "value": value, "period": period}]


def _milestones(row: _Row) -> list[dict[str, Any]] | None:
    if not any(row.has(column) for column in ("hito", "estado_hito", "fecha_hito")):
        return None
    if not row.has("hito"):
        row.add("hito", "incomplete_milestone", "falta el código del hito al que corresponde el estado")
    if not row.has("estado_hito"):
        row.add("estado_hito", "incomplete_milestone",
                "falta el estado del hito: pendiente, en_curso, cumplido o cancelado")
    code = row.value("hito", _code)
    status = row.value("estado_hito", _status)
    date = row.value("fecha_hito", _date)
    if code is None or status is None or (row.has("fecha_hito") and date is None):
        return None
    return [{"milestone_code": code, "status": status, **({"date": date} if date else {})}]


def _check_validity(row: _Row, body: dict[str, Any]) -> None:
    """The model's own rules (ranges, lengths, code format), on columns not already reported."""
    try:
        ProgressUpdate.model_validate(body)
    except ValidationError as error:
        reported = {problem.column for problem in row.problems}
        for item in error.errors():
            column = column_for(".".join(str(part) for part in item["loc"]))
            if column is None or column not in reported:
                row.add(column, *_spanish(item, column))


def _spanish(item: ErrorDetails, column: str | None) -> tuple[str, str]:
    """(code, message) of a pydantic error, for the person who fills in the sheet: the one
    translation (shared/problems.py), with plainer words where a sheet allows them."""
    code, kind = error_code(item), item["type"]
    if code == "out_of_range" and column == "avance_fisico_pct":
        return code, "debe estar entre 0 y 100"
    if kind == "greater_than_equal" and (item.get("ctx") or {}).get("ge") == 0:
        return code, "no puede ser negativo"
    if kind == "string_pattern_mismatch" and column == "iniciativa":
        return code, (f"código de iniciativa inválido {_show(item.get('input'))!r}: use mayúsculas, dígitos, "
                      "'.', '_' o '-' (por ejemplo DOM-001)")
    return code, error_message(item)


# --- cells ----------------------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _show(value: Any) -> str:
    """A cell as the user wrote it, for messages."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _text(value: Any) -> str | None:
    return None if _blank(value) else _show(value)


def _code(value: Any) -> str:
    return _show(value).upper()


def _event_id(value: Any) -> str:
    try:
        return str(uuid.UUID(_show(value)))
    except ValueError:
        raise _Invalid("invalid_event_id", f"debe ser un identificador UUID, no {_show(value)!r}") from None


_ISO_DATE = re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_CHILEAN_DATE = re.compile(r"(\d{1,2})([-/])(\d{1,2})\2(\d{4})")


def _date(value: Any) -> str:
    """ISO ``AAAA-MM-DD`` from a date cell, ``AAAA-MM-DD`` or the Chilean ``DD-MM-AAAA``."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = _show(value)
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = match.group(1), match.group(3), match.group(4)
    elif match := _CHILEAN_DATE.fullmatch(text):
        day, month, year = match.group(1), match.group(3), match.group(4)
    else:
        raise _Invalid("not_a_date", f"debe ser una fecha AAAA-MM-DD o DD-MM-AAAA, no {text!r}")
    try:
        return dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        raise _Invalid("not_a_date", f"no es una fecha del calendario: {text!r}") from None


_PERIOD = re.compile(r"(\d{4})(?:-(\d{1,2})|-?([QTS])(\d))?")
_MONTH_FIRST = re.compile(r"(\d{1,2})-(\d{4})")


def _period(value: Any) -> str:
    """A period as events.Period spells it; T (trimestre) is read as Q."""
    if isinstance(value, dt.date):
        return f"{value:%Y-%m}"  # Excel turns a typed 2023-06 into the date 2023-06-01
    text = _show(value).upper().replace("/", "-").replace(" ", "")
    if match := _MONTH_FIRST.fullmatch(text):
        text = f"{match.group(2)}-{match.group(1)}"
    match = _PERIOD.fullmatch(text)
    period = _spell_period(*match.groups()) if match else None
    if period is None:
        raise _Invalid("invalid_period", f"periodo inválido {_show(value)!r}: use 2023, 2023-06, 2023-Q2 o 2023-S1")
    return period


def _spell_period(year: str, month: str | None, part: str | None, index: str | None) -> str | None:
    if month is not None:
        return f"{year}-{int(month):02d}" if 1 <= int(month) <= 12 else None
    if part is None:
        return year
    if part in "QT" and index in {"1", "2", "3", "4"}:
        return f"{year}-Q{index}"
    if part == "S" and index in {"1", "2"}:
        return f"{year}-S{index}"
    return None


def _status(value: Any) -> str:
    status = MILESTONE_STATUS.get(_fold(_show(value)))
    if status is None:
        raise _Invalid("invalid_status", f"estado de hito desconocido {_show(value)!r}: "
                                         "use pendiente, en_curso, cumplido o cancelado")
    return status


def _number(value: Any) -> float:
    """A measured number: ``45``, ``45.5``, ``45,5``, ``45,5%``, ``1.234,5``."""
    if _is_number(value):
        return float(value)
    text = _show(value)
    cleaned = re.sub(r"\s", "", text).removesuffix("%")
    return float(_decimal(cleaned, text, dots_are_thousands=False))


def _pesos(value: Any) -> int:
    """Whole Chilean pesos: ``12500000``, ``12.500.000``, ``$12.500.000``, ``12.500.000,00``."""
    text = _show(value)
    if _is_number(value):
        amount = Decimal(str(value))
    else:
        cleaned = re.sub(r"\s|\$|CLP", "", text, flags=re.IGNORECASE)
        amount = _decimal(cleaned, text, dots_are_thousands=True)
    if amount != amount.to_integral_value():
        raise _Invalid("not_whole_pesos", f"los pesos no llevan decimales: {text!r}")
    return int(amount)


_THOUSANDS = {".": re.compile(r"[1-9]\d{0,2}(\.\d{3})+"), ",": re.compile(r"[1-9]\d{0,2}(,\d{3})+")}


def _decimal(cleaned: str, text: str, *, dots_are_thousands: bool) -> Decimal:
    """The number in ``cleaned``; in Chile the comma is the decimal mark and dots group thousands."""
    sign, digits = ("-", cleaned[1:]) if cleaned.startswith("-") else ("", cleaned.removeprefix("+"))
    if not re.fullmatch(r"\d+([.,]\d+)*", digits):
        raise _Invalid("not_a_number", f"debe ser un número, no {text!r}")
    whole, fraction = _split_decimal(digits, text, dots_are_thousands=dots_are_thousands)
    if not whole.isdigit():
        if not any(grouped.fullmatch(whole) for grouped in _THOUSANDS.values()):
            raise _Invalid("not_a_number", f"debe ser un número, no {text!r}")
        whole = re.sub(r"[.,]", "", whole)
    return Decimal(f"{sign}{whole}.{fraction or '0'}")


def _split_decimal(digits: str, text: str, *, dots_are_thousands: bool) -> tuple[str, str]:
    """(whole part with its thousands separators, fraction): the decimal mark is a separator that
    appears once and last; a comma alone is one; a dot alone is one unless it groups thousands."""
    marks = [c for c in digits if c in ".,"]
    if not marks:
        return digits, ""
    last = marks[-1]
    if marks.count(last) > 1:
        return digits, ""
    if last == "." and "," not in marks and _THOUSANDS["."].fullmatch(digits):
        if dots_are_thousands:
            return digits, ""
        # "12.500": twelve and a half, or twelve thousand five hundred? Refuse to guess.
        raise _Invalid("ambiguous_number", f"el número {text!r} es ambiguo: escriba {digits.replace('.', '')} "
                                           f"si son miles o {digits.replace('.', ',')} si lleva decimales")
    whole, _, fraction = digits.rpartition(last)
    return whole, fraction
