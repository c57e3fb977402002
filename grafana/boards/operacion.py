"""Operación: the services' health from Prometheus."""

from __future__ import annotations

from grafana.boards.common import (
    Board,
)
from grafana.panels import (
    Prom,
    stat,
    table,
    timeseries,
)
from grafana.vocabulary import (
    PROMETHEUS_JOB,
    thresholds,
)


def operacion() -> Board:
    def rate(metric: str, by: str = "", selector: str = "") -> str:
        inner = f"rate({metric}{{{selector}}}[$__rate_interval])" if selector else f"rate({metric}[$__rate_interval])"
        return f"sum by ({by}) ({inner})" if by else f"sum({inner})"

    def quantile(q: float, histogram: str) -> str:
        return f"histogram_quantile({q}, sum by (le) (rate({histogram}_bucket[$__rate_interval])))"

    job = f'job="{PROMETHEUS_JOB}"'
    return Board(
        "pladeco-operacion",
        "Operación",
        "Salud de los servicios del sistema de seguimiento: rendimiento, retraso, errores, latencias y envíos.",
        [
            stat("Servicios en línea", "Cada servicio que Prometheus logra leer (1 = en línea).",
                 Prom(f"up{{{job}}}", "{{service}}"), width=12, height=4,
                 steps=thresholds((None, "red"), (1, "green")),
                 mappings=[{"type": "value", "options": {
                     "0": {"color": "red", "index": 0, "text": "Caído"},
                     "1": {"color": "green", "index": 1, "text": "En línea"},
                 }}], text_mode="value_and_name"),
            table("Versión de cada servicio", "La métrica pladeco_service_info que exporta cada servicio.",
                  Prom(f"pladeco_service_info{{{job}}}", table=True), width=12, height=4,
                  transformations=[{"id": "organize", "options": {
                      "excludeByName": {"Time": True, "Value": True, "__name__": True, "job": True},
                      "indexByName": {},
                      "renameByName": {"instance": "Instancia", "service": "Servicio", "title": "Título",
                                       "version": "Versión"},
                  }}]),
            timeseries("Eventos aplicados al cuadro de mando", "Eventos por segundo que el servicio de "
                       "indicadores aplicó, por tipo.",
                       [Prom(rate("pladeco_indicators_events_applied_total", "event_type"), "{{event_type}}"),
                        Prom(rate("pladeco_indicators_duplicates_skipped_total", "event_type"),
                             "duplicado: {{event_type}}")],
                       unit="ops"),
            timeseries("Actualizaciones recibidas por la ingesta", "Actualizaciones por segundo, por resultado "
                       "(aceptada, duplicada, rechazada, sin Kafka).",
                       [Prom(rate("pladeco_ingest_updates_total", "outcome"), "{{outcome}}")], unit="ops"),
            timeseries("Retraso del consumidor", "Mensajes aún no consumidos por el servicio de indicadores, por "
                       "tópico (offset final − offset confirmado).",
                       [Prom("sum by (topic) (pladeco_indicators_consumer_lag)", "{{topic}}")], decimals=0),
            timeseries("Rechazos de la ingesta por motivo", "Problemas encontrados en actualizaciones rechazadas, "
                       "por código de motivo.",
                       [Prom(rate("pladeco_ingest_rejections_total", "reason"), "{{reason}}")], unit="ops"),
            timeseries("Mensajes enviados a la cola de descarte", "Eventos rechazados (pladeco.deadletter): por el "
                       "servicio de indicadores, por la ingesta desde Kafka y, según FastStream, por cada servicio.",
                       [Prom(rate("pladeco_indicators_events_dead_lettered_total", "reason_code"),
                             "indicadores: {{reason_code}}"),
                        Prom(rate("pladeco_ingest_updates_total", "", 'channel="kafka", outcome="rejected"'),
                             "ingesta (Kafka)"),
                        Prom(rate("faststream_published_messages_total", "service",
                                  'destination="pladeco.deadletter"'), "FastStream: {{service}}")],
                       unit="ops"),
            timeseries("Latencia de aplicación (p50 / p99)", "Desde que la ingesta acepta una actualización hasta "
                       "que sus cifras quedan confirmadas en el cuadro de mando.",
                       [Prom(quantile(0.5, "pladeco_indicators_apply_latency_seconds"), "p50"),
                        Prom(quantile(0.99, "pladeco_indicators_apply_latency_seconds"), "p99")], unit="s"),
            timeseries("Latencia de la API de ingesta (p50 / p99)", "Duración de las solicitudes HTTP de la ingesta.",
                       [Prom(quantile(0.5, "pladeco_ingest_request_seconds"), "p50"),
                        Prom(quantile(0.99, "pladeco_ingest_request_seconds"), "p99")], unit="s"),
            timeseries("Tiempo de base de datos por lote (p50 / p99)", "Tiempo en PostgreSQL de cada lote de "
                       "eventos aplicado por el servicio de indicadores.",
                       [Prom(quantile(0.99, "pladeco_indicators_database_seconds"), "base de datos p99"),
                        Prom(quantile(0.5, "pladeco_indicators_database_seconds"), "base de datos p50")],
                       unit="s"),
            timeseries("Notificaciones enviadas y fallidas", "Notificaciones por segundo por canal; y las que "
                       "esperan envío.",
                       [Prom(rate("pladeco_notifier_notifications_sent_total", "channel"), "enviadas: {{channel}}"),
                        Prom(rate("pladeco_notifier_notifications_failed_total", "channel"), "fallidas: {{channel}}"),
                        Prom(rate("pladeco_notifier_delivery_retries_total", "channel"),
                             "reintentos: {{channel}}")],
                       unit="ops"),
            timeseries("Notificaciones pendientes", "Notificaciones que esperan su envío.",
                       [Prom("sum(pladeco_notifier_notifications_pending)", "pendientes")], decimals=0),
            timeseries("Evaluaciones de alertas", "Evaluaciones por segundo del servicio de alertas, por causa "
                       "(evento o reloj).",
                       [Prom(rate("pladeco_alerts_evaluations_total", "trigger"), "{{trigger}}"),
                        Prom(rate("pladeco_alerts_lifecycle_events_total"), "eventos de alerta")], unit="ops"),
            timeseries("Reglas de alerta en vigor", "Reglas cargadas; y archivos de reglas rechazados.",
                       [Prom("sum(pladeco_alerts_rules_loaded)", "reglas en vigor"),
                        Prom("sum(pladeco_alerts_rules_rejected_total)", "archivos rechazados (total)")], decimals=0),
            timeseries("Mensajes procesados por FastStream", "Mensajes de Kafka procesados por segundo, por servicio "
                       "y resultado.",
                       [Prom(rate("faststream_received_processed_messages_total", "service, status"),
                             "{{service}}: {{status}}")],
                       unit="ops", width=24),
        ],
        time=("now-6h", "now"),
        refresh="30s",
    )
