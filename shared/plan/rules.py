"""Validation of a plan document: every problem at once, each at its place, nothing half-accepted.

First each record is checked on its own (``shared.plan.model``); then the rules that relate records
to each other run over the records that passed: unknown references, duplicate codes, dates, money,
coordinates and the order of implementation. A plan is accepted only with no issue at all.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from shared.plan.geo import point_in_ring
from shared.plan.issues import Loc, PlanIssue, issues_from_validation, loc_label
from shared.plan.model import (
    SECTIONS,
    Indicator,
    Initiative,
    Milestone,
    Plan,
    PlanHeader,
    ProgressCurve,
    Record,
)

REQUIRED_SECTIONS = {
    "departamentos", "territorios", "localidades", "fuentes_financiamiento", "ejes", "objetivos",
    "programas", "iniciativas",
}


@dataclass
class Parsed:
    """The records that passed their own checks, with their place in the document."""

    header: PlanHeader | None = None
    sections: dict[str, list[tuple[int, Any]]] = field(default_factory=lambda: defaultdict(list))
    known_codes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def items(self, section: str) -> list[tuple[int, Any]]:
        return self.sections.get(section, [])


def validate_document(document: Any) -> tuple[Plan | None, list[PlanIssue]]:
    """The plan, or None and every issue found."""
    if not isinstance(document, dict):
        return None, [PlanIssue((), "not_a_plan", "el archivo no contiene un plan (se esperaba un registro con secciones)")]
    parsed, issues = _parse_records(document)
    issues += list(_relational_issues(parsed))
    if issues:
        return None, issues
    try:
        return Plan.model_validate(document), []
    except ValidationError as error:  # pragma: no cover - the record checks above cover the model
        return None, issues_from_validation(error)


def _parse_records(document: dict[str, Any]) -> tuple[Parsed, list[PlanIssue]]:
    parsed = Parsed()
    issues: list[PlanIssue] = []
    for key in document:
        if key != "plan" and key not in SECTIONS:
            issues.append(PlanIssue((key,), "unknown_section", f"sección desconocida «{key}»"))
    if "plan" not in document:
        issues.append(PlanIssue(("plan",), "missing_field", "falta la sección «plan» (datos generales)"))
    else:
        try:
            parsed.header = PlanHeader.model_validate(document["plan"])
        except ValidationError as error:
            issues += issues_from_validation(error, ("plan",))
    for section, model in SECTIONS.items():
        if section not in document:
            if section in REQUIRED_SECTIONS:
                issues.append(PlanIssue((section,), "missing_field", f"falta la sección «{section}»"))
            continue
        records = document[section]
        if not isinstance(records, list):
            issues.append(PlanIssue((section,), "not_a_list", "debe ser una lista de registros"))
            continue
        for index, raw in enumerate(records):
            if isinstance(raw, dict) and isinstance(raw.get("codigo"), str):
                parsed.known_codes[section].add(raw["codigo"].strip())
                if section == "iniciativas":
                    _note_child_codes(parsed, raw)
            if section == "iniciativas" and isinstance(raw, dict):
                record, record_issues = _parse_initiative(raw, index)
            else:
                record, record_issues = _parse_record(model, raw, (section, index))
            issues += record_issues
            if record is not None:
                parsed.sections[section].append((index, record))
    return parsed, issues


def _parse_record(model: type[Record], raw: Any, loc: Loc) -> tuple[Any, list[PlanIssue]]:
    try:
        return model.model_validate(raw), []
    except ValidationError as error:
        return None, issues_from_validation(error, loc)


def _parse_initiative(raw: dict[str, Any], index: int) -> tuple[Initiative | None, list[PlanIssue]]:
    """An initiative, and its milestones and indicators each on their own, so that one bad
    indicator does not hide the initiative's other problems."""
    here: Loc = ("iniciativas", index)
    shell, issues = _parse_record(Initiative, {**raw, "hitos": [], "indicadores": []}, here)
    children: dict[str, list[Any]] = {}
    for key, model in (("hitos", Milestone), ("indicadores", Indicator)):
        items = raw.get(key, [])
        if not isinstance(items, list):
            issues.append(PlanIssue(here + (key,), "not_a_list", "debe ser una lista de registros"))
            continue
        children[key] = []
        for position, item in enumerate(items):
            child, child_issues = _parse_record(model, item, here + (key, position))
            issues += child_issues
            if child is not None:
                children[key].append(child)
    if shell is None:
        return None, issues
    # The rules run on what parsed: an initiative with a bad child is checked without that child.
    return shell.model_copy(
        update={"milestones": children.get("hitos", []), "indicators": children.get("indicadores", [])}
    ), issues


