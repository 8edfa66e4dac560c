// Buys the day-ahead auction in hours whose forecast residual load stands well above the day's mean
// (a tight system: imbalance prices tend to exceed the auction price), and sells it where it stands
// well below. Deliberately simple: an example of the descriptor shape, not a tested edge.
import { DateTime } from 'luxon';
import type { Observation } from '../../shared/observation.ts';
import { fixedDurationMs, isCalendarDuration } from '../../shared/time.ts';
import { DESK_TZ, type OrderIntent } from '../order.ts';
import { paperStrategy, type RiskLimits, type Strategy } from '../strategy.ts';

export type ResidualLoadDayAheadOptions = {
  id?: string;
  /** A signal with MW series per `zone` (default `signals.residual_load_forecast`). */
  input?: string;
  /** Trade when an hour is this share above (buy) or below (sell) the day's mean. */
  band: number;
  quantityMw: number;
  /** Price-taking limits: buy at most, sell at least (currency/MWh). */
  buyLimit: number;
  sellLimit: number;
  currency: string;
  limits: RiskLimits;
  decisionLeadMs?: number;
};

/** Pure: per zone and desk day with every hour present (23–25), the hours beyond the band become orders. */
export function residualLoadIntents(rows: readonly Observation[], o: ResidualLoadDayAheadOptions): OrderIntent[] {
  const days = new Map<string, Observation[]>();
  for (const r of rows) {
    const zone = r.series['zone'];
    if (zone === undefined || r.value === null || isCalendarDuration(r.resolution)) continue;
    const day = DateTime.fromJSDate(r.ts, { zone: DESK_TZ }).toISODate()!;
    const k = `${zone} ${day}`;
    days.set(k, [...(days.get(k) ?? []), r]);
  }
  const out: OrderIntent[] = [];
  for (const [k, slots] of days) {
    const [zone, day] = k.split(' ') as [string, string];
    const start = DateTime.fromISO(day, { zone: DESK_TZ });
    const hours = start.plus({ days: 1 }).diff(start, 'hours').hours;
    // A partial day has no mean yet: no orders until the whole day is in.
    if (slots.length !== hours || slots.some((s) => fixedDurationMs(s.resolution) !== 3_600_000)) continue;
    const mean = slots.reduce((a, s) => a + s.value!, 0) / slots.length;
    for (const s of slots) {
      const side = s.value! > mean + Math.abs(mean) * o.band ? 'buy' : s.value! < mean - Math.abs(mean) * o.band ? 'sell' : null;
      if (!side) continue;
      out.push({
        key: `${zone} ${s.ts.toISOString()}`, market: 'day_ahead', zone, deliveryStart: s.ts, deliveryEnd: new Date(s.ts.getTime() + 3_600_000),
        side, quantityMw: o.quantityMw, limitPrice: side === 'buy' ? o.buyLimit : o.sellLimit, currency: o.currency,
        source: `${s.dataset} ${s.ts.toISOString()} ${s.value} MW (day mean ${mean.toFixed(1)})`,
      });
    }
  }
  return out;
}

export function residualLoadDayAhead(o: ResidualLoadDayAheadOptions): Strategy {
  const input = o.input ?? 'signals.residual_load_forecast';
  return paperStrategy({
    id: o.id ?? 'residual_load_day_ahead',
    title: 'Day-ahead: buy hours of high forecast residual load, sell hours of low',
    inputs: [{ dataset: input }],
    margin: 'P1D',
    limits: o.limits,
    // Decides two hours before the auction closes (10:00 CET the day before), when the day-ahead forecasts are out.
    decisionLeadMs: o.decisionLeadMs ?? 2 * 3_600_000,
    decide: (inputs) => residualLoadIntents(inputs[0] ?? [], o),
  });
}
