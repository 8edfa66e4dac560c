// The paper-trading desk's read side, for `scalar orders|positions|pnl` and `GET /api/orders|positions|pnl`:
// readable rows (UTC instants ending in Z, units in the column names, zone codes), aggregated on
// request by any of the desk's dimensions.
import { ParameterError } from '../shared/errors.ts';
import type { OrderStatus, PnlRecord, PositionRecord, Store } from '../shared/store/index.ts';
import { isoUtc } from '../shared/time.ts';

export type DeskRow = Record<string, string | number | null>;

export const ORDER_STATUSES: readonly OrderStatus[] = ['open', 'filled', 'expired', 'rejected', 'cancelled'];
/** What positions and P&L can be aggregated by (`delivery` is the period's start and end). */
export const DESK_DIMENSIONS = ['book', 'trader', 'desk', 'zone', 'delivery', 'product', 'currency', 'side'] as const;
export type DeskDimension = (typeof DESK_DIMENSIONS)[number];

/** `book,zone` → the dimensions; ParameterError naming the bad one. */
export function parseGroupBy(s: string | undefined, parameter = 'by'): DeskDimension[] | undefined {
  if (s === undefined || s === '') return undefined;
  const dims = s.split(',').map((x) => x.trim());
  for (const d of dims) if (!(DESK_DIMENSIONS as readonly string[]).includes(d)) throw new ParameterError(parameter, `unknown dimension ${d} (one of ${DESK_DIMENSIONS.join(', ')})`);
  return dims as DeskDimension[];
}

export function parseOrderStatus(s: string | undefined): OrderStatus | undefined {
  if (s === undefined || s === '') return undefined;
  if (!(ORDER_STATUSES as readonly string[]).includes(s)) throw new ParameterError('status', `one of ${ORDER_STATUSES.join(', ')}`);
  return s as OrderStatus;
}

const round = (x: number | null, digits = 2) => (x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits);

export async function deskOrders(store: Store, q: { book?: string; status?: OrderStatus; limit?: number } = {}): Promise<DeskRow[]> {
  const orders = await store.listOrders({ book: q.book, status: q.status });
  const rows = orders.map((o) => ({
    order_id: o.id.slice(0, 12), book: o.book, trader: o.trader, market: o.market, zone: o.zone,
    delivery_start: isoUtc(o.deliveryStart), delivery_end: isoUtc(o.deliveryEnd), side: o.side, quantity_mw: o.quantityMw,
    limit: o.limitPrice, price_unit: `${o.currency}/MWh`, status: o.status, reason: o.reason, placed_at: isoUtc(o.placedAt),
    gate_closure: isoUtc(o.gateClosure), source: o.source,
  }));
  return q.limit === undefined ? rows : rows.slice(-q.limit);
}

type Keyed = { book: string; trader: string; desk: string; zone: string; deliveryStart: Date; deliveryEnd: Date; product: string; currency: string; side?: string };

function groupKey(r: Keyed, by: readonly DeskDimension[]): { key: string; dims: DeskRow } {
  const dims: DeskRow = {};
  for (const d of by) {
    if (d === 'delivery') {
      dims.delivery_start = isoUtc(r.deliveryStart);
      dims.delivery_end = isoUtc(r.deliveryEnd);
    } else if (d === 'side') dims.side = r.side ?? null;
    else dims[d] = r[d];
  }
  return { key: JSON.stringify(dims), dims };
}

/** Positions of a snapshot (`live` unless given), per product and side, or aggregated `by` some dimensions. */
export async function deskPositions(store: Store, q: { book?: string; snapshot?: string; by?: readonly DeskDimension[] } = {}): Promise<DeskRow[]> {
  const rows: PositionRecord[] = await store.listPositions({ snapshot: q.snapshot, book: q.book });
  const by = q.by ?? DESK_DIMENSIONS;
  const groups = new Map<string, { dims: DeskRow; energy: number; value: number; quantity: number }>();
  for (const r of rows) {
    const { key, dims } = groupKey(r, by);
    const g = groups.get(key) ?? { dims, energy: 0, value: 0, quantity: 0 };
    g.energy += r.energyMwh;
    g.value += r.energyMwh * r.avgPrice;
    g.quantity += r.quantityMw;
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => ({
    ...g.dims,
    ...(by.includes('delivery') ? { quantity_mw: round(g.quantity, 3) } : {}),
    energy_mwh: round(g.energy, 3),
    avg_price: g.energy > 0 ? round(g.value / g.energy) : null,
  }));
}

/** P&L of a snapshot, per book, zone, delivery period and product, or aggregated `by` some dimensions (side does not apply). */
export async function deskPnl(store: Store, q: { book?: string; snapshot?: string; by?: readonly DeskDimension[] } = {}): Promise<DeskRow[]> {
  const rows: PnlRecord[] = await store.listPnl({ snapshot: q.snapshot, book: q.book });
  const by = (q.by ?? DESK_DIMENSIONS).filter((d) => d !== 'side');
  const groups = new Map<string, { dims: DeskRow; net: number; cash: number; realised: number; unrealised: number | null; total: number; marks: Set<string> }>();
  for (const r of rows) {
    const { key, dims } = groupKey(r, by);
    const g = groups.get(key) ?? { dims, net: 0, cash: 0, realised: 0, unrealised: 0, total: 0, marks: new Set<string>() };
    g.net += r.netMwh;
    g.cash += r.cash;
    g.realised += r.realised;
    g.unrealised = g.unrealised === null || r.unrealised === null ? null : g.unrealised + r.unrealised;
    g.total += r.total;
    g.marks.add(r.markKind === null ? 'unmarked' : r.markPrice === null ? r.markKind : by.includes('delivery') ? `${r.markKind} ${r.markPrice}` : r.markKind);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => ({
    ...g.dims, net_mwh: round(g.net, 3), cash: round(g.cash), realised: round(g.realised), unrealised: round(g.unrealised), total: round(g.total),
    mark: [...g.marks].sort().join(', '),
  }));
}
