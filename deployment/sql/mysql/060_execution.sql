-- Paper-trading desk (execution/): orders, fills, book states (kill switch), positions and P&L per snapshot.
CREATE TABLE IF NOT EXISTS exec_orders (
  order_id VARCHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  strategy VARCHAR(128) NOT NULL,
  book VARCHAR(128) NOT NULL,
  trader VARCHAR(128) NOT NULL,
  desk VARCHAR(128) NOT NULL,
  market VARCHAR(16) NOT NULL,
  zone VARCHAR(32) NOT NULL,
  delivery_start DATETIME(3) NOT NULL,
  delivery_end DATETIME(3) NOT NULL,
  side VARCHAR(4) NOT NULL,
  quantity_mw DOUBLE NOT NULL,
  limit_price DOUBLE NOT NULL,
  currency VARCHAR(8) NOT NULL,
  status VARCHAR(16) NOT NULL,
  reason TEXT NULL,
  placed_at DATETIME(3) NOT NULL,
  gate_closure DATETIME(3) NOT NULL,
  source VARCHAR(255) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  KEY exec_orders_book (book, delivery_start),
  KEY exec_orders_status (status)
) ENGINE = InnoDB;
CREATE TABLE IF NOT EXISTS exec_fills (
  fill_id VARCHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  order_id VARCHAR(64) CHARACTER SET ascii NOT NULL,
  book VARCHAR(128) NOT NULL,
  trader VARCHAR(128) NOT NULL,
  desk VARCHAR(128) NOT NULL,
  market VARCHAR(16) NOT NULL,
  zone VARCHAR(32) NOT NULL,
  delivery_start DATETIME(3) NOT NULL,
  delivery_end DATETIME(3) NOT NULL,
  side VARCHAR(4) NOT NULL,
  quantity_mw DOUBLE NOT NULL,
  price DOUBLE NOT NULL,
  currency VARCHAR(8) NOT NULL,
  filled_at DATETIME(3) NOT NULL,
  price_source VARCHAR(128) NOT NULL,
  KEY exec_fills_book (book, delivery_start)
) ENGINE = InnoDB;
CREATE TABLE IF NOT EXISTS exec_books (
  book VARCHAR(128) NOT NULL PRIMARY KEY,
  stopped BOOLEAN NOT NULL,
  reason TEXT NULL,
  changed_at DATETIME(3) NOT NULL
) ENGINE = InnoDB;
CREATE TABLE IF NOT EXISTS exec_positions (
  snapshot VARCHAR(16) NOT NULL,
  book VARCHAR(128) NOT NULL,
  trader VARCHAR(128) NOT NULL,
  desk VARCHAR(128) NOT NULL,
  zone VARCHAR(32) NOT NULL,
  delivery_start DATETIME(3) NOT NULL,
  delivery_end DATETIME(3) NOT NULL,
  product VARCHAR(16) NOT NULL,
  currency VARCHAR(8) NOT NULL,
  side VARCHAR(4) NOT NULL,
  quantity_mw DOUBLE NOT NULL,
  energy_mwh DOUBLE NOT NULL,
  avg_price DOUBLE NOT NULL,
  PRIMARY KEY (snapshot, book, zone, delivery_start, delivery_end, product, currency, side)
) ENGINE = InnoDB;
CREATE TABLE IF NOT EXISTS exec_pnl (
  snapshot VARCHAR(16) NOT NULL,
  book VARCHAR(128) NOT NULL,
  trader VARCHAR(128) NOT NULL,
  desk VARCHAR(128) NOT NULL,
  zone VARCHAR(32) NOT NULL,
  delivery_start DATETIME(3) NOT NULL,
  delivery_end DATETIME(3) NOT NULL,
  product VARCHAR(16) NOT NULL,
  currency VARCHAR(8) NOT NULL,
  net_mwh DOUBLE NOT NULL,
  cash DOUBLE NOT NULL,
  mark_price DOUBLE NULL,
  mark_kind VARCHAR(16) NULL,
  realised DOUBLE NOT NULL,
  unrealised DOUBLE NULL,
  total DOUBLE NOT NULL,
  PRIMARY KEY (snapshot, book, zone, delivery_start, delivery_end, product, currency)
) ENGINE = InnoDB;
