"""Worked examples of what the portal shows (services/portal/present.py)."""

from __future__ import annotations

import datetime as dt

from services.portal import present


def test_chilean_formats():
    assert present.clp(1_234_567) == "$1.234.567"
    assert present.clp(-5000.4) == "-$5.000"
    assert present.clp(None) == "—"
    assert present.pct(45.26) == "45,3 %"
    assert present.pct(35) == "35,0 %"
    assert present.number(1234.5) == "1.234,5"
    assert present.number(0.95) == "0,95"
    assert present.date(dt.date(2023, 5, 31)) == "31-05-2023"
    # 02:00 UTC on 1 June is still 31 May in Santiago (UTC−4).
    assert present.date(dt.datetime(2023, 6, 1, 2, 0, tzinfo=dt.UTC)) == "31-05-2023"
    assert present.long_date(dt.date(2023, 5, 31)) == "31 de mayo de 2023"


def test_every_status_has_a_word_and_a_distinct_symbol():
    marks = list(present.STATUS_MARKS.values())
    assert present.status_mark("overdue").label == "Vencida"
    assert len({m.symbol for m in marks}) == len(marks)
    assert all(m.label for m in marks)
    assert present.status_mark("something new").label == "Sin informes"


def test_summarise_weighs_progress_by_budget_and_counts_statuses():
    rows = [
        {"status": "on_track", "budget_clp": 900, "earned_value_clp": 450},
        {"status": "overdue", "budget_clp": 100, "earned_value_clp": 0},
        {"status": "no_data", "budget_clp": 0, "earned_value_clp": None},
    ]
    summary = present.summarise(rows)
    assert summary["initiatives"] == 3
    assert summary["budget_clp"] == 1000
    assert summary["physical_progress_pct"] == 45.0  # 450 of 1000, not the mean of 50 % and 0 %
    counts = {m.code: n for m, n in summary["counts"]}
    assert counts["on_track"] == 1 and counts["overdue"] == 1 and counts["no_data"] == 1


def test_the_s_curve_maps_percentages_and_months_onto_the_plot():
    points = [present.CurvePoint(dt.date(2022, m, 1), planned, actual)
              for m, planned, actual in ((11, 0.0, 0.0), (12, 50.0, 20.0), (1, 100.0, None))]
    points[2] = present.CurvePoint(dt.date(2023, 1, 1), 100.0, None)
    curve = present.s_curve(points, width=248, height=148)  # plot 188 × 100 from (48, 12)
    assert curve.planned == "48.0,112.0 142.0,62.0 236.0,12.0"
    assert curve.actual == "48.0,112.0 142.0,92.0"  # stops at the last month with a report
    assert curve.x_ticks == ((48.0, "2022"), (236.0, "2023"))
    assert curve.y_ticks[0] == (112.0, "0 %") and curve.y_ticks[-1] == (12.0, "100 %")
    assert present.s_curve([]) is None


def test_the_search_ignores_case_and_accents_and_needs_every_word():
    rows = [{"initiative_code": "INI-001", "name": "Reposición Posta de Salud Rural Belén"},
            {"initiative_code": "INI-002", "name": "Agua potable Tignámar", "locality_name": "Tignámar"}]
    assert [r["initiative_code"] for r in present.search("POSTA belen", rows)] == ["INI-001"]
    assert [r["initiative_code"] for r in present.search("tignamar", rows)] == ["INI-002"]
    assert present.search("posta tignamar", rows) == []
    assert present.search("   ", rows) == []