def _note_child_codes(parsed: Parsed, raw: dict[str, Any]) -> None:
    for child in ("hitos", "indicadores"):
        for item in raw.get(child) or []:
            if isinstance(item, dict) and isinstance(item.get("codigo"), str):
                parsed.known_codes[child].add(item["codigo"].strip())


# --- rules between records ------------------------------------------------------------------------


def _relational_issues(parsed: Parsed) -> Iterator[PlanIssue]:
    yield from _duplicate_codes(parsed)
    yield from _references(parsed)
    yield from _geography(parsed)
    yield from _initiative_rules(parsed)
    yield from _predecessor_cycles(parsed)


def _duplicate_codes(parsed: Parsed) -> Iterator[PlanIssue]:
    for section in SECTIONS:
        yield from _duplicates(((section, i), r.code) for i, r in parsed.items(section))
    # Milestones and indicators are reported by code alone, so their codes are unique plan-wide.
    for child in ("milestones", "indicators"):
        key = "hitos" if child == "milestones" else "indicadores"
        yield from _duplicates(
            (("iniciativas", i, key, j), item.code)
            for i, initiative in parsed.items("iniciativas")
            for j, item in enumerate(getattr(initiative, child))
        )


def _duplicates(places: Iterable[tuple[Loc, str]]) -> Iterator[PlanIssue]:
    first_seen: dict[str, Loc] = {}
    for loc, code in places:
        if code in first_seen:
            yield PlanIssue(
                loc + ("codigo",), "duplicate_code",
                f"el código {code} está repetido (ya usado en {loc_label(first_seen[code])})",
            )
        else:
            first_seen[code] = loc


def _unknown(loc: Loc, what: str, code: str, where: str) -> PlanIssue:
    return PlanIssue(loc, "unknown_reference", f"{what} «{code}» no existe en la sección «{where}»")


def _references(parsed: Parsed) -> Iterator[PlanIssue]:
    known = parsed.known_codes
    for i, locality in parsed.items("localidades"):
        if locality.territory not in known["territorios"]:
            yield _unknown(("localidades", i, "territorio"), "el territorio", locality.territory, "territorios")
    for i, objective in parsed.items("objetivos"):
        if objective.axis not in known["ejes"]:
            yield _unknown(("objetivos", i, "eje"), "el eje", objective.axis, "ejes")
        for j, territory in enumerate(objective.territories):
            if territory not in known["territorios"]:
                yield _unknown(("objetivos", i, "territorios", j), "el territorio", territory, "territorios")
    for i, programme in parsed.items("programas"):
        if programme.objective not in known["objetivos"]:
            yield _unknown(("programas", i, "objetivo"), "el objetivo", programme.objective, "objetivos")
    locality_territory = {loc.code: loc.territory for _, loc in parsed.items("localidades")}
    for i, problem in parsed.items("problemas"):
        if problem.territory not in known["territorios"]:
            yield _unknown(("problemas", i, "territorio"), "el territorio", problem.territory, "territorios")
        if problem.locality is not None:
            yield from _locality_reference(("problemas", i), problem.locality, problem.territory, known, locality_territory)
    for i, initiative in parsed.items("iniciativas"):
        here = ("iniciativas", i)
        for key, what, section, code in (
            ("programa", "el programa", "programas", initiative.programme),
            ("unidad_responsable", "el departamento", "departamentos", initiative.responsible_unit),
            ("territorio", "el territorio", "territorios", initiative.territory),
        ):
            if code not in known[section]:
                yield _unknown(here + (key,), what, code, section)
        yield from _locality_reference(here, initiative.locality, initiative.territory, known, locality_territory)
        for j, funding in enumerate(initiative.funding):
            if funding.source not in known["fuentes_financiamiento"]:
                yield _unknown(here + ("financiamiento", j, "fuente"), "la fuente", funding.source, "fuentes_financiamiento")
        for j, predecessor in enumerate(initiative.predecessors):
            if predecessor == initiative.code:
                yield PlanIssue(here + ("predecesoras", j), "self_predecessor", "una iniciativa no puede ser predecesora de sí misma")
            elif predecessor not in known["iniciativas"]:
                yield _unknown(here + ("predecesoras", j), "la iniciativa", predecessor, "iniciativas")


