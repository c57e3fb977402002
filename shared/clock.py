"""The clock, passed in explicitly so that tests and replays decide what "now" is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

Clock = Callable[[], dt.datetime]
SANTIAGO = ZoneInfo("America/Santiago")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def santiago_today(clock: Clock) -> dt.date:
    """The calendar day in America/Santiago at the clock's now: the day figures are judged as of."""
    return clock().astimezone(SANTIAGO).date()


def offset_clock(offset: dt.timedelta, base: Clock = utc_now) -> Clock:
    """A clock that runs at real speed from another starting instant (simulations, tests)."""
    return lambda: base() + offset
