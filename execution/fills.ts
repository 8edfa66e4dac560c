// Honest fills, pure. Day-ahead: once the auction ran (gate closed) and its clearing price for the
// zone and period landed, the whole order fills at that price if the limit allows, otherwise it
// expires unmatched. Intraday: the first trade print for the zone and exact period that came after
// the order was placed and by gate closure, within the limit; none by gate closure: expired.
import { fillId, limitAllows, type Fill, type Order } from './order.ts';

/** One price of one series for one period: a day-ahead slot, an imbalance slot, or an intraday print (`at` = trade time). */
export type PricePoint = { dataset: string; zone: string; start: Date; end: Date; price: number | null; currency: string; at?: Date };

/**
 * The price of [start, end) from one series: the time-weighted mean of its slots if they tile the
 * period exactly with no null; series whose step equals the period come first, then the finest.
 * (An hourly order over quarter-hour prices clears at the hour's mean: a simplification.)
 */
export function periodPrice(series: readonly (readonly PricePoint[])[], start: Date, end: Date): PricePoint | null {
  const s = start.getTime();
  const e = end.getTime();
  const step = (x: readonly PricePoint[]) => (x[0] ? x[0].end.getTime() - x[0].start.getTime() : Infinity);
  const ordered = [...series].filter((x) => x.length > 0).sort((a, b) => Number(step(b) === e - s) - Number(step(a) === e - s) || step(a) - step(b));
  for (const x of ordered) {
    const inside = x.filter((p) => p.start.getTime() >= s && p.end.getTime() <= e).sort((a, b) => a.start.getTime() - b.start.getTime());
    let at = s;
    let sum = 0;
    let ok = inside.length > 0;
    for (const p of inside) {
      if (p.start.getTime() !== at || p.price === null) { ok = false; break; }
      sum += p.price * (p.end.getTime() - p.start.getTime());
      at = p.end.getTime();
    }
    if (ok && at === e) return { ...inside[0]!, start, end, price: Math.round((sum / (e - s)) * 1e6) / 1e6 };
  }
  return null;
}

export type FillOutcome = { order: Order; fill: Fill | null };

const filled = (o: Order, price: PricePoint, at: Date, slot: string): FillOutcome => ({
  order: { ...o, status: 'filled', reason: null, updatedAt: at },
  fill: {
    id: fillId(o.id, slot), orderId: o.id, book: o.book, trader: o.trader, desk: o.desk, market: o.market, zone: o.zone,
    deliveryStart: o.deliveryStart, deliveryEnd: o.deliveryEnd, side: o.side, quantityMw: o.quantityMw, price: price.price!,
    currency: price.currency, filledAt: at, priceSource: price.dataset,
  },
});

/** An open day-ahead order against the zone's day-ahead price series; null: nothing to do yet. */
export function fillDayAhead(o: Order, prices: readonly (readonly PricePoint[])[], now: Date): FillOutcome | null {
  if (o.status !== 'open' || o.market !== 'day_ahead' || now < o.gateClosure) return null;
  const p = periodPrice(prices, o.deliveryStart, o.deliveryEnd);
  if (!p || p.price === null) return null;
  if (p.currency !== o.currency) return { order: { ...o, status: 'expired', reason: `clearing price in ${p.currency}, order in ${o.currency}`, updatedAt: now }, fill: null };
  if (limitAllows(o.side, o.limitPrice, p.price)) return filled(o, p, now, 'auction');
  return { order: { ...o, status: 'expired', reason: `not matched: clearing price ${p.price} ${p.currency}/MWh ${o.side === 'buy' ? 'above' : 'below'} limit ${o.limitPrice}`, updatedAt: now }, fill: null };
}

/** An open intraday order against trade prints of its zone; expires once `now` passes gate closure unfilled. */
export function fillIntraday(o: Order, prints: readonly PricePoint[], now: Date): FillOutcome | null {
  if (o.status !== 'open' || o.market !== 'intraday') return null;
  const candidates = prints
    .filter((p) => p.at && p.price !== null && p.currency === o.currency && p.zone === o.zone)
    .filter((p) => p.start.getTime() === o.deliveryStart.getTime() && p.end.getTime() === o.deliveryEnd.getTime())
    .filter((p) => p.at! > o.placedAt && p.at! <= o.gateClosure && p.at! <= now)
    .sort((a, b) => a.at!.getTime() - b.at!.getTime());
  const hit = candidates.find((p) => limitAllows(o.side, o.limitPrice, p.price!));
  if (hit) return filled(o, hit, hit.at!, `print ${hit.at!.toISOString()}`);
  if (now >= o.gateClosure) return { order: { ...o, status: 'expired', reason: `not filled by gate closure ${o.gateClosure.toISOString()}`, updatedAt: now }, fill: null };
  return null;
}
