-- Scalar schema for StarRocks (3.4): Primary Key tables, so a plain INSERT is an upsert.
-- Key columns come first and are NOT NULL; replication_num = 1 suits the single-node all-in-one
-- image (raise it on a cluster). Observations are partitioned by month of ts.
CREATE TABLE IF NOT EXISTS series (
  dataset VARCHAR(128) NOT NULL,
  series_key VARCHAR(512) NOT NULL,
  dimensions STRING NOT NULL,
  resolution VARCHAR(16) NOT NULL,
  unit VARCHAR(32) NOT NULL,
  first_ts DATETIME NOT NULL,
  last_ts DATETIME NOT NULL
) PRIMARY KEY (dataset, series_key)
DISTRIBUTED BY HASH (dataset, series_key) BUCKETS 4
PROPERTIES ("replication_num" = "1");

CREATE TABLE IF NOT EXISTS observations (
  dataset VARCHAR(128) NOT NULL,
  series_key VARCHAR(512) NOT NULL,
  ts DATETIME NOT NULL,
  value DOUBLE NULL,
  payload_sha256 VARCHAR(64) NOT NULL,
  ingested_at DATETIME NOT NULL
) PRIMARY KEY (dataset, series_key, ts)
PARTITION BY date_trunc('month', ts)
DISTRIBUTED BY HASH (dataset, series_key) BUCKETS 8
PROPERTIES ("replication_num" = "1");

CREATE TABLE IF NOT EXISTS acquisition_state (
  dataset VARCHAR(128) NOT NULL,
  partition_key VARCHAR(64) NOT NULL,
  watermark DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
) PRIMARY KEY (dataset, partition_key)
DISTRIBUTED BY HASH (dataset) BUCKETS 1
PROPERTIES ("replication_num" = "1");

CREATE TABLE IF NOT EXISTS fetch_log (
  id BIGINT NOT NULL AUTO_INCREMENT,
  run_id VARCHAR(36) NOT NULL,
  dataset VARCHAR(128) NOT NULL,
  partition_key VARCHAR(64) NOT NULL,
  window_from DATETIME NOT NULL,
  window_to DATETIME NOT NULL,
  url STRING NOT NULL,
  attempt INT NOT NULL,
  status INT NULL,
  latency_ms INT NOT NULL,
  bytes BIGINT NOT NULL,
  error STRING NULL,
  `rows` INT NULL,
  logged_at DATETIME NOT NULL
) PRIMARY KEY (id)
DISTRIBUTED BY HASH (id) BUCKETS 2
PROPERTIES ("replication_num" = "1");

CREATE TABLE IF NOT EXISTS worker_config (
  worker_id VARCHAR(128) NOT NULL,
  environment VARCHAR(64) NOT NULL,
  enabled BOOLEAN NOT NULL,
  parameters STRING NOT NULL,
  updated_at DATETIME NOT NULL
) PRIMARY KEY (worker_id, environment)
DISTRIBUTED BY HASH (worker_id) BUCKETS 1
PROPERTIES ("replication_num" = "1");

CREATE TABLE IF NOT EXISTS raw_payloads (
  sha256 VARCHAR(64) NOT NULL,
  dataset VARCHAR(128) NOT NULL,
  window_from DATETIME NOT NULL,
  window_to DATETIME NOT NULL,
  provider VARCHAR(64) NOT NULL,
  partition_key VARCHAR(64) NOT NULL,
  fetched_at DATETIME NOT NULL,
  content_type VARCHAR(64) NOT NULL,
  bytes BIGINT NOT NULL,
  run_id VARCHAR(36) NOT NULL
) PRIMARY KEY (sha256, dataset, window_from, window_to)
DISTRIBUTED BY HASH (sha256) BUCKETS 2
PROPERTIES ("replication_num" = "1");

CREATE TABLE IF NOT EXISTS dead_letters (
  id BIGINT NOT NULL AUTO_INCREMENT,
  recorded_at DATETIME NOT NULL,
  topic VARCHAR(255) NOT NULL,
  reason STRING NOT NULL,
  dataset VARCHAR(128) NULL,
  run_id VARCHAR(64) NULL,
  window_from DATETIME NULL,
  window_to DATETIME NULL,
  sha256 VARCHAR(64) NULL
) PRIMARY KEY (id)
DISTRIBUTED BY HASH (id) BUCKETS 1
PROPERTIES ("replication_num" = "1");
