"""API keys and their roles: who may call which HTTP API, with no I/O.

A key is ``pk.<key id>.<secret>``; only a SHA-256 of the secret is stored, and the whole key is
shown once, when created (``pladeco keys create``). Each key has one role:

- ``reporter``: reports progress (``POST /v1/progress``, the upload), on the initiatives of its
  responsible units only (``units``; None means every unit);
- ``manager``: reads the alerts (the plan management unit);
- ``auditor``: reads the alerts, read-only (internal control, the council's auditors);
- ``admin``: everything above, on every unit.

``PERMISSIONS`` is the one place that says which role may do what; docs/security.md shows it as a
matrix and tests/unit/shared/test_auth.py keeps the two in step.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum

KEY_PREFIX = "pk"


class Role(StrEnum):
    REPORTER = "reporter"
    MANAGER = "manager"
    AUDITOR = "auditor"
    ADMIN = "admin"


class Permission(StrEnum):
    REPORT_PROGRESS = "report_progress"
    READ_ALERTS = "read_alerts"


PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.REPORTER: frozenset({Permission.REPORT_PROGRESS}),
    Role.MANAGER: frozenset({Permission.READ_ALERTS}),
    Role.AUDITOR: frozenset({Permission.READ_ALERTS}),
    Role.ADMIN: frozenset(Permission),
}


@dataclass(frozen=True)
class IssuedKey:
    key_id: str
    secret_sha256: str
    token: str
    """The whole key, shown once to whoever creates it and never stored."""


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    secret_sha256: str
    source_system: str
    units: frozenset[str] | None
    """None: every responsible unit (the plan management unit's own systems)."""
    revoked: bool
    role: Role = Role.REPORTER

    def may(self, permission: Permission) -> bool:
        return permission in PERMISSIONS[self.role]


def issue_key() -> IssuedKey:
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return IssuedKey(key_id, secret_digest(secret), f"{KEY_PREFIX}.{key_id}.{secret}")


def secret_digest(secret: str) -> str:
    # Secrets are 256 random bits: a plain SHA-256 cannot be brute-forced, so no slow KDF is needed.
    return hashlib.sha256(secret.encode()).hexdigest()


def split_token(token: str) -> tuple[str, str] | None:
    """(key id, secret) of a well-formed key, else None."""
    prefix, _, rest = token.strip().partition(".")
    key_id, _, secret = rest.partition(".")
    if prefix != KEY_PREFIX or not key_id or not secret:
        return None
    return key_id, secret


def bearer_token(authorization: str) -> tuple[str, str] | None:
    """(key id, secret) from an ``Authorization: Bearer pk.…`` header value, else None."""
    scheme, _, token = authorization.partition(" ")
    return split_token(token) if scheme.lower() == "bearer" else None


def key_matches(key: ApiKey, secret: str) -> bool:
    return not key.revoked and hmac.compare_digest(key.secret_sha256, secret_digest(secret))
