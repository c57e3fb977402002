"""Schemathesis against the OpenAPI documents the running services serve (ingest, alerts,
indicators' GIS): generated requests, valid and not, never get a 5xx answer nor an answer outside
the documented schemas. The cases tried are counted (tests/fuzzing.py) and printed.

The operations are driven with Hypothesis directly (schemathesis' pytest plugin does not load
under the pinned pytest).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shared.auth import Role
from tests.fuzzing import outside, record

pytestmark = pytest.mark.integration

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]


def exercise(operation, *, base_url: str, headers: dict[str, str], examples: int, target: str) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def generated_request_is_answered_as_documented(case) -> None:
        record(target)
        try:
            case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)
        except Exception:
            outside(target)
            raise

    generated_request_is_answered_as_documented()


async def test_no_generated_request_breaks_the_ingest_api(services, api_key):
    ingest = services("ingest")
    key = await api_key("schemathesis", None)
    schema = schemathesis.openapi.from_url(f"{ingest.url}/openapi.json").include(path_regex="^/v1/")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} == {"/v1/progress", "/v1/progress/upload"}

    for operation in operations:
        exercise(operation, base_url=ingest.url, headers={"Authorization": f"Bearer {key}"}, examples=60,
                 target=f"HTTP ingest {operation.method.upper()} {operation.path}")


async def test_no_generated_request_breaks_the_alerts_api(services, api_key):
    alerts = services("alerts")
    key = await api_key("schemathesis", None, role=Role.MANAGER)
    schema = schemathesis.openapi.from_url(f"{alerts.url}/openapi.json").include(path_regex="^/v1/")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} == {"/v1/alerts", "/v1/alerts/{alert_id}/acknowledge"}

    for operation in operations:
        exercise(operation, base_url=alerts.url, headers={"Authorization": f"Bearer {key}"}, examples=60,
                 target=f"HTTP alerts {operation.method.upper()} {operation.path}")


async def test_no_generated_request_breaks_the_gis_api(services, sample_plan):
    indicators = services("indicators")
    schema = schemathesis.openapi.from_url(f"{indicators.url}/openapi.json").include(path_regex="^/v1/")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} == {"/v1/gis", "/v1/gis/{name}.geojson"}

    for operation in operations:
        exercise(operation, base_url=indicators.url, headers={}, examples=60,
                 target=f"HTTP indicators {operation.method.upper()} {operation.path}")
