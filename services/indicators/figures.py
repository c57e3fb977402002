"""The figures of the indicator service, with no I/O: what a batch of news changes in an
initiative's stored figures (the merge), the rows to write, and the ``indicators.updated`` event to
announce. ``store.py`` reads the state, calls these, and writes.

The merge is correct because every figure is a *latest* (services/indicators/scorecard.py says
why): the latest of (the stored latest + the new candidates) is the latest of the whole history.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from services.indicators import scorecard
from shared.events import (
    EventEnvelope,
    IndicatorFigure,
    IndicatorsUpdated,
    InitiativeFigures,
    MilestoneFigure,
    ProgressReported,
)

FIGURES_EVENT_NAMESPACE = uuid.UUID("6f1c2e53-5d0a-4c8e-9a51-0b3f3f2d7a10")


@dataclass(frozen=True)
class Cause:
    """The events that made an initiative's figures be recomputed, and when the latest happened."""

    event_ids: tuple[uuid.UUID, ...]
    at: dt.datetime
    judged_on: dt.date | None = None
    """Set when the passing of time, not an event, judged the figures again (that day)."""


def last_per_code(items: Iterable[Any], attribute: str) -> list[Any]:
    # One report naming the same milestone twice: its last word counts.
    return list({getattr(item, attribute): item for item in items}.values())


def last_per_key(measurements: Iterable[Any]) -> list[Any]:
    return list({(m.indicator_code, m.period): m for m in measurements}.values())


def causes_of(events: Iterable[EventEnvelope[ProgressReported]]) -> dict[str, Cause]:
    grouped: dict[str, list[EventEnvelope[ProgressReported]]] = defaultdict(list)
    for event in events:
        grouped[event.payload.initiative_code].append(event)
    return {
        code: Cause(tuple(sorted(e.event_id for e in items)), max(e.recorded_at for e in items))
        for code, items in grouped.items()
    }


@dataclass
class News:
    """What may change an initiative's figures: candidates for its latest report, latest
    measurement of each indicator and latest update of each milestone."""

    reports: list[scorecard.ProgressReport] = field(default_factory=list)
    measurements: dict[str, list[scorecard.Measurement]] = field(default_factory=lambda: defaultdict(list))
    milestones: dict[str, list[scorecard.MilestoneReport]] = field(default_factory=lambda: defaultdict(list))


@dataclass
class InitiativePlan:
    """What the plan says of an initiative that its figures need."""

    budget_clp: int
    curve: scorecard.CurvePlan
    indicators: dict[str, asyncpg.Record] = field(default_factory=dict)
    milestones: set[str] = field(default_factory=set)


@dataclass
class StoredFigures:
    """The figures before this change: the base of the merge and of the ``changed`` lists."""

    figures: dict[str, InitiativeFigures] = field(default_factory=dict)
    indicators: dict[str, IndicatorFigure] = field(default_factory=dict)
    milestones: dict[str, MilestoneFigure] = field(default_factory=dict)
    latest_measurement: dict[str, scorecard.Measurement] = field(default_factory=dict)
    latest_milestone_update: dict[str, scorecard.MilestoneReport] = field(default_factory=dict)


@dataclass
class FigureRows:
    initiatives: list[tuple[str, InitiativeFigures]] = field(default_factory=list)
    indicators: list[tuple[str, IndicatorFigure, scorecard.Measurement | None]] = field(default_factory=list)
    milestones: list[tuple[str, MilestoneFigure, scorecard.MilestoneReport]] = field(default_factory=list)
    planned: list[tuple[str, dt.date, float]] = field(default_factory=list)


def counted(old: InitiativeFigures | None, item: News) -> tuple[int, dt.date | None]:
    """Report count and latest ``as_of`` after adding the new reports to the stored ones."""
    count = (old.report_count if old else 0) + len(item.reports)
    days = [day for day in [old.last_report_as_of if old else None, *(r.as_of for r in item.reports)] if day]
    return count, max(days, default=None)


def candidates(stored: dict[str, Any], code: str, new: dict[str, list[Any]], from_history: bool) -> list[Any]:
    # From history the news already hold the history's latest; the stored one may be outdated.
    kept = [] if from_history or code not in stored else [stored[code]]
    return kept + new.get(code, [])


def planned_rows(
    code: str, plan: InitiativePlan, old: InitiativeFigures | None, last_as_of: dt.date | None,
    period_end: dt.date | None, from_history: bool,
) -> list[tuple[str, dt.date, float]]:
    """The planned S-curve: whole from history; otherwise only the months a later report added."""
    until = scorecard.series_last_day(plan.curve, last_as_of, period_end)
    if not from_history and old is not None:
        stored_until = scorecard.series_last_day(plan.curve, old.last_report_as_of, period_end)
        if until.replace(day=1) <= stored_until.replace(day=1):
            return []  # the common case: a report within the months already planned
        return [(code, month, pct) for month, pct in scorecard.planned_by_month(plan.curve, until)
                if month > stored_until]
    return [(code, month, pct) for month, pct in scorecard.planned_by_month(plan.curve, until)]


