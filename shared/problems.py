"""Problems found in input, as every door answers them: a path naming the place, a stable machine
code, and a message in Spanish (officers and municipal systems' operators read them).

``problems_from_validation`` turns pydantic's errors into these, e.g. a ``less_than_equal`` error at
``("physical_progress_pct",)`` for 140 becomes ``Problem("$.physical_progress_pct", "out_of_range",
"debe ser menor o igual a 100; se recibió 140")``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError


@dataclass(frozen=True)
class Problem:
    path: str
    code: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"path": self.path, "code": self.code, "message": self.message}


def json_path(loc: tuple[Any, ...]) -> str:
    path = "$"
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def problems_from_validation(error: ValidationError, prefix: tuple[Any, ...] = ()) -> list[Problem]:
    return problems_from_errors(error.errors(), prefix)


def problems_from_errors(errors: list[Any], prefix: tuple[Any, ...] = ()) -> list[Problem]:
    """The problems of pydantic's (or FastAPI's request validation) error items."""
    return [Problem(json_path(prefix + tuple(item["loc"])), error_code(item), error_message(item)) for item in errors]


# The one translation of validation errors into codes and Spanish messages: the JSON door, the
# spreadsheets and the plan files all call these, so one bad value gets one code everywhere
# (docs/ingest.md lists the codes).

_RANGE = {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}


def error_code(item: dict[str, Any]) -> str:
    """The stable code of one pydantic error item."""
    kind = item["type"]
    if kind in {"missing", "string_too_short"}:
        return "missing_field"
    if kind == "extra_forbidden":
        return "unknown_field"
    if kind in _RANGE:
        return "out_of_range"
    if kind.startswith(("int", "float", "finite")):
        return "not_a_number"
    if kind.startswith("date"):
        return "not_a_date"
    if kind.startswith("uuid"):
        return "invalid_event_id"
    if kind == "string_pattern_mismatch":
        return "invalid_format"
    if kind in {"string_too_long", "too_long"}:
        return "too_long"
    if kind == "too_short":
        return "too_short"
    if kind in {"literal_error", "enum"}:
        return "not_allowed"
    if kind == "string_type":
        return "not_a_text"
    if kind in {"list_type", "tuple_type"}:
        return "not_a_list"
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return "not_an_object"
    return "invalid_value"


def _number(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def error_message(item: dict[str, Any], patterns: dict[str, str] | None = None) -> str:
    """What the person who sent the value reads, in Spanish. ``patterns`` names a format by a piece
    of its regular expression (the plan files' codes, e-mails, months)."""
    kind, ctx, value = item["type"], item.get("ctx") or {}, item.get("input")
    if kind == "string_pattern_mismatch":
        for needle, message in (patterns or {}).items():
            if needle in str(ctx.get("pattern", "")):
                return f"{message}; se recibió {value!r}"
        return f"formato inválido: {value!r}"
    messages = {
        "missing": "falta este dato",
        "string_too_short": "no puede quedar vacío",
        "extra_forbidden": "campo desconocido (revise el nombre del campo o de la columna)",
        "greater_than_equal": f"debe ser mayor o igual a {_number(ctx.get('ge'))}; se recibió {value!r}",
        "greater_than": f"debe ser mayor que {_number(ctx.get('gt'))}; se recibió {value!r}",
        "less_than_equal": f"debe ser menor o igual a {_number(ctx.get('le'))}; se recibió {value!r}",
        "less_than": f"debe ser menor que {_number(ctx.get('lt'))}; se recibió {value!r}",
        "string_too_long": f"es demasiado largo (máximo {ctx.get('max_length')} caracteres)",
        "too_long": f"admite como máximo {ctx.get('max_length')} elemento(s)",
        "too_short": f"debe tener al menos {ctx.get('min_length')} elemento(s)",
        "literal_error": f"valor no permitido {value!r}; use uno de: {ctx.get('expected')}",
        "enum": f"valor no permitido {value!r}; use uno de: {ctx.get('expected')}",
        "string_type": f"debe ser un texto, no {value!r}",
        "list_type": "debe ser una lista",
        "tuple_type": "debe ser una lista",
        "model_type": "debe ser un objeto (un registro con campos)",
        "dict_type": "debe ser un objeto (un registro con campos)",
        "model_attributes_type": "debe ser un objeto (un registro con campos)",
    }
    if kind in messages:
        return messages[kind]
    if kind in {"int_parsing", "int_from_float", "int_type"}:
        return f"debe ser un número entero, no {value!r}"
    if kind.startswith(("int", "float", "finite")):
        return f"debe ser un número, no {value!r}"
    if kind.startswith("date"):
        return f"debe ser una fecha AAAA-MM-DD, no {value!r}"
    if kind.startswith("uuid"):
        return f"event_id debe ser un UUID, no {value!r}"
    return f"valor inválido: {item.get('msg')}"
