-- Leases: which acquisition process is fetching a (dataset, partition) right now.
CREATE TABLE IF NOT EXISTS leases (
  lease_key VARCHAR(255) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  owner VARCHAR(128) NOT NULL,
  expires_at DATETIME(3) NOT NULL
) ENGINE = InnoDB;
