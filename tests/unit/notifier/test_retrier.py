"""The one retry rule of every channel (services/notifier/channels/__init__.py), worked by hand."""

from __future__ import annotations

import datetime as dt

from services.notifier.channels import DeliveryFailed, Retrier

NOW = dt.datetime(2026, 12, 2, 12, tzinfo=dt.UTC)
RETRIER = Retrier(max_attempts=4, base_s=30)


def test_a_passing_failure_waits_longer_each_time_then_gives_up():
    away = DeliveryFailed("SMTP unavailable", permanent=False)
    # 30 s × 2^(attempts − 1): 30 s, 60 s, 120 s; the fourth attempt is the last.
    waits = [(RETRIER.after(away, attempts, NOW).next_attempt_at - NOW).total_seconds() for attempts in (1, 2, 3)]
    assert waits == [30, 60, 120]
    assert [RETRIER.after(away, attempts, NOW).give_up for attempts in (1, 2, 3, 4)] == [False, False, False, True]


def test_a_permanent_failure_is_not_tried_again():
    refused = DeliveryFailed("recipients refused", permanent=True)
    assert RETRIER.after(refused, 1, NOW).give_up
