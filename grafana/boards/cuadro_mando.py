"""Cuadro de mando: the state of the whole plan."""

from __future__ import annotations

from grafana.boards.common import (
    S_CURVE_HELP,
    SPI_HELP,
    Board,
    plan_figure,
    s_curve,
)
from grafana.panels import (
    barchart,
    piechart,
    sql,
    stat,
    table,
)
from grafana.vocabulary import (
    CLP,
    COUNT_BAD_THRESHOLDS,
    PERCENT,
    SEVERITY_LABEL_SQL,
    SPI_THRESHOLDS,
    STATUS_COUNT_COLOURS,
)


def cuadro_mando() -> Board:
    status_by_axis = sql("""
        SELECT group_name,
               on_track,
               at_risk,
               late,
               overdue,
               done,
               without_progress
        FROM scorecard.rollup
        WHERE level = 'axis'
        ORDER BY group_code
    """, "group_name", "on_track", "at_risk", "late", "overdue", "done", "without_progress")
    return Board(
        "pladeco-cuadro-mando",
        "Cuadro de mando PLADECO",
        "Estado general del Plan de Desarrollo Comunal de Putre: avance, plazos, presupuesto, alertas y efectividad.",
        [
            plan_figure("Avance físico del plan", "Avance físico del plan completo, ponderado por presupuesto.",
                        "physical_progress_pct", unit=PERCENT, decimals=1),
            plan_figure("Avance planificado", "Lo que el plan completo debía llevar hoy, ponderado por "
                        "presupuesto (las mismas iniciativas que el avance físico).", "planned_progress_pct",
                        unit=PERCENT, decimals=1),
            plan_figure("SPI(t) del plan", SPI_HELP, "spi_t", decimals=2, steps=SPI_THRESHOLDS),
            plan_figure("Ejecución financiera", "Gasto acumulado informado / presupuesto del plan.",
                        "financial_execution_pct", unit=PERCENT, decimals=1),
            plan_figure("Iniciativas atrasadas", "Iniciativas en curso con SPI(t) bajo 0,85.", "late",
                        steps=COUNT_BAD_THRESHOLDS),
            plan_figure("Iniciativas vencidas", "Iniciativas cuya fecha de término pasó sin informarse terminadas.",
                        "overdue", steps=COUNT_BAD_THRESHOLDS),
            plan_figure("Hitos vencidos", "Hitos cuya fecha pasó sin informarse cumplidos ni cancelados.",
                        "milestones_overdue", steps=COUNT_BAD_THRESHOLDS),
            barchart("Estado de las iniciativas por eje estratégico",
                     "Cantidad de iniciativas de cada eje según su estado.", status_by_axis,
                     x_field="group_name", stacking="normal", horizontal=True,
                     names={"group_name": "Eje estratégico"}, colours=STATUS_COUNT_COLOURS),
            s_curve("Avance planificado y real del plan (curva S)", S_CURVE_HELP, "level = 'plan'"),
            barchart("Ejecución presupuestaria por fuente de financiamiento",
                     "Presupuesto y gasto real de cada fuente; una iniciativa con varias fuentes cuenta por la "
                     "parte que paga cada una.",
                     sql("""
                         SELECT group_name,
                                budget_clp,
                                actual_cost_clp
                         FROM scorecard.rollup
                         WHERE level = 'funding_source'
                         ORDER BY budget_clp DESC
                     """, "group_name", "budget_clp", "actual_cost_clp"),
                     x_field="group_name", unit=CLP, names={"group_name": "Fuente de financiamiento"}),
            piechart("Alertas abiertas por severidad", "Alertas activas o reconocidas, aún no resueltas.",
                     sql(f"""
                         SELECT {SEVERITY_LABEL_SQL} AS severity_label,
                                count(*) AS alerts
                         FROM alert
                         WHERE state IN ('firing', 'acknowledged')
                         GROUP BY severity
                         ORDER BY min(CASE severity WHEN 'critical' THEN 1 WHEN 'warning' THEN 2 ELSE 3 END)
                     """, "severity_label", "alerts")),
            stat("Efectividad del plan",
                 "Objetivos logrados / objetivos con algún indicador de resultado medido: un objetivo se logra "
                 "cuando todos sus indicadores de efectividad medidos alcanzan su meta.",
                 sql("""
                     SELECT effectiveness_pct,
                            objectives_achieved,
                            objectives_measured
                     FROM scorecard.effectiveness
                 """, "effectiveness_pct", "objectives_achieved", "objectives_measured"),
                 unit="none", decimals=None, width=6, height=9, text_mode="value_and_name"),
            table("Últimos informes de avance", "Los 20 informes recibidos más recientes.",
                  sql("""
                      SELECT recorded_at,
                             to_char(as_of, 'YYYY-MM-DD') AS as_of,
                             initiative_code,
                             initiative_name,
                             department_code,
                             physical_progress_pct,
                             spent_to_date_clp,
                             source_system
                      FROM scorecard.progress_report
                      ORDER BY recorded_at DESC
                      LIMIT 20
                  """, "recorded_at", "as_of", "initiative_code", "initiative_name", "department_code",
                      "physical_progress_pct", "spent_to_date_clp", "source_system")),
        ],
    )
