-- Least privilege (issue #14): one login role per service, granted only what it touches, and two
-- read-only roles for the boards. The owner (the role that runs `pladeco db migrate`) keeps the
-- tables; the services and Grafana connect as these roles (docs/security.md). Passwords are never
-- here: `pladeco db passwords` sets them from the environment (deploy/stack.sh generates them under
-- var/secrets/). Roles belong to the whole cluster, so a second schema (a replay, a test's scratch
-- schema) finds them already made and only adds its grants.
--
--   role                writes                                                     reads
--   pladeco_ingest      ingest_event, outbox                                       the catalogue (scope checks), api_key
--   pladeco_indicators  catalogue, history, figures, event_log, processed_event,   everything it writes
--                       outbox
--   pladeco_alerts      alert, alert_silence, outbox                               scorecard views, history, api_key
--   pladeco_notifier    notifier_alert, notification, notification_item,           the catalogue (recipients)
--                       processed_event
--   scorecard_reader    nothing                                                    the scorecard views; alert, notification
--                                                                                  (the Alertas board)
--   public_reader       nothing                                                    the public views only: no e-mail, no
--                                                                                  reporter, no actor

DO $$
DECLARE
    name text;
BEGIN
    FOREACH name IN ARRAY ARRAY['pladeco_ingest', 'pladeco_indicators', 'pladeco_alerts', 'pladeco_notifier',
                                'scorecard_reader', 'public_reader'] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name) THEN
            EXECUTE format('CREATE ROLE %I LOGIN', name);
        END IF;
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), name);
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', '{{scorecard}}', name);
    END LOOP;
END $$;

-- Every service checks at start-up that the database has every migration it expects.
GRANT SELECT ON schema_migration TO pladeco_ingest, pladeco_indicators, pladeco_alerts, pladeco_notifier;

-- ingest: accepts updates (its idempotency record and the outbox), checks keys and scopes.
GRANT SELECT ON plan, department, initiative, milestone, indicator, api_key TO pladeco_ingest;
GRANT SELECT, INSERT ON ingest_event TO pladeco_ingest;
GRANT SELECT, INSERT, DELETE ON outbox TO pladeco_ingest;
GRANT USAGE ON SEQUENCE outbox_id_seq TO pladeco_ingest;

-- indicators: the plan catalogue, the history, the figures and the event log are its own.
GRANT SELECT, INSERT, UPDATE, DELETE ON
    plan, plan_revision, plan_change, department, territory, locality, funding_source, strategic_axis, objective,
    programme, problem, initiative, initiative_funding, initiative_officer, initiative_monthly_plan, milestone,
    indicator, progress_report, milestone_report, indicator_measurement, initiative_figures, indicator_figures,
    milestone_figures, initiative_month_report, initiative_monthly_planned, event_log, processed_event, outbox
    TO pladeco_indicators;
GRANT SELECT ON initiative_monthly TO pladeco_indicators;
GRANT USAGE ON SEQUENCE outbox_id_seq TO pladeco_indicators;
GRANT EXECUTE ON FUNCTION rebuild_initiative_month_report(text[]) TO pladeco_indicators;
GRANT SELECT ON ALL TABLES IN SCHEMA {{scorecard}} TO pladeco_indicators;

-- alerts: its alerts and silences; reads the scorecard views and the history the rules need.
GRANT SELECT, INSERT, UPDATE ON alert, alert_silence TO pladeco_alerts;
GRANT SELECT, INSERT, DELETE ON outbox TO pladeco_alerts;
GRANT USAGE ON SEQUENCE outbox_id_seq TO pladeco_alerts;
GRANT SELECT ON initiative, department, milestone, indicator, indicator_measurement, progress_report, api_key
    TO pladeco_alerts;
GRANT SELECT ON ALL TABLES IN SCHEMA {{scorecard}} TO pladeco_alerts;

-- notifier: its notifications; reads who to tell.
GRANT SELECT, INSERT, UPDATE, DELETE ON notifier_alert, notification, notification_item TO pladeco_notifier;
GRANT SELECT, INSERT ON processed_event TO pladeco_notifier;
GRANT USAGE ON SEQUENCE notification_item_item_id_seq TO pladeco_notifier;
GRANT SELECT ON initiative, department, initiative_officer, milestone, plan TO pladeco_notifier;

-- Grafana's scorecard boards: the views, and the alert tables the Alertas board reads.
GRANT SELECT ON ALL TABLES IN SCHEMA {{scorecard}} TO scorecard_reader;
GRANT SELECT ON alert, notification TO scorecard_reader;

-- The public board: only views without personal data (scorecard.milestone carries owner_email,
-- progress_report the reporter, plan_change the actor: none of them).
GRANT SELECT ON {{scorecard}}.initiative, {{scorecard}}.indicator, {{scorecard}}.initiative_group,
    {{scorecard}}.rollup, {{scorecard}}.rollup_monthly, {{scorecard}}.initiative_monthly,
    {{scorecard}}.department_goal, {{scorecard}}.programme_goal, {{scorecard}}.objective_outcome,
    {{scorecard}}.effectiveness
    TO public_reader;
