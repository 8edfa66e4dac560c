-- File drops: every file a file-drop worker landed, by (name, size, mtime) with its content hash,
-- so an unchanged file never lands twice and a re-upload with new content lands again.
CREATE TABLE IF NOT EXISTS file_drops (
  dataset VARCHAR(128) CHARACTER SET ascii NOT NULL,
  file_name VARCHAR(255) NOT NULL,
  file_size BIGINT NOT NULL,
  file_mtime DATETIME(3) NOT NULL,
  sha256 CHAR(64) CHARACTER SET ascii NOT NULL,
  run_id VARCHAR(64) NOT NULL,
  landed_at DATETIME(3) NOT NULL,
  PRIMARY KEY (dataset, file_name, file_size, file_mtime)
) ENGINE = InnoDB;
-- Zones: the bidding-zone vocabulary (shared/zones.ts), replaced on every start and migrate.
CREATE TABLE IF NOT EXISTS zones (
  code VARCHAR(32) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  eic CHAR(16) CHARACTER SET ascii NOT NULL,
  name VARCHAR(128) NOT NULL,
  country VARCHAR(8) NOT NULL,
  time_zone VARCHAR(64) NOT NULL,
  valid_from DATETIME(3) NULL,
  valid_to DATETIME(3) NULL
) ENGINE = InnoDB;
