"""``pladeco backtest``: would the early warnings have come true? The stored history is replayed
into a separate schema **as of each month's end**, the alert rules are evaluated on that day, and
every warning is scored against what happened (messages in Spanish).

    pladeco backtest [--from AAAA-MM-DD] [--to AAAA-MM-DD] [--into SCHEMA]

The events come from the tamper-evident log and are applied with the same code as
``pladeco replay`` (``cli.replay.HistoryApplier``): at each month end, the plan revisions loaded
by then and the reports about dates up to then (their ``as_of``). Then the evaluation the alert
service runs (``services.alerts.handlers.run_evaluation``) with that month end as "now", so the
lifecycle (pending, ``consecutive`` on new evidence, firing) is the service's own.

Scoring (pure, :func:`score`), per early-warning rule and overall:

- An initiative is **late** when its first report at 100 % is dated after its end date, or when it
  never reached 100 % and its end date is before the last month evaluated; **on time** when that
  report is dated on or before its end date; otherwise still **open** and not scored.
- A **warning** is an alert that fired (pending ones never reached anybody); its date is the day
  evaluated when it first fired.
- For a late initiative: the first warning and its **lead time** (end date − warning date, days;
  negative when it came after the deadline). It counts for **recall** when the lead time is at
  least ``lead_days`` (90).
- For an on-time initiative: any warning is a **false alarm**.
- **precision** = warned late / (warned late + warned on time); **recall** = late warned at least
  ``lead_days`` ahead / late; **median lead time** over the late initiatives warned.
- Critical alerts of *any* rule on on-time initiatives are counted too (the target is none).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from cli.replay import SCHEMA_NAME

WARNING_KINDS = ("completion_forecast", "schedule_forecast")
"""The early warnings about the completion date, scored by the backtest."""
LEAD_DAYS = 90
"""A late initiative counts as recalled when warned at least this many days before its deadline."""
OVERALL = "todas"

Verdict = Literal["late", "on_time", "open"]


# --- scoring (pure) ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    code: str
    deadline: dt.date
    finished_on: dt.date | None
    """The date (as_of) of the first report at 100 %; none if it never came."""

    def verdict(self, until: dt.date) -> Verdict:
        if self.finished_on is not None:
            return "on_time" if self.finished_on <= self.deadline else "late"
        return "late" if self.deadline < until else "open"


@dataclass(frozen=True)
class Warning:
    rule: str
    initiative_code: str
    on: dt.date
    severity: str


@dataclass(frozen=True)
class Score:
    rule: str
    late: int
    """Late initiatives scored (the same for every rule)."""
    on_time: int
    warned_late: int
    recalled: int
    """Late initiatives warned at least ``lead_days`` before their deadline."""
    false_alarms: int
    """On-time initiatives warned."""
    median_lead_days: float | None

    @property
    def precision(self) -> float | None:
        warned = self.warned_late + self.false_alarms
        return self.warned_late / warned if warned else None

    @property
    def recall(self) -> float | None:
        return self.recalled / self.late if self.late else None


@dataclass(frozen=True)
class Report:
    scores: list[Score]
    critical_on_time: dict[str, int]
    """Critical alerts of any rule on on-time initiatives: rule → initiatives."""
    leads: dict[str, dict[str, int]]
    """Rule → late initiative → lead time in days of its first warning."""
    verdicts: dict[str, Verdict]
    first_warnings: dict[str, dict[str, dt.date]]
    """Rule (and ``todas``) → initiative → the day of its first warning."""


def score(outcomes: Iterable[Outcome], warnings: Iterable[Warning], *, rules: Sequence[str], until: dt.date,
          lead_days: int = LEAD_DAYS) -> Report:
    """Score the warnings of ``rules`` (each, and all together) against the outcomes."""
    outcomes = {outcome.code: outcome for outcome in outcomes}
    verdicts = {code: outcome.verdict(until) for code, outcome in outcomes.items()}
    warnings = list(warnings)
    first: dict[str, dict[str, dt.date]] = {rule: {} for rule in [*rules, OVERALL]}
    for warning in warnings:
        if warning.rule not in rules or warning.initiative_code not in outcomes:
            continue
        for key in (warning.rule, OVERALL):
            seen = first[key].get(warning.initiative_code)
            if seen is None or warning.on < seen:
                first[key][warning.initiative_code] = warning.on
    late = [code for code, verdict in verdicts.items() if verdict == "late"]
    on_time = [code for code, verdict in verdicts.items() if verdict == "on_time"]
    scores, leads = [], {}
    for rule, warned in first.items():
        lead = {code: (outcomes[code].deadline - warned[code]).days for code in late if code in warned}
        leads[rule] = lead
        scores.append(Score(
            rule=rule, late=len(late), on_time=len(on_time), warned_late=len(lead),
            recalled=sum(days >= lead_days for days in lead.values()),
            false_alarms=sum(code in warned for code in on_time),
            median_lead_days=statistics.median(lead.values()) if lead else None,
        ))
    critical: dict[str, set[str]] = {}
    for warning in warnings:
        if warning.severity == "critical" and verdicts.get(warning.initiative_code) == "on_time":
            critical.setdefault(warning.rule, set()).add(warning.initiative_code)
    return Report(scores, {rule: len(codes) for rule, codes in sorted(critical.items())}, leads, verdicts, first)


def render(report: Report, *, lead_days: int = LEAD_DAYS) -> str:
    """The table, in Spanish."""
    def ratio(value: float | None) -> str:
        return "—" if value is None else f"{value:.2f}".replace(".", ",")

    header = (f"{'regla':<24} {'atrasadas':>9} {'avisadas':>8} {f'≥{lead_days} d':>7} {'a tiempo':>8} "
              f"{'falsas':>6} {'precisión':>9} {'recall':>6} {'antic. mediana (d)':>18}")
    lines = [header, "-" * len(header)]
    for s in report.scores:
        lead = "—" if s.median_lead_days is None else f"{s.median_lead_days:.0f}"
        lines.append(f"{s.rule:<24} {s.late:>9} {s.warned_late:>8} {s.recalled:>7} {s.on_time:>8} "
                     f"{s.false_alarms:>6} {ratio(s.precision):>9} {ratio(s.recall):>6} {lead:>18}")
    counts = {verdict: sum(v == verdict for v in report.verdicts.values()) for verdict in ("late", "on_time", "open")}
    lines.append("")
    lines.append(f"Iniciativas: {counts['late']} atrasadas o sin terminar, {counts['on_time']} terminadas a tiempo, "
                 f"{counts['open']} aún en plazo (no se puntúan).")
    if report.critical_on_time:
        detail = ", ".join(f"{rule}: {count}" for rule, count in report.critical_on_time.items())
        lines.append(f"Alertas críticas sobre iniciativas terminadas a tiempo: {detail}.")
    else:
        lines.append("Ninguna iniciativa terminada a tiempo recibió una alerta crítica.")
    return "\n".join(lines)


# --- the replay month by month ------------------------------------------------------------------------


def month_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    """The last day of every month from ``first``'s month to ``last``'s (both included)."""
    days, cursor = [], dt.date(first.year, first.month, 1)
    while cursor <= last:
        following = dt.date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
        days.append(following - dt.timedelta(days=1))
        cursor = following
    return days


def backtest(args: argparse.Namespace) -> int:
    if not SCHEMA_NAME.match(args.into) or args.into in {"public", "scorecard"}:
        print(f"pladeco: esquema inválido «{args.into}» (minúsculas, dígitos y _; no public ni scorecard)", file=sys.stderr)
        return 2
    try:
        first = dt.date.fromisoformat(args.from_date) if args.from_date else None
        last = dt.date.fromisoformat(args.to_date) if args.to_date else None
    except ValueError as error:
        print(f"pladeco: fecha inválida ({error}); use AAAA-MM-DD", file=sys.stderr)
        return 2
    from cli.main import common_settings

    report = asyncio.run(run_backtest(args.into, first, last, common_settings().database_url))
    if report is None:
        print("pladeco: el historial no tiene informes de avance que evaluar", file=sys.stderr)
        return 1
    print(render(report))
    return 0


async def run_backtest(schema: str, first: dt.date | None, last: dt.date | None, database_url: str,
                       *, rules_file=None, only: Collection[str] | None = None) -> Report | None:  # noqa: ANN001
    """Replay month by month into ``schema``, evaluate at each month end, score; none without reports.
    ``only``: score just these initiatives (every one is replayed and evaluated all the same)."""
    import asyncpg
    from tqdm import tqdm

    from cli.replay import HistoryApplier, end_of, fresh_schema, logged_history
    from services.alerts.handlers import run_evaluation
    from services.alerts.rules import load_rules
    from services.alerts.settings import AlertRulesSettings
    from services.indicators.store import rejudge_figures
    from shared.events import PlanRevised

    ruleset = load_rules(rules_file or AlertRulesSettings().alerts_rules_file)
    views = f"{schema}_scorecard"
    live = await asyncpg.connect(database_url)
    try:
        history = [item async for item in logged_history(live)]
        revisions = [(event, source) for event, source in history if isinstance(event.payload, PlanRevised)]
        reports = sorted(((event, source) for event, source in history if not isinstance(event.payload, PlanRevised)),
                         key=lambda item: item[0].payload.as_of)  # stable: log order within a date
        if not reports or not revisions:
            return None
        first = first or reports[0][0].payload.as_of
        last = last or reports[-1][0].payload.as_of
        days = month_ends(first, last)
        pool = await fresh_schema(live, database_url, schema)
    finally:
        await live.close()
    try:
        applier = HistoryApplier(pool, days[0])
        await applier.revision(*revisions[0])  # without a plan nothing can be computed
        pending_revisions, next_report = revisions[1:], 0
        with tqdm(total=len(days), unit=" meses", desc="Backtest", disable=not sys.stderr.isatty()) as bar:
            for day in days:
                applier.today = day
                while pending_revisions and pending_revisions[0][0].occurred_at <= end_of(day):
                    await applier.revision(*pending_revisions.pop(0))
                while next_report < len(reports) and reports[next_report][0].payload.as_of <= day:
                    await applier.progress(*reports[next_report])
                    next_report += 1
                await applier.flush()
                async with pool.acquire() as connection, connection.transaction():
                    await rejudge_figures(connection, day, end_of(day))
                    await run_evaluation(connection, ruleset, None, now=end_of(day), escalate=False, views=views)
                bar.update(1)
        async with pool.acquire() as connection:
            outcomes, warnings = await _what_happened(connection, views)
    finally:
        await pool.close()
    if only is not None:
        outcomes = [outcome for outcome in outcomes if outcome.code in only]
        warnings = [warning for warning in warnings if warning.initiative_code in only]
    rules = [rule.name for rule in ruleset.enabled() if rule.kind in WARNING_KINDS]
    return score(outcomes, warnings, rules=rules, until=days[-1])


async def _what_happened(connection, views: str) -> tuple[list[Outcome], list[Warning]]:  # noqa: ANN001
    from cli import store
    from shared.clock import SANTIAGO

    outcomes = [Outcome(code, end, finished_on) for code, end, finished_on in await store.initiative_outcomes(
        connection, views)]
    alerts = await store.raised_alerts(connection)
    warnings = [Warning(row["rule"], row["initiative_code"], row["raised_at"].astimezone(SANTIAGO).date(),
                        row["severity"]) for row in alerts]
    return outcomes, warnings


def add_commands(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("backtest", help="reproduce el historial mes a mes y evalúa si las alertas acertaron")
    cmd.add_argument("--from", dest="from_date", help="primer mes evaluado, AAAA-MM-DD (por omisión, el del primer informe)")
    cmd.add_argument("--to", dest="to_date", help="último mes evaluado, AAAA-MM-DD (por omisión, el del último informe)")
    cmd.add_argument("--into", default="backtest", help="esquema de trabajo (se reemplaza)")
    cmd.set_defaults(handler=backtest)
