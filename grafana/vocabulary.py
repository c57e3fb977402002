"""The vocabulary every board shares: the datasources, what each column a query returns is (its
kind, its Spanish label, unit and decimals), and the colours of the same statuses on every board."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shared.terms import (
    CPI_AT_RISK,
    SEVERITY_LABELS,
    SPI_AT_RISK,
    SPI_ON_TRACK,
    STATUS_LABELS,
    InitiativeStatus,
)

HERE = Path(__file__).resolve().parent
DASHBOARDS_DIR = HERE / "dashboards"
CONTRACTS_FILE = HERE / "panel-contracts.json"

POSTGRES = {"type": "grafana-postgresql-datasource", "uid": "pladeco-postgres"}
"""The scorecard boards' database, as scorecard_reader (migration 0013)."""
PUBLIC_POSTGRES = {"type": "grafana-postgresql-datasource", "uid": "pladeco-postgres-public"}
"""The public board's database, as public_reader: the public views only."""
PROMETHEUS = {"type": "prometheus", "uid": "pladeco-prometheus"}
SCHEMA_VERSION = 39
TIMEZONE = "America/Santiago"
TAGS = ["pladeco"]
GIS_DIR = "public/gis"  # grafana/gis/ mounted into Grafana's public folder (docker-compose.yml)
PROMETHEUS_JOB = "pladeco"  # deploy/prometheus/prometheus.yml: one job, a `service` label per target

CLP = "prefix:$"
PERCENT = "percent"

# What each column a query returns is, for the contract (numeric → number, text → string,
# timestamptz → time, boolean). Dates are returned as text (see the module docstring).
KINDS: dict[str, str] = {
    **{name: "string" for name in (
        "__text", "__value", "action", "actor", "as_of", "axis_name", "category", "change_type", "channel",
        "code", "data_date", "department_code", "department_name", "dimension", "due_date", "end_date", "entity",
        "event_id", "explanation", "fields", "group_code", "group_name", "indicator_code", "initiative_code",
        "initiative_name", "kind", "last_error", "last_report_as_of", "light", "locality_name", "message",
        "milestone_code", "name", "outcome", "period", "plan_code", "programme_name", "reason", "recipient_role",
        "reported_status", "reporter", "resolution", "rule", "severity", "severity_label", "source_system",
        "start_date", "state", "status", "status_date", "status_label", "subject", "target_date",
        "territory_name", "title", "unit", "acknowledged_by", "judged_on", "earned_schedule_date", "ieac_t_date",
        "ieac_t_planned_date", "report_qualifier",
    )},
    **{name: "number" for name in (
        "actual_cost_clp", "alerts", "at_risk", "attempts", "average_efficacy_pct", "baseline", "beneficiaries",
        "budget_clp", "changes", "compliance_pct", "cpi", "days_overdue", "days_since_last_report", "done",
        "earned_value_clp", "effectiveness_pct", "efficacy_pct", "escalation_level", "estimate_at_completion_clp",
        "failed", "financial_execution_pct", "goals", "goals_green", "goals_measured", "goals_red",
        "goals_yellow", "initiatives", "initiatives_reporting", "late", "latitude", "longitude",
        "milestone_compliance_pct", "milestones_done_late", "milestones_done_on_time", "milestones_overdue",
        "milestones_pending", "objectives_achieved", "objectives_measured", "on_track", "pending",
        "physical_progress_pct", "planned_progress_pct", "planned_value_clp", "reports", "revision", "sent",
        "spent_to_date_clp", "spi", "target", "value", "without_progress", "spi_t", "schedule_variance_days",
        "earned_schedule_days", "actual_time_days", "overdue", "reports_outdated",
    )},
    **{name: "time" for name in (
        "acknowledged_at", "applied_at", "created_at", "raised_at", "recorded_at", "resolved_at", "sent_at",
        "time",
    )},
    "target_reached": "boolean",
}

