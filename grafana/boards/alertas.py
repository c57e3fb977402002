"""Alertas: open alerts, their lifecycle and notifications."""

from __future__ import annotations

from typing import Any

from grafana.boards.common import (
    Board,
)
from grafana.panels import (
    Panel,
    barchart,
    sql,
    stat,
    table,
    timeseries,
)
from grafana.vocabulary import (
    COUNT_BAD_THRESHOLDS,
    NOTIFICATION_STATUSES,
    SEVERITY_LABEL_SQL,
    thresholds,
    value_mappings,
)


def alertas() -> Board:
    def count(title: str, description: str, where: str, steps: dict[str, Any]) -> Panel:
        return stat(title, description, sql(f"""
            SELECT count(*) AS alerts
            FROM alert
            WHERE {where}
        """, "alerts"), steps=steps, width=6, height=4)

    open_alerts = "state IN ('firing', 'acknowledged')"
    return Board(
        "pladeco-alertas",
        "Alertas",
        "Alertas tempranas del plan y notificaciones enviadas (tablas alert y notification).",
        [
            count("Alertas activas", "Disparadas y aún no reconocidas.", "state = 'firing'", COUNT_BAD_THRESHOLDS),
            count("Alertas reconocidas", "Reconocidas por un responsable, aún no resueltas.",
                  "state = 'acknowledged'", thresholds((None, "green"), (1, "orange"))),
            count("Alertas resueltas (últimos 90 días)", "Resueltas automáticamente al desaparecer la condición.",
                  "state = 'resolved' AND resolved_at >= now() - interval '90 days'", thresholds((None, "green"))),
            count("Alertas escaladas", "Alertas abiertas escaladas a la jefatura o a la Unidad Ejecutora Comunal.",
                  f"{open_alerts} AND escalation_level > 0", COUNT_BAD_THRESHOLDS),
            table("Alertas abiertas", "Las alertas activas y reconocidas, las más graves primero.",
                  sql(f"""
                      SELECT raised_at,
                             severity,
                             state,
                             escalation_level,
                             initiative_code,
                             rule,
                             title,
                             message,
                             acknowledged_at,
                             acknowledged_by
                      FROM alert
                      WHERE {open_alerts}
                      ORDER BY CASE severity WHEN 'critical' THEN 1 WHEN 'warning' THEN 2 ELSE 3 END, raised_at DESC
                  """, "raised_at", "severity", "state", "escalation_level", "initiative_code", "rule", "title",
                      "message", "acknowledged_at", "acknowledged_by"),
                  names={"initiative_code": "Iniciativa"}, width=16, height=10),
            barchart("Alertas abiertas por regla", "Cuántas alertas abiertas levanta cada regla.",
                     sql(f"""
                         SELECT rule,
                                count(*) AS alerts
                         FROM alert
                         WHERE {open_alerts}
                         GROUP BY rule
                         ORDER BY alerts DESC, rule
                     """, "rule", "alerts"),
                     x_field="rule", horizontal=True, width=8, height=10),
            timeseries("Alertas levantadas por día", "Alertas levantadas cada día, por severidad.",
                       [sql(f"""
                           SELECT date_trunc('day', raised_at AT TIME ZONE 'America/Santiago')
                                      AT TIME ZONE 'America/Santiago' AS time,
                                  {SEVERITY_LABEL_SQL} AS severity_label,
                                  count(*) AS alerts
                           FROM alert
                           WHERE raised_at IS NOT NULL AND $__timeFilter(raised_at)
                           GROUP BY 1, severity
                           ORDER BY 1, severity
                       """, "time", "severity_label", "alerts", time_series=True)],
                       draw="bars", stacking="normal", decimals=0, width=12, height=8,
                       names={"alerts": "${__field.labels.severity_label}"}),
            table("Alertas resueltas (últimos 90 días)", "Cuándo y cómo se resolvió cada alerta.",
                  sql("""
                      SELECT resolved_at,
                             raised_at,
                             severity,
                             initiative_code,
                             rule,
                             title,
                             resolution
                      FROM alert
                      WHERE state = 'resolved' AND resolved_at >= now() - interval '90 days'
                      ORDER BY resolved_at DESC
                  """, "resolved_at", "raised_at", "severity", "initiative_code", "rule", "title", "resolution"),
                  names={"initiative_code": "Iniciativa"}, width=12, height=8),
            stat("Notificaciones del período", "Notificaciones creadas en el período elegido, por estado.",
                 sql("""
                     SELECT count(*) FILTER (WHERE status = 'sent') AS sent,
                            count(*) FILTER (WHERE status = 'failed') AS failed,
                            count(*) FILTER (WHERE status = 'pending') AS pending
                     FROM notification
                     WHERE $__timeFilter(created_at)
                 """, "sent", "failed", "pending"),
                 width=8, height=6, text_mode="value_and_name"),
            barchart("Notificaciones por canal", "Enviadas, fallidas y pendientes de cada canal en el período.",
                     sql("""
                         SELECT channel,
                                count(*) FILTER (WHERE status = 'sent') AS sent,
                                count(*) FILTER (WHERE status = 'failed') AS failed,
                                count(*) FILTER (WHERE status = 'pending') AS pending
                         FROM notification
                         WHERE $__timeFilter(created_at)
                         GROUP BY channel
                         ORDER BY channel
                     """, "channel", "sent", "failed", "pending"),
                     x_field="channel", stacking="normal", width=16, height=6,
                     colours={"sent": "green", "failed": "red", "pending": "yellow"}),
            table("Notificaciones", "Las notificaciones del período, la más reciente primero; último error de "
                  "las que fallaron.",
                  sql("""
                      SELECT created_at,
                             subject,
                             recipient_role,
                             channel,
                             status,
                             attempts,
                             last_error,
                             sent_at
                      FROM notification
                      WHERE $__timeFilter(created_at)
                      ORDER BY created_at DESC
                      LIMIT 500
                  """, "created_at", "subject", "recipient_role", "channel", "status", "attempts", "last_error",
                      "sent_at"),
                  mappings={"status": value_mappings(NOTIFICATION_STATUSES)},
                  extra={"status": [{"id": "custom.cellOptions", "value": {"type": "color-text"}}]}),
        ],
        time=("now-90d", "now"),
        refresh="1m",
    )
