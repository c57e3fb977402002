"""Event contracts: the versioned messages that travel between services over Kafka.

Every message is an ``EventEnvelope`` serialised as JSON (UTF-8) with the initiative code as the
Kafka key. The envelope says what happened (``event_type`` + ``schema_version`` name the payload
model), when it happened (``occurred_at``), when the system accepted it (``recorded_at``), which
system sent it and who did it. Payload models are registered by (type, version): a consumer that
meets a version it does not know dead-letters the event instead of guessing.

docs/events.md documents each contract; the AsyncAPI document is generated from the same models.
Changing a payload incompatibly means a new ``SCHEMA_VERSION`` beside the old one, never an edit.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Annotated, Any, ClassVar, Generic, Literal, TypeVar
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)

from shared.terms import InitiativeStatus, Severity

InitiativeCode = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=r"^[A-Z0-9][A-Z0-9._-]*$")
]
Period = Annotated[str, StringConstraints(pattern=r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4]|-S[12])?$")]
"""A reporting period: a year (2023), a month (2023-06), a quarter (2023-Q2) or a half (2023-S1)."""
MAX_CLP = 2**63 - 1
"""Largest amount in pesos any message or file may carry: what a PostgreSQL ``bigint`` column holds,
so an amount accepted at the edge is never refused (dead-lettered) downstream."""


class Payload(BaseModel):
    """Base of every payload; subclasses set the event type and schema version they carry."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    EVENT_TYPE: ClassVar[str]
    SCHEMA_VERSION: ClassVar[int]

    def partition_key(self) -> str | None:
        """The Kafka key of an event that is not about one initiative (None: any partition)."""
        return None


PayloadT = TypeVar("PayloadT", bound=Payload)


class EventEnvelope(BaseModel, Generic[PayloadT]):
    """What every event carries, whatever its payload."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: UUID = Field(description="Unique id of the event; the idempotency key end to end.")
    event_type: str = Field(description="What happened, e.g. `progress.reported`.")
    schema_version: int = Field(ge=1, description="Version of the payload's contract.")
    occurred_at: AwareDatetime = Field(description="When it happened in the world (UTC).")
    recorded_at: AwareDatetime = Field(description="When the system accepted it (UTC).")
    source_system: str = Field(min_length=1, max_length=80, description="Sending system.")
    actor: str = Field(min_length=1, max_length=200, description="Who did it: officer or process.")
    initiative_code: InitiativeCode | None = Field(
        description="Initiative the event is about; also the Kafka message key."
    )
    payload: PayloadT

    @classmethod
    def of(
        cls,
        payload: PayloadT,
        *,
        event_id: UUID,
        at: dt.datetime,
        source_system: str,
        actor: str,
        initiative_code: str | None = None,
    ) -> EventEnvelope[PayloadT]:
        """An envelope for ``payload``, named by its type and version, that happened and was
        recorded ``at`` the given time."""
        return envelope_of(type(payload))(  # type: ignore[misc]
            event_id=event_id, event_type=payload.EVENT_TYPE, schema_version=payload.SCHEMA_VERSION,
            occurred_at=at, recorded_at=at, source_system=source_system, actor=actor,
            initiative_code=initiative_code, payload=payload,
        )

    def kafka_key(self) -> bytes | None:
        key = self.initiative_code or self.payload.partition_key()
        return key.encode() if key else None

    def to_wire(self) -> bytes:
        return self.model_dump_json().encode()

    def wire_headers(self) -> dict[str, str]:
        """Headers that let a consumer route or refuse a message before parsing its body."""
        return {
            "content-type": "application/json",
            "event-type": self.event_type,
            "schema-version": str(self.schema_version),
        }


# --- payloads -------------------------------------------------------------------------------------


class IndicatorMeasurement(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    indicator_code: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    value: float = Field(allow_inf_nan=False)
    period: Period


class MilestoneUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    milestone_code: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    status: Literal["pending", "in_progress", "done", "cancelled"]
    date: dt.date | None = Field(
        None, description="Date the milestone was done or cancelled (America/Santiago)."
    )


class ProgressReported(Payload):
    """An officer or a municipal system reports where an initiative stands at a date."""

    EVENT_TYPE: ClassVar[str] = "progress.reported"
    SCHEMA_VERSION: ClassVar[int] = 1

    initiative_code: InitiativeCode
    as_of: dt.date = Field(description="Date the figures describe (America/Santiago).")
    physical_progress_pct: float | None = Field(None, ge=0, le=100, allow_inf_nan=False)
    spent_to_date_clp: int | None = Field(
        None, ge=0, le=MAX_CLP, description="Cumulative amount spent, in Chilean pesos (no decimals)."
    )
    indicator_measurements: list[IndicatorMeasurement] = Field(default_factory=list, max_length=200)
    milestone_updates: list[MilestoneUpdate] = Field(default_factory=list, max_length=200)
    note: Annotated[str, StringConstraints(max_length=4000)] | None = None
    reporter: Annotated[str, StringConstraints(min_length=1, max_length=200)]


PlanEntity = Literal[
    "plan", "department", "territory", "locality", "funding_source", "axis", "objective",
    "programme", "problem", "initiative", "milestone", "indicator",
]


class FieldChange(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    before: Any = None
    after: Any = None


class PlanChange(BaseModel):
    """One named change to one record of the plan, e.g. `indicator.target_changed`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    change_type: Annotated[str, StringConstraints(pattern=r"^[a-z_]+\.[a-z_]+$")] = Field(
        description="`<entity>.defined`, `<entity>.removed`, or a named change such as "
        "`initiative.budget_changed`, `indicator.target_changed`, `milestone.rescheduled`."
    )
    entity: PlanEntity
    code: str = Field(min_length=1, max_length=80)
    initiative_code: str | None = Field(
        None, description="For milestones and indicators: the initiative they belong to."
    )
    fields: dict[str, FieldChange] = Field(
        default_factory=dict, description="Changed fields (plan-file names), before and after."
    )
    after: dict[str, Any] | None = Field(
        None, description="The record's whole new content (plan-file form); None when removed."
    )
    before: dict[str, Any] | None = Field(
        None, description="The record's content before, for removals."
    )


