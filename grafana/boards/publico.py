"""Público: the citizens' board (no personal data)."""

from __future__ import annotations

from typing import Any

from grafana.boards.common import (
    INITIATIVE_MARKERS,
    PROGRESS_BY_TERRITORY,
    S_CURVE_HELP,
    Board,
    initiatives_layer,
    plan_figure,
    s_curve,
)
from grafana.panels import (
    Panel,
    barchart,
    geojson_layer,
    geomap,
    sql,
    table,
    text,
)
from grafana.vocabulary import (
    CLP,
    PERCENT,
    thresholds,
)


def publico() -> Board:
    def plan_stat(title: str, description: str, column: str, **options: Any) -> Panel:
        return plan_figure(title, description, column, **options)

    return Board(
        "pladeco-publico",
        "Avance del PLADECO de Putre",
        "Avance del Plan de Desarrollo Comunal de Putre para la ciudadanía: cifras del plan, avance por eje y "
        "territorio, curva S, iniciativas y mapa.",
        [
            text("Sobre este tablero", """
                El **Plan de Desarrollo Comunal (PLADECO) de Putre** ordena las iniciativas que la Municipalidad
                se propuso realizar. Aquí se ve cuánto han avanzado, cuánto se ha gastado y dónde están. El avance
                se pondera por presupuesto: una obra grande pesa más que un taller. Las cifras se actualizan cada
                vez que una unidad municipal informa avances.
            """, height=4),
            plan_stat("Avance físico del plan", "Avance del plan completo, ponderado por presupuesto.",
                      "physical_progress_pct", unit=PERCENT, decimals=1),
            plan_stat("Avance planificado", "Lo que el plan debía llevar a la fecha de los últimos informes.",
                      "planned_progress_pct", unit=PERCENT, decimals=1),
            plan_stat("Ejecución financiera", "Gasto informado / presupuesto del plan.", "financial_execution_pct",
                      unit=PERCENT, decimals=1),
            plan_stat("Presupuesto del plan", "Suma de los presupuestos de las iniciativas, en pesos.", "budget_clp",
                      unit=CLP),
            plan_stat("Iniciativas", "Iniciativas del plan de inversiones.", "initiatives"),
            plan_stat("Iniciativas terminadas", "Iniciativas con 100 % de avance físico.", "done",
                      steps=thresholds((None, "green"))),
            barchart("Avance por eje estratégico", "Avance planificado y físico de cada eje del plan.",
                     sql("""
                         SELECT group_name,
                                planned_progress_pct,
                                physical_progress_pct
                         FROM scorecard.rollup
                         WHERE level = 'axis'
                         ORDER BY group_code
                     """, "group_name", "planned_progress_pct", "physical_progress_pct"),
                     x_field="group_name", unit=PERCENT, horizontal=True, bounds=(0, 100),
                     names={"group_name": "Eje estratégico"}),
            barchart("Avance por territorio", "Avance planificado y físico de cada territorio de la comuna.",
                     PROGRESS_BY_TERRITORY, x_field="group_name", unit=PERCENT, bounds=(0, 100),
                     names={"group_name": "Territorio"}),
            s_curve("Curva S del plan", S_CURVE_HELP, "level = 'plan'", width=24),
            table("Iniciativas del plan", "Cada iniciativa con su territorio, su estado y su avance.",
                  sql("""
                      SELECT initiative_code,
                             name,
                             territory_name,
                             status_label,
                             physical_progress_pct,
                             budget_clp
                      FROM scorecard.initiative
                      ORDER BY initiative_code
                  """, "initiative_code", "name", "territory_name", "status_label", "physical_progress_pct",
                      "budget_clp"),
                  names={"name": "Iniciativa"}, width=12, height=16),
            geomap("Mapa de las iniciativas", "Cada iniciativa en su sitio (o en su localidad), coloreada según su "
                   "estado, sobre los territorios de la comuna.",
                   [INITIATIVE_MARKERS],
                   [geojson_layer("Territorios", "territorios", colour="#8AB8FF", opacity=0.15, label="nombre"),
                    initiatives_layer()],
                   width=12, height=16),
        ],
        refresh="15m",
        public=True,
    )
