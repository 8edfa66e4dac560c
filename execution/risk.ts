// Pre-trade risk checks: pure. An order is checked against its book's accepted orders (open ones
// counted as if they filled: the worst case) and the book's standing; the first failing rule is the
// rejection reason stored with the order.
import type { BookState } from '../shared/store/index.ts';
import { deskDay, energyMwh, signedMw, type Order } from './order.ts';
import type { RiskLimits } from './strategy.ts';

/** Floating-point slack so that exactly reaching a limit is allowed. */
const EPS = 1e-9;

export type BookView = {
  /** The book's orders so far (any status; only open and filled ones count). */
  orders: readonly Order[];
  state: BookState | null;
  /** Total P&L per desk day of delivery (`YYYY-MM-DD`). */
  dailyPnl: ReadonlyMap<string, number>;
};

const live = (o: Order) => o.status === 'open' || o.status === 'filled';
const covers = (o: Order, t: number) => o.deliveryStart.getTime() <= t && t < o.deliveryEnd.getTime();

/**
 * Worst-case net MW of the zone at each instant of the candidate's period where the set of orders
 * changes: [long if every open buy fills, short if every open sell fills], candidate included.
 */
export function worstNetMw(candidate: Order, orders: readonly Order[]): { long: number; short: number } {
  const same = orders.filter((o) => live(o) && o.zone === candidate.zone && o.id !== candidate.id);
  const s = candidate.deliveryStart.getTime();
  const e = candidate.deliveryEnd.getTime();
  const points = new Set([s]);
  for (const o of same) for (const t of [o.deliveryStart.getTime(), o.deliveryEnd.getTime()]) if (t > s && t < e) points.add(t);
  let long = -Infinity;
  let short = Infinity;
  for (const t of points) {
    let filled = 0;
    let buys = 0;
    let sells = 0;
    for (const o of same) {
      if (!covers(o, t)) continue;
      if (o.status === 'filled') filled += signedMw(o);
      else if (o.side === 'buy') buys += o.quantityMw;
      else sells += o.quantityMw;
    }
    if (candidate.side === 'buy') buys += candidate.quantityMw;
    else sells += candidate.quantityMw;
    long = Math.max(long, filled + buys);
    short = Math.min(short, filled - sells);
  }
  return { long, short };
}

/** Null when the order may be accepted; otherwise why not. */
export function riskCheck(candidate: Order, limits: RiskLimits, book: BookView): string | null {
  if (book.state?.stopped) return `book ${candidate.book} stopped: ${book.state.reason ?? 'kill switch'}`;
  if (!limits.markets.includes(candidate.market)) return `market ${candidate.market} not allowed (allowed: ${limits.markets.join(', ')})`;
  if (!limits.zones.includes(candidate.zone)) return `zone ${candidate.zone} not allowed (allowed: ${limits.zones.join(', ')})`;
  if (!(candidate.quantityMw > 0) || !Number.isFinite(candidate.quantityMw)) return `quantity ${candidate.quantityMw} MW is not a positive number`;
  if (!Number.isFinite(candidate.limitPrice)) return `limit price ${candidate.limitPrice} is not a number`;
  if (!(candidate.deliveryEnd > candidate.deliveryStart)) return 'delivery period ends before it starts';
  if (candidate.placedAt >= candidate.gateClosure) return `gate closed at ${candidate.gateClosure.toISOString()}`;
  const day = deskDay(candidate.deliveryStart);
  const pnl = book.dailyPnl.get(day) ?? 0;
  if (pnl <= -limits.maxDailyLoss) return `daily loss limit: ${pnl.toFixed(2)} ${candidate.currency} on ${day} (limit −${limits.maxDailyLoss})`;
  const { long, short } = worstNetMw(candidate, book.orders);
  if (long > limits.maxNetMw + EPS || short < -limits.maxNetMw - EPS) {
    return `net position limit: ${candidate.zone} would reach ${(long > limits.maxNetMw + EPS ? long : short).toFixed(3)} MW (limit ±${limits.maxNetMw} MW)`;
  }
  const volume = book.orders.filter((o) => live(o) && o.id !== candidate.id && deskDay(o.deliveryStart) === day).reduce((a, o) => a + energyMwh(o), 0) + energyMwh(candidate);
  if (volume > limits.maxDailyMwh + EPS) return `gross daily volume: ${volume.toFixed(3)} MWh on ${day} (limit ${limits.maxDailyMwh} MWh)`;
  return null;
}
