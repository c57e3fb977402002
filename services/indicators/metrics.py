"""Every metric of the indicator service, in one place (docs/scorecard.md lists them for
operators). Each group is a frozen dataclass built once per registry by ``create``."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


@dataclass(frozen=True)
class ConsumerMetrics:
    applied: Counter
    duplicates: Counter
    rejected: Counter

    @classmethod
    def create(cls, registry: CollectorRegistry) -> ConsumerMetrics:
        return cls(
            applied=Counter(
                "pladeco_indicators_events_applied", "Events applied to the scorecard", ["event_type"],
                registry=registry,
            ),
            duplicates=Counter(
                "pladeco_indicators_duplicates_skipped", "Events already applied, skipped", ["event_type"],
                registry=registry,
            ),
            rejected=Counter(
                "pladeco_indicators_events_dead_lettered", "Events sent to the dead-letter topic",
                ["reason_code"], registry=registry,
            ),
        )


@dataclass(frozen=True)
class FiguresMetrics:
    apply_latency: Histogram
    database_seconds: Histogram
    batch_size: Histogram
    figures_events: Counter
    consumer_lag: Gauge

    @classmethod
    def create(cls, registry: CollectorRegistry) -> FiguresMetrics:
        return cls(
            apply_latency=Histogram(
                "pladeco_indicators_apply_latency_seconds",
                "From an update's acceptance (recorded_at) to its figures committed", registry=registry,
                buckets=(0.05, 0.1, 0.25, 0.5, 0.75, 1, 2, 5, 10, 30, 60, 300),
            ),
            database_seconds=Histogram(
                "pladeco_indicators_database_seconds", "Time in the database per applied batch", registry=registry,
                buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            ),
            batch_size=Histogram(
                "pladeco_indicators_batch_size", "Progress events per applied batch", registry=registry,
                buckets=(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000),
            ),
            figures_events=Counter(
                "pladeco_indicators_figures_events", "indicators.updated events written to the outbox",
                registry=registry,
            ),
            consumer_lag=Gauge(
                "pladeco_indicators_consumer_lag", "Messages not yet consumed, per topic", ["topic"],
                registry=registry,
            ),
        )
