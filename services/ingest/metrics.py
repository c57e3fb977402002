"""Every metric of the ingest service, in one place: updates by channel and outcome, the problems
of refused ones by reason code, and the HTTP latency."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram

from services.ingest.store import Outcome
from shared.problems import Problem


@dataclass(frozen=True)
class IngestMetrics:
    updates: Counter
    rejections: Counter
    request_seconds: Histogram

    @classmethod
    def create(cls, registry: CollectorRegistry) -> IngestMetrics:
        return cls(
            updates=Counter(
                "pladeco_ingest_updates", "Progress updates by channel and outcome "
                "(accepted, duplicate, rejected, unavailable)", ["channel", "outcome"], registry=registry,
            ),
            rejections=Counter(
                "pladeco_ingest_rejections", "Problems found in refused updates, by reason code",
                ["channel", "reason"], registry=registry,
            ),
            request_seconds=Histogram(
                "pladeco_ingest_request_seconds", "HTTP request latency of the ingest API",
                ["route", "status"], registry=registry,
                buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            ),
        )

    def rejected(self, channel: str, problems: list[Problem], updates: int = 1) -> None:
        self.updates.labels(channel, "rejected").inc(updates)
        for problem in problems:
            self.rejections.labels(channel, problem.code).inc()

    def outcomes(self, channel: str, outcomes: list[Outcome]) -> None:
        for outcome in outcomes:
            self.updates.labels(channel, outcome.value).inc()
