-- File drops (see the MySQL migration of the same name).
CREATE TABLE IF NOT EXISTS file_drops (
  dataset VARCHAR(128) NOT NULL,
  file_name VARCHAR(255) NOT NULL,
  file_size BIGINT NOT NULL,
  file_mtime DATETIME NOT NULL,
  sha256 VARCHAR(64) NOT NULL,
  run_id VARCHAR(64) NOT NULL,
  landed_at DATETIME NOT NULL
) PRIMARY KEY (dataset, file_name, file_size, file_mtime)
DISTRIBUTED BY HASH (dataset) BUCKETS 1
PROPERTIES ("replication_num" = "1");
-- Zones: the bidding-zone vocabulary, replaced on every start and migrate.
CREATE TABLE IF NOT EXISTS zones (
  code VARCHAR(32) NOT NULL,
  eic VARCHAR(16) NOT NULL,
  name VARCHAR(128) NOT NULL,
  country VARCHAR(8) NOT NULL,
  time_zone VARCHAR(64) NOT NULL,
  valid_from DATETIME NULL,
  valid_to DATETIME NULL
) PRIMARY KEY (code)
DISTRIBUTED BY HASH (code) BUCKETS 1
PROPERTIES ("replication_num" = "1");
