-- Plausibility flags: a stored value that broke a rule of its dataset (quality/plausibility.ts). The
-- value stays in observations; a re-evaluation replaces the flags of the series and range it covered,
-- so a flag always describes the current value.
CREATE TABLE IF NOT EXISTS quality_flags (
  dataset VARCHAR(128) CHARACTER SET ascii NOT NULL,
  series_key VARCHAR(512) CHARACTER SET ascii NOT NULL,
  ts DATETIME(3) NOT NULL,
  rule VARCHAR(32) CHARACTER SET ascii NOT NULL,
  dimensions TEXT NOT NULL,
  value DOUBLE NOT NULL,
  detail TEXT NOT NULL,
  flagged_at DATETIME(3) NOT NULL,
  PRIMARY KEY (dataset, series_key, ts, rule),
  KEY quality_flags_dataset_ts (dataset, ts)
) ENGINE = InnoDB;
