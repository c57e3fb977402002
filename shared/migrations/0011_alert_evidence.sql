-- The evidence token of the facts an alert's last counted finding was judged on (the number of
-- progress reports and the latest report date). `consecutive` grows only when it changes: a
-- periodic tick re-reading the same reports is not a second observation (issue 13).
ALTER TABLE alert ADD COLUMN evidence text;
COMMENT ON COLUMN alert.evidence IS 'Evidence token of the last counted finding; consecutive grows only when it changes.';
