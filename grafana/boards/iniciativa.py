"""Iniciativa: one initiative's record, S-curve, SPI(t), milestones, history and alerts."""

from __future__ import annotations

from grafana.boards.common import (
    S_CURVE_NAMES,
    S_CURVE_TIME,
    Board,
    query_variable,
)
from grafana.panels import (
    sql,
    table,
    timeseries,
)
from grafana.vocabulary import (
    PERCENT,
)


def iniciativa() -> Board:
    chosen = "'${iniciativa}'"
    return Board(
        "pladeco-iniciativa",
        "Iniciativa",
        "Una iniciativa del plan de inversiones: su ficha, su avance mes a mes, indicadores, hitos, historia y "
        "alertas.",
        [
            table("Ficha de la iniciativa",
                  "Datos del plan y cifras a hoy («Cifras al»): el avance es el del último informe («Fecha de "
                  "corte»), el plan sigue corriendo. SPI(t) = tiempo ganado / tiempo transcurrido; el término "
                  "estimado al ritmo observado es inicio + duración / SPI(t).",
                  sql(f"""
                      SELECT initiative_code,
                             name,
                             department_name,
                             programme_name,
                             territory_name,
                             locality_name,
                             status_label,
                             budget_clp,
                             to_char(start_date, 'YYYY-MM-DD') AS start_date,
                             to_char(end_date, 'YYYY-MM-DD') AS end_date,
                             to_char(judged_on, 'YYYY-MM-DD') AS judged_on,
                             to_char(data_date, 'YYYY-MM-DD') AS data_date,
                             days_since_last_report,
                             report_qualifier,
                             physical_progress_pct,
                             planned_progress_pct,
                             to_char(earned_schedule_date, 'YYYY-MM-DD') AS earned_schedule_date,
                             spi_t,
                             schedule_variance_days,
                             to_char(ieac_t_date, 'YYYY-MM-DD') AS ieac_t_date,
                             to_char(ieac_t_planned_date, 'YYYY-MM-DD') AS ieac_t_planned_date,
                             spi,
                             cpi,
                             actual_cost_clp,
                             estimate_at_completion_clp
                      FROM scorecard.initiative
                      WHERE initiative_code = {chosen}
                  """, "initiative_code", "name", "department_name", "programme_name", "territory_name",
                      "locality_name", "status_label", "budget_clp", "start_date", "end_date", "judged_on",
                      "data_date", "days_since_last_report", "report_qualifier", "physical_progress_pct",
                      "planned_progress_pct", "earned_schedule_date", "spi_t", "schedule_variance_days",
                      "ieac_t_date", "ieac_t_planned_date", "spi", "cpi", "actual_cost_clp",
                      "estimate_at_completion_clp"),
                  names={"name": "Iniciativa"}, height=4),
            timeseries("Historia del avance: planificado y real",
                       "Avance planificado y avance físico acumulados al cierre de cada mes.",
                       [sql(f"""
                           SELECT {S_CURVE_TIME},
                                  planned_progress_pct,
                                  physical_progress_pct
                           FROM scorecard.initiative_monthly
                           WHERE initiative_code = {chosen}
                           ORDER BY month
                       """, "time", "planned_progress_pct", "physical_progress_pct", time_series=True)],
                       unit=PERCENT, bounds=(0, 100), decimals=1, names=S_CURVE_NAMES),
            timeseries("SPI(t) mes a mes",
                       "Tiempo ganado / tiempo transcurrido al cierre de cada mes (cronograma ganado). Bajo 0,95: "
                       "en riesgo; bajo 0,85: atrasada. Terminada la iniciativa, su SPI(t) queda fijo.",
                       [sql(f"""
                           SELECT {S_CURVE_TIME},
                                  spi_t
                           FROM scorecard.initiative_monthly
                           WHERE initiative_code = {chosen} AND spi_t IS NOT NULL
                           ORDER BY month
                       """, "time", "spi_t", time_series=True)],
                       unit="none", decimals=2, names={"spi_t": "SPI(t)"}),
            table("Hitos", "Hitos por fecha de vencimiento; el resultado lo decide el último estado informado.",
                  sql(f"""
                      SELECT to_char(due_date, 'YYYY-MM-DD') AS due_date,
                             milestone_code,
                             name,
                             reported_status,
                             to_char(status_date, 'YYYY-MM-DD') AS status_date,
                             outcome,
                             days_overdue
                      FROM scorecard.milestone
                      WHERE initiative_code = {chosen}
                      ORDER BY due_date, milestone_code
                  """, "due_date", "milestone_code", "name", "reported_status", "status_date", "outcome",
                      "days_overdue"),
                  names={"name": "Hito"}, width=12, height=9),
            table("Indicadores y metas",
                  "Eficacia = 100 × (valor − línea base) / (meta − línea base). Semáforo según los umbrales "
                  "de cada indicador.",
                  sql(f"""
                      SELECT indicator_code,
                             name,
                             dimension,
                             unit,
                             baseline,
                             target,
                             to_char(target_date, 'YYYY-MM-DD') AS target_date,
                             value,
                             period,
                             efficacy_pct,
                             light,
                             target_reached
                      FROM scorecard.indicator
                      WHERE initiative_code = {chosen}
                      ORDER BY indicator_code
                  """, "indicator_code", "name", "dimension", "unit", "baseline", "target", "target_date", "value",
                      "period", "efficacy_pct", "light", "target_reached"),
                  names={"name": "Indicador"}, height=8),
            table("Alertas abiertas de la iniciativa",
                  "Alertas activas o reconocidas. En las alertas de pronóstico, la explicación da la pendiente "
                  "de avance por mes, la fecha proyectada de término con su banda de confianza, los informes "
                  "usados y el ritmo que haría falta.",
                  sql(f"""
                      SELECT raised_at,
                             severity,
                             state,
                             title,
                             explanation,
                             action
                      FROM alert
                      WHERE initiative_code = {chosen}
                        AND state IN ('firing', 'acknowledged')
                      ORDER BY raised_at DESC
                  """, "raised_at", "severity", "state", "title", "explanation", "action"),
                  height=8,
                  extra={"explanation": [{"id": "custom.inspect", "value": True}]}),
            table("Informes de avance", "Historia de informes de la iniciativa, el más reciente primero.",
                  sql(f"""
                      SELECT recorded_at,
                             to_char(as_of, 'YYYY-MM-DD') AS as_of,
                             physical_progress_pct,
                             spent_to_date_clp,
                             reporter,
                             source_system,
                             event_id::text AS event_id
                      FROM scorecard.progress_report
                      WHERE initiative_code = {chosen}
                      ORDER BY recorded_at DESC
                  """, "recorded_at", "as_of", "physical_progress_pct", "spent_to_date_clp", "reporter",
                      "source_system", "event_id"),
                  width=12, height=9),
            table("Cambios del plan que la afectan",
                  "Revisiones del plan que cambiaron la iniciativa, sus hitos o sus indicadores.",
                  sql(f"""
                      SELECT applied_at,
                             revision,
                             change_type,
                             entity,
                             code,
                             fields::text AS fields,
                             actor,
                             reason
                      FROM scorecard.plan_change
                      WHERE initiative_code = {chosen}
                         OR (entity = 'initiative' AND code = {chosen})
                      ORDER BY revision DESC, seq
                  """, "applied_at", "revision", "change_type", "entity", "code", "fields", "actor", "reason"),
                  width=12, height=9),
        ],
        variables=[query_variable(
            "iniciativa", "Iniciativa",
            """
            SELECT initiative_code AS __value,
                   initiative_code || ' · ' || name AS __text
            FROM scorecard.initiative
            ORDER BY initiative_code
            """,
            "Iniciativa del plan de inversiones.",
        )],
    )
