"""What an accepted progress update is: the HTTP request model and its event. No I/O here."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from pydantic import Field

from shared.events import EventEnvelope, ProgressReported


class ProgressUpdate(ProgressReported):
    """One progress update as a municipal system sends it over HTTP."""

    event_id: UUID = Field(
        description="The sender's id for this update; sending it again is answered as a duplicate."
    )


def progress_event(
    update: ProgressUpdate, *, source_system: str, received_at: dt.datetime
) -> EventEnvelope[ProgressReported]:
    """The event an accepted update becomes; it happened when received, about ``as_of``."""
    payload = ProgressReported.model_validate(update.model_dump(exclude={"event_id"}))
    return EventEnvelope[ProgressReported](
        event_id=update.event_id,
        event_type=ProgressReported.EVENT_TYPE,
        schema_version=ProgressReported.SCHEMA_VERSION,
        occurred_at=received_at,
        recorded_at=received_at,
        source_system=source_system,
        actor=update.reporter,
        initiative_code=update.initiative_code,
        payload=payload,
    )
