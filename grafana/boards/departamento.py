"""Departamento: one municipal unit's initiatives."""

from __future__ import annotations

from grafana.boards.common import (
    S_CURVE_HELP,
    SPI_HELP,
    Board,
    query_variable,
    s_curve,
)
from grafana.panels import (
    barchart,
    sql,
    table,
)
from grafana.vocabulary import (
    STATUS_COUNT_COLOURS,
)


def departamento() -> Board:
    chosen = "'${departamento}'"
    return Board(
        "pladeco-departamento",
        "Departamento",
        "Las iniciativas de una unidad municipal: plazos, costos, hitos, metas del departamento y su curva S.",
        [
            table("Resumen del departamento", "Cifras del departamento ponderadas por presupuesto.",
                  sql(f"""
                      SELECT group_name,
                             initiatives,
                             budget_clp,
                             physical_progress_pct,
                             planned_progress_pct,
                             spi_t,
                             spi,
                             cpi,
                             financial_execution_pct,
                             milestone_compliance_pct,
                             overdue,
                             reports_outdated
                      FROM scorecard.rollup
                      WHERE level = 'department' AND group_code = {chosen}
                  """, "group_name", "initiatives", "budget_clp", "physical_progress_pct", "planned_progress_pct",
                      "spi_t", "spi", "cpi", "financial_execution_pct", "milestone_compliance_pct", "overdue",
                      "reports_outdated"),
                  names={"group_name": "Departamento"}, height=4),
            table("Iniciativas del departamento",
                  f"{SPI_HELP} CPI = valor ganado / gasto real. Hitos: cumplidos a tiempo, con atraso y vencidos.",
                  sql(f"""
                      SELECT initiative_code,
                             name,
                             status_label,
                             report_qualifier,
                             physical_progress_pct,
                             planned_progress_pct,
                             spi_t,
                             schedule_variance_days,
                             spi,
                             cpi,
                             budget_clp,
                             actual_cost_clp,
                             milestones_done_on_time,
                             milestones_done_late,
                             milestones_overdue,
                             milestones_pending,
                             to_char(last_report_as_of, 'YYYY-MM-DD') AS last_report_as_of,
                             days_since_last_report
                      FROM scorecard.initiative
                      WHERE department_code = {chosen}
                      ORDER BY initiative_code
                  """, "initiative_code", "name", "status_label", "report_qualifier", "physical_progress_pct",
                      "planned_progress_pct", "spi_t", "schedule_variance_days", "spi", "cpi", "budget_clp",
                      "actual_cost_clp", "milestones_done_on_time", "milestones_done_late", "milestones_overdue",
                      "milestones_pending", "last_report_as_of", "days_since_last_report"),
                  names={"name": "Iniciativa"}, height=11),
            s_curve("Curva S del departamento", S_CURVE_HELP, f"level = 'department' AND group_code = {chosen}"),
            barchart("Iniciativas por estado", "Cantidad de iniciativas del departamento según su estado.",
                     sql(f"""
                         SELECT group_name,
                                on_track,
                                at_risk,
                                late,
                                overdue,
                                done,
                                without_progress
                         FROM scorecard.rollup
                         WHERE level = 'department' AND group_code = {chosen}
                     """, "group_name", "on_track", "at_risk", "late", "overdue", "done", "without_progress"),
                     x_field="group_name", names={"group_name": "Departamento"}, colours=STATUS_COUNT_COLOURS),
            table("Cumplimiento de las metas del departamento",
                  "Indicadores de categoría «meta del departamento»: cumplimiento = metas en verde / metas medidas.",
                  sql(f"""
                      SELECT department_name,
                             goals,
                             goals_measured,
                             goals_green,
                             goals_yellow,
                             goals_red,
                             average_efficacy_pct,
                             compliance_pct
                      FROM scorecard.department_goal
                      WHERE department_code = {chosen}
                  """, "department_name", "goals", "goals_measured", "goals_green", "goals_yellow", "goals_red",
                      "average_efficacy_pct", "compliance_pct"),
                  height=5),
        ],
        variables=[query_variable(
            "departamento", "Departamento",
            """
            SELECT group_code AS __value,
                   group_name AS __text
            FROM scorecard.rollup
            WHERE level = 'department'
            ORDER BY group_name
            """,
            "Unidad municipal responsable de las iniciativas.",
        )],
    )
