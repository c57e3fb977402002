-- The scorecard: the views Grafana and the public board read, and nothing else reads tables
-- directly. Documented column by column in docs/scorecard.md. `{{scorecard}}` is the schema of the
-- views (`scorecard` in a deployment; another name when a replay builds a second copy).
-- "Today" is the calendar date in America/Santiago.

CREATE SCHEMA IF NOT EXISTS {{scorecard}};

CREATE VIEW {{scorecard}}.milestone AS
SELECT m.code AS milestone_code,
       m.initiative_code,
       m.name,
       m.due_date,
       m.owner_email,
       s.status AS reported_status,
       s.status_date,
       s.reported_as_of,
       CASE
           WHEN s.status = 'done' AND COALESCE(s.status_date, s.reported_as_of) <= m.due_date THEN 'done_on_time'
           WHEN s.status = 'done' THEN 'done_late'
           WHEN s.status = 'cancelled' THEN 'cancelled'
           WHEN m.due_date < (now() AT TIME ZONE 'America/Santiago')::date THEN 'overdue'
           ELSE 'pending'
       END AS outcome,
       CASE
           WHEN s.status IS DISTINCT FROM 'done' AND s.status IS DISTINCT FROM 'cancelled'
                AND m.due_date < (now() AT TIME ZONE 'America/Santiago')::date
           THEN (now() AT TIME ZONE 'America/Santiago')::date - m.due_date
       END AS days_overdue
FROM milestone m
LEFT JOIN milestone_figures s ON s.milestone_code = m.code;

CREATE VIEW {{scorecard}}.indicator AS
SELECT n.code AS indicator_code,
       n.initiative_code,
       n.name,
       n.category,
       n.dimension,
       n.unit,
       n.baseline,
       n.target,
       n.target_date,
       n.direction,
       n.periodicity,
       n.green_threshold,
       n.yellow_threshold,
       f.value,
       f.period,
       f.as_of,
       f.efficacy_pct,
       COALESCE(f.light, 'no_data') AS light,
       COALESCE(f.target_reached, false) AS target_reached
FROM indicator n
LEFT JOIN indicator_figures f ON f.indicator_code = n.code;

CREATE VIEW {{scorecard}}.initiative AS
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
           WHEN 'not_started' THEN 'No iniciada'
           ELSE 'Sin informes'
       END AS status_label,
       COALESCE(f.report_count, 0) AS report_count,
       f.last_report_as_of,
       (now() AT TIME ZONE 'America/Santiago')::date - f.last_report_as_of AS days_since_last_report,
       COALESCE(ms.done_on_time, 0) AS milestones_done_on_time,
       COALESCE(ms.done_late, 0) AS milestones_done_late,
       COALESCE(ms.overdue, 0) AS milestones_overdue,
       COALESCE(ms.pending, 0) AS milestones_pending,
       COALESCE(ms.cancelled, 0) AS milestones_cancelled
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

-- Which groups each initiative counts in, and with what weight: 1, except for funding sources,
-- where an initiative counts by the share of its budget that source pays (equal shares when the
-- budget is zero).
CREATE VIEW {{scorecard}}.initiative_group AS
SELECT 'plan'::text AS level, pl.code AS group_code, pl.name AS group_name, i.initiative_code, 1.0::double precision AS weight
FROM {{scorecard}}.initiative i CROSS JOIN plan pl
UNION ALL
SELECT 'department', i.department_code, i.department_name, i.initiative_code, 1.0 FROM {{scorecard}}.initiative i
UNION ALL
SELECT 'programme', i.programme_code, i.programme_name, i.initiative_code, 1.0 FROM {{scorecard}}.initiative i
UNION ALL
SELECT 'objective', i.objective_code, i.objective_name, i.initiative_code, 1.0 FROM {{scorecard}}.initiative i
UNION ALL
SELECT 'axis', i.axis_code, i.axis_name, i.initiative_code, 1.0 FROM {{scorecard}}.initiative i
UNION ALL
SELECT 'territory', i.territory_code, i.territory_name, i.initiative_code, 1.0 FROM {{scorecard}}.initiative i
UNION ALL
SELECT 'funding_source', fs.code, fs.name, x.initiative_code,
       CASE WHEN x.budget_clp > 0 THEN x.amount_clp::double precision / x.budget_clp
            ELSE 1.0 / x.sources END
