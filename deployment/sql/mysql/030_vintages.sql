-- Vintages: every overwrite that changes an observation's value, issued or quality keeps the
-- replaced value here, with the instant it had been ingested and the instant it was replaced (the
-- replacing value's ingested_at), so reads can answer "what was known at t" (scalar query --as-of)
-- and forecasts keep each issue. Pruned past revisions.retentionDays by replaced_at.
-- observations.ingested_at (001) is when the stored value became known: an identical re-delivery
-- leaves it alone.
-- Keyed by (dataset, series_key, ts, replaced_at), not an AUTO_INCREMENT id: an INSERT … SELECT
-- holds the table's AUTO-INC lock to its end (innodb_autoinc_lock_mode 1), which would serialise the
-- parallel merges of one batch. One (series, ts) is replaced at most once per instant.
CREATE TABLE IF NOT EXISTS revisions (
  dataset VARCHAR(128) CHARACTER SET ascii NOT NULL,
  series_key VARCHAR(512) CHARACTER SET ascii NOT NULL,
  ts DATETIME(3) NOT NULL,
  value DOUBLE NULL,
  issued DATETIME(3) NULL,
  quality VARCHAR(64) NULL,
  payload_sha256 CHAR(64) CHARACTER SET ascii NOT NULL,
  ingested_at DATETIME(3) NOT NULL,
  replaced_at DATETIME(3) NOT NULL,
  PRIMARY KEY (dataset, series_key, ts, replaced_at),
  KEY revisions_replaced_at (replaced_at)
) ENGINE = InnoDB;