def month_row(code: str, merged: scorecard.MonthLatest, curve: scorecard.CurvePlan) -> tuple[Any, ...]:
    progress, spending = merged.progress, merged.spending
    physical = progress.physical_progress_pct if progress else None
    return (
        code, merged.month,
        progress.as_of if progress else None, progress.recorded_at if progress else None, physical,
        spending.as_of if spending else None, spending.recorded_at if spending else None,
        spending.spent_to_date_clp if spending else None,
        scorecard.earned_schedule_days(curve, physical) if physical is not None else None,
    )


def initiative_figures(
    plan: InitiativePlan, latest_reports: list[scorecard.ProgressReport], report_count: int,
    last_report_as_of: dt.date | None, today: dt.date,
) -> InitiativeFigures:
    ev = scorecard.earned_value(plan.curve, plan.budget_clp, latest_reports, today)
    schedule = ev.schedule
    return InitiativeFigures(
        data_date=ev.data_date, physical_progress_pct=ev.physical_progress_pct,
        planned_progress_pct=ev.planned_progress_pct, budget_clp=plan.budget_clp,
        earned_value_clp=ev.earned_value_clp, planned_value_clp=ev.planned_value_clp,
        actual_cost_clp=ev.actual_cost_clp, spi=ev.spi, cpi=ev.cpi,
        financial_execution_pct=ev.financial_execution_pct, schedule_variance_clp=ev.schedule_variance_clp,
        cost_variance_clp=ev.cost_variance_clp, estimate_at_completion_clp=ev.estimate_at_completion_clp,
        status=scorecard.initiative_status(ev, plan.curve), report_count=report_count,
        last_report_as_of=last_report_as_of, judged_on=ev.judged_on,
        earned_schedule_days=schedule.earned_schedule_days if schedule else None,
        actual_time_days=schedule.actual_time_days if schedule else (ev.judged_on - plan.curve.start).days,
        spi_t=schedule.spi_t if schedule else None,
        schedule_variance_days=schedule.schedule_variance_days if schedule else None,
        ieac_t_date=schedule.ieac_t_date if schedule else None,
        ieac_t_planned_date=schedule.ieac_t_planned_date if schedule else None,
    )


def indicator_figure(
    spec: asyncpg.Record, code: str, measurements: list[scorecard.Measurement]
) -> tuple[IndicatorFigure, scorecard.Measurement | None]:
    latest = scorecard.latest_measurement(measurements)
    value = latest.value if latest else None
    efficacy = scorecard.efficacy_pct(spec["baseline"], spec["target"], value) if latest else None
    figure = IndicatorFigure(
        indicator_code=code, value=value, period=latest.period if latest else None, efficacy_pct=efficacy,
        light=scorecard.traffic_light(efficacy, spec["green_threshold"], spec["yellow_threshold"]).value,
        target_reached=scorecard.target_reached(spec["baseline"], spec["target"], value),
    )
    return figure, latest


def milestone_figure(
    code: str, updates: list[scorecard.MilestoneReport]
) -> tuple[MilestoneFigure, scorecard.MilestoneReport] | None:
    last = scorecard.latest_milestone_update(updates)
    if last is None:
        return None
    return MilestoneFigure(milestone_code=code, status=last.status, status_date=last.date,
                           reported_as_of=last.as_of), last


def figures_event(
    code: str, figures: InitiativeFigures, indicators: list[IndicatorFigure], milestones: list[MilestoneFigure],
    before: StoredFigures, cause: Cause,
) -> EventEnvelope[IndicatorsUpdated] | None:
    old = before.figures.get(code)
    changed = sorted(
        name for name in InitiativeFigures.model_fields
        if old is None or getattr(old, name) != getattr(figures, name)
    )
    changed_indicators = [f for f in indicators if before.indicators.get(f.indicator_code) != f]
    changed_milestones = [m for m in milestones if before.milestones.get(m.milestone_code) != m]
    if not changed and not changed_indicators and not changed_milestones:
        return None
    payload = IndicatorsUpdated(
        initiative_code=code, figures=figures, changed=changed, indicators=changed_indicators,
        milestones=changed_milestones, caused_by=list(cause.event_ids),
    )
    # The same history gives the same event id, so a replay's events can be matched to the originals;
    # a daily judgement has one id per initiative and day.
    key = ",".join(str(e) for e in cause.event_ids) if cause.judged_on is None else f"judged:{cause.judged_on}"
    event_id = uuid.uuid5(FIGURES_EVENT_NAMESPACE, code + "|" + key)
    return EventEnvelope.of(payload, event_id=event_id, at=cause.at, source_system="pladeco-indicators",
                            actor="pladeco-indicators", initiative_code=code)
