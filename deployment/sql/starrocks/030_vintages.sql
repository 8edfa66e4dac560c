-- Vintages (see the mysql migration): replaced values, appended only, so a Duplicate Key table.
-- The StarRocks upsert compares a batch with the stored rows it reaches and appends the replaced ones here.
CREATE TABLE IF NOT EXISTS revisions (
  dataset VARCHAR(128) NOT NULL,
  series_key VARCHAR(512) NOT NULL,
  ts DATETIME NOT NULL,
  replaced_at DATETIME NOT NULL,
  value DOUBLE NULL,
  issued DATETIME NULL,
  quality VARCHAR(64) NULL,
  payload_sha256 VARCHAR(64) NOT NULL,
  ingested_at DATETIME NOT NULL
) DUPLICATE KEY (dataset, series_key, ts, replaced_at)
PARTITION BY date_trunc('month', ts)
DISTRIBUTED BY HASH (dataset, series_key) BUCKETS 8
PROPERTIES ("replication_num" = "1");
