"""Roles: what each may do, and the matrix in docs/security.md saying the same."""

from __future__ import annotations

import re

import pytest

from shared.auth import PERMISSIONS, ApiKey, Permission, Role, bearer_token, issue_key, key_matches
from tests.conftest import ROOT

ENDPOINT_PERMISSION = {
    "`POST /v1/progress` (ingest)": Permission.REPORT_PROGRESS,
    "`POST /v1/progress/upload` (ingest)": Permission.REPORT_PROGRESS,
    "`GET /v1/alerts` (alerts)": Permission.READ_ALERTS,
}


def documented_matrix() -> dict[str, dict[str, str]]:
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    table = re.search(r"<!-- role-matrix -->\n(.*?)<!-- /role-matrix -->", text, re.DOTALL).group(1)
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in table.strip().splitlines()]
    header, body = rows[0], rows[2:]
    return {row[0]: dict(zip(header[1:], row[1:], strict=True)) for row in body}


@pytest.mark.parametrize("endpoint", ENDPOINT_PERMISSION)
def test_the_documented_matrix_is_what_the_code_enforces(endpoint):
    row = documented_matrix()[endpoint]
    for role in Role:
        allowed = ENDPOINT_PERMISSION[endpoint] in PERMISSIONS[role]
        assert row[role.value].startswith("yes") == allowed, (endpoint, role)
    assert row["no key"] == "no"


def test_admin_may_do_everything_and_every_permission_has_a_role():
    assert PERMISSIONS[Role.ADMIN] == frozenset(Permission)
    assert set().union(*(PERMISSIONS[r] for r in Role if r is not Role.ADMIN)) == set(Permission)


def test_a_key_is_checked_by_its_secret_and_its_revocation():
    issued = issue_key()
    key = ApiKey(issued.key_id, issued.secret_sha256, "x", None, revoked=False, role=Role.AUDITOR)
    key_id, secret = bearer_token(f"Bearer {issued.token}")

    assert key_id == issued.key_id and key_matches(key, secret)
    assert not key_matches(key, "A" * len(secret))
    assert not key_matches(ApiKey(key.key_id, key.secret_sha256, "x", None, revoked=True), secret)
    assert bearer_token("Basic abc") is None and bearer_token("Bearer pk.solo") is None
    assert key.may(Permission.READ_ALERTS) and not key.may(Permission.REPORT_PROGRESS)
