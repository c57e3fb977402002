"""The portal's open data, without I/O: which sets there are, their public columns, and their
files (CSV, XLSX, GeoJSON) and DCAT catalogue (JSON-LD).

Guarantees:
- a set's files carry exactly its ``columns``, in that order, and one row per view row: what a
  reader downloads is what the public views hold (the tests compare them);
- values are machine-readable: ISO dates and timestamps (UTC), decimal points, no thousands
  separators, empty for none; money in whole pesos, other decimals to six places;
- a set's URLs never change: ``/datos/<name>.<csv|xlsx|geojson>``;
- the catalogue names the licence (CC BY 4.0), the update date and the event history's head hash.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

LICENCE = "https://creativecommons.org/licenses/by/4.0/"
LICENCE_NAME = "Creative Commons Atribución 4.0 Internacional (CC BY 4.0)"
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
}


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    description: str
    columns: tuple[str, ...]


DATASETS = {
    d.name: d
    for d in (
        Dataset(
            "iniciativas", "Iniciativas del PLADECO y su avance",
            "Cada iniciativa del plan: eje, programa, territorio, localidad, presupuesto, plazos, avance "
            "físico y programado, índices de desempeño (SPI, SPI(t), CPI) y estado, juzgados a la fecha "
            "indicada en judged_on.",
            ("initiative_code", "name", "kind", "axis_code", "axis_name", "objective_code", "programme_code",
             "programme_name", "department_code", "department_name", "territory_code", "territory_name",
             "locality_code", "locality_name", "latitude", "longitude", "budget_clp", "start_date", "end_date",
             "beneficiaries", "data_date", "physical_progress_pct", "planned_progress_pct", "earned_value_clp",
             "planned_value_clp", "actual_cost_clp", "financial_execution_pct", "spi", "spi_t", "cpi",
             "earned_schedule_date", "ieac_t_date", "status", "status_label", "last_report_as_of",
             "report_qualifier", "judged_on"),
        ),
        Dataset(
            "indicadores", "Indicadores y metas",
            "Cada indicador de las iniciativas: línea base, meta, último valor medido, eficacia y semáforo.",
            ("indicator_code", "initiative_code", "name", "category", "dimension", "unit", "baseline", "target",
             "target_date", "direction", "value", "period", "as_of", "efficacy_pct", "light", "target_reached"),
        ),
        Dataset(
            "hitos", "Hitos de las iniciativas",
            "Cada hito: fecha comprometida, último estado informado y resultado (a tiempo, con atraso, "
            "vencido, pendiente, cancelado).",
            ("milestone_code", "initiative_code", "name", "due_date", "reported_status", "status_date",
             "outcome", "days_overdue"),
        ),
        Dataset(
            "avance", "Historia de los informes de avance",
            "Cada informe de avance recibido: fecha del avance, avance físico y gasto acumulado informados, "
            "y cuándo se registró.",
            ("event_id", "initiative_code", "as_of", "physical_progress_pct", "spent_to_date_clp", "recorded_at"),
        ),
    )
}


def cell(value: Any) -> Any:
    """A value as the files carry it: ISO dates, floats for decimals, text for ids, None as is."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def value_of(row: Mapping[str, Any], column: str) -> Any:
    """A row's value as every file carries it: money (``*_clp``) in whole pesos, other decimals to
    six places (a spreadsheet keeps 15 significant digits: all three formats then agree)."""
    value = cell(row[column])
    if isinstance(value, float):
        return round(value) if column.endswith("_clp") else round(value, 6)
    return value


def to_csv(dataset: Dataset, rows: Sequence[Mapping[str, Any]]) -> bytes:
    """UTF-8 CSV (comma, a header row, empty for none, booleans as true/false)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(dataset.columns)
    for row in rows:
        writer.writerow([_text(value_of(row, column)) for column in dataset.columns])
    return out.getvalue().encode("utf-8")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def to_xlsx(dataset: Dataset, rows: Sequence[Mapping[str, Any]]) -> bytes:
    """An Excel workbook: one sheet named after the set, a header row, dates as text (ISO)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(dataset.name)
    sheet.append(list(dataset.columns))
    for row in rows:
        sheet.append([value_of(row, column) for column in dataset.columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_geojson(dataset: Dataset, rows: Sequence[Mapping[str, Any]],
               sites: Mapping[str, tuple[float, float]]) -> bytes:
    """A FeatureCollection: each row a feature at its initiative's site (no geometry when it has
    none), its columns as properties."""
    features = []
    for row in rows:
        site = sites.get(row["initiative_code"])
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": list(site)} if site else None,
            "properties": {column: value_of(row, column) for column in dataset.columns},
        })
    return json.dumps({"type": "FeatureCollection", "name": dataset.name, "features": features},
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def serialise(fmt: str, dataset: Dataset, rows: Sequence[Mapping[str, Any]],
              sites: Mapping[str, tuple[float, float]]) -> bytes:
    if fmt == "csv":
        return to_csv(dataset, rows)
    if fmt == "xlsx":
        return to_xlsx(dataset, rows)
    if fmt == "geojson":
        return to_geojson(dataset, rows, sites)
    raise ValueError(f"unknown format {fmt!r}")


def catalogue(base_url: str, *, plan_name: str, commune: str, modified: dt.date | None,
              head: Mapping[str, Any] | None) -> dict[str, Any]:
    """The DCAT catalogue (JSON-LD) of the open data sets."""
    base = base_url.rstrip("/")
    issued = modified.isoformat() if modified else None
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": f"{base}/datos/catalogo.jsonld",
        "@type": "dcat:Catalog",
        "dct:title": f"Datos abiertos del {plan_name}",
        "dct:description": f"Avance del Plan de Desarrollo Comunal de {commune}: iniciativas, indicadores, "
                           "hitos e historia de los informes de avance.",
        "dct:language": "es-CL",
        "dct:publisher": {"@type": "foaf:Organization", "foaf:name": f"Municipalidad de {commune}"},
        "dct:license": {"@id": LICENCE},
        "dct:modified": {"@value": issued, "@type": "xsd:date"} if issued else None,
        "dct:identifier": head["hash"] if head else None,
        "dcat:dataset": [
            {
                "@id": f"{base}/datos#{d.name}",
                "@type": "dcat:Dataset",
                "dct:identifier": d.name,
                "dct:title": d.title,
                "dct:description": d.description,
                "dct:license": {"@id": LICENCE},
                "dct:modified": {"@value": issued, "@type": "xsd:date"} if issued else None,
                "dct:spatial": commune,
                "dcat:keyword": ["PLADECO", commune, d.name],
                "dcat:distribution": [
                    {
                        "@type": "dcat:Distribution",
                        "dct:title": f"{d.title} ({fmt.upper()})",
                        "dcat:downloadURL": {"@id": f"{base}/datos/{d.name}.{fmt}"},
                        "dcat:mediaType": media.split(";")[0],
                        "dct:license": {"@id": LICENCE},
                    }
                    for fmt, media in FORMATS.items()
                ],
            }
            for d in DATASETS.values()
        ],
    }
