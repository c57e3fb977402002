"""The backtest's scoring on a made-up history whose precision, recall and lead times are counted
by hand in the comments."""

from __future__ import annotations

import datetime as dt

from cli.backtest import OVERALL, Outcome, Warning, month_ends, render, score

D = dt.date
UNTIL = D(2025, 12, 31)
OUTCOMES = [
    Outcome("A", D(2024, 12, 31), D(2025, 3, 31)),   # late (finished after its end)
    Outcome("B", D(2024, 6, 30), None),              # late (never finished, end before UNTIL)
    Outcome("C", D(2024, 12, 31), D(2024, 11, 30)),  # on time
    Outcome("D", D(2024, 12, 31), D(2024, 12, 31)),  # on time (on the day)
    Outcome("E", D(2026, 6, 30), None),              # open: not scored
]
WARNINGS = [
    Warning("trend", "A", D(2024, 8, 31), "warning"),    # A: 122 days ahead
    Warning("trend", "A", D(2024, 10, 31), "warning"),   # a later one does not count
    Warning("schedule", "B", D(2024, 5, 31), "warning"),  # B: 30 days ahead, too late for recall
    Warning("trend", "C", D(2024, 6, 30), "warning"),    # C: a false alarm
    Warning("trend", "E", D(2025, 1, 31), "warning"),    # E is open: ignored
    Warning("other", "D", D(2024, 3, 31), "critical"),   # not a scored rule, but critical on time
]


def test_the_scores_by_hand():
    report = score(OUTCOMES, WARNINGS, rules=["trend", "schedule"], until=UNTIL)
    by_rule = {s.rule: s for s in report.scores}
    trend, schedule, overall = by_rule["trend"], by_rule["schedule"], by_rule[OVERALL]
    # trend: warned A (late, 122 d) and C (on time): precision 1/2, recall 1/2 (A ≥ 90 d), median lead 122.
    assert (trend.late, trend.on_time, trend.warned_late, trend.recalled, trend.false_alarms) == (2, 2, 1, 1, 1)
    assert (trend.precision, trend.recall, trend.median_lead_days) == (0.5, 0.5, 122)
    # schedule: warned B only, 30 days ahead: precision 1, recall 0, median 30.
    assert (schedule.precision, schedule.recall, schedule.median_lead_days) == (1.0, 0.0, 30)
    # together: A and B warned, C a false alarm: precision 2/3, recall 1/2, median of 122 and 30 = 76.
    assert (overall.warned_late, overall.false_alarms, overall.recalled) == (2, 1, 1)
    assert overall.precision == 2 / 3 and overall.recall == 0.5 and overall.median_lead_days == 76
    assert report.leads["trend"] == {"A": 122}
    assert report.critical_on_time == {"other": 1}
    assert report.verdicts == {"A": "late", "B": "late", "C": "on_time", "D": "on_time", "E": "open"}


def test_no_warning_gives_no_precision_and_zero_recall():
    report = score(OUTCOMES, [], rules=["trend"], until=UNTIL)
    trend = report.scores[0]
    assert (trend.precision, trend.recall, trend.median_lead_days) == (None, 0.0, None)
    text = render(report)
    assert "Ninguna iniciativa terminada a tiempo recibió una alerta crítica." in text
    assert "2 atrasadas o sin terminar, 2 terminadas a tiempo, 1 aún en plazo" in text


def test_the_table_names_rules_and_shows_decimal_commas():
    text = render(score(OUTCOMES, WARNINGS, rules=["trend", "schedule"], until=UNTIL))
    assert "precisión" in text and "0,50" in text and "0,67" in text
    assert "Alertas críticas sobre iniciativas terminadas a tiempo: other: 1." in text


def test_month_ends():
    assert month_ends(D(2024, 1, 15), D(2024, 3, 1)) == [D(2024, 1, 31), D(2024, 2, 29), D(2024, 3, 31)]
    assert month_ends(D(2024, 12, 31), D(2025, 1, 31)) == [D(2024, 12, 31), D(2025, 1, 31)]
