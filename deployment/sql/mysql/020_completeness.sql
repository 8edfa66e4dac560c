-- Completeness ledger: one row per (dataset, partition, local delivery day); holes as JSON runs.
CREATE TABLE IF NOT EXISTS ledger (
  dataset VARCHAR(128) CHARACTER SET ascii NOT NULL,
  partition_key VARCHAR(64) NOT NULL,
  day CHAR(10) CHARACTER SET ascii NOT NULL,
  expected INT NOT NULL,
  present INT NOT NULL,
  missing INT NOT NULL,
  late INT NOT NULL,
  holes MEDIUMTEXT NOT NULL,
  repair_attempts INT NOT NULL,
  repair_next_at DATETIME(3) NULL,
  gave_up TEXT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (dataset, partition_key, day)
) ENGINE = InnoDB;
-- Stretches marked as legitimately empty (outages, retired series): gap repair leaves them alone.
CREATE TABLE IF NOT EXISTS known_gaps (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  dataset VARCHAR(128) CHARACTER SET ascii NOT NULL,
  partition_key VARCHAR(64) NULL,
  gap_from DATETIME(3) NOT NULL,
  gap_to DATETIME(3) NOT NULL,
  reason TEXT NOT NULL,
  marked_at DATETIME(3) NOT NULL,
  KEY known_gaps_dataset (dataset)
) ENGINE = InnoDB;
