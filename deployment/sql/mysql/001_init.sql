-- Scalar schema for MySQL / MariaDB (InnoDB). Keys are ASCII: dataset ids and series keys are.
CREATE TABLE IF NOT EXISTS series (
  dataset VARCHAR(128) CHARACTER SET ascii NOT NULL,
  series_key VARCHAR(512) CHARACTER SET ascii NOT NULL,
  dimensions TEXT NOT NULL,
  resolution VARCHAR(16) NOT NULL,
  unit VARCHAR(32) NOT NULL,
  first_ts DATETIME(3) NOT NULL,
  last_ts DATETIME(3) NOT NULL,
  PRIMARY KEY (dataset, series_key)
) ENGINE = InnoDB;

CREATE TABLE IF NOT EXISTS observations (
  dataset VARCHAR(128) CHARACTER SET ascii NOT NULL,
  series_key VARCHAR(512) CHARACTER SET ascii NOT NULL,
  ts DATETIME(3) NOT NULL,
  value DOUBLE NULL,
  payload_sha256 CHAR(64) CHARACTER SET ascii NOT NULL,
  ingested_at DATETIME(3) NOT NULL,
  PRIMARY KEY (dataset, series_key, ts)
) ENGINE = InnoDB;

CREATE TABLE IF NOT EXISTS acquisition_state (
  dataset VARCHAR(128) CHARACTER SET ascii NOT NULL,
  partition_key VARCHAR(64) NOT NULL,
  watermark DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (dataset, partition_key)
) ENGINE = InnoDB;

CREATE TABLE IF NOT EXISTS fetch_log (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  run_id CHAR(36) CHARACTER SET ascii NOT NULL,
  dataset VARCHAR(128) CHARACTER SET ascii NOT NULL,
  partition_key VARCHAR(64) NOT NULL,
  window_from DATETIME(3) NOT NULL,
  window_to DATETIME(3) NOT NULL,
  url TEXT NOT NULL,
  attempt INT NOT NULL,
  status INT NULL,
  latency_ms INT NOT NULL,
  bytes BIGINT NOT NULL,
  error TEXT NULL,
  `rows` INT NULL,
  logged_at DATETIME(3) NOT NULL,
  KEY fetch_log_run (run_id),
  KEY fetch_log_dataset (dataset, id)
) ENGINE = InnoDB;

CREATE TABLE IF NOT EXISTS worker_config (
  worker_id VARCHAR(128) CHARACTER SET ascii NOT NULL,
  environment VARCHAR(64) NOT NULL,
  enabled BOOLEAN NOT NULL,
  parameters TEXT NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (worker_id, environment)
) ENGINE = InnoDB;

CREATE TABLE IF NOT EXISTS raw_payloads (
  sha256 CHAR(64) CHARACTER SET ascii NOT NULL,
  provider VARCHAR(64) NOT NULL,
  dataset VARCHAR(128) CHARACTER SET ascii NOT NULL,
  partition_key VARCHAR(64) NOT NULL,
  window_from DATETIME(3) NOT NULL,
  window_to DATETIME(3) NOT NULL,
  fetched_at DATETIME(3) NOT NULL,
  content_type VARCHAR(64) NOT NULL,
  bytes BIGINT NOT NULL,
  run_id CHAR(36) CHARACTER SET ascii NOT NULL,
  PRIMARY KEY (sha256, dataset, window_from, window_to),
  KEY raw_payloads_dataset (dataset, window_from)
) ENGINE = InnoDB;

CREATE TABLE IF NOT EXISTS dead_letters (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  recorded_at DATETIME(3) NOT NULL,
  topic VARCHAR(255) NOT NULL,
  reason TEXT NOT NULL,
  dataset VARCHAR(128) NULL,
  run_id VARCHAR(64) NULL,
  window_from DATETIME(3) NULL,
  window_to DATETIME(3) NULL,
  sha256 CHAR(64) NULL
) ENGINE = InnoDB;
