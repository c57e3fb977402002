"""Counts of the cases the fuzzers tried, printed at the end of the test session (docs/security.md
quotes them): ``record("parse_updates")`` once per generated case, ``outside("…")`` for a case
answered outside the documented answers (a test fails on it, too)."""

from __future__ import annotations

from collections import Counter

CASES: Counter[str] = Counter()
OUTSIDE: Counter[str] = Counter()


def record(target: str) -> None:
    CASES[target] += 1


def outside(target: str) -> None:
    OUTSIDE[target] += 1


def summary() -> list[str]:
    return [f"{target}: {count} cases, {OUTSIDE[target]} outside the documented answers"
            for target, count in sorted(CASES.items())]
