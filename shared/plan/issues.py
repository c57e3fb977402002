"""What is wrong with a plan file, said so that a planner can find it and fix it.

A ``PlanIssue`` names the place by its document path (``("iniciativas", 3, "hitos", 1, "fecha")``);
a ``SourceMap`` turns that path into the planner's words: the file and line of the YAML form, or the
sheet, row and column of the workbook. Messages are in Spanish (Chile): planners read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import ValidationError

from shared.problems import error_code, error_message

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


def issues_from_validation(error: ValidationError, prefix: Loc = ()) -> list[PlanIssue]:
    return [
        PlanIssue(loc=prefix + tuple(item["loc"]), code=error_code(item), message=error_message(item, _PATTERN_MESSAGES))
        for item in error.errors()
    ]


