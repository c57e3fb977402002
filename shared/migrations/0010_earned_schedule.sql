-- Judgements as of today (issue #13): earned schedule, the overdue status, and roll-ups over one
-- set of initiatives. docs/scorecard.md explains every figure with worked examples.
--
-- * initiative_figures gains the earned-schedule measures and the day they were judged on
--   (`judged_on`, a date in America/Santiago). The indicator service judges every initiative again
--   each day (and whenever a report or a plan revision arrives), so PV, SPI and the status are taken
--   as of today, not as of the last report.
-- * initiative_month_report gains the earned schedule of its progress report (the S-curve's ES).
-- * initiative.reporting_period: how often the initiative must report ('mensual' until plan files
--   carry it); a report older than one period is flagged "sin informe reciente".

ALTER TABLE initiative_figures
    ADD COLUMN judged_on              date,
    ADD COLUMN earned_schedule_days   double precision,
    ADD COLUMN actual_time_days       integer,
    ADD COLUMN spi_t                  double precision,
    ADD COLUMN schedule_variance_days double precision,
    ADD COLUMN ieac_t_date            date,
    ADD COLUMN ieac_t_planned_date    date;

ALTER TABLE initiative_month_report ADD COLUMN earned_schedule_days double precision;

ALTER TABLE initiative ADD COLUMN reporting_period text NOT NULL DEFAULT 'mensual'
    CHECK (reporting_period IN ('mensual', 'trimestral', 'semestral', 'anual'));

CREATE FUNCTION reporting_interval(period text) RETURNS interval LANGUAGE sql IMMUTABLE AS $$
SELECT CASE period WHEN 'trimestral' THEN interval '3 months' WHEN 'semestral' THEN interval '6 months'
                   WHEN 'anual' THEN interval '1 year' ELSE interval '1 month' END
$$;

CREATE OR REPLACE VIEW {{scorecard}}.initiative AS
SELECT i.code AS initiative_code,
       i.name,
       i.kind,
       i.responsible_unit AS department_code,
       d.name AS department_name,
       i.programme_code,
       p.name AS programme_name,
       o.code AS objective_code,
       o.name AS objective_name,
       a.code AS axis_code,
       a.name AS axis_name,
       i.territory_code,
       t.name AS territory_name,
       i.locality_code,
       l.name AS locality_name,
       COALESCE(i.latitude, l.latitude) AS latitude,
       COALESCE(i.longitude, l.longitude) AS longitude,
       i.budget_clp,
       i.start_date,
       i.end_date,
       i.beneficiaries,
       f.data_date,
       f.physical_progress_pct,
       f.planned_progress_pct,
       f.earned_value_clp,
       f.planned_value_clp,
       f.actual_cost_clp,
       f.spi,
       f.cpi,
       f.schedule_variance_clp,
       f.cost_variance_clp,
       f.financial_execution_pct,
       f.estimate_at_completion_clp,
       COALESCE(f.status, 'no_data') AS status,
       CASE COALESCE(f.status, 'no_data')
           WHEN 'on_track' THEN 'En plazo'
           WHEN 'at_risk' THEN 'En riesgo'
           WHEN 'late' THEN 'Atrasada'
           WHEN 'done' THEN 'Terminada'
           WHEN 'overdue' THEN 'Vencida'
           WHEN 'not_started' THEN 'No iniciada'
           ELSE 'Sin informes'
       END AS status_label,
       COALESCE(f.report_count, 0) AS report_count,
       f.last_report_as_of,
       COALESCE(f.judged_on, (now() AT TIME ZONE 'America/Santiago')::date) - f.last_report_as_of AS days_since_last_report,
       COALESCE(ms.done_on_time, 0) AS milestones_done_on_time,
       COALESCE(ms.done_late, 0) AS milestones_done_late,
       COALESCE(ms.overdue, 0) AS milestones_overdue,
       COALESCE(ms.pending, 0) AS milestones_pending,
       COALESCE(ms.cancelled, 0) AS milestones_cancelled,
       f.judged_on,
       (i.end_date - i.start_date) AS planned_duration_days,
       f.earned_schedule_days,
       i.start_date + floor(f.earned_schedule_days)::integer AS earned_schedule_date,
       f.actual_time_days,
       f.spi_t,
       f.schedule_variance_days,
       f.ieac_t_date,
       f.ieac_t_planned_date,
       i.reporting_period,
       COALESCE(f.status, 'no_data') NOT IN ('done', 'not_started')
           AND f.last_report_as_of + reporting_interval(i.reporting_period)
               < COALESCE(f.judged_on, (now() AT TIME ZONE 'America/Santiago')::date) AS report_outdated,
       CASE WHEN COALESCE(f.status, 'no_data') NOT IN ('done', 'not_started')
                 AND f.last_report_as_of + reporting_interval(i.reporting_period)
                     < COALESCE(f.judged_on, (now() AT TIME ZONE 'America/Santiago')::date)
            THEN 'sin informe reciente' END AS report_qualifier
FROM initiative i
LEFT JOIN department d ON d.code = i.responsible_unit
LEFT JOIN programme p ON p.code = i.programme_code
LEFT JOIN objective o ON o.code = p.objective_code
LEFT JOIN strategic_axis a ON a.code = o.axis_code
LEFT JOIN territory t ON t.code = i.territory_code
LEFT JOIN locality l ON l.code = i.locality_code
LEFT JOIN initiative_figures f ON f.initiative_code = i.code
LEFT JOIN (
    SELECT initiative_code,
           count(*) FILTER (WHERE outcome = 'done_on_time') AS done_on_time,
           count(*) FILTER (WHERE outcome = 'done_late') AS done_late,
           count(*) FILTER (WHERE outcome = 'overdue') AS overdue,
           count(*) FILTER (WHERE outcome = 'pending') AS pending,
           count(*) FILTER (WHERE outcome = 'cancelled') AS cancelled
    FROM {{scorecard}}.milestone
    GROUP BY initiative_code
) ms ON ms.initiative_code = i.code;

-- The S-curve carries the earned schedule of the month's latest progress; SPI(t) at the month's end
-- is ES / AT, with AT stopped at the data date of a report that said 100 %.
CREATE OR REPLACE VIEW initiative_monthly AS
SELECT p.initiative_code,
       p.month,
       p.planned_progress_pct,
       progress.physical_progress_pct,
       p.planned_progress_pct / 100 * i.budget_clp AS planned_value_clp,
       progress.physical_progress_pct / 100 * i.budget_clp AS earned_value_clp,
       spending.spent_to_date_clp AS actual_cost_clp,
       progress.earned_schedule_days,
       (CASE WHEN progress.physical_progress_pct >= 100
             THEN LEAST(progress.progress_as_of, (p.month + interval '1 month - 1 day')::date)
             ELSE (p.month + interval '1 month - 1 day')::date END) - i.start_date AS actual_time_days
FROM initiative_monthly_planned p
JOIN initiative i ON i.code = p.initiative_code
LEFT JOIN LATERAL (
    SELECT r.physical_progress_pct, r.earned_schedule_days, r.progress_as_of FROM initiative_month_report r
    WHERE r.initiative_code = p.initiative_code AND r.month <= p.month AND r.physical_progress_pct IS NOT NULL
    ORDER BY r.month DESC LIMIT 1
) progress ON true
LEFT JOIN LATERAL (
    SELECT r.spent_to_date_clp FROM initiative_month_report r
    WHERE r.initiative_code = p.initiative_code AND r.month <= p.month AND r.spent_to_date_clp IS NOT NULL
    ORDER BY r.month DESC LIMIT 1
) spending ON true;

CREATE OR REPLACE VIEW {{scorecard}}.initiative_monthly AS
SELECT m.initiative_code, i.name, i.department_code, m.month, m.planned_progress_pct, m.physical_progress_pct,
       m.planned_value_clp, m.earned_value_clp, m.actual_cost_clp,
       m.earned_schedule_days,
       m.actual_time_days,
       CASE WHEN m.actual_time_days > 0 THEN m.earned_schedule_days / m.actual_time_days END AS spi_t
FROM initiative_monthly m
JOIN {{scorecard}}.initiative i ON i.initiative_code = m.initiative_code;

-- Roll-ups: one set, every initiative of the group, for physical %, planned %, SPI and SPI(t): an
-- initiative without reports has earned nothing (EV 0, ES 0) while its plan runs on (PV and AT as
-- of today). The count of overdue initiatives is added; 'without_progress' no longer hides them.
CREATE OR REPLACE VIEW {{scorecard}}.rollup AS
SELECT g.level,
       g.group_code,
       g.group_name,
       count(*) AS initiatives,
       count(i.data_date) AS initiatives_reporting,
       sum(g.weight * i.budget_clp) AS budget_clp,
       sum(g.weight * COALESCE(i.earned_value_clp, 0)) AS earned_value_clp,
       sum(g.weight * COALESCE(i.planned_value_clp, 0)) AS planned_value_clp,
       sum(g.weight * i.actual_cost_clp) AS actual_cost_clp,
       100 * sum(g.weight * COALESCE(i.earned_value_clp, 0)) / NULLIF(sum(g.weight * i.budget_clp), 0) AS physical_progress_pct,
       100 * sum(g.weight * COALESCE(i.planned_value_clp, 0)) / NULLIF(sum(g.weight * i.budget_clp), 0) AS planned_progress_pct,
       sum(g.weight * COALESCE(i.earned_value_clp, 0)) / NULLIF(sum(g.weight * COALESCE(i.planned_value_clp, 0)), 0) AS spi,
       sum(g.weight * i.earned_value_clp) FILTER (WHERE i.actual_cost_clp > 0 AND i.data_date IS NOT NULL)
           / NULLIF(sum(g.weight * i.actual_cost_clp) FILTER (WHERE i.actual_cost_clp > 0 AND i.data_date IS NOT NULL), 0) AS cpi,
       100 * sum(g.weight * COALESCE(i.actual_cost_clp, 0)) / NULLIF(sum(g.weight * i.budget_clp), 0) AS financial_execution_pct,
       count(*) FILTER (WHERE i.status = 'on_track') AS on_track,
       count(*) FILTER (WHERE i.status = 'at_risk') AS at_risk,
       count(*) FILTER (WHERE i.status = 'late') AS late,
       count(*) FILTER (WHERE i.status = 'done') AS done,
       count(*) FILTER (WHERE i.status IN ('no_data', 'not_started')) AS without_progress,
       sum(i.milestones_done_on_time) AS milestones_done_on_time,
       sum(i.milestones_done_late) AS milestones_done_late,
       sum(i.milestones_overdue) AS milestones_overdue,
       100.0 * sum(i.milestones_done_on_time)
           / NULLIF(sum(i.milestones_done_on_time + i.milestones_done_late + i.milestones_overdue), 0)
           AS milestone_compliance_pct,
       count(*) FILTER (WHERE i.status = 'overdue') AS overdue,
       sum(g.weight * i.budget_clp * COALESCE(i.earned_schedule_days, 0)) FILTER (WHERE i.actual_time_days > 0)
           / NULLIF(sum(g.weight * i.budget_clp * i.actual_time_days) FILTER (WHERE i.actual_time_days > 0), 0) AS spi_t,
       count(*) FILTER (WHERE i.report_outdated) AS reports_outdated
FROM {{scorecard}}.initiative_group g
JOIN {{scorecard}}.initiative i ON i.initiative_code = g.initiative_code
GROUP BY g.level, g.group_code, g.group_name;

CREATE OR REPLACE VIEW {{scorecard}}.rollup_monthly AS
WITH totals AS (
    SELECT g.level, g.group_code, sum(g.weight * i.budget_clp) AS budget_clp
    FROM {{scorecard}}.initiative_group g
    JOIN {{scorecard}}.initiative i ON i.initiative_code = g.initiative_code
    GROUP BY g.level, g.group_code
)
SELECT g.level,
       g.group_code,
       g.group_name,
       m.month,
       t.budget_clp,
       sum(g.weight * m.planned_value_clp) AS planned_value_clp,
       sum(g.weight * COALESCE(m.earned_value_clp, 0)) AS earned_value_clp,
       sum(g.weight * COALESCE(m.actual_cost_clp, 0)) AS actual_cost_clp,
       100 * sum(g.weight * m.planned_value_clp) / NULLIF(t.budget_clp, 0) AS planned_progress_pct,
       100 * sum(g.weight * COALESCE(m.earned_value_clp, 0)) / NULLIF(t.budget_clp, 0) AS physical_progress_pct,
       sum(g.weight * i.budget_clp * COALESCE(m.earned_schedule_days, 0)) FILTER (WHERE m.actual_time_days > 0)
           / NULLIF(sum(g.weight * i.budget_clp * m.actual_time_days) FILTER (WHERE m.actual_time_days > 0), 0) AS spi_t
FROM {{scorecard}}.initiative_group g
JOIN totals t ON t.level = g.level AND t.group_code IS NOT DISTINCT FROM g.group_code
JOIN {{scorecard}}.initiative i ON i.initiative_code = g.initiative_code
JOIN initiative_monthly m ON m.initiative_code = g.initiative_code
GROUP BY g.level, g.group_code, g.group_name, m.month, t.budget_clp;
