// What the paper-trading desk (execution/) keeps in the store: orders, fills, each book's state
// (the kill switch), and valuations (positions and P&L per snapshot). One column list per table,
// shared by the DuckDB and the MySQL/StarRocks implementations (DDL: deployment/sql/*/060_execution.sql).

export type Market = 'day_ahead' | 'intraday';
/** What a position leg came from: an auction fill, an intraday fill, or the imbalance settlement of what was left open. */
export type Product = Market | 'imbalance';
export type Side = 'buy' | 'sell';
/** `open`: accepted, waiting for its fill; `rejected`: refused by a risk check (reason says which). */
export type OrderStatus = 'open' | 'filled' | 'expired' | 'rejected' | 'cancelled';

/** What an order and its fill share: who traded what, where, when, which way. */
export type DeliveryLeg = {
  book: string;
  trader: string;
  desk: string;
  market: Market;
  zone: string;
  deliveryStart: Date;
  deliveryEnd: Date;
  side: Side;
  quantityMw: number;
  currency: string;
};

export type OrderRecord = DeliveryLeg & {
  /** Deterministic: a hash of the strategy id and the input slot it was decided on. */
  id: string;
  strategy: string;
  /** Currency per MWh: buy at most, sell at least this. */
  limitPrice: number;
  status: OrderStatus;
  /** Why it was rejected, expired or cancelled; null otherwise. */
  reason: string | null;
  placedAt: Date;
  gateClosure: Date;
  /** The input it was decided on (`<dataset> <slot>`), for the reader. */
  source: string;
  updatedAt: Date;
};

export type FillRecord = DeliveryLeg & {
  /** Deterministic per order and price slot: a re-run never fills twice. */
  id: string;
  orderId: string;
  price: number;
  filledAt: Date;
  /** The dataset whose price filled it. */
  priceSource: string;
};

/** A book's standing: `stopped` once the daily-loss kill switch fired (kept across restarts). */
export type BookState = { book: string; stopped: boolean; reason: string | null; at: Date };

export type PositionRecord = {
  /** `live` (replaced on every revaluation) or a desk day `YYYY-MM-DD` (its end-of-day snapshot). */
  snapshot: string;
  book: string;
  trader: string;
  desk: string;
  zone: string;
  deliveryStart: Date;
  deliveryEnd: Date;
  product: Product;
  currency: string;
  side: Side;
  quantityMw: number;
  energyMwh: number;
  /** Energy-weighted average price of the side's fills. */
  avgPrice: number;
};

export type MarkKind = 'imbalance' | 'intraday' | 'day_ahead';

export type PnlRecord = {
  snapshot: string;
  book: string;
  trader: string;
  desk: string;
  zone: string;
  deliveryStart: Date;
  deliveryEnd: Date;
  product: Product;
  currency: string;
  /** Bought minus sold energy of the product's fills. */
  netMwh: number;
  /** Sold value minus bought value. */
  cash: number;
  /** The price the net position is valued at, and where it came from; null when none exists yet. */
  markPrice: number | null;
  markKind: MarkKind | null;
  /** `imbalance` mark: settled (everything realised). */
  realised: number;
  unrealised: number | null;
  total: number;
};

export type OrderQuery = {
  book?: string;
  status?: OrderStatus;
  ids?: readonly string[];
  /** Orders whose delivery period overlaps [from, to). */
  from?: Date;
  to?: Date;
  limit?: number;
};

export type ValuationQuery = { snapshot?: string; book?: string };

/** A column: SQL name, record field, and how it is stored. */
export type ExecColumn = readonly [column: string, field: string, kind: 'text' | 'number' | 'instant' | 'bool'];

const c = (column: string, field: string, kind: ExecColumn[2]): ExecColumn => [column, field, kind];

