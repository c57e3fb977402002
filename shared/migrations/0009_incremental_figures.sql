-- Figures kept incrementally (issue #8): a batch of reports costs what the batch holds, not what
-- the initiatives' histories hold.
--
-- Every figure is "the latest report by (as_of, recorded_at, value)", a maximum, so merging the
-- stored maximum with new reports gives the same result as a recompute from the whole history,
-- whatever order the reports arrive in. What the merge needs is stored here:
--
-- * initiative_month_report: for each initiative and month, its latest report with physical
--   progress and its latest report with spending among the reports whose as_of falls in that month
--   (sparse: only months that have reports). A new report touches one row.
-- * initiative_monthly_planned: the planned curve at each month's end (dense, from the month of
--   the start to the end of the plan period or the latest report); written when the plan changes.
-- * initiative_monthly becomes a view: each month carries the latest report of any month up to it,
--   which is exactly "the latest report with as_of on or before the month's end".
-- * indicator_figures and milestone_figures keep the recorded_at of the measurement or update
--   they show, the tie-breaker of the merge.

CREATE TABLE initiative_month_report (
    initiative_code       text             NOT NULL,
    month                 date             NOT NULL, -- first day of the month of the reports' as_of
    progress_as_of        date,
    progress_recorded_at  timestamptz,
    physical_progress_pct double precision,
    spending_as_of        date,
    spending_recorded_at  timestamptz,
    spent_to_date_clp     bigint,
    PRIMARY KEY (initiative_code, month)
);

-- The month rows of some initiatives, rebuilt from the history (the indicator service calls it
-- when a plan revision makes it recompute initiatives from their whole history). The order is
-- scorecard.latest's: the greatest (as_of, recorded_at, figure) of each month.
CREATE FUNCTION rebuild_initiative_month_report(codes text[]) RETURNS void LANGUAGE sql AS $$
DELETE FROM initiative_month_report WHERE initiative_code = ANY(codes);
INSERT INTO initiative_month_report
SELECT COALESCE(p.initiative_code, s.initiative_code), COALESCE(p.month, s.month),
       p.as_of, p.recorded_at, p.physical_progress_pct, s.as_of, s.recorded_at, s.spent_to_date_clp
FROM (
    SELECT DISTINCT ON (initiative_code, date_trunc('month', as_of)::date)
           initiative_code, date_trunc('month', as_of)::date AS month, as_of, recorded_at, physical_progress_pct
    FROM progress_report WHERE initiative_code = ANY(codes) AND physical_progress_pct IS NOT NULL
    ORDER BY initiative_code, date_trunc('month', as_of)::date, as_of DESC, recorded_at DESC, physical_progress_pct DESC
) p
FULL JOIN (
    SELECT DISTINCT ON (initiative_code, date_trunc('month', as_of)::date)
           initiative_code, date_trunc('month', as_of)::date AS month, as_of, recorded_at, spent_to_date_clp
    FROM progress_report WHERE initiative_code = ANY(codes) AND spent_to_date_clp IS NOT NULL
    ORDER BY initiative_code, date_trunc('month', as_of)::date, as_of DESC, recorded_at DESC, spent_to_date_clp DESC
) s ON s.initiative_code = p.initiative_code AND s.month = p.month
WHERE COALESCE(p.initiative_code, s.initiative_code) IN (SELECT code FROM initiative);
$$;

SELECT rebuild_initiative_month_report(ARRAY(SELECT code FROM initiative));

CREATE TABLE initiative_monthly_planned (
    initiative_code      text             NOT NULL,
    month                date             NOT NULL, -- first day of the month
    planned_progress_pct double precision NOT NULL, -- at the month's last day
    PRIMARY KEY (initiative_code, month)
);

INSERT INTO initiative_monthly_planned SELECT initiative_code, month, planned_progress_pct FROM initiative_monthly;

-- Same columns as the table it replaces; the values are computed as the service computed them
-- (double precision, percentage / 100 × budget), so the figures do not change.
CREATE VIEW initiative_monthly_series AS
SELECT p.initiative_code,
       p.month,
       p.planned_progress_pct,
       progress.physical_progress_pct,
       p.planned_progress_pct / 100 * i.budget_clp AS planned_value_clp,
       progress.physical_progress_pct / 100 * i.budget_clp AS earned_value_clp,
       spending.spent_to_date_clp AS actual_cost_clp
FROM initiative_monthly_planned p
JOIN initiative i ON i.code = p.initiative_code
LEFT JOIN LATERAL (
    SELECT r.physical_progress_pct FROM initiative_month_report r
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
       m.planned_value_clp, m.earned_value_clp, m.actual_cost_clp
FROM initiative_monthly_series m
JOIN {{scorecard}}.initiative i ON i.initiative_code = m.initiative_code;

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
       100 * sum(g.weight * COALESCE(m.earned_value_clp, 0)) / NULLIF(t.budget_clp, 0) AS physical_progress_pct
FROM {{scorecard}}.initiative_group g
JOIN totals t ON t.level = g.level AND t.group_code IS NOT DISTINCT FROM g.group_code
JOIN initiative_monthly_series m ON m.initiative_code = g.initiative_code
GROUP BY g.level, g.group_code, g.group_name, m.month, t.budget_clp;

DROP TABLE initiative_monthly;
ALTER VIEW initiative_monthly_series RENAME TO initiative_monthly;

ALTER TABLE indicator_figures ADD COLUMN recorded_at timestamptz;
UPDATE indicator_figures f SET recorded_at = latest.recorded_at
FROM (
    SELECT DISTINCT ON (indicator_code) indicator_code, recorded_at
    FROM indicator_measurement
    ORDER BY indicator_code, as_of DESC, recorded_at DESC, value DESC, period COLLATE "C" DESC
) latest
WHERE latest.indicator_code = f.indicator_code AND f.value IS NOT NULL;

ALTER TABLE milestone_figures ADD COLUMN recorded_at timestamptz;
UPDATE milestone_figures f SET recorded_at = latest.recorded_at
FROM (
    SELECT DISTINCT ON (milestone_code) milestone_code, recorded_at
    FROM milestone_report
    ORDER BY milestone_code, as_of DESC, recorded_at DESC, status COLLATE "C" DESC, status_date DESC NULLS LAST
) latest
WHERE latest.milestone_code = f.milestone_code;
