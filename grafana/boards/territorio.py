"""Territorio: the map and the figures of each territory."""

from __future__ import annotations

from grafana.boards.common import (
    INITIATIVE_MARKERS,
    PROGRESS_BY_TERRITORY,
    Board,
    initiatives_layer,
    query_variable,
)
from grafana.panels import barchart, geojson_layer, geomap, sql, table
from grafana.vocabulary import (
    PERCENT,
)


def territorio() -> Board:
    return Board(
        "pladeco-territorio",
        "Territorio",
        "El plan sobre el territorio: unidades territoriales, localidades, diagnóstico, imagen objetivo y las "
        "iniciativas del plan de inversiones según su estado.",
        [
            geomap("Mapa del PLADECO",
                   "Capas del plan (archivos de grafana/gis/, generados con «pladeco plan gis»): territorios, "
                   "imagen objetivo, diagnóstico, localidades; y las iniciativas coloreadas por estado, desde el "
                   "cuadro de mando (pase el cursor sobre un punto para ver su ficha). Cada capa es una entrada con "
                   "nombre de la lista de capas del panel: se muestra u oculta editando el panel.",
                   [INITIATIVE_MARKERS],
                   [
                       geojson_layer("Territorios", "territorios", colour="#8AB8FF", opacity=0.15, label="nombre"),
                       geojson_layer("Imagen objetivo", "imagen-objetivo", colour="#B877D9", opacity=0.1),
                       geojson_layer("Diagnóstico: problemas priorizados", "diagnostico", colour="#FF9830",
                                     opacity=0.7, size=5),
                       geojson_layer("Localidades", "localidades", colour="#6E6E6E", opacity=0.9, label="nombre",
                                     size=4),
                       initiatives_layer(),
                   ], height=18),
            table("Iniciativas por territorio", "Cifras de cada territorio ponderadas por presupuesto.",
                  sql("""
                      SELECT group_name,
                             initiatives,
                             initiatives_reporting,
                             budget_clp,
                             physical_progress_pct,
                             planned_progress_pct,
                             spi_t,
                             financial_execution_pct,
                             on_track,
                             at_risk,
                             late,
                             overdue,
                             done,
                             without_progress,
                             milestone_compliance_pct
                      FROM scorecard.rollup
                      WHERE level = 'territory'
                      ORDER BY group_code
                  """, "group_name", "initiatives", "initiatives_reporting", "budget_clp", "physical_progress_pct",
                      "planned_progress_pct", "spi_t", "financial_execution_pct", "on_track", "at_risk", "late",
                      "overdue", "done", "without_progress", "milestone_compliance_pct"),
                  names={"group_name": "Territorio"}, height=6),
            barchart("Avance por territorio", "Avance planificado y físico de cada territorio.",
                     PROGRESS_BY_TERRITORY, x_field="group_name", unit=PERCENT, bounds=(0, 100),
                     names={"group_name": "Territorio"}),
            table("Iniciativas de ${territorio:text}", "Las iniciativas del territorio elegido.",
                  sql("""
                      SELECT initiative_code,
                             name,
                             locality_name,
                             status_label,
                             physical_progress_pct,
                             budget_clp,
                             beneficiaries
                      FROM scorecard.initiative
                      WHERE territory_code = '${territorio}'
                      ORDER BY initiative_code
                  """, "initiative_code", "name", "locality_name", "status_label", "physical_progress_pct",
                      "budget_clp", "beneficiaries"),
                  names={"name": "Iniciativa", "beneficiaries": "Beneficiarios"}, width=12, height=9),
        ],
        variables=[query_variable(
            "territorio", "Territorio",
            """
            SELECT group_code AS __value,
                   group_name AS __text
            FROM scorecard.rollup
            WHERE level = 'territory'
            ORDER BY group_code
            """,
            "Unidad territorial del plan.",
        )],
    )
