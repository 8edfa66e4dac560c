-- Completeness ledger (see the mysql migration); a plain INSERT is the upsert on a Primary Key table.
CREATE TABLE IF NOT EXISTS ledger (
  dataset VARCHAR(128) NOT NULL,
  partition_key VARCHAR(64) NOT NULL,
  day VARCHAR(10) NOT NULL,
  expected INT NOT NULL,
  present INT NOT NULL,
  missing INT NOT NULL,
  late INT NOT NULL,
  holes STRING NOT NULL,
  repair_attempts INT NOT NULL,
  repair_next_at DATETIME NULL,
  gave_up STRING NULL,
  updated_at DATETIME NOT NULL
) PRIMARY KEY (dataset, partition_key, day)
DISTRIBUTED BY HASH (dataset) BUCKETS 1
PROPERTIES ("replication_num" = "1");
CREATE TABLE IF NOT EXISTS known_gaps (
  dataset VARCHAR(128) NOT NULL,
  gap_from DATETIME NOT NULL,
  gap_to DATETIME NOT NULL,
  partition_key VARCHAR(64) NULL,
  reason STRING NOT NULL,
  marked_at DATETIME NOT NULL
) DUPLICATE KEY (dataset, gap_from)
DISTRIBUTED BY HASH (dataset) BUCKETS 1
PROPERTIES ("replication_num" = "1");