def _locality_reference(
    here: Loc, locality: str, territory: str, known: dict[str, set[str]], locality_territory: dict[str, str]
) -> Iterator[PlanIssue]:
    if locality not in known["localidades"]:
        yield _unknown(here + ("localidad",), "la localidad", locality, "localidades")
    elif locality in locality_territory and locality_territory[locality] != territory:
        yield PlanIssue(
            here + ("localidad",), "locality_outside_territory",
            f"la localidad «{locality}» pertenece al territorio «{locality_territory[locality]}», no a «{territory}»",
        )


def _geography(parsed: Parsed) -> Iterator[PlanIssue]:
    boundary = parsed.header.commune_boundary if parsed.header else None
    rings = [("plan", "limite_comunal", boundary)] if boundary else []
    rings += [(("territorios", i), "limite", t.boundary) for i, t in parsed.items("territorios")]
    for place, key, ring in rings:
        loc = (place, key) if isinstance(place, str) else place + (key,)
        if ring[0] != ring[-1]:
            yield PlanIssue(loc, "open_polygon", "el polígono debe cerrarse: el último punto debe repetir el primero")
    if boundary is None:
        return
    territory_rings = {t.code: t.boundary for _, t in parsed.items("territorios")}
    for i, territory in parsed.items("territorios"):
        outside = [p for p in territory.boundary if not point_in_ring(p, boundary, on_edge=True)]
        if outside:
            lon, lat = outside[0]
            yield PlanIssue(
                ("territorios", i, "limite"), "outside_commune",
                f"el límite del territorio sale de la comuna (punto latitud {lat}, longitud {lon})",
            )
    for i, locality in parsed.items("localidades"):
        point = (locality.longitude, locality.latitude)
        if not point_in_ring(point, boundary):
            yield _outside_commune(("localidades", i, "latitud"), point)
        elif locality.territory in territory_rings and not point_in_ring(point, territory_rings[locality.territory]):
            yield PlanIssue(
                ("localidades", i, "latitud"), "outside_territory",
                f"las coordenadas (latitud {point[1]}, longitud {point[0]}) quedan fuera del territorio «{locality.territory}»",
            )
    for i, initiative in parsed.items("iniciativas"):
        if (initiative.latitude is None) != (initiative.longitude is None):
            yield PlanIssue(("iniciativas", i, "latitud"), "incomplete_point", "indique latitud y longitud, o ninguna de las dos")
        elif initiative.latitude is not None:
            point = (initiative.longitude, initiative.latitude)
            if not point_in_ring(point, boundary):
                yield _outside_commune(("iniciativas", i, "latitud"), point)


def _outside_commune(loc: Loc, point: tuple[float, float]) -> PlanIssue:
    return PlanIssue(
        loc, "outside_commune",
        f"las coordenadas (latitud {point[1]}, longitud {point[0]}) quedan fuera de la comuna",
    )


def _initiative_rules(parsed: Parsed) -> Iterator[PlanIssue]:
    header = parsed.header
    for i, initiative in parsed.items("iniciativas"):
        here = ("iniciativas", i)
        yield from _initiative_dates(here, initiative, header)
        dates_make_sense = initiative.start <= initiative.end
        total = sum(f.amount_clp for f in initiative.funding)
        if total != initiative.budget_clp:
            yield PlanIssue(
                here + ("financiamiento",), "funding_mismatch",
                f"el financiamiento suma {_clp(total)} y el presupuesto es {_clp(initiative.budget_clp)}",
            )
        if dates_make_sense:  # otherwise every dated record would be reported outside them too
            yield from _monthly_plan(here, initiative)
        for j, milestone in enumerate(initiative.milestones):
            if dates_make_sense and not initiative.start <= milestone.due <= initiative.end:
                yield PlanIssue(
                    here + ("hitos", j, "fecha"), "milestone_outside_initiative",
                    f"el hito vence el {milestone.due:%d-%m-%Y}, fuera de la iniciativa "
                    f"({initiative.start:%d-%m-%Y} a {initiative.end:%d-%m-%Y})",
                )
        for j, indicator in enumerate(initiative.indicators):
            at = here + ("indicadores", j)
            if indicator.thresholds.yellow >= indicator.thresholds.green:
                yield PlanIssue(at + ("semaforo",), "thresholds_out_of_order", "el umbral verde debe ser mayor que el amarillo")
            if indicator.target == indicator.baseline:
                yield PlanIssue(at + ("meta",), "target_equals_baseline", "la meta es igual a la línea base: no mide avance")
            elif (indicator.target > indicator.baseline) != (indicator.direction == "ascendente"):
                yield PlanIssue(
                    at + ("sentido",), "direction_contradicts_target",
                    f"el sentido «{indicator.direction}» contradice la meta {indicator.target} "
                    f"frente a la línea base {indicator.baseline}",
                )
            if header and not header.period_start <= indicator.target_date <= header.period_end:
                yield PlanIssue(at + ("fecha_meta",), "outside_plan_period", "la fecha de la meta está fuera del período del plan")


