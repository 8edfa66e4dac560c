-- Plausibility flags (see the mysql migration); a plain INSERT is the upsert on a Primary Key table.
CREATE TABLE IF NOT EXISTS quality_flags (
  dataset VARCHAR(128) NOT NULL,
  series_key VARCHAR(512) NOT NULL,
  ts DATETIME NOT NULL,
  rule VARCHAR(32) NOT NULL,
  dimensions STRING NOT NULL,
  value DOUBLE NOT NULL,
  detail STRING NOT NULL,
  flagged_at DATETIME NOT NULL
) PRIMARY KEY (dataset, series_key, ts, rule)
DISTRIBUTED BY HASH (dataset) BUCKETS 1
PROPERTIES ("replication_num" = "1");
