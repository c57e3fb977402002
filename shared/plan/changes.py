"""What changed between two revisions of a plan, named as a planner or an auditor would say it.

A plan document is seen as a set of records, each identified by (entity, code): the plan header,
departments, territories, …, initiatives (without their milestones and indicators), milestones and
indicators (each with its initiative's code). The difference between two documents is a list of
``PlanChange``: ``<entity>.defined``, ``<entity>.removed``, and for a changed record one change per
named group of fields (``initiative.budget_changed``, ``indicator.target_changed``,
``milestone.rescheduled``, … and ``<entity>.updated`` for the rest).

``assemble_document`` is the inverse of ``plan_records``: the catalogue stores records and rebuilds
the document from them for export.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any
from uuid import UUID, uuid4

from shared.events import EventEnvelope, FieldChange, PlanChange, PlanRevised

RecordKey = tuple[str, str]

SECTION_OF = {
    "department": "departamentos",
    "territory": "territorios",
    "locality": "localidades",
    "funding_source": "fuentes_financiamiento",
    "axis": "ejes",
    "objective": "objetivos",
    "programme": "programas",
    "problem": "problemas",
    "initiative": "iniciativas",
}
ENTITY_ORDER = ("plan", *SECTION_OF, "milestone", "indicator")
CHILDREN = {"milestone": "hitos", "indicator": "indicadores"}
PARENT_KEY = "iniciativa"

NAMED_CHANGES: dict[str, tuple[tuple[str, frozenset[str]], ...]] = {
    "initiative": (
        ("budget_changed", frozenset({"presupuesto_clp"})),
        ("funding_changed", frozenset({"financiamiento"})),
        ("rescheduled", frozenset({"inicio", "termino", "curva", "plan_mensual"})),
        ("responsibility_changed", frozenset({"unidad_responsable", "responsables"})),
        ("predecessors_changed", frozenset({"predecesoras"})),
    ),
    "indicator": (
        ("target_changed", frozenset({"meta", "fecha_meta"})),
        ("baseline_changed", frozenset({"linea_base"})),
        ("thresholds_changed", frozenset({"semaforo"})),
    ),
    "milestone": (
        ("rescheduled", frozenset({"fecha"})),
        ("reassigned", frozenset({"responsable"})),
    ),
    "plan": (("period_changed", frozenset({"inicio", "termino"})),),
}


def plan_records(document: dict[str, Any]) -> dict[RecordKey, dict[str, Any]]:
    """Every record of a canonical plan document, keyed by (entity, code)."""
    records: dict[RecordKey, dict[str, Any]] = {("plan", document["plan"]["codigo"]): document["plan"]}
    for entity, section in SECTION_OF.items():
        for record in document[section]:
            if entity == "initiative":
                record = {k: v for k, v in record.items() if k not in CHILDREN.values()}
            records[(entity, record["codigo"])] = record
    for initiative in document["iniciativas"]:
        for entity, key in CHILDREN.items():
            for child in initiative[key]:
                records[(entity, child["codigo"])] = {PARENT_KEY: initiative["codigo"], **child}
    return records


def assemble_document(records: dict[RecordKey, dict[str, Any]]) -> dict[str, Any]:
    """The canonical plan document from its records (lists in code order)."""
    headers = [record for (entity, _), record in records.items() if entity == "plan"]
    if len(headers) != 1:
        raise ValueError(f"a plan has exactly one header record, found {len(headers)}")
    document: dict[str, Any] = {"plan": headers[0]}
    by_code = sorted(records.items(), key=lambda item: item[0][1])
    for entity, section in SECTION_OF.items():
        document[section] = [dict(record) for (kind, _), record in by_code if kind == entity]
    initiatives = {initiative["codigo"]: initiative for initiative in document["iniciativas"]}
    for initiative in initiatives.values():
        for key in CHILDREN.values():
            initiative[key] = []
    for (entity, code), record in by_code:
        if entity in CHILDREN:
            parent = initiatives.get(record[PARENT_KEY])
            if parent is None:
                raise ValueError(f"{entity} {code} belongs to unknown initiative {record[PARENT_KEY]}")
            parent[CHILDREN[entity]].append({k: v for k, v in record.items() if k != PARENT_KEY})
    return document


def diff_plans(before: dict[str, Any] | None, after: dict[str, Any]) -> list[PlanChange]:
    """The changes that turn document ``before`` (None: nothing loaded yet) into ``after``."""
    old = plan_records(before) if before else {}
    new = plan_records(after)
    changes: list[PlanChange] = []
    for key in sorted(old.keys() | new.keys(), key=_record_order):
        entity, code = key
        parent = (new.get(key) or old.get(key) or {}).get(PARENT_KEY)
        if key not in old:
            changes.append(PlanChange(change_type=f"{entity}.defined", entity=entity, code=code,
                                      initiative_code=parent, after=new[key]))
        elif key not in new:
            changes.append(PlanChange(change_type=f"{entity}.removed", entity=entity, code=code,
                                      initiative_code=parent, before=old[key]))
        elif old[key] != new[key]:
            changes += _named_changes(entity, code, parent, old[key], new[key])
    return changes


def _record_order(key: RecordKey) -> tuple[int, str]:
    return ENTITY_ORDER.index(key[0]), key[1]


def _named_changes(
    entity: str, code: str, parent: str | None, before: dict[str, Any], after: dict[str, Any]
) -> list[PlanChange]:
    changed = {
        name: FieldChange(before=before.get(name), after=after.get(name))
        for name in sorted(before.keys() | after.keys())
        if before.get(name) != after.get(name)
    }
    groups: list[tuple[str, dict[str, FieldChange]]] = []
    remaining = dict(changed)
    for name, fields in NAMED_CHANGES.get(entity, ()):
        group = {field: change for field, change in remaining.items() if field in fields}
        if group:
            groups.append((name, group))
            remaining = {field: change for field, change in remaining.items() if field not in fields}
    if remaining:
        groups.append(("updated", remaining))
    return [
        PlanChange(change_type=f"{entity}.{name}", entity=entity, code=code, initiative_code=parent,
                   fields=fields, after=after)
        for name, fields in groups
    ]


def apply_changes(
    records: dict[RecordKey, dict[str, Any]], changes: list[PlanChange]
) -> dict[RecordKey, dict[str, Any]]:
    """The records after the changes (what the catalogue projection does, in memory)."""
    result = dict(records)
    for change in changes:
        key = (change.entity, change.code)
        if change.after is None:
            result.pop(key, None)
        else:
            result[key] = change.after
    return result


def content_sha256(document: dict[str, Any]) -> str:
    """A fingerprint of a plan's content: SHA-256 of its canonical JSON."""
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class PlanMismatch(ValueError):
    """The file is a different plan from the one the catalogue holds."""


