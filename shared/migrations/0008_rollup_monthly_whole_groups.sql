-- The monthly roll-up divides by the whole group's budget, not only by the initiatives that have a
-- row in that month: before an initiative starts it still counts (0 % planned, 0 % done) in its
-- group's S-curve. (Each initiative's series now also runs to the end of the plan period.)
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
JOIN initiative_monthly m ON m.initiative_code = g.initiative_code
GROUP BY g.level, g.group_code, g.group_name, m.month, t.budget_clp;