export const EXEC_TABLES = {
  orders: {
    table: 'exec_orders',
    key: ['order_id'],
    columns: [
      c('order_id', 'id', 'text'), c('strategy', 'strategy', 'text'), c('book', 'book', 'text'), c('trader', 'trader', 'text'),
      c('desk', 'desk', 'text'), c('market', 'market', 'text'), c('zone', 'zone', 'text'), c('delivery_start', 'deliveryStart', 'instant'),
      c('delivery_end', 'deliveryEnd', 'instant'), c('side', 'side', 'text'), c('quantity_mw', 'quantityMw', 'number'),
      c('limit_price', 'limitPrice', 'number'), c('currency', 'currency', 'text'), c('status', 'status', 'text'), c('reason', 'reason', 'text'),
      c('placed_at', 'placedAt', 'instant'), c('gate_closure', 'gateClosure', 'instant'), c('source', 'source', 'text'), c('updated_at', 'updatedAt', 'instant'),
    ],
  },
  fills: {
    table: 'exec_fills',
    key: ['fill_id'],
    columns: [
      c('fill_id', 'id', 'text'), c('order_id', 'orderId', 'text'), c('book', 'book', 'text'), c('trader', 'trader', 'text'), c('desk', 'desk', 'text'),
      c('market', 'market', 'text'), c('zone', 'zone', 'text'), c('delivery_start', 'deliveryStart', 'instant'), c('delivery_end', 'deliveryEnd', 'instant'),
      c('side', 'side', 'text'), c('quantity_mw', 'quantityMw', 'number'), c('price', 'price', 'number'), c('currency', 'currency', 'text'),
      c('filled_at', 'filledAt', 'instant'), c('price_source', 'priceSource', 'text'),
    ],
  },
  books: {
    table: 'exec_books',
    key: ['book'],
    columns: [c('book', 'book', 'text'), c('stopped', 'stopped', 'bool'), c('reason', 'reason', 'text'), c('changed_at', 'at', 'instant')],
  },
  positions: {
    table: 'exec_positions',
    key: ['snapshot', 'book', 'zone', 'delivery_start', 'delivery_end', 'product', 'currency', 'side'],
    columns: [
      c('snapshot', 'snapshot', 'text'), c('book', 'book', 'text'), c('trader', 'trader', 'text'), c('desk', 'desk', 'text'), c('zone', 'zone', 'text'),
      c('delivery_start', 'deliveryStart', 'instant'), c('delivery_end', 'deliveryEnd', 'instant'), c('product', 'product', 'text'),
      c('currency', 'currency', 'text'), c('side', 'side', 'text'), c('quantity_mw', 'quantityMw', 'number'), c('energy_mwh', 'energyMwh', 'number'),
      c('avg_price', 'avgPrice', 'number'),
    ],
  },
  pnl: {
    table: 'exec_pnl',
    key: ['snapshot', 'book', 'zone', 'delivery_start', 'delivery_end', 'product', 'currency'],
    columns: [
      c('snapshot', 'snapshot', 'text'), c('book', 'book', 'text'), c('trader', 'trader', 'text'), c('desk', 'desk', 'text'), c('zone', 'zone', 'text'),
      c('delivery_start', 'deliveryStart', 'instant'), c('delivery_end', 'deliveryEnd', 'instant'), c('product', 'product', 'text'),
      c('currency', 'currency', 'text'), c('net_mwh', 'netMwh', 'number'), c('cash', 'cash', 'number'), c('mark_price', 'markPrice', 'number'),
      c('mark_kind', 'markKind', 'text'), c('realised', 'realised', 'number'), c('unrealised', 'unrealised', 'number'), c('total', 'total', 'number'),
    ],
  },
} as const;

export type ExecTable = (typeof EXEC_TABLES)[keyof typeof EXEC_TABLES];

/** A record's values in the table's column order (null stays null). */
export function execValues(t: ExecTable, record: object): (string | number | boolean | Date | null)[] {
  const r = record as Record<string, unknown>;
  return t.columns.map(([, field, kind]) => {
    const v = r[field];
    if (v === null || v === undefined) return null;
    if (kind === 'instant') return v as Date;
    if (kind === 'number') return Number(v);
    if (kind === 'bool') return Boolean(v);
    return String(v);
  });
}

/** A row read back (either engine) as the record. */
export function execRecord<T>(t: ExecTable, row: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [column, field, kind] of t.columns) {
    const v = row[column];
    if (v === null || v === undefined) out[field] = null;
    else if (kind === 'instant') out[field] = v instanceof Date ? v : new Date(String(v));
    else if (kind === 'number') out[field] = Number(v);
    else if (kind === 'bool') out[field] = v === true || v === 1 || v === '1' || v === 'true';
    else out[field] = String(v);
  }
  return out as T;
}
