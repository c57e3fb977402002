"""A consumer waits out a database outage, but gives up on an event that keeps failing."""

from __future__ import annotations

import asyncpg
import pytest

from shared.consumer import ApplyFailed, apply_with_retry


class Attempts:
    def __init__(self, *failures: BaseException):
        self.failures = list(failures)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "applied"


async def test_a_database_outage_is_waited_out_with_growing_capped_delays():
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    outage = [ConnectionRefusedError()] * 5 + [asyncpg.PostgresConnectionError()]
    result = await apply_with_retry(Attempts(*outage), sleep=sleep, first_delay_s=1, max_delay_s=4)

    assert result == "applied"
    assert waits == [1, 2, 4, 4, 4, 4]


async def test_an_event_that_keeps_failing_is_given_up_after_the_set_attempts():
    attempts = Attempts(ValueError("bad figure"), ValueError("bad figure"), ValueError("bad figure"))

    async def sleep(seconds: float) -> None:
        pass

    with pytest.raises(ApplyFailed, match="ValueError: bad figure"):
        await apply_with_retry(attempts, sleep=sleep, unexpected_attempts=3)
    assert attempts.calls == 3