def _initiative_dates(here: Loc, initiative: Initiative, header: PlanHeader | None) -> Iterator[PlanIssue]:
    if initiative.end < initiative.start:
        yield PlanIssue(
            here + ("termino",), "end_before_start",
            f"el término ({initiative.end:%d-%m-%Y}) es anterior al inicio ({initiative.start:%d-%m-%Y})",
        )
    if header:
        for key, day in (("inicio", initiative.start), ("termino", initiative.end)):
            if not header.period_start <= day <= header.period_end:
                yield PlanIssue(
                    here + (key,), "outside_plan_period",
                    f"la fecha {day:%d-%m-%Y} está fuera del período del plan "
                    f"({header.period_start:%d-%m-%Y} a {header.period_end:%d-%m-%Y})",
                )


def _monthly_plan(here: Loc, initiative: Initiative) -> Iterator[PlanIssue]:
    months = initiative.monthly_plan
    if initiative.curve == ProgressCurve.MONTHLY_PLAN and not months:
        yield PlanIssue(here + ("plan_mensual",), "missing_monthly_plan", "la curva «mensual» necesita un plan mensual")
        return
    if initiative.curve == ProgressCurve.LINEAR and months:
        yield PlanIssue(here + ("curva",), "unused_monthly_plan", "hay plan mensual pero la curva es «lineal»; use «mensual»")
    first, last = _month(initiative.start), _month(initiative.end)
    previous_month, previous_pct = None, 0.0
    for j, planned in enumerate(months):
        month = dt.date.fromisoformat(planned.month + "-01")
        at = here + ("plan_mensual", j)
        if not first <= month <= last:
            yield PlanIssue(at + ("mes",), "outside_initiative", f"el mes {planned.month} está fuera de la iniciativa")
        if previous_month and month <= previous_month:
            yield PlanIssue(at + ("mes",), "months_out_of_order", "los meses deben ir en orden y sin repetirse")
        if planned.progress_pct < previous_pct:
            yield PlanIssue(at + ("avance_pct",), "decreasing_plan", "el avance planificado no puede disminuir")
        previous_month, previous_pct = month, planned.progress_pct
    if months and months[-1].progress_pct != 100:
        yield PlanIssue(here + ("plan_mensual", len(months) - 1, "avance_pct"), "plan_not_complete", "el plan mensual debe terminar en 100 %")


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _predecessor_cycles(parsed: Parsed) -> Iterator[PlanIssue]:
    graph = {initiative.code: initiative.predecessors for _, initiative in parsed.items("iniciativas")}
    index_of = {initiative.code: i for i, initiative in parsed.items("iniciativas")}
    reported: set[frozenset[str]] = set()
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(code: str) -> Iterator[list[str]]:
        state[code] = 1
        path.append(code)
        for predecessor in graph.get(code, []):
            if state.get(predecessor) == 1:
                yield path[path.index(predecessor):] + [predecessor]
            elif predecessor in graph and predecessor not in state:
                yield from visit(predecessor)
        path.pop()
        state[code] = 2

    for code in graph:
        if code in state:
            continue
        for cycle in visit(code):
            if frozenset(cycle) in reported:
                continue
            reported.add(frozenset(cycle))
            yield PlanIssue(
                ("iniciativas", index_of[cycle[0]], "predecesoras"), "predecessor_cycle",
                "las predecesoras forman un ciclo: " + " → ".join(cycle),
            )


def _clp(amount: int) -> str:
    return "$" + f"{amount:,}".replace(",", ".")
