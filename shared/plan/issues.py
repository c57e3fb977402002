"""What is wrong with a plan file, said so that a planner can find it and fix it.

A ``PlanIssue`` names the place by its document path (``("iniciativas", 3, "hitos", 1, "fecha")``);
a ``SourceMap`` turns that path into the planner's words: the file and line of the YAML form, or the
sheet, row and column of the workbook. Messages are in Spanish (Chile): planners read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import ValidationError

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class PlanIssue:
    loc: Loc
    code: str
    message: str
    where: str | None = None
    """An explicit place, for problems found while reading a file (before there is a document)."""


class SourceMap(Protocol):
    def describe(self, loc: Loc) -> str: ...


def loc_label(loc: Loc, document: Any = None) -> str:
    """``iniciativas[3] (INI-004).hitos[1].fecha``: the path, with the codes of the records on it."""
    text = ""
    node = document
    for part in loc:
        if isinstance(part, int):
            text += f"[{part + 1}]"
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            code = node.get("codigo") if isinstance(node, dict) else None
            if isinstance(code, str) and code:
                text += f" ({code})"
        else:
            text += f".{part}" if text else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return text or "(documento)"


@dataclass
class DocumentMap:
    """Places in a YAML (or JSON) file: the line where each path starts, when it is known."""

    file: str
    document: Any = None
    lines: dict[Loc, int] = field(default_factory=dict)

    def describe(self, loc: Loc) -> str:
        line = None
        for end in range(len(loc), -1, -1):
            line = self.lines.get(loc[:end])
            if line is not None:
                break
        where = f"{self.file}, línea {line}" if line else self.file
        return f"{where}, {loc_label(loc, self.document)}"


@dataclass
class WorkbookMap:
    """Places in an Excel workbook: the sheet, row and column each path came from."""

    file: str
    rows: dict[Loc, tuple[str, int]] = field(default_factory=dict)
    cells: dict[Loc, tuple[str, int, str]] = field(default_factory=dict)

    def describe(self, loc: Loc) -> str:
        for end in range(len(loc), 0, -1):
            cell = self.cells.get(loc[:end])
            if cell is not None:
                sheet, row, column = cell
                return f"{self.file}, hoja «{sheet}», fila {row}, columna «{column}»"
        for end in range(len(loc), 0, -1):
            place = self.rows.get(loc[:end])
            if place is not None:
                sheet, row = place
                rest = ".".join(str(part) for part in loc[end:] if isinstance(part, str))
                column = f", columna «{rest}»" if rest else ""
                return f"{self.file}, hoja «{sheet}», fila {row}{column}"
        return f"{self.file}, {loc_label(loc)}"


def render(issue: PlanIssue, source: SourceMap) -> str:
    return f"{issue.where or source.describe(issue.loc)}: {issue.message}"


# --- structural errors from pydantic, in Spanish ---------------------------------------------------

_PATTERN_MESSAGES = {
    "A-Z0-9": "código inválido: use mayúsculas, dígitos, '.', '_' o '-' (por ejemplo INI-012)",
    "@": "correo electrónico inválido",
    r"\d{4}-(0[1-9]": "mes inválido: use AAAA-MM (por ejemplo 2023-06)",
    "municipal|regional": "nivel inválido: use municipal, regional, sectorial o privado",
}


def _spanish(error: dict[str, Any]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "falta este dato"
    if kind == "extra_forbidden":
        return "campo desconocido (revise el nombre de la columna o la clave)"
    if kind in {"int_parsing", "int_from_float", "int_type"}:
        return f"debe ser un número entero, no {error.get('input')!r}"
    if kind in {"float_parsing", "float_type", "finite_number"}:
        return f"debe ser un número, no {error.get('input')!r}"
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"debe ser una fecha AAAA-MM-DD, no {error.get('input')!r}"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        for needle, message in _PATTERN_MESSAGES.items():
            if needle in pattern:
                return f"{message}; se recibió {error.get('input')!r}"
        return f"formato inválido: {error.get('input')!r}"
    if kind == "string_too_short":
        return "no puede quedar vacío"
    if kind == "string_too_long":
        return f"es demasiado largo (máximo {ctx.get('max_length')} caracteres)"
    if kind == "string_type":
        return f"debe ser un texto, no {error.get('input')!r}"
    if kind == "greater_than_equal":
        return f"debe ser mayor o igual a {ctx.get('ge')}; se recibió {error.get('input')!r}"
    if kind == "greater_than":
        return f"debe ser mayor que {ctx.get('gt')}; se recibió {error.get('input')!r}"
    if kind == "less_than_equal":
        return f"debe ser menor o igual a {ctx.get('le')}; se recibió {error.get('input')!r}"
    if kind == "less_than":
        return f"debe ser menor que {ctx.get('lt')}; se recibió {error.get('input')!r}"
    if kind == "enum":
        return f"valor no permitido {error.get('input')!r}; use uno de: {ctx.get('expected')}"
    if kind == "too_short":
        return f"debe tener al menos {ctx.get('min_length')} elemento(s)"
    if kind == "too_long":
        return f"admite como máximo {ctx.get('max_length')} elemento(s)"
    if kind in {"list_type", "tuple_type"}:
        return "debe ser una lista"
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return "debe ser un registro con campos"
    return f"valor inválido: {error.get('msg')}"


def issues_from_validation(error: ValidationError, prefix: Loc = ()) -> list[PlanIssue]:
    return [
        PlanIssue(loc=prefix + tuple(item["loc"]), code=_code(item["type"]), message=_spanish(item))
        for item in error.errors()
    ]


def _code(pydantic_type: str) -> str:
    if pydantic_type == "missing":
        return "missing_field"
    if pydantic_type == "extra_forbidden":
        return "unknown_field"
    if pydantic_type in {"int_parsing", "float_parsing", "int_type", "float_type", "int_from_float"}:
        return "not_a_number"
    if pydantic_type.startswith("date"):
        return "not_a_date"
    return f"invalid_{pydantic_type}"
