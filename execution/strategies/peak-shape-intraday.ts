// Intraday mean reversion on a steep day-ahead shape: on a day whose peak average exceeds the
// off-peak average by more than a threshold, offer the peak hours intraday at no less than the
// peak average plus a premium, and bid for the night hours at no more than the off-peak average.
// An example of the descriptor shape, not a tested edge.
import { DateTime } from 'luxon';
import type { Observation } from '../../shared/observation.ts';
import { DESK_TZ, type OrderIntent } from '../order.ts';
import type { RiskLimits, Strategy } from '../strategy.ts';

export type PeakShapeIntradayOptions = {
  id?: string;
  /** Daily price statistics per `zone` and `stat` (base/peak/offpeak), stamped at local midnight (default `signals.daily_price_stats`). */
  input?: string;
  /** Peak minus off-peak average (currency/MWh) above which the day is traded. */
  thresholdSpread: number;
  /** Added to the peak average for the sell limit. */
  premium: number;
  quantityMw: number;
  currency: string;
  limits: RiskLimits;
  decisionLeadMs?: number;
};

const PEAK_HOURS = [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19];
const NIGHT_HOURS = [0, 1, 2, 3, 4, 5];

/** Pure: one order per traded hour of each day with both a peak and an off-peak statistic. */
export function peakShapeIntents(rows: readonly Observation[], o: PeakShapeIntradayOptions): OrderIntent[] {
  const days = new Map<string, { peak?: number; offpeak?: number; ts: Date; dataset: string }>();
  for (const r of rows) {
    const zone = r.series['zone'];
    const stat = r.series['stat'];
    if (zone === undefined || r.value === null || (stat !== 'peak' && stat !== 'offpeak')) continue;
    const k = `${zone} ${r.ts.toISOString()}`;
    const d = days.get(k) ?? { ts: r.ts, dataset: r.dataset };
    d[stat] = r.value;
    days.set(k, d);
  }
  const out: OrderIntent[] = [];
  for (const [k, d] of days) {
    const zone = k.split(' ')[0]!;
    if (d.peak === undefined || d.offpeak === undefined || d.peak - d.offpeak <= o.thresholdSpread) continue;
    const day = DateTime.fromJSDate(d.ts, { zone: DESK_TZ }).startOf('day');
    const hour = (h: number, side: 'buy' | 'sell', limitPrice: number): OrderIntent => {
      const start = day.set({ hour: h }).toJSDate();
      return {
        key: `${zone} ${start.toISOString()}`, market: 'intraday', zone, deliveryStart: start, deliveryEnd: new Date(start.getTime() + 3_600_000),
        side, quantityMw: o.quantityMw, limitPrice, currency: o.currency,
        source: `${d.dataset} ${day.toISODate()} peak ${d.peak} offpeak ${d.offpeak}`,
      };
    };
    for (const h of PEAK_HOURS) out.push(hour(h, 'sell', Math.round((d.peak + o.premium) * 100) / 100));
    for (const h of NIGHT_HOURS) out.push(hour(h, 'buy', d.offpeak));
  }
  return out;
}

export function peakShapeIntraday(o: PeakShapeIntradayOptions): Strategy {
  return {
    id: o.id ?? 'peak_shape_intraday',
    title: 'Intraday: sell peak hours above the peak average, buy night hours below the off-peak average, on steep days',
    book: o.id ?? 'peak_shape_intraday',
    trader: 'paper',
    desk: 'power',
    inputs: [{ dataset: o.input ?? 'signals.daily_price_stats' }],
    margin: 'P1D',
    limits: o.limits,
    // Decides three hours before the intraday gate of each hour.
    decisionLeadMs: o.decisionLeadMs ?? 3 * 3_600_000,
    decide: (inputs) => peakShapeIntents(inputs[0] ?? [], o),
  };
}