FROM (
    SELECT f.initiative_code, f.source_code, sum(f.amount_clp) AS amount_clp, max(i.budget_clp) AS budget_clp,
           count(*) OVER (PARTITION BY f.initiative_code) AS sources
    FROM initiative_funding f JOIN initiative i ON i.code = f.initiative_code
    GROUP BY f.initiative_code, f.source_code
) x
JOIN funding_source fs ON fs.code = x.source_code;

-- Roll-ups: every group of every level with budget-weighted figures (formulas in docs/scorecard.md).
CREATE VIEW {{scorecard}}.rollup AS
SELECT g.level,
       g.group_code,
       g.group_name,
       count(*) AS initiatives,
       count(i.data_date) AS initiatives_reporting,
       sum(g.weight * i.budget_clp) AS budget_clp,
       sum(g.weight * COALESCE(i.earned_value_clp, 0)) AS earned_value_clp,
       sum(g.weight * i.planned_value_clp) AS planned_value_clp,
       sum(g.weight * i.actual_cost_clp) AS actual_cost_clp,
       100 * sum(g.weight * COALESCE(i.earned_value_clp, 0)) / NULLIF(sum(g.weight * i.budget_clp), 0) AS physical_progress_pct,
       100 * sum(g.weight * i.planned_value_clp) FILTER (WHERE i.data_date IS NOT NULL)
           / NULLIF(sum(g.weight * i.budget_clp) FILTER (WHERE i.data_date IS NOT NULL), 0) AS planned_progress_pct,
       sum(g.weight * i.earned_value_clp) FILTER (WHERE i.data_date IS NOT NULL)
           / NULLIF(sum(g.weight * i.planned_value_clp) FILTER (WHERE i.data_date IS NOT NULL), 0) AS spi,
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
           AS milestone_compliance_pct
FROM {{scorecard}}.initiative_group g
JOIN {{scorecard}}.initiative i ON i.initiative_code = g.initiative_code
GROUP BY g.level, g.group_code, g.group_name;

-- Department goals: each department's indicators of category 'meta_departamento'.
CREATE VIEW {{scorecard}}.department_goal AS
SELECT i.department_code,
       i.department_name,
       count(*) AS goals,
       count(n.value) AS goals_measured,
       count(*) FILTER (WHERE n.light = 'green') AS goals_green,
       count(*) FILTER (WHERE n.light = 'yellow') AS goals_yellow,
       count(*) FILTER (WHERE n.light = 'red') AS goals_red,
       avg(n.efficacy_pct) AS average_efficacy_pct,
       100.0 * count(*) FILTER (WHERE n.light = 'green') / NULLIF(count(n.value), 0) AS compliance_pct
FROM {{scorecard}}.indicator n
JOIN {{scorecard}}.initiative i ON i.initiative_code = n.initiative_code
WHERE n.category = 'meta_departamento'
GROUP BY i.department_code, i.department_name;

-- Programme goals by dimension: coverage, quality, efficiency, efficacy (and effectiveness).
CREATE VIEW {{scorecard}}.programme_goal AS
SELECT i.programme_code,
       i.programme_name,
       n.dimension,
       count(*) AS goals,
       count(n.value) AS goals_measured,
       count(*) FILTER (WHERE n.light = 'green') AS goals_green,
       avg(n.efficacy_pct) AS average_efficacy_pct,
       100.0 * count(*) FILTER (WHERE n.light = 'green') / NULLIF(count(n.value), 0) AS compliance_pct
