"""Every metric of the alert service, in one place: evaluations by trigger, lifecycle events
written, messages refused, and the rules file in force."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge


@dataclass(frozen=True)
class AlertMetrics:
    evaluations: Counter
    events: Counter
    rejected: Counter
    rules_rejected: Counter
    rules_loaded: Gauge

    @classmethod
    def create(cls, registry: CollectorRegistry) -> AlertMetrics:
        return cls(
            evaluations=Counter("pladeco_alerts_evaluations", "Evaluations, by trigger", ["trigger"],
                                registry=registry),
            events=Counter("pladeco_alerts_lifecycle_events", "Alert lifecycle events written", registry=registry),
            rejected=Counter("pladeco_alerts_events_dead_lettered", "Messages of pladeco.indicators dead-lettered",
                             ["reason_code"], registry=registry),
            rules_rejected=Counter("pladeco_alerts_rules_rejected", "Rules files refused", registry=registry),
            rules_loaded=Gauge("pladeco_alerts_rules_loaded", "Rules in force", registry=registry),
        )
