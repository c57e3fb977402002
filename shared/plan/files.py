"""The two forms of a plan file, converted both ways without loss.

- **YAML** (``.yaml``/``.yml``): the canonical form, kept under version control; lists in code
  order, dates as ``AAAA-MM-DD``, coordinates as ``[longitud, latitud]``.
- **Excel** (``.xlsx``): one sheet per entity, as municipal planners keep them. Records that belong
  to an initiative (officers, funding, monthly plan, milestones, indicators) are rows of their own
  sheet with the initiative's code in the first column. Lists inside a cell are separated by ``;``;
  polygons are JSON text.

Reading never raises on bad content: it returns the document with a ``SourceMap`` and the problems
found while reading, so that validation can report everything at once, each at its place.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from shared.plan.issues import DocumentMap, Loc, PlanIssue, SourceMap, WorkbookMap, render
from shared.plan.model import Plan
from shared.plan.rules import validate_document

LIST_SEPARATOR = ";"


@dataclass
class PlanFile:
    document: Any
    source: SourceMap
    issues: list[PlanIssue] = field(default_factory=list)


@dataclass
class PlanCheck:
    """The outcome of reading and validating a plan file."""

    plan: Plan | None
    issues: list[PlanIssue]
    source: SourceMap

    @property
    def messages(self) -> list[str]:
        return [render(issue, self.source) for issue in self.issues]


class UnsupportedFormat(ValueError):
    pass


def check_plan_file(path: Path) -> PlanCheck:
    """Read and validate a plan file of either form."""
    plan_file = read_plan_file(path)
    if plan_file.document is None:
        return PlanCheck(None, plan_file.issues, plan_file.source)
    plan, issues = validate_document(plan_file.document)
    issues = plan_file.issues + issues
    return PlanCheck(None if issues else plan, issues, plan_file.source)


def read_plan_file(path: Path) -> PlanFile:
    suffix = path.suffix.lower()
    if suffix in {".yaml", ".yml", ".json"}:
        return read_yaml(path)
    if suffix == ".xlsx":
        return read_workbook(path)
    raise UnsupportedFormat(f"formato no reconocido «{path.suffix}»: use .yaml, .yml o .xlsx")


def write_plan_file(plan: Plan, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix in {".yaml", ".yml"}:
        path.write_text(plan_yaml(plan), encoding="utf-8")
    elif suffix == ".xlsx":
        write_workbook(plan, path)
    else:
        raise UnsupportedFormat(f"formato no reconocido «{path.suffix}»: use .yaml, .yml o .xlsx")


# --- YAML -----------------------------------------------------------------------------------------


def read_yaml(path: Path) -> PlanFile:
    source = DocumentMap(file=str(path))
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        document = yaml.safe_load(text)
    except UnicodeDecodeError:
        return PlanFile(None, source, [PlanIssue((), "not_utf8", "el archivo no está en UTF-8", where=str(path))])
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"{path}, línea {mark.line + 1}, columna {mark.column + 1}" if mark else str(path)
        return PlanFile(None, source, [PlanIssue((), "invalid_yaml", f"YAML inválido: {error.problem}", where=where)])
    except yaml.reader.ReaderError as error:  # a control character: found by fuzzing (docs/security.md)
        where = f"{path}, posición {error.position}"
        return PlanFile(None, source, [PlanIssue((), "invalid_yaml", f"YAML inválido: el carácter "
                                                 f"{error.character!r} no se admite", where=where)])
    source.document = document
    if node is not None:
        source.lines = dict(_node_lines(node, ()))
    return PlanFile(_plain(document), source)


def _node_lines(node: yaml.Node, loc: Loc) -> Iterator[tuple[Loc, int]]:
    yield loc, node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = loc + (key.value,)
            yield child, key.start_mark.line + 1
            for inner, line in _node_lines(value, child):
                if inner != child:
                    yield inner, line
    elif isinstance(node, yaml.SequenceNode):
        for index, value in enumerate(node.value):
            yield from _node_lines(value, loc + (index,))


def _plain(value: Any) -> Any:
    """YAML gives datetimes for timestamps; a plan holds calendar dates only."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dt.datetime):
        return value.date()
    return value


