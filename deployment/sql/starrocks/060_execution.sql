-- Paper-trading desk (see the mysql migration); Primary Key tables, so a plain INSERT is the upsert.
CREATE TABLE IF NOT EXISTS exec_orders (
  order_id VARCHAR(64) NOT NULL,
  strategy VARCHAR(128) NOT NULL,
  book VARCHAR(128) NOT NULL,
  trader VARCHAR(128) NOT NULL,
  desk VARCHAR(128) NOT NULL,
  market VARCHAR(16) NOT NULL,
  zone VARCHAR(32) NOT NULL,
  delivery_start DATETIME NOT NULL,
  delivery_end DATETIME NOT NULL,
  side VARCHAR(4) NOT NULL,
  quantity_mw DOUBLE NOT NULL,
  limit_price DOUBLE NOT NULL,
  currency VARCHAR(8) NOT NULL,
  status VARCHAR(16) NOT NULL,
  reason STRING NULL,
  placed_at DATETIME NOT NULL,
  gate_closure DATETIME NOT NULL,
  source VARCHAR(255) NOT NULL,
  updated_at DATETIME NOT NULL
) PRIMARY KEY (order_id)
DISTRIBUTED BY HASH (order_id) BUCKETS 1
PROPERTIES ("replication_num" = "1");
CREATE TABLE IF NOT EXISTS exec_fills (
  fill_id VARCHAR(64) NOT NULL,
  order_id VARCHAR(64) NOT NULL,
  book VARCHAR(128) NOT NULL,
  trader VARCHAR(128) NOT NULL,
  desk VARCHAR(128) NOT NULL,
  market VARCHAR(16) NOT NULL,
  zone VARCHAR(32) NOT NULL,
  delivery_start DATETIME NOT NULL,
  delivery_end DATETIME NOT NULL,
  side VARCHAR(4) NOT NULL,
  quantity_mw DOUBLE NOT NULL,
  price DOUBLE NOT NULL,
  currency VARCHAR(8) NOT NULL,
  filled_at DATETIME NOT NULL,
  price_source VARCHAR(128) NOT NULL
) PRIMARY KEY (fill_id)
DISTRIBUTED BY HASH (fill_id) BUCKETS 1
PROPERTIES ("replication_num" = "1");
CREATE TABLE IF NOT EXISTS exec_books (
  book VARCHAR(128) NOT NULL,
  stopped BOOLEAN NOT NULL,
  reason STRING NULL,
  changed_at DATETIME NOT NULL
) PRIMARY KEY (book)
DISTRIBUTED BY HASH (book) BUCKETS 1
PROPERTIES ("replication_num" = "1");
CREATE TABLE IF NOT EXISTS exec_positions (
  snapshot VARCHAR(16) NOT NULL,
  book VARCHAR(128) NOT NULL,
  zone VARCHAR(32) NOT NULL,
  delivery_start DATETIME NOT NULL,
  delivery_end DATETIME NOT NULL,
  product VARCHAR(16) NOT NULL,
  currency VARCHAR(8) NOT NULL,
  side VARCHAR(4) NOT NULL,
  trader VARCHAR(128) NOT NULL,
  desk VARCHAR(128) NOT NULL,
  quantity_mw DOUBLE NOT NULL,
  energy_mwh DOUBLE NOT NULL,
  avg_price DOUBLE NOT NULL
) PRIMARY KEY (snapshot, book, zone, delivery_start, delivery_end, product, currency, side)
DISTRIBUTED BY HASH (snapshot) BUCKETS 1
PROPERTIES ("replication_num" = "1");
CREATE TABLE IF NOT EXISTS exec_pnl (
  snapshot VARCHAR(16) NOT NULL,
  book VARCHAR(128) NOT NULL,
  zone VARCHAR(32) NOT NULL,
  delivery_start DATETIME NOT NULL,
  delivery_end DATETIME NOT NULL,
  product VARCHAR(16) NOT NULL,
  currency VARCHAR(8) NOT NULL,
  trader VARCHAR(128) NOT NULL,
  desk VARCHAR(128) NOT NULL,
  net_mwh DOUBLE NOT NULL,
  cash DOUBLE NOT NULL,
  mark_price DOUBLE NULL,
  mark_kind VARCHAR(16) NULL,
  realised DOUBLE NOT NULL,
  unrealised DOUBLE NULL,
  total DOUBLE NOT NULL
) PRIMARY KEY (snapshot, book, zone, delivery_start, delivery_end, product, currency)
DISTRIBUTED BY HASH (snapshot) BUCKETS 1
PROPERTIES ("replication_num" = "1");