FROM {{scorecard}}.indicator n
JOIN {{scorecard}}.initiative i ON i.initiative_code = n.initiative_code
WHERE n.category = 'meta_programa'
GROUP BY i.programme_code, i.programme_name, n.dimension;

-- Effectiveness: an objective is achieved when every outcome indicator (dimension 'efectividad')
-- of its initiatives that has been measured reaches its target.
CREATE VIEW {{scorecard}}.objective_outcome AS
SELECT i.objective_code,
       i.objective_name,
       i.axis_code,
       count(*) AS outcome_indicators,
       count(n.value) AS outcome_indicators_measured,
       count(*) FILTER (WHERE n.target_reached) AS outcome_indicators_reached,
       count(n.value) > 0 AND bool_and(n.target_reached OR n.value IS NULL) AS achieved
FROM {{scorecard}}.indicator n
JOIN {{scorecard}}.initiative i ON i.initiative_code = n.initiative_code
WHERE n.dimension = 'efectividad'
GROUP BY i.objective_code, i.objective_name, i.axis_code;

CREATE VIEW {{scorecard}}.effectiveness AS
SELECT count(*) FILTER (WHERE outcome_indicators_measured > 0) AS objectives_measured,
       count(*) FILTER (WHERE achieved) AS objectives_achieved,
       100.0 * count(*) FILTER (WHERE achieved) / NULLIF(count(*) FILTER (WHERE outcome_indicators_measured > 0), 0)
           AS effectiveness_pct
FROM {{scorecard}}.objective_outcome;

-- The S-curve of each initiative and of each group: planned vs actual at each month's end.
CREATE VIEW {{scorecard}}.initiative_monthly AS
SELECT m.initiative_code, i.name, i.department_code, m.month, m.planned_progress_pct, m.physical_progress_pct,
       m.planned_value_clp, m.earned_value_clp, m.actual_cost_clp
FROM initiative_monthly m
JOIN {{scorecard}}.initiative i ON i.initiative_code = m.initiative_code;

CREATE VIEW {{scorecard}}.rollup_monthly AS
SELECT g.level,
       g.group_code,
       g.group_name,
       m.month,
       sum(g.weight * i.budget_clp) AS budget_clp,
       sum(g.weight * m.planned_value_clp) AS planned_value_clp,
       sum(g.weight * COALESCE(m.earned_value_clp, 0)) AS earned_value_clp,
       sum(g.weight * COALESCE(m.actual_cost_clp, 0)) AS actual_cost_clp,
       100 * sum(g.weight * m.planned_value_clp) / NULLIF(sum(g.weight * i.budget_clp), 0) AS planned_progress_pct,
       100 * sum(g.weight * COALESCE(m.earned_value_clp, 0)) / NULLIF(sum(g.weight * i.budget_clp), 0) AS physical_progress_pct
FROM {{scorecard}}.initiative_group g
JOIN {{scorecard}}.initiative i ON i.initiative_code = g.initiative_code
JOIN initiative_monthly m ON m.initiative_code = g.initiative_code
GROUP BY g.level, g.group_code, g.group_name, m.month;

-- Reports as received, newest first on the boards (who reported what and when).
CREATE VIEW {{scorecard}}.progress_report AS
SELECT r.event_id, r.initiative_code, i.name AS initiative_name, i.department_code, r.as_of,
       r.physical_progress_pct, r.spent_to_date_clp, r.reporter, r.source_system, r.recorded_at
FROM progress_report r
LEFT JOIN {{scorecard}}.initiative i ON i.initiative_code = r.initiative_code;

-- Plan revisions and their changes (who changed what in the plan, when and why).
CREATE VIEW {{scorecard}}.plan_change AS
SELECT r.plan_code, r.revision, r.actor, r.reason, r.applied_at, r.occurred_at, c.seq, c.change_type,
       c.entity, c.code, c.initiative_code, c.fields
FROM plan_change c
JOIN plan_revision r USING (plan_code, revision);