class PlanRevised(Payload):
    """A new revision of the plan was loaded: exactly what changed since the previous one, by whom
    (the envelope's actor) and why. The first load defines every record."""

    EVENT_TYPE: ClassVar[str] = "plan.revised"
    SCHEMA_VERSION: ClassVar[int] = 1

    plan_code: str = Field(min_length=1, max_length=80)
    revision: int = Field(ge=1, description="This revision's number; 1 for the first load.")
    base_revision: int = Field(ge=0, description="The revision the changes were computed against.")
    content_sha256: str = Field(
        pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the whole new plan (canonical JSON)."
    )
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    changes: list[PlanChange] = Field(min_length=1)

    def partition_key(self) -> str | None:
        # Every revision of a plan on one partition, so they are applied in order.
        return self.plan_code


class InitiativeFigures(BaseModel):
    """An initiative's earned-value and earned-schedule figures as of ``judged_on`` (docs/scorecard.md).
    The fields with defaults came with issue #13; events written before it lack them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    data_date: dt.date | None
    physical_progress_pct: float | None
    planned_progress_pct: float | None
    budget_clp: int
    earned_value_clp: float | None
    planned_value_clp: float | None
    actual_cost_clp: int | None
    spi: float | None
    cpi: float | None
    financial_execution_pct: float | None
    schedule_variance_clp: float | None = Field(None, description="SV = EV − PV.")
    cost_variance_clp: float | None = Field(None, description="CV = EV − AC.")
    estimate_at_completion_clp: float | None = Field(None, description="EAC = BAC / CPI.")
    status: InitiativeStatus
    report_count: int
    last_report_as_of: dt.date | None
    judged_on: dt.date | None = Field(None, description="The day (America/Santiago) the figures are taken as of.")
    earned_schedule_days: float | None = None
    actual_time_days: int | None = None
    spi_t: float | None = None
    schedule_variance_days: float | None = Field(None, description="SV(t) = ES − AT.")
    ieac_t_date: dt.date | None = Field(None, description="Completion estimate at the observed pace.")
    ieac_t_planned_date: dt.date | None = Field(None, description="Completion estimate, the rest at the planned pace.")


class IndicatorFigure(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    indicator_code: str
    value: float | None
    period: str | None
    efficacy_pct: float | None
    light: Literal["green", "yellow", "red", "no_data"]
    target_reached: bool


class MilestoneFigure(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    milestone_code: str
    status: Literal["pending", "in_progress", "done", "cancelled"]
    status_date: dt.date | None
    reported_as_of: dt.date


class IndicatorsUpdated(Payload):
    """An initiative's figures changed (a report, a late report, or a plan change): its current
    figures, which of them changed, and the indicators and milestones whose state changed."""

    EVENT_TYPE: ClassVar[str] = "indicators.updated"
    SCHEMA_VERSION: ClassVar[int] = 1

    initiative_code: InitiativeCode
    figures: InitiativeFigures
    changed: list[str] = Field(description="Names of the figures that changed.")
    indicators: list[IndicatorFigure] = Field(default_factory=list)
    milestones: list[MilestoneFigure] = Field(default_factory=list)
    caused_by: list[UUID] = Field(description="The events whose application changed the figures.")


class AlertChanged(Payload):
    """Base of the alert lifecycle events: the alert as it stands after the change."""

    alert_id: UUID
    fingerprint: str = Field(description="`rule:subject`: one open alert per rule and subject.")
    rule: str
    severity: Severity
    initiative_code: InitiativeCode
    initiative_name: str
    department_code: str
    subject_code: str = Field(description="The initiative, milestone or indicator the alert is about.")
    state: Literal["firing", "acknowledged", "resolved"]
    title: str = Field(description="Spanish one-liner.")
    message: str = Field(description="What happened (Spanish).")
    explanation: str = Field(description="Why: the figures, dates or forecast behind it (Spanish).")
    action: str = Field(description="What to do (Spanish).")
    escalation_level: int = Field(ge=0, le=2, description="0 officer, 1 department head, 2 plan management unit.")
    raised_at: AwareDatetime
    details: dict[str, Any] = Field(default_factory=dict)


class AlertRaised(AlertChanged):
    EVENT_TYPE: ClassVar[str] = "alert.raised"
    SCHEMA_VERSION: ClassVar[int] = 1


class AlertAcknowledged(AlertChanged):
    EVENT_TYPE: ClassVar[str] = "alert.acknowledged"
    SCHEMA_VERSION: ClassVar[int] = 1

    acknowledged_by: str


class AlertEscalated(AlertChanged):
    EVENT_TYPE: ClassVar[str] = "alert.escalated"
    SCHEMA_VERSION: ClassVar[int] = 1


class AlertResolved(AlertChanged):
    EVENT_TYPE: ClassVar[str] = "alert.resolved"
    SCHEMA_VERSION: ClassVar[int] = 1

    resolution: str = Field(description="Why it ended: the condition cleared, the initiative left the plan…")


class AuditHeadAdvanced(Payload):
    """The tamper-evident event log grew: its last row and head hash (shared/audit.py)."""

    EVENT_TYPE: ClassVar[str] = "audit.head_advanced"
    SCHEMA_VERSION: ClassVar[int] = 1

    last_seq: int = Field(ge=1)
    head_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    appended: int = Field(ge=1, description="Rows appended by this step.")

    def partition_key(self) -> str | None:
        return "event_log"


PAYLOAD_TYPES: dict[tuple[str, int], type[Payload]] = {
    (model.EVENT_TYPE, model.SCHEMA_VERSION): model
    for model in (ProgressReported, PlanRevised, IndicatorsUpdated, AlertRaised, AlertAcknowledged,
                  AlertEscalated, AlertResolved, AuditHeadAdvanced)
}


# --- dead letters ---------------------------------------------------------------------------------


class DeadLetter(BaseModel):
    """A message a consumer refused, with why and where it came from; nothing is dropped silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reason_code: str = Field(description="Stable machine code, e.g. `invalid_json`.")
    reason: str = Field(description="Plain explanation for the operator.")
    errors: list[dict[str, Any]] = Field(default_factory=list)
    consumer: str = Field(description="Consumer group that refused it.")
    source_topic: str
    source_partition: int
    source_offset: int
    source_key: str | None
    original_value: str = Field(description="The refused message, decoded as UTF-8 with replacement.")
    dead_lettered_at: AwareDatetime


