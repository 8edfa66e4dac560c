// Orders and the market rules every strategy trades under: deterministic ids, energy of a delivery
// period, and gate closure (day-ahead: 12:00 CET the day before the local delivery day; intraday:
// delivery start minus a declared lead).
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { FillRecord, Market, OrderRecord, Side } from '../shared/store/index.ts';

export type { FillRecord, Market, OrderRecord, OrderStatus, Product, Side } from '../shared/store/index.ts';

/** The desk's calendar: SDAC gate closure, desk days and end-of-day snapshots run on Brussels time (CET/CEST). */
export const DESK_TZ = 'Europe/Brussels';

/** SIDC cross-zonal intraday gate closure: one hour before delivery starts. */
export const INTRADAY_GATE_LEAD_MS = 60 * 60_000;

/** What a strategy asks for; the desk turns it into an order (id, book, times) and checks it. */
export type OrderIntent = Pick<OrderRecord, 'market' | 'zone' | 'deliveryStart' | 'deliveryEnd' | 'side' | 'quantityMw' | 'limitPrice' | 'currency' | 'source'> & {
  /** The input slot it was decided on, unique within the strategy (`<zone> <slot>`): the order id is derived from it. */
  key: string;
};

/** A replayed input gives the same id, so it can never order twice. */
export function orderId(strategyId: string, intentKey: string): string {
  return createHash('sha256').update(`${strategyId}\u0000${intentKey}`).digest('hex').slice(0, 32);
}

export function fillId(orderIdValue: string, slot: string): string {
  return createHash('sha256').update(`fill\u0000${orderIdValue}\u0000${slot}`).digest('hex').slice(0, 32);
}

export const hoursOf = (start: Date, end: Date) => (end.getTime() - start.getTime()) / 3_600_000;

/** MWh of a MW quantity over a delivery period. */
export const energyMwh = (o: { quantityMw: number; deliveryStart: Date; deliveryEnd: Date }) => o.quantityMw * hoursOf(o.deliveryStart, o.deliveryEnd);

/** The desk day (`YYYY-MM-DD`, Brussels) a delivery period starts in. */
export function deskDay(at: Date): string {
  return DateTime.fromJSDate(at, { zone: DESK_TZ }).toISODate()!;
}

/**
 * Day-ahead: 12:00 Brussels time on the day before the delivery's local day (so 10:00 or 11:00 UTC,
 * by the season of that day, not of delivery); intraday: `intradayLeadMs` before delivery starts.
 */
export function gateClosure(market: Market, deliveryStart: Date, intradayLeadMs = INTRADAY_GATE_LEAD_MS): Date {
  if (market === 'intraday') return new Date(deliveryStart.getTime() - intradayLeadMs);
  const day = DateTime.fromJSDate(deliveryStart, { zone: DESK_TZ }).startOf('day');
  return day.minus({ days: 1 }).set({ hour: 12 }).toJSDate();
}

/** Does a price (per MWh) satisfy the order's limit? Buy: at most the limit; sell: at least. */
export function limitAllows(side: Side, limit: number, price: number): boolean {
  return side === 'buy' ? price <= limit : price >= limit;
}

export const signedMw = (o: { side: Side; quantityMw: number }) => (o.side === 'buy' ? o.quantityMw : -o.quantityMw);

export type Fill = FillRecord;
export type Order = OrderRecord;
