"""Every metric of the notifier, in one place: alert events received and refused, notifications
sent, retried, failed and waiting."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge


@dataclass(frozen=True)
class NotifierMetrics:
    events: Counter
    sent: Counter
    failed: Counter
    retried: Counter
    pending: Gauge
    rejected: Counter

    @classmethod
    def create(cls, registry: CollectorRegistry) -> NotifierMetrics:
        return cls(
            rejected=Counter("pladeco_notifier_events_dead_lettered", "Messages of pladeco.alerts dead-lettered",
                             ["reason_code"], registry=registry),
            events=Counter("pladeco_notifier_alert_events", "Alert events received", ["event_type"], registry=registry),
            sent=Counter("pladeco_notifier_notifications_sent", "Notifications delivered", ["channel"], registry=registry),
            failed=Counter("pladeco_notifier_notifications_failed", "Notifications failed for good", ["channel"],
                           registry=registry),
            retried=Counter("pladeco_notifier_delivery_retries", "Delivery attempts that will be retried", ["channel"],
                            registry=registry),
            pending=Gauge("pladeco_notifier_notifications_pending", "Notifications waiting to be delivered",
                          registry=registry),
        )
