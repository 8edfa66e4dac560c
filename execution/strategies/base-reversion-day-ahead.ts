// Day-ahead mean reversion on the previous day's level: for every hour of day D+1, bid to buy below
// day D's base price minus a band and offer to sell above it plus the band. Day D's base is known
// from D's auction (published the day before D), well before D+1's gate closes (12:00 on D).
// An example of the descriptor shape, not a tested edge.
import { DateTime } from 'luxon';
import type { Observation } from '../../shared/observation.ts';
import { DESK_TZ, type OrderIntent } from '../order.ts';
import { paperStrategy, type RiskLimits, type Strategy } from '../strategy.ts';

export type BaseReversionDayAheadOptions = {
  id?: string;
  /** Daily price statistics per `zone` and `stat` (the `base` one is used), stamped at local midnight (default `signals.daily_price_stats`). */
  input?: string;
  band: number;
  quantityMw: number;
  currency: string;
  limits: RiskLimits;
  decisionLeadMs?: number;
};

const cents = (x: number) => Math.round(x * 100) / 100;

/** Pure: for each zone-day base price, a bid and an offer for every hour (23–25) of the next desk day. */
export function baseReversionIntents(rows: readonly Observation[], o: BaseReversionDayAheadOptions): OrderIntent[] {
  const out: OrderIntent[] = [];
  for (const r of rows) {
    const zone = r.series['zone'];
    if (zone === undefined || r.series['stat'] !== 'base' || r.value === null) continue;
    const next = DateTime.fromJSDate(r.ts, { zone: DESK_TZ }).startOf('day').plus({ days: 1 });
    const end = next.plus({ days: 1 }).toMillis();
    for (let t = next.toMillis(); t < end; t += 3_600_000) {
      const start = new Date(t);
      for (const side of ['buy', 'sell'] as const) {
        out.push({
          key: `${zone} ${start.toISOString()} ${side}`, market: 'day_ahead', zone, deliveryStart: start, deliveryEnd: new Date(t + 3_600_000), side,
          quantityMw: o.quantityMw, limitPrice: cents(side === 'buy' ? r.value - o.band : r.value + o.band), currency: o.currency,
          source: `${r.dataset} ${DateTime.fromJSDate(r.ts, { zone: DESK_TZ }).toISODate()} base ${r.value}`,
        });
      }
    }
  }
  return out;
}

export function baseReversionDayAhead(o: BaseReversionDayAheadOptions): Strategy {
  return paperStrategy({
    id: o.id ?? 'base_reversion_day_ahead',
    title: "Day-ahead: bid below and offer above the previous day's base price, every hour",
    inputs: [{ dataset: o.input ?? 'signals.daily_price_stats' }],
    margin: 'PT0S',
    limits: o.limits,
    // Decides at 10:00 Brussels the day before delivery: the previous day's auction result is out by then.
    decisionLeadMs: o.decisionLeadMs ?? 2 * 3_600_000,
    decide: (inputs) => baseReversionIntents(inputs[0] ?? [], o),
  });
}
