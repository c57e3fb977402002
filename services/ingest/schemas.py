"""What the ingest API answers (its response models, documented in the OpenAPI document), and the
per-row report of a spreadsheet upload that becomes the upload's answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from services.ingest.domain import ProgressUpdate
from services.ingest.store import Outcome
from shared.http import ErrorAnswer
from shared.problems import Problem


class ItemResult(BaseModel):
    event_id: UUID
    status: Literal["accepted", "duplicate"]


class ProgressAnswer(BaseModel):
    status: Literal["accepted", "duplicate"] = Field(
        description="accepted: at least one update is new and confirmed by Kafka; duplicate: all were known."
    )
    event_id: UUID | None = Field(None, description="For a single update, its event id.")
    accepted: int
    duplicates: int
    results: list[ItemResult]


class RowProblem(BaseModel):
    column: str | None
    code: str
    message: str


class RowResult(BaseModel):
    row: int
    status: Literal["accepted", "duplicate", "rejected", "valid_not_sent"]
    event_id: UUID | None = None
    errors: list[RowProblem] = Field(default_factory=list)


class UploadAnswer(BaseModel):
    status: Literal["accepted", "partial", "rejected"]
    mode: Literal["all_or_nothing", "valid_rows"]
    accepted: int
    duplicates: int
    rejected: int
    errors: list[RowProblem] = Field(default_factory=list, description="Problems of the whole file.")
    rows: list[RowResult]


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorAnswer, "description": "Missing, unknown or revoked API key."},
    403: {"model": ErrorAnswer, "description": "The key's role may not report progress, or it may not report on "
          "an initiative of another unit (nothing else is said about that initiative)."},
    409: {"model": ErrorAnswer, "description": "An event id was reused with other content."},
    413: {"model": ErrorAnswer, "description": "The body is larger than allowed."},
    422: {"model": ErrorAnswer, "description": "One entry per problem: path, code, Spanish message."},
    503: {"model": ErrorAnswer, "description": "Kafka or PostgreSQL is unavailable; nothing was accepted. "
          "Retry after Retry-After seconds."},
}


@dataclass
class RowReport:
    rows: list[RowResult]
    valid: list[tuple[RowResult, ProgressUpdate]]
    bad: list[RowResult]

    def problems(self) -> list[Problem]:
        return [Problem(problem.column or "", problem.code, problem.message) for row in self.rows for problem in row.errors]

    def record(self, outcomes: list[Outcome]) -> None:
        for (row, _), outcome in zip(self.valid, outcomes, strict=True):
            row.status = outcome.value

    def answer(self, mode: str, file_problems: list[Any], *, sent: bool) -> UploadAnswer:
        accepted = sum(1 for r in self.rows if r.status == "accepted")
        duplicates = sum(1 for r in self.rows if r.status == "duplicate")
        if not sent:
            status_word = "rejected"
        else:
            status_word = "partial" if self.bad else "accepted"
        return UploadAnswer(
            status=status_word, mode=mode, accepted=accepted, duplicates=duplicates, rejected=len(self.bad),
            errors=[RowProblem(column=p.column, code=p.code, message=p.message) for p in file_problems],
            rows=self.rows,
        )
