"""Auditoría: the event history and plan revisions."""

from __future__ import annotations

from grafana.boards.common import (
    Board,
)
from grafana.panels import (
    barchart,
    sql,
    table,
    text,
)


def auditoria() -> Board:
    return Board(
        "pladeco-auditoria",
        "Auditoría",
        "Quién informó qué y cuándo, y quién cambió el plan, cuándo y por qué.",
        [
            table("Informes de avance recibidos",
                  "Cada informe aceptado, con quién lo informó y desde qué sistema, en el período elegido.",
                  sql("""
                      SELECT recorded_at,
                             to_char(as_of, 'YYYY-MM-DD') AS as_of,
                             initiative_code,
                             initiative_name,
                             department_code,
                             physical_progress_pct,
                             spent_to_date_clp,
                             reporter,
                             source_system,
                             event_id::text AS event_id
                      FROM scorecard.progress_report
                      WHERE $__timeFilter(recorded_at)
                      ORDER BY recorded_at DESC
                      LIMIT 1000
                  """, "recorded_at", "as_of", "initiative_code", "initiative_name", "department_code",
                      "physical_progress_pct", "spent_to_date_clp", "reporter", "source_system", "event_id"),
                  width=16, height=11),
            barchart("Informes por sistema de origen", "Cuántos informes llegaron de cada sistema en el período.",
                     sql("""
                         SELECT source_system,
                                count(*) AS reports
                         FROM scorecard.progress_report
                         WHERE $__timeFilter(recorded_at)
                         GROUP BY source_system
                         ORDER BY reports DESC, source_system
                     """, "source_system", "reports"),
                     x_field="source_system", horizontal=True, width=8, height=11),
            table("Revisiones del plan",
                  "Cada revisión aplicada: quién la cargó, por qué y cuántos cambios trajo.",
                  sql("""
                      SELECT revision,
                             min(applied_at) AS applied_at,
                             actor,
                             reason,
                             count(*) AS changes
                      FROM scorecard.plan_change
                      GROUP BY revision, actor, reason
                      ORDER BY revision DESC
                  """, "revision", "applied_at", "actor", "reason", "changes"),
                  width=10, height=10),
            table("Cambios del plan",
                  "Cada cambio de cada revisión aplicada en el período: qué registro, qué campos.",
                  sql("""
                      SELECT applied_at,
                             revision,
                             actor,
                             reason,
                             change_type,
                             entity,
                             code,
                             initiative_code,
                             fields::text AS fields
                      FROM scorecard.plan_change
                      WHERE $__timeFilter(applied_at)
                      ORDER BY revision DESC, seq
                  """, "applied_at", "revision", "actor", "reason", "change_type", "entity", "code",
                      "initiative_code", "fields"),
                  names={"initiative_code": "Iniciativa"}, width=14, height=10),
            text("Repeticiones (replays)", """
                Las ejecuciones de repetición (*replays*) del historial de eventos, que reconstruyen el cuadro de
                mando en un esquema aparte y lo comparan con el vigente, llegan con el issue #8. Este panel
                mostrará entonces cada ejecución: cuándo, sobre qué eventos y con qué resultado.
            """, height=4),
        ],
        time=("now-1y", "now"),
    )
