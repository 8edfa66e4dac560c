// Intraday around the day's auction level: offer the day hours (08–20 Brussels) at no less than the
// day's day-ahead base price plus a premium, bid for the night hours (00–06) at no more than the
// base minus the premium. An example of the descriptor shape, not a tested edge.
import { DateTime } from 'luxon';
import type { Observation } from '../../shared/observation.ts';
import { DESK_TZ, type OrderIntent } from '../order.ts';
import { paperStrategy, type RiskLimits, type Strategy } from '../strategy.ts';

export type ShapeIntradayOptions = {
  id?: string;
  /** Daily price statistics per `zone` and `stat` (the `base` one is used), stamped at local midnight (default `signals.daily_price_stats`). */
  input?: string;
  premium: number;
  quantityMw: number;
  currency: string;
  limits: RiskLimits;
  decisionLeadMs?: number;
};

const DAY_HOURS = [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19];
const NIGHT_HOURS = [0, 1, 2, 3, 4, 5];
const cents = (x: number) => Math.round(x * 100) / 100;

/** Pure: one order per traded hour of each zone-day with a base price. */
export function shapeIntradayIntents(rows: readonly Observation[], o: ShapeIntradayOptions): OrderIntent[] {
  const out: OrderIntent[] = [];
  for (const r of rows) {
    const zone = r.series['zone'];
    if (zone === undefined || r.series['stat'] !== 'base' || r.value === null) continue;
    const day = DateTime.fromJSDate(r.ts, { zone: DESK_TZ }).startOf('day');
    const hour = (h: number, side: 'buy' | 'sell', limitPrice: number): OrderIntent => {
      const start = day.set({ hour: h }).toJSDate();
      return {
        key: `${zone} ${start.toISOString()}`, market: 'intraday', zone, deliveryStart: start, deliveryEnd: new Date(start.getTime() + 3_600_000),
        side, quantityMw: o.quantityMw, limitPrice: cents(limitPrice), currency: o.currency, source: `${r.dataset} ${day.toISODate()} base ${r.value}`,
      };
    };
    for (const h of DAY_HOURS) out.push(hour(h, 'sell', r.value + o.premium));
    for (const h of NIGHT_HOURS) out.push(hour(h, 'buy', r.value - o.premium));
  }
  return out;
}

export function shapeIntraday(o: ShapeIntradayOptions): Strategy {
  return paperStrategy({
    id: o.id ?? 'shape_intraday',
    title: 'Intraday: offer day hours above the day-ahead base, bid night hours below it',
    inputs: [{ dataset: o.input ?? 'signals.daily_price_stats' }],
    margin: 'PT0S',
    limits: o.limits,
    // Decides three hours before the intraday gate of each hour.
    decisionLeadMs: o.decisionLeadMs ?? 3 * 3_600_000,
    decide: (inputs) => shapeIntradayIntents(inputs[0] ?? [], o),
  });
}
