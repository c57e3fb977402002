"""The plan as planners write it: plan → strategic axes → objectives → programmes → initiatives.

Attribute names are English (the code's language); every field has a Spanish alias, which is the
name planners see in the YAML file and as the Excel column header. Amounts are whole Chilean pesos;
dates are calendar dates in America/Santiago. Only the shape of each record is checked here; rules
that relate records to each other (unknown department, cycles, dates) are in ``shared.plan.rules``.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.events import MAX_CLP

Code = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=r"^[A-Z0-9][A-Z0-9._-]*$"),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]
Month = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Ring = Annotated[list[tuple[Longitude, Latitude]], Field(min_length=4)]
"""A closed polygon ring of (longitude, latitude) pairs, GeoJSON order; first point = last point."""


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class InitiativeKind(StrEnum):
    PROJECT = "proyecto"
    PROGRAMME = "programa"
    STUDY = "estudio"
    ACTION = "accion"


class IndicatorCategory(StrEnum):
    EARLY_WARNING = "alerta_temprana"
    DEPARTMENT_GOAL = "meta_departamento"
    PROGRAMME_GOAL = "meta_programa"


class IndicatorDimension(StrEnum):
    EFFICACY = "eficacia"
    EFFICIENCY = "eficiencia"
    EFFECTIVENESS = "efectividad"
    COVERAGE = "cobertura"
    QUALITY = "calidad"


class Direction(StrEnum):
    UP_IS_GOOD = "ascendente"
    DOWN_IS_GOOD = "descendente"


class Periodicity(StrEnum):
    MONTHLY = "mensual"
    QUARTERLY = "trimestral"
    HALF_YEARLY = "semestral"
    YEARLY = "anual"


class ProgressCurve(StrEnum):
    LINEAR = "lineal"
    MONTHLY_PLAN = "mensual"


class Person(Record):
    name: Text = Field(alias="nombre")
    email: Email = Field(alias="email")
    role: Text | None = Field(None, alias="cargo")


class PlanHeader(Record):
    code: Code = Field(alias="codigo")
    name: Text = Field(alias="nombre")
    commune: Text = Field(alias="comuna")
    period_start: dt.date = Field(alias="inicio")
    period_end: dt.date = Field(alias="termino")
    management_unit: Person = Field(alias="unidad_ejecutora", description="Unidad Ejecutora Comunal")
    commune_boundary: Ring = Field(alias="limite_comunal")


class Department(Record):
    code: Code = Field(alias="codigo")
    name: Text = Field(alias="nombre")
    head: Person = Field(alias="jefatura")


class Territory(Record):
    code: Code = Field(alias="codigo")
    name: Text = Field(alias="nombre")
    boundary: Ring = Field(alias="limite")


class Locality(Record):
    code: Code = Field(alias="codigo")
    name: Text = Field(alias="nombre")
    territory: Code = Field(alias="territorio")
    latitude: Latitude = Field(alias="latitud")
    longitude: Longitude = Field(alias="longitud")


class FundingSource(Record):
    code: Code = Field(alias="codigo")
    name: Text = Field(alias="nombre")
    level: Annotated[str, StringConstraints(pattern="^(municipal|regional|sectorial|privado)$")] = Field(
        alias="nivel"
    )


class StrategicAxis(Record):
    code: Code = Field(alias="codigo")
    name: Text = Field(alias="nombre")
    description: LongText = Field("", alias="descripcion")


class Objective(Record):
    """A strategic objective; its territories make the image-objective layer of the GIS."""

    code: Code = Field(alias="codigo")
    axis: Code = Field(alias="eje")
    name: Text = Field(alias="nombre")
    territories: list[Code] = Field(alias="territorios", min_length=1)


class Programme(Record):
    code: Code = Field(alias="codigo")
    objective: Code = Field(alias="objetivo")
    name: Text = Field(alias="nombre")


class Problem(Record):
    """A prioritised problem of the diagnosis (stage 1 of the plan), located in a territory."""

    code: Code = Field(alias="codigo")
    territory: Code = Field(alias="territorio")
    locality: Code | None = Field(None, alias="localidad")
    theme: Text = Field(alias="tema")
    description: LongText = Field(alias="descripcion")
    severity: int = Field(alias="severidad", ge=1, le=5, description="1 leve … 5 crítico")
    priority: int = Field(alias="prioridad", ge=1, description="1 = most urgent in its territory")


class Funding(Record):
    source: Code = Field(alias="fuente")
    amount_clp: int = Field(alias="monto_clp", ge=0, le=MAX_CLP)


class Beneficiaries(Record):
    count: int = Field(alias="cantidad", ge=0)
    groups: list[Text] = Field(default_factory=list, alias="grupos")


class PlannedMonth(Record):
    month: Month = Field(alias="mes")
    progress_pct: float = Field(alias="avance_pct", ge=0, le=100, allow_inf_nan=False)


class Milestone(Record):
    code: Code = Field(alias="codigo")
    name: Text = Field(alias="nombre")
    due: dt.date = Field(alias="fecha")
    owner: Email = Field(alias="responsable")


class TrafficLight(Record):
    """Efficacy (% of the way from baseline to target) at or above ``green`` is green, at or above
    ``yellow`` is yellow, below is red."""

    green: float = Field(alias="verde", gt=0, le=100, allow_inf_nan=False)
    yellow: float = Field(alias="amarillo", ge=0, lt=100, allow_inf_nan=False)


class Indicator(Record):
    code: Code = Field(alias="codigo")
    name: Text = Field(alias="nombre")
    category: IndicatorCategory = Field(alias="categoria")
    dimension: IndicatorDimension = Field(alias="dimension")
    unit: Text = Field(alias="unidad")
    baseline: float = Field(alias="linea_base", allow_inf_nan=False)
    target: float = Field(alias="meta", allow_inf_nan=False)
    target_date: dt.date = Field(alias="fecha_meta")
    direction: Direction = Field(alias="sentido")
    periodicity: Periodicity = Field(alias="periodicidad")
    thresholds: TrafficLight = Field(alias="semaforo")


class Initiative(Record):
    code: Code = Field(alias="codigo")
    name: Text = Field(alias="nombre")
    kind: InitiativeKind = Field(alias="tipo")
    programme: Code = Field(alias="programa")
    responsible_unit: Code = Field(alias="unidad_responsable")
    officers: list[Person] = Field(alias="responsables", min_length=1)
    territory: Code = Field(alias="territorio")
    locality: Code = Field(alias="localidad")
    latitude: Latitude | None = Field(None, alias="latitud", description="Defaults to the locality's")
    longitude: Longitude | None = Field(None, alias="longitud")
    budget_clp: int = Field(alias="presupuesto_clp", ge=0, le=MAX_CLP)
    funding: list[Funding] = Field(alias="financiamiento", min_length=1)
    start: dt.date = Field(alias="inicio")
    end: dt.date = Field(alias="termino")
    curve: ProgressCurve = Field(ProgressCurve.LINEAR, alias="curva")
    monthly_plan: list[PlannedMonth] = Field(default_factory=list, alias="plan_mensual")
    beneficiaries: Beneficiaries = Field(alias="beneficiarios")
    predecessors: list[Code] = Field(default_factory=list, alias="predecesoras")
    milestones: list[Milestone] = Field(default_factory=list, alias="hitos")
    indicators: list[Indicator] = Field(default_factory=list, alias="indicadores")


class Plan(Record):
    header: PlanHeader = Field(alias="plan")
    departments: list[Department] = Field(alias="departamentos")
    territories: list[Territory] = Field(alias="territorios")
    localities: list[Locality] = Field(alias="localidades")
    funding_sources: list[FundingSource] = Field(alias="fuentes_financiamiento")
    axes: list[StrategicAxis] = Field(alias="ejes")
    objectives: list[Objective] = Field(alias="objetivos")
    programmes: list[Programme] = Field(alias="programas")
    problems: list[Problem] = Field(default_factory=list, alias="problemas")
    initiatives: list[Initiative] = Field(alias="iniciativas")

    def to_document(self) -> dict:
        """The canonical plan document: Spanish keys, JSON types, defaults written out, every list
        of coded records in code order (so that two plans with the same content are equal)."""
        document = self.model_dump(mode="json", by_alias=True)
        for section in SECTIONS:
            document[section].sort(key=_by_code)
        for initiative in document["iniciativas"]:
            initiative["hitos"].sort(key=_by_code)
            initiative["indicadores"].sort(key=_by_code)
        return document


def _by_code(record: dict) -> str:
    return record["codigo"]


SECTIONS: dict[str, type[Record]] = {
    "departamentos": Department,
    "territorios": Territory,
    "localidades": Locality,
    "fuentes_financiamiento": FundingSource,
    "ejes": StrategicAxis,
    "objetivos": Objective,
    "programas": Programme,
    "problemas": Problem,
    "iniciativas": Initiative,
}
"""The plan's list sections, by their Spanish key, in document order."""
