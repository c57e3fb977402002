"""Worked examples of the open-data files and catalogue (services/portal/opendata.py)."""

from __future__ import annotations

import datetime as dt
import decimal
import io
import json
import uuid

from openpyxl import load_workbook

from services.portal import opendata

SET = opendata.Dataset("hitos", "Hitos", "…", ("milestone_code", "initiative_code", "due_date", "days_overdue",
                                              "amount_clp", "ratio", "done"))
ROWS = [
    {"milestone_code": "INI-001-H1", "initiative_code": "INI-001", "due_date": dt.date(2022, 6, 17),
     "days_overdue": None, "amount_clp": 472499999.99999994, "ratio": decimal.Decimal("0.1839666090961427"),
     "done": True},
    {"milestone_code": "X, \"Y\"", "initiative_code": "INI-404", "due_date": dt.date(2023, 1, 2),
     "days_overdue": 3, "amount_clp": 10, "ratio": None, "done": False},
]


def test_csv_is_utf8_with_a_header_iso_dates_whole_pesos_and_empty_for_none():
    text = opendata.to_csv(SET, ROWS).decode("utf-8")
    assert text.splitlines() == [
        "milestone_code,initiative_code,due_date,days_overdue,amount_clp,ratio,done",
        "INI-001-H1,INI-001,2022-06-17,,472500000,0.183967,true",
        '"X, ""Y""",INI-404,2023-01-02,3,10,,false',
    ]


def test_xlsx_holds_the_same_values():
    sheet = load_workbook(io.BytesIO(opendata.to_xlsx(SET, ROWS)))["hitos"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == SET.columns
    assert rows[1] == ("INI-001-H1", "INI-001", "2022-06-17", None, 472500000, 0.183967, True)


def test_geojson_puts_each_row_at_its_initiatives_site_or_nowhere():
    collection = json.loads(opendata.to_geojson(SET, ROWS, {"INI-001": (-69.52, -18.466)}))
    first, second = collection["features"]
    assert first["geometry"] == {"type": "Point", "coordinates": [-69.52, -18.466]}
    assert first["properties"]["amount_clp"] == 472500000
    assert second["geometry"] is None


def test_timestamps_are_utc_and_ids_text():
    assert opendata.cell(dt.datetime(2023, 5, 31, 20, 0, tzinfo=dt.timezone(dt.timedelta(hours=-4)))) \
        == "2023-06-01T00:00:00Z"
    assert opendata.cell(uuid.UUID(int=1)) == "00000000-0000-0000-0000-000000000001"


def test_the_catalogue_lists_every_set_in_every_format_with_the_licence_date_and_head():
    catalogue = opendata.catalogue("https://portal.example/", plan_name="PLADECO Putre", commune="Putre",
                                   modified=dt.date(2026, 1, 5), head={"hash": "ab" * 32})
    assert catalogue["dct:license"]["@id"] == opendata.LICENCE == "https://creativecommons.org/licenses/by/4.0/"
    assert catalogue["dct:modified"] == {"@value": "2026-01-05", "@type": "xsd:date"}
    assert catalogue["dct:identifier"] == "ab" * 32
    urls = {d["dcat:downloadURL"]["@id"] for s in catalogue["dcat:dataset"] for d in s["dcat:distribution"]}
    assert "https://portal.example/datos/iniciativas.csv" in urls
    assert len(urls) == 4 * 3


def test_no_open_data_column_names_a_person():
    for dataset in opendata.DATASETS.values():
        assert not [c for c in dataset.columns if any(w in c for w in ("email", "owner", "reporter", "actor"))]