# Spanish (Chile) display names of the columns, the same on every board.
LABELS: dict[str, str] = {
    "acknowledged_at": "Reconocida", "acknowledged_by": "Reconocida por", "action": "Acción sugerida",
    "actor": "Autor del cambio", "actual_cost_clp": "Gasto real", "alerts": "Alertas",
    "applied_at": "Aplicada", "as_of": "Fecha del informe", "at_risk": "En riesgo", "attempts": "Intentos",
    "average_efficacy_pct": "Eficacia promedio", "axis_name": "Eje estratégico", "baseline": "Línea base",
    "budget_clp": "Presupuesto", "category": "Categoría", "change_type": "Tipo de cambio", "changes": "Cambios",
    "channel": "Canal", "code": "Código del registro", "compliance_pct": "Cumplimiento de metas",
    "cpi": "CPI (costo)", "created_at": "Creada", "data_date": "Fecha de corte", "days_overdue": "Días de atraso",
    "days_since_last_report": "Días sin informar", "department_code": "Unidad",
    "department_name": "Departamento", "dimension": "Dimensión", "done": "Terminadas",
    "due_date": "Vencimiento", "earned_value_clp": "Valor ganado", "effectiveness_pct": "Efectividad",
    "efficacy_pct": "Eficacia", "end_date": "Término", "entity": "Tipo de registro",
    "escalation_level": "Escalamiento", "estimate_at_completion_clp": "Costo estimado al término",
    "event_id": "Id. del evento", "explanation": "Explicación", "failed": "Fallidas", "fields": "Campos cambiados",
    "financial_execution_pct": "Ejecución financiera", "goals": "Metas", "goals_green": "En verde",
    "goals_measured": "Medidas", "goals_red": "En rojo", "goals_yellow": "En amarillo",
    "group_name": "Grupo", "indicator_code": "Código", "initiative_code": "Código",
    "initiative_name": "Iniciativa", "initiatives": "Iniciativas", "initiatives_reporting": "Con informes",
    "kind": "Tipo", "last_error": "Último error", "last_report_as_of": "Último informe", "late": "Atrasadas",
    "latitude": "Latitud", "light": "Semáforo", "locality_name": "Localidad", "longitude": "Longitud",
    "message": "Mensaje", "milestone_code": "Código", "milestone_compliance_pct": "Cumplimiento de hitos",
    "milestones_done_late": "Hitos tardíos", "milestones_done_on_time": "Hitos a tiempo",
    "milestones_overdue": "Hitos vencidos", "milestones_pending": "Hitos pendientes", "name": "Nombre",
    "objectives_achieved": "Objetivos logrados", "objectives_measured": "Objetivos medidos",
    "on_track": "En plazo", "outcome": "Resultado", "pending": "Pendientes", "period": "Período",
    "physical_progress_pct": "Avance físico", "planned_progress_pct": "Avance planificado",
    "planned_value_clp": "Valor planificado", "programme_name": "Programa", "raised_at": "Levantada",
    "reason": "Motivo", "recipient_role": "Destinatario", "recorded_at": "Recibido",
    "reported_status": "Estado informado", "reporter": "Informante", "reports": "Informes",
    "resolution": "Resolución", "resolved_at": "Resuelta", "revision": "Revisión", "rule": "Regla",
    "sent": "Enviadas", "sent_at": "Enviada", "severity": "Severidad", "severity_label": "Severidad",
    "source_system": "Sistema de origen", "spent_to_date_clp": "Gasto acumulado", "spi": "SPI (costo)",
    "start_date": "Inicio", "state": "Estado", "status": "Estado", "status_date": "Fecha del estado",
    "status_label": "Estado", "subject": "Asunto", "target": "Meta", "target_date": "Fecha meta",
    "target_reached": "Meta alcanzada", "territory_name": "Territorio", "title": "Alerta",
    "unit": "Unidad de medida", "value": "Valor medido", "without_progress": "Sin avance",
    "judged_on": "Cifras al", "earned_schedule_date": "Avance equivale al plan del",
    "ieac_t_date": "Término estimado (ritmo observado)", "ieac_t_planned_date": "Término estimado (ritmo planificado)",
    "report_qualifier": "Informe", "spi_t": "SPI(t) (plazo)", "schedule_variance_days": "Adelanto (+) o atraso (−), días",
    "earned_schedule_days": "Tiempo ganado, días", "actual_time_days": "Tiempo transcurrido, días",
    "overdue": "Vencidas", "reports_outdated": "Sin informe reciente",
}

UNITS: dict[str, str] = {
    **{name: CLP for name in KINDS if name.endswith("_clp")},
    **{name: PERCENT for name in KINDS if name.endswith("_pct")},
    "spi": "none", "cpi": "none", "spi_t": "none",
}
DECIMALS: dict[str, int] = {
    **{name: 0 for name in KINDS if name.endswith("_clp")},
    **{name: 1 for name in KINDS if name.endswith("_pct")},
    "spi": 2, "cpi": 2, "spi_t": 2, "schedule_variance_days": 0, "earned_schedule_days": 0,
}

