"""The clock, passed in explicitly so that tests and replays decide what "now" is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

Clock = Callable[[], dt.datetime]
SANTIAGO = ZoneInfo("America/Santiago")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