# --- decoding -------------------------------------------------------------------------------------


class ContractViolation(Exception):
    """A message that is not a valid event of a known contract."""

    def __init__(self, reason_code: str, reason: str, errors: list[dict[str, Any]] | None = None):
        super().__init__(reason)
        self.reason_code = reason_code
        self.reason = reason
        self.errors = errors or []


_RAW_ENVELOPE = TypeAdapter(EventEnvelope[dict[str, Any]])  # type: ignore[type-var]


def decode_event(raw: bytes) -> EventEnvelope[Any]:
    """Parse a message from the wire into an envelope with its typed payload."""
    try:
        envelope = _RAW_ENVELOPE.validate_json(raw)
    except ValidationError as error:
        code = "invalid_json" if _is_json_error(error) else "invalid_envelope"
        raise ContractViolation(code, _summary(error), _errors(error)) from error
    model = PAYLOAD_TYPES.get((envelope.event_type, envelope.schema_version))
    if model is None:
        raise ContractViolation(
            "unknown_event_type",
            f"no contract for {envelope.event_type!r} version {envelope.schema_version}",
        )
    try:
        # One pass over the bytes with the typed envelope: the common case, and the fast one.
        return envelope_of(model).model_validate_json(raw)
    except ValidationError:
        pass  # name the payload's problems at the payload's own locations, below
    try:
        payload = model.model_validate(envelope.payload)
    except ValidationError as error:
        raise ContractViolation("invalid_payload", _summary(error), _errors(error)) from error
    return envelope_of(model)(**{**dict(envelope), "payload": payload})


@functools.cache
def envelope_of(model: type[Payload]) -> type[EventEnvelope[Any]]:
    """The envelope class of a payload type, made once: pydantic forgets a parametrised generic
    when nothing refers to it any more, and making it again costs milliseconds per event."""
    return EventEnvelope[model]  # type: ignore[valid-type]


def _is_json_error(error: ValidationError) -> bool:
    return any(item["type"] == "json_invalid" for item in error.errors())


def _errors(error: ValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": ".".join(str(part) for part in item["loc"]), "type": item["type"], "msg": item["msg"]}
        for item in error.errors()
    ]


def _summary(error: ValidationError) -> str:
    return "; ".join(f"{item['loc'] or 'message'}: {item['msg']}" for item in _errors(error))