# Colours of the initiative statuses (docs/scorecard.md), by code and by Spanish label.
STATUS_COLOURS = {
    InitiativeStatus.ON_TRACK: "green", InitiativeStatus.AT_RISK: "yellow", InitiativeStatus.LATE: "red",
    InitiativeStatus.OVERDUE: "dark-red", InitiativeStatus.DONE: "blue", InitiativeStatus.NOT_STARTED: "text",
    InitiativeStatus.NO_DATA: "text",
}
STATUSES = {status.value: (label, STATUS_COLOURS[status]) for status, label in STATUS_LABELS.items()}
OUTCOMES = {
    "done_on_time": ("Cumplido a tiempo", "green"),
    "done_late": ("Cumplido con atraso", "yellow"),
    "overdue": ("Vencido", "red"),
    "pending": ("Pendiente", "text"),
    "cancelled": ("Cancelado", "text"),
}
REPORTED_STATUSES = {
    "pending": ("Pendiente", "text"),
    "in_progress": ("En curso", "blue"),
    "done": ("Cumplido", "green"),
    "cancelled": ("Cancelado", "text"),
}
LIGHTS = {
    "green": ("Verde", "green"),
    "yellow": ("Amarillo", "yellow"),
    "red": ("Rojo", "red"),
    "no_data": ("Sin medición", "text"),
}
SEVERITY_COLOURS = {"critical": "red", "warning": "orange", "info": "blue"}
SEVERITIES = {severity: (label, SEVERITY_COLOURS[severity]) for severity, label in SEVERITY_LABELS.items()}
ALERT_STATES = {
    "pending": ("En observación", "text"),
    "firing": ("Activa", "red"),
    "acknowledged": ("Reconocida", "orange"),
    "resolved": ("Resuelta", "green"),
}
NOTIFICATION_STATUSES = {
    "sent": ("Enviada", "green"),
    "failed": ("Fallida", "red"),
    "pending": ("Pendiente", "yellow"),
}
ROLES = {
    "officer": ("Funcionario/a responsable", "text"),
    "department_head": ("Jefatura de la unidad", "text"),
    "management_unit": ("Unidad Ejecutora Comunal", "text"),
}
SEVERITY_LABEL_SQL = (
    "CASE severity " + " ".join(f"WHEN '{severity}' THEN '{label}'" for severity, label in SEVERITY_LABELS.items())
    + " ELSE severity END"
)


def value_mappings(values: dict[str, tuple[str, str]]) -> list[dict[str, Any]]:
    """A Grafana value mapping: each value shown as its Spanish text, in its colour."""
    return [{
        "type": "value",
        "options": {
            value: {"color": color, "index": index, "text": text}
            for index, (value, (text, color)) in enumerate(values.items())
        },
    }]


def label_colours(values: dict[str, tuple[str, str]]) -> list[dict[str, Any]]:
    """Colours for a column that already holds the Spanish text (``status_label``)."""
    return value_mappings({text: (text, color) for text, color in values.values()})


MAPPINGS: dict[str, list[dict[str, Any]]] = {
    "status": value_mappings(STATUSES),
    "status_label": label_colours(STATUSES),
    "outcome": value_mappings(OUTCOMES),
    "reported_status": value_mappings(REPORTED_STATUSES),
    "light": value_mappings(LIGHTS),
    "severity": value_mappings(SEVERITIES),
    "severity_label": label_colours(SEVERITIES),
    "state": value_mappings(ALERT_STATES),
    "recipient_role": value_mappings(ROLES),
    "target_reached": [{"type": "value", "options": {
        "true": {"color": "green", "index": 0, "text": "Sí"},
        "false": {"color": "text", "index": 1, "text": "No"},
    }}],
}
COLOURED_CELLS = {"status", "status_label", "outcome", "light", "severity", "severity_label", "state"}


def thresholds(*steps: tuple[float | None, str]) -> dict[str, Any]:
    return {"mode": "absolute", "steps": [{"color": color, "value": value} for value, color in steps]}


SPI_THRESHOLDS = thresholds((None, "red"), (SPI_AT_RISK, "yellow"), (SPI_ON_TRACK, "green"))
CPI_THRESHOLDS = thresholds((None, "red"), (CPI_AT_RISK, "yellow"), (1.0, "green"))
PROGRESS_THRESHOLDS = thresholds((None, "blue"))
COUNT_BAD_THRESHOLDS = thresholds((None, "green"), (1, "red"))
THRESHOLDS = {"spi": SPI_THRESHOLDS, "spi_t": SPI_THRESHOLDS, "cpi": CPI_THRESHOLDS}

# Colours of the status counts of the roll-ups in bar charts.
STATUS_COUNT_COLOURS = {
    "on_track": "green", "at_risk": "yellow", "late": "red", "overdue": "dark-red", "done": "blue",
    "without_progress": "gray",
}
