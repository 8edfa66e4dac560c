-- Leases: which acquisition process is fetching a (dataset, partition) right now.
CREATE TABLE IF NOT EXISTS leases (
  lease_key VARCHAR(255) NOT NULL,
  owner VARCHAR(128) NOT NULL,
  expires_at DATETIME NOT NULL
) PRIMARY KEY (lease_key)
DISTRIBUTED BY HASH (lease_key) BUCKETS 1
PROPERTIES ("replication_num" = "1");