def revision_event(
    *,
    current_code: str | None,
    current_revision: int,
    current_document: dict[str, Any] | None,
    new_document: dict[str, Any],
    actor: str,
    reason: str,
    source_system: str,
    now: dt.datetime,
    event_id: UUID | None = None,
) -> EventEnvelope[PlanRevised] | None:
    """The event that turns the catalogue's plan into ``new_document``; None when nothing changed."""
    plan_code = new_document["plan"]["codigo"]
    if current_code is not None and current_code != plan_code:
        raise PlanMismatch(
            f"el catálogo contiene el plan {current_code} y el archivo es del plan {plan_code}"
        )
    changes = diff_plans(current_document, new_document)
    if not changes:
        return None
    payload = PlanRevised(
        plan_code=plan_code,
        revision=current_revision + 1,
        base_revision=current_revision,
        content_sha256=content_sha256(new_document),
        reason=reason,
        changes=changes,
    )
    return EventEnvelope.of(payload, event_id=event_id or uuid4(), at=now, source_system=source_system, actor=actor)


def change_summary(changes: list[PlanChange]) -> dict[str, int]:
    """How many changes of each type, for the planner's summary."""
    summary: dict[str, int] = {}
    for change in changes:
        summary[change.change_type] = summary.get(change.change_type, 0) + 1
    return dict(sorted(summary.items()))