class _PlanDumper(yaml.SafeDumper):
    pass


def _represent_list(dumper: yaml.SafeDumper, value: list) -> yaml.Node:
    # A coordinate pair on one line reads as a point; everything else in block style.
    is_point = len(value) == 2 and all(isinstance(v, int | float) for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=is_point)


_PlanDumper.add_representer(list, _represent_list)

YAML_HEADER = (
    "# PLADECO — plan file (canonical YAML form). Validate with: pladeco plan validate FILE\n"
    "# Field names and codes are documented in docs/plan-files.md.\n"
)


def plan_yaml(plan: Plan, header: str = YAML_HEADER) -> str:
    document = _with_dates(plan.to_document())
    body = yaml.dump(document, Dumper=_PlanDumper, sort_keys=False, allow_unicode=True, width=100)
    return header + body


def _with_dates(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _with_dates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_dates(item) for item in value]
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


# --- Excel ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    path: tuple[str, ...]
    kind: str = "value"  # value | list | json | date | month


@dataclass(frozen=True)
class Sheet:
    title: str
    section: str
    columns: tuple[Column, ...]
    child: str | None = None
    """For records inside an initiative: the key of their list (``hitos``…)."""


def _columns(*specs: str | tuple[str, str] | tuple[str, str, str]) -> tuple[Column, ...]:
    columns = []
    for spec in specs:
        if isinstance(spec, str):
            columns.append(Column(spec, (spec,)))
        else:
            header, dotted, *kind = spec if len(spec) == 3 else (*spec, "value")
            columns.append(Column(header, tuple(dotted.split(".")), kind[0] if kind else "value"))
    return tuple(columns)


PLAN_SHEET = "Plan"
PLAN_FIELDS = _columns(
    "codigo", "nombre", "comuna", ("inicio", "inicio", "date"), ("termino", "termino", "date"),
    ("unidad_ejecutora_nombre", "unidad_ejecutora.nombre"), ("unidad_ejecutora_email", "unidad_ejecutora.email"),
    ("unidad_ejecutora_cargo", "unidad_ejecutora.cargo"), ("limite_comunal", "limite_comunal", "json"),
)
INITIATIVE_KEY = "iniciativa"
SHEETS: tuple[Sheet, ...] = (
    Sheet("Departamentos", "departamentos", _columns(
        "codigo", "nombre", ("jefatura_nombre", "jefatura.nombre"), ("jefatura_email", "jefatura.email"),
        ("jefatura_cargo", "jefatura.cargo"))),
    Sheet("Territorios", "territorios", _columns("codigo", "nombre", ("limite", "limite", "json"))),
    Sheet("Localidades", "localidades", _columns("codigo", "nombre", "territorio", "latitud", "longitud")),
    Sheet("Fuentes", "fuentes_financiamiento", _columns("codigo", "nombre", "nivel")),
    Sheet("Ejes", "ejes", _columns("codigo", "nombre", "descripcion")),
    Sheet("Objetivos", "objetivos", _columns("codigo", "eje", "nombre", ("territorios", "territorios", "list"))),
    Sheet("Programas", "programas", _columns("codigo", "objetivo", "nombre")),
    Sheet("Problemas", "problemas", _columns(
        "codigo", "territorio", "localidad", "tema", "descripcion", "severidad", "prioridad")),
    Sheet("Iniciativas", "iniciativas", _columns(
        "codigo", "nombre", "tipo", "programa", "unidad_responsable", "territorio", "localidad",
        "latitud", "longitud", "presupuesto_clp", ("inicio", "inicio", "date"), ("termino", "termino", "date"),
        "curva", ("beneficiarios_cantidad", "beneficiarios.cantidad"),
        ("beneficiarios_grupos", "beneficiarios.grupos", "list"), ("predecesoras", "predecesoras", "list"))),
    Sheet("Responsables", "iniciativas", _columns("nombre", "email", "cargo"), child="responsables"),
    Sheet("Financiamiento", "iniciativas", _columns("fuente", "monto_clp"), child="financiamiento"),
    Sheet("Plan mensual", "iniciativas", _columns(("mes", "mes", "month"), "avance_pct"), child="plan_mensual"),
    Sheet("Hitos", "iniciativas", _columns(
        "codigo", "nombre", ("fecha", "fecha", "date"), "responsable"), child="hitos"),
    Sheet("Indicadores", "iniciativas", _columns(
        "codigo", "nombre", "categoria", "dimension", "unidad", "linea_base", "meta",
        ("fecha_meta", "fecha_meta", "date"), "sentido", "periodicidad",
        ("semaforo_verde", "semaforo.verde"), ("semaforo_amarillo", "semaforo.amarillo")), child="indicadores"),
)


