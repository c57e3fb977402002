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


def error_code(item: dict[str, Any]) -> str:
    kind = item["type"]
    if kind == "missing":
        return "missing_field"
    if kind == "extra_forbidden":
        return "unknown_field"
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        return "out_of_range"
    if kind.startswith(("int", "float")):
        return "not_a_number"
    if kind.startswith("date"):
        return "not_a_date"
    if kind.startswith("uuid"):
        return "invalid_event_id"
    return f"invalid_{kind}"


def _number(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def error_message(item: dict[str, Any]) -> str:
    kind, ctx, value = item["type"], item.get("ctx") or {}, item.get("input")
    messages = {
        "missing": "falta este dato",
        "extra_forbidden": "campo desconocido",
        "greater_than_equal": f"debe ser mayor o igual a {_number(ctx.get('ge'))}; se recibió {value!r}",
        "less_than_equal": f"debe ser menor o igual a {_number(ctx.get('le'))}; se recibió {value!r}",
        "string_too_long": f"es demasiado largo (máximo {ctx.get('max_length')} caracteres)",
        "string_too_short": "no puede quedar vacío",
        "too_long": f"admite como máximo {ctx.get('max_length')} elementos",
        "literal_error": f"valor no permitido {value!r}; use uno de: {ctx.get('expected')}",
        "string_pattern_mismatch": f"formato inválido: {value!r}",
        "model_type": "debe ser un objeto JSON",
        "model_attributes_type": "debe ser un objeto JSON",
        "list_type": "debe ser una lista",
        "string_type": "debe ser un texto",
    }
    if kind in messages:
        return messages[kind]
    if kind.startswith(("int", "float")):
        return f"debe ser un número, no {value!r}"
    if kind.startswith("date"):
        return f"debe ser una fecha AAAA-MM-DD, no {value!r}"
    if kind.startswith("uuid"):
        return f"event_id debe ser un UUID, no {value!r}"
    return f"valor inválido: {item['msg']}"
