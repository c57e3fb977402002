"""Event envelopes survive the wire unchanged, and anything else is refused with a stable code."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest

from shared.events import ContractViolation, EventEnvelope, ProgressReported, decode_event

RECEIVED = dt.datetime(2023, 6, 1, 14, 30, tzinfo=dt.UTC)


def progress_event(**payload_fields) -> EventEnvelope[ProgressReported]:
    payload = ProgressReported(
        initiative_code="DOM-001", as_of=dt.date(2023, 5, 31), physical_progress_pct=40.0,
        spent_to_date_clp=12_500_000, reporter="oficina.dom@putre.cl", **payload_fields,
    )
    return EventEnvelope[ProgressReported](
        event_id=uuid.uuid4(), event_type=payload.EVENT_TYPE, schema_version=payload.SCHEMA_VERSION,
        occurred_at=RECEIVED, recorded_at=RECEIVED, source_system="http",
        actor="oficina.dom@putre.cl", initiative_code="DOM-001", payload=payload,
    )


def test_an_event_round_trips_through_the_wire_with_its_typed_payload():
    event = progress_event()

    decoded = decode_event(event.to_wire())

    assert decoded == event
    assert isinstance(decoded.payload, ProgressReported)
    assert event.kafka_key() == b"DOM-001"
    assert event.wire_headers()["event-type"] == "progress.reported"


def wire_with(change) -> bytes:
    document = json.loads(progress_event().to_wire())
    change(document)
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    ("raw", "code", "place"),
    [
        (b"{not json", "invalid_json", ""),
        (wire_with(lambda d: d.pop("occurred_at")), "invalid_envelope", "occurred_at"),
        (wire_with(lambda d: d.update(event_type="budget.stolen")), "unknown_event_type", ""),
        (wire_with(lambda d: d.update(schema_version=9)), "unknown_event_type", ""),
        (wire_with(lambda d: d["payload"].update(physical_progress_pct=140)), "invalid_payload",
         "physical_progress_pct"),
        (wire_with(lambda d: d["payload"].update(spent_to_date_clp=-1)), "invalid_payload",
         "spent_to_date_clp"),
        (wire_with(lambda d: d["payload"].update(indicator_measurements=[
            {"indicator_code": "COB-1", "value": 3, "period": "2023-13"}])), "invalid_payload",
         "indicator_measurements.0.period"),
        (wire_with(lambda d: d.update(surprise=1)), "invalid_envelope", "surprise"),
    ],
)
def test_a_message_that_breaks_the_contract_is_refused_naming_the_field(raw, code, place):
    with pytest.raises(ContractViolation) as refused:
        decode_event(raw)

    assert refused.value.reason_code == code
    assert place in refused.value.reason


def test_the_logged_form_of_an_event_is_its_wire_json_with_sorted_keys():
    # The audit chain hashes this text: it must stay exactly the wire's values, whatever the
    # characters, numbers and nesting (a different text would break every stored chain's replay).
    from shared.audit import canonical

    event = progress_event(
        note='Ñandú «obra» \u2028 "citado" €', indicator_measurements=[
            {"indicator_code": "COB-1", "value": 1e-7, "period": "2023-05"},
            {"indicator_code": "COB-2", "value": 33.333333333333336, "period": "2023-05"}],
        milestone_updates=[{"milestone_code": "DOM-001-H1", "status": "done", "date": "2023-05-30"}],
    )
    wire = json.dumps(json.loads(event.to_wire()), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    assert canonical(event) == wire
    assert decode_event(canonical(event).encode()) == event