def write_workbook(plan: Plan, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    document = plan.to_document()
    workbook = Workbook()
    plan_sheet = workbook.active
    plan_sheet.title = PLAN_SHEET
    plan_sheet.append(["campo", "valor"])
    for column in PLAN_FIELDS:
        plan_sheet.append([column.header, _cell(_get(document["plan"], column.path), column.kind)])
    for spec in SHEETS:
        sheet = workbook.create_sheet(spec.title)
        headers = [column.header for column in spec.columns]
        sheet.append([INITIATIVE_KEY, *headers] if spec.child else headers)
        for record in document[spec.section]:
            children = (record.get(spec.child) or []) if spec.child else [record]
            for child in children:
                row = [_cell(_get(child, column.path), column.kind) for column in spec.columns]
                sheet.append([record["codigo"], *row] if spec.child else row)
    for sheet in workbook.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
    workbook.save(path)


def _get(record: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = record
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _cell(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "list":
        return f"{LIST_SEPARATOR} ".join(str(item) for item in value) or None
    if kind == "json":
        return json.dumps(value, ensure_ascii=False)
    if kind == "date":
        return dt.date.fromisoformat(value)
    return value


def read_workbook(path: Path) -> PlanFile:
    from openpyxl import load_workbook

    source = WorkbookMap(file=str(path))
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        return PlanFile(None, source, [PlanIssue((), "invalid_workbook", f"no es un libro Excel válido ({error})", where=str(path))])
    reader = _WorkbookReader(path, source)
    try:
        reader.read_plan_sheet(workbook)
        for spec in SHEETS:
            if spec.child is None:
                reader.read_sheet(workbook, spec)
        for spec in SHEETS:
            if spec.child is not None:
                reader.read_sheet(workbook, spec)
    finally:
        workbook.close()
    return PlanFile(reader.document, source, reader.issues)


class _WorkbookReader:
    def __init__(self, path: Path, source: WorkbookMap):
        self.path = path
        self.source = source
        self.document: dict[str, Any] = {}
        self.issues: list[PlanIssue] = []
        self.initiative_index: dict[str, int] = {}

    def _issue(self, sheet: str, row: int, message: str, code: str, column: str | None = None) -> None:
        where = f"{self.path}, hoja «{sheet}», fila {row}" + (f", columna «{column}»" if column else "")
        self.issues.append(PlanIssue((), code, message, where=where))

    def read_plan_sheet(self, workbook: Any) -> None:
        if PLAN_SHEET not in workbook.sheetnames:
            self._issue(PLAN_SHEET, 1, f"falta la hoja «{PLAN_SHEET}»", "missing_sheet")
            return
        header: dict[str, Any] = {}
        fields = {column.header: column for column in PLAN_FIELDS}
        for row_number, row in enumerate(workbook[PLAN_SHEET].iter_rows(min_row=2, values_only=True), start=2):
            if not row or row[0] is None:
                continue
            name = str(row[0]).strip()
            column = fields.get(name)
            if column is None:
                self._issue(PLAN_SHEET, row_number, f"campo desconocido «{name}»", "unknown_field", "campo")
                continue
            self.source.cells[("plan", *column.path)] = (PLAN_SHEET, row_number, "valor")
            value = self._value(row[1] if len(row) > 1 else None, column, PLAN_SHEET, row_number)
            if value is not None:
                _put(header, column.path, value)
        self.document["plan"] = header

    def read_sheet(self, workbook: Any, spec: Sheet) -> None:
        if spec.child is None:
            self.document.setdefault(spec.section, [])
        if spec.title not in workbook.sheetnames:
            self._issue(spec.title, 1, f"falta la hoja «{spec.title}»", "missing_sheet")
            return
        rows = workbook[spec.title].iter_rows(values_only=True)
        headers = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        expected = ([INITIATIVE_KEY] if spec.child else []) + [c.header for c in spec.columns]
        unknown = [h for h in headers if h and h not in expected]
        for name in unknown:
            self._issue(spec.title, 1, f"columna desconocida «{name}»", "unknown_column", name)
        columns = {c.header: c for c in spec.columns}
        for row_number, row in enumerate(rows, start=2):
            cells = {h: v for h, v in zip(headers, row, strict=False) if h in expected}
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells.values()):
                continue
            record: dict[str, Any] = {}
            for name, raw in cells.items():
                if name == INITIATIVE_KEY:
                    continue
                value = self._value(raw, columns[name], spec.title, row_number)
                if value is not None:
                    _put(record, columns[name].path, value)
            if spec.child is None:
                self._add_record(spec, record, row_number, columns)
            else:
                self._add_child(spec, record, cells.get(INITIATIVE_KEY), row_number, columns)

    def _add_record(self, spec: Sheet, record: dict, row_number: int, columns: dict[str, Column]) -> None:
        records = self.document[spec.section]
        loc = (spec.section, len(records))
        records.append(record)
        if spec.section == "iniciativas" and isinstance(record.get("codigo"), str):
            self.initiative_index.setdefault(record["codigo"].strip(), loc[1])
        self._map_row(loc, spec.title, row_number, columns)

    def _add_child(self, spec: Sheet, record: dict, initiative: Any, row_number: int, columns: dict[str, Column]) -> None:
        code = str(initiative).strip() if initiative is not None else ""
        if not code:
            self._issue(spec.title, row_number, "falta el código de la iniciativa", "missing_field", INITIATIVE_KEY)
            return
        index = self.initiative_index.get(code)
        if index is None:
            self._issue(
                spec.title, row_number, f"la iniciativa «{code}» no existe en la hoja «Iniciativas»",
                "unknown_reference", INITIATIVE_KEY,
            )
            return
        children = self.document["iniciativas"][index].setdefault(spec.child, [])
        loc = ("iniciativas", index, spec.child, len(children))
        children.append(record)
        self._map_row(loc, spec.title, row_number, columns)

    def _map_row(self, loc: Loc, title: str, row_number: int, columns: dict[str, Column]) -> None:
        self.source.rows[loc] = (title, row_number)
        for column in columns.values():
            self.source.cells[loc + column.path] = (title, row_number, column.header)

    def _value(self, raw: Any, column: Column, sheet: str, row_number: int) -> Any:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if isinstance(raw, str):
            raw = raw.strip()
        if column.kind == "list":
            return [item.strip() for item in str(raw).split(LIST_SEPARATOR) if item.strip()]
        if column.kind == "json":
            try:
                return json.loads(raw) if isinstance(raw, str) else raw
            except json.JSONDecodeError as error:
                self._issue(sheet, row_number, f"JSON inválido ({error.msg})", "invalid_json", column.header)
                return None
        if isinstance(raw, dt.datetime):
            return raw.strftime("%Y-%m") if column.kind == "month" else raw.date()
        return raw


def _put(record: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        record = record.setdefault(key, {})
    record[path[-1]] = value
