"""Plan revisions: exactly the differences, each named as an auditor would ask for it."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.plan.changes import (
    PlanMismatch,
    apply_changes,
    assemble_document,
    change_summary,
    content_sha256,
    diff_plans,
    plan_records,
    revision_event,
)
from shared.plan.model import Plan

NOW = dt.datetime(2023, 7, 3, 14, 0, tzinfo=dt.UTC)


def canonical(document: dict) -> dict:
    return Plan.model_validate(document).to_document()


def test_the_first_load_defines_every_record(plan_document):
    changes = diff_plans(None, canonical(plan_document))
    summary = change_summary(changes)
    # 1 plan + 2 departments + 2 territories + 3 localities + 2 sources + 1 axis + 1 objective
    # + 1 programme + 1 problem + 2 initiatives + 3 milestones + 2 indicators = 21 records
    assert len(changes) == 21
    assert summary["initiative.defined"] == 2
    assert summary["milestone.defined"] == 3
    assert summary["indicator.defined"] == 2
    assert all(change.after is not None and change.before is None for change in changes)


def test_an_unchanged_plan_has_no_changes(plan_document):
    document = canonical(plan_document)
    assert diff_plans(document, document) == []


def test_a_moved_target_and_a_rescheduled_milestone_are_named(plan_document):
    before = canonical(plan_document)
    plan_document["iniciativas"][1]["indicadores"][0]["meta"] = 80
    plan_document["iniciativas"][1]["hitos"][1]["fecha"] = "2023-06-25"
    changes = diff_plans(before, canonical(plan_document))
    assert [(c.change_type, c.code, c.initiative_code) for c in changes] == [
        ("milestone.rescheduled", "INI-002-H2", "INI-002"),
        ("indicator.target_changed", "INI-002-I1", "INI-002"),
    ]
    target = changes[1].fields["meta"]
    assert (target.before, target.after) == (65.0, 80.0)


def test_a_budget_change_with_its_funding_and_a_rename_are_three_changes(plan_document):
    before = canonical(plan_document)
    initiative = plan_document["iniciativas"][1]
    initiative["presupuesto_clp"] = 1_000_000_000
    initiative["financiamiento"][0]["monto_clp"] = 950_000_000
    initiative["nombre"] = "Construcción sistema APR Socoroma"
    changes = diff_plans(before, canonical(plan_document))
    assert [(c.change_type, sorted(c.fields)) for c in changes] == [
        ("initiative.budget_changed", ["presupuesto_clp"]),
        ("initiative.funding_changed", ["financiamiento"]),
        ("initiative.updated", ["nombre"]),
    ]
    assert changes[0].fields["presupuesto_clp"].before == 900_000_000
    assert all(c.after["presupuesto_clp"] == 1_000_000_000 for c in changes)


def test_a_removed_initiative_removes_its_milestones_and_indicators(plan_document):
    before = canonical(plan_document)
    del plan_document["iniciativas"][1]
    changes = diff_plans(before, canonical(plan_document))
    assert sorted(c.change_type for c in changes) == [
        "indicator.removed", "indicator.removed", "initiative.removed",
        "milestone.removed", "milestone.removed",
    ]
    assert all(c.after is None and c.before is not None for c in changes)


def test_records_and_documents_convert_both_ways(plan_document):
    document = canonical(plan_document)
    assert assemble_document(plan_records(document)) == document


def test_applying_the_changes_gives_the_new_plan(plan_document):
    before = canonical(plan_document)
    plan_document["iniciativas"][0]["termino"] = "2022-02-28"
    del plan_document["problemas"][0]
    after = canonical(plan_document)
    records = apply_changes(plan_records(before), diff_plans(before, after))
    assert assemble_document(records) == after


def test_the_revision_event_names_its_base_and_content(plan_document):
    document = canonical(plan_document)
    event = revision_event(
        current_code=None, current_revision=0, current_document=None, new_document=document,
        actor="secplan@muniputre.example", reason="Aprobación del Concejo, acta 12/2020",
        source_system="pladeco-cli", now=NOW,
    )
    assert event is not None
    assert (event.payload.revision, event.payload.base_revision) == (1, 0)
    assert event.payload.content_sha256 == content_sha256(document)
    assert event.kafka_key() == b"PLADECO-TEST"  # every revision of a plan on one partition
    assert revision_event(
        current_code="PLADECO-TEST", current_revision=1, current_document=document, new_document=document,
        actor="x", reason="y", source_system="pladeco-cli", now=NOW,
    ) is None


def test_another_plan_is_not_mixed_into_the_catalogue(plan_document):
    document = canonical(plan_document)
    with pytest.raises(PlanMismatch, match="el catálogo contiene el plan PLADECO-OTRO"):
        revision_event(
            current_code="PLADECO-OTRO", current_revision=3, current_document=None, new_document=document,
            actor="x", reason="y", source_system="pladeco-cli", now=NOW,
        )
