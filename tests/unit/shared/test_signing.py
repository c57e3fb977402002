"""Worked examples of the acknowledge-link signature: bound to the alert, the person, the expiry."""

from __future__ import annotations

import datetime as dt

from shared.signing import ack_link_state, ack_token

SECRET = "k" * 40
EXPIRES = 1_767_225_600  # 2026-01-01 00:00 UTC
BEFORE = dt.datetime(2025, 12, 31, 23, 59, 59, tzinfo=dt.UTC)


def test_the_token_verifies_only_for_its_alert_person_and_expiry():
    token = ack_token(SECRET, "a1", "Ana@x.cl", EXPIRES)

    assert ack_link_state(SECRET, "a1", "ana@x.cl ", EXPIRES, token, now=BEFORE) == "valid"  # case, spaces
    assert ack_link_state(SECRET, "a2", "ana@x.cl", EXPIRES, token, now=BEFORE) == "invalid"
    assert ack_link_state(SECRET, "a1", "pedro@x.cl", EXPIRES, token, now=BEFORE) == "invalid"
    assert ack_link_state(SECRET, "a1", "ana@x.cl", EXPIRES + 1, token, now=BEFORE) == "invalid"
    assert ack_link_state("o" * 40, "a1", "ana@x.cl", EXPIRES, token, now=BEFORE) == "invalid"


def test_the_token_expires_at_its_instant():
    token = ack_token(SECRET, "a1", "ana@x.cl", EXPIRES)

    assert ack_link_state(SECRET, "a1", "ana@x.cl", EXPIRES, token,
                          now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)) == "expired"


def test_a_token_with_non_ascii_characters_is_invalid_not_an_error():
    # Found by schemathesis: hmac.compare_digest raises TypeError on non-ASCII str.
    assert ack_link_state(SECRET, "a1", "ana@x.cl", EXPIRES, "ñandú", now=BEFORE) == "invalid"
