-- The citizens' portal (services/portal/) reads these views and nothing else: the schema
-- `{{scorecard}}_portal` holds only public fields of the plan and its figures. No officer's name or
-- e-mail is selected here: never milestone.owner_email, initiative_officer, department heads,
-- progress_report.reporter, plan_revision.actor, nor the free-text notes of reports.
--
-- The role `portal_reader` (no login) may SELECT these views and nothing else (plus the version
-- column of schema_migration, so that a portal connecting with a login role in portal_reader can
-- check that the schema is current). The views run with their owner's rights, so the role needs
-- no right on any table. It is separate from the `public_reader` role of migration 0013.

CREATE SCHEMA IF NOT EXISTS {{scorecard}}_portal;

CREATE VIEW {{scorecard}}_portal.plan AS
SELECT p.code AS plan_code, p.name, p.commune, p.period_start, p.period_end, p.revision,
       (SELECT max(r.applied_at) FROM plan_revision r) AS plan_applied_at,
       (SELECT max(i.judged_on) FROM {{scorecard}}.initiative i) AS judged_on,
       (SELECT max(i.last_report_as_of) FROM {{scorecard}}.initiative i) AS last_report_as_of,
       (SELECT max(r.recorded_at) FROM progress_report r) AS last_report_recorded_at
FROM plan p;

CREATE VIEW {{scorecard}}_portal.axis AS
SELECT code AS axis_code, name, description FROM strategic_axis;

CREATE VIEW {{scorecard}}_portal.territory AS
SELECT code AS territory_code, name, boundary FROM territory;

CREATE VIEW {{scorecard}}_portal.locality AS
SELECT l.code AS locality_code, l.name, l.territory_code, t.name AS territory_name, l.latitude, l.longitude
FROM locality l LEFT JOIN territory t ON t.code = l.territory_code;

CREATE VIEW {{scorecard}}_portal.initiative AS
SELECT initiative_code, name, kind, department_code, department_name, programme_code, programme_name,
       objective_code, objective_name, axis_code, axis_name, territory_code, territory_name,
       locality_code, locality_name, latitude, longitude, budget_clp, start_date, end_date,
       beneficiaries, data_date, physical_progress_pct, planned_progress_pct, earned_value_clp,
       planned_value_clp, actual_cost_clp, spi, cpi, financial_execution_pct, status, status_label,
       report_count, last_report_as_of, days_since_last_report, milestones_done_on_time,
       milestones_done_late, milestones_overdue, milestones_pending, milestones_cancelled, judged_on,
       planned_duration_days, earned_schedule_days, earned_schedule_date, actual_time_days, spi_t,
       schedule_variance_days, ieac_t_date, ieac_t_planned_date, reporting_period, report_outdated,
       report_qualifier
FROM {{scorecard}}.initiative;

CREATE VIEW {{scorecard}}_portal.initiative_funding AS
SELECT f.initiative_code, f.position, f.source_code, s.name AS source_name, s.level AS source_level,
       f.amount_clp
FROM initiative_funding f LEFT JOIN funding_source s ON s.code = f.source_code;

CREATE VIEW {{scorecard}}_portal.milestone AS
SELECT milestone_code, initiative_code, name, due_date, reported_status, status_date, reported_as_of,
       outcome, days_overdue
FROM {{scorecard}}.milestone;

CREATE VIEW {{scorecard}}_portal.indicator AS
SELECT indicator_code, initiative_code, name, category, dimension, unit, baseline, target, target_date,
       direction, periodicity, green_threshold, yellow_threshold, value, period, as_of, efficacy_pct,
       light, target_reached
FROM {{scorecard}}.indicator;

CREATE VIEW {{scorecard}}_portal.progress_history AS
SELECT event_id, initiative_code, as_of, physical_progress_pct, spent_to_date_clp, recorded_at
FROM progress_report;

CREATE VIEW {{scorecard}}_portal.initiative_monthly AS
SELECT initiative_code, month, planned_progress_pct, physical_progress_pct, planned_value_clp,
       earned_value_clp, actual_cost_clp, spi_t
FROM {{scorecard}}.initiative_monthly;

CREATE VIEW {{scorecard}}_portal.rollup AS
SELECT level, group_code, group_name, initiatives, initiatives_reporting, budget_clp, earned_value_clp,
       planned_value_clp, actual_cost_clp, physical_progress_pct, planned_progress_pct, spi, cpi,
       financial_execution_pct, on_track, at_risk, late, overdue, done, without_progress,
       milestones_done_on_time, milestones_done_late, milestones_overdue, milestone_compliance_pct,
       spi_t, reports_outdated
FROM {{scorecard}}.rollup;

-- The head of the tamper-evident event history (0007): its hash, published beside the data.
CREATE VIEW {{scorecard}}_portal.history_head AS
SELECT seq, hash, logged_at FROM event_log ORDER BY seq DESC LIMIT 1;

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'portal_reader') THEN
        CREATE ROLE portal_reader NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object THEN NULL; -- another database of the cluster created it meanwhile
END
$$;

-- The services' own user reads as portal_reader with SET ROLE (deploy/postgres.sh grants it when
-- the migrator may not).
DO $$
BEGIN
    IF NOT pg_has_role(current_user, 'portal_reader', 'MEMBER') THEN
        EXECUTE format('GRANT portal_reader TO %I', current_user);
    END IF;
END
$$;

GRANT USAGE ON SCHEMA {{scorecard}}_portal TO portal_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA {{scorecard}}_portal TO portal_reader;
GRANT SELECT (version) ON schema_migration TO portal_reader;
