// Daily base, peak and off-peak averages of the day-ahead price per zone. Peak is the EEX/EPEX
// convention: 08:00–20:00 local time, Monday to Friday (holidays not excluded); off-peak is the
// rest of the day, the whole day at weekends. Days are local days in the zone's time zone (23 or
// 25 hours on DST days), stamped at local midnight with P1D.
import type { Observation } from '../shared/observation.ts';
import { seriesKey } from '../shared/observation.ts';
import { fixedDurationMs, isCalendarDuration } from '../shared/time.ts';
import { DateTime } from 'luxon';
import type { Signal, SignalContext } from './signal.ts';

type Slot = { start: DateTime; ms: number; value: number | null };
type Stat = 'base' | 'peak' | 'offpeak';

function isPeak(start: DateTime): boolean {
  return start.weekday <= 5 && start.hour >= 8 && start.hour < 20;
}

/** Time-weighted mean of the slots, or null unless they cover `needMs` exactly with no null value. */
function mean(slots: readonly Slot[], needMs: number): number | null {
  let covered = 0;
  let sum = 0;
  for (const s of slots) {
    if (s.value === null) return null;
    covered += s.ms;
    sum += s.value * s.ms;
  }
  return covered === needMs && needMs > 0 ? sum / covered : null;
}

/** Pure: day-ahead price observations in, one observation per zone, local day and statistic out. */
export function dailyPriceStats(prices: readonly Observation[], ctx: SignalContext, id = 'signals.daily_price_stats'): Observation[] {
  // zone → local day (ISO date) → series key → slots; a day is computed from one series that covers it.
  const days = new Map<string, { tz: string; unit: string; byDay: Map<string, Map<string, Slot[]>> }>();
  for (const o of prices) {
    const area = o.series['area'];
    const zone = area === undefined ? undefined : ctx.zoneOf(area);
    if (!zone || isCalendarDuration(o.resolution)) continue;
    const start = DateTime.fromJSDate(o.ts, { zone: zone.tz });
    const z = days.get(zone.zone) ?? { tz: zone.tz, unit: o.unit, byDay: new Map() };
    const day = start.toISODate()!;
    const perSeries = z.byDay.get(day) ?? new Map<string, Slot[]>();
    const key = seriesKey(o.series);
    perSeries.set(key, [...(perSeries.get(key) ?? []), { start, ms: fixedDurationMs(o.resolution), value: o.value }]);
    z.byDay.set(day, perSeries);
    days.set(zone.zone, z);
  }
  const out: Observation[] = [];
  for (const [zone, z] of days) {
    for (const [day, perSeries] of [...z.byDay].sort()) {
      const midnight = DateTime.fromISO(day, { zone: z.tz }).startOf('day');
      const dayMs = midnight.plus({ days: 1 }).toMillis() - midnight.toMillis();
      const weekday = midnight.weekday <= 5;
      // Peak hours on DST days are never the switched hour (02:00/03:00), so 12 h every weekday.
      const peakMs = weekday ? 12 * 3_600_000 : 0;
      const wanted: Record<Stat, (s: Slot[]) => number | null> = {
        base: (s) => mean(s, dayMs),
        peak: (s) => (weekday ? mean(s.filter((x) => isPeak(x.start)), peakMs) : null),
        offpeak: (s) => mean(s.filter((x) => !isPeak(x.start)), dayMs - peakMs),
      };
      for (const stat of ['base', 'peak', 'offpeak'] as const) {
        // Finest series first (PT15M before PT60M) among those that cover the slot set completely.
        const candidates = [...perSeries.values()].sort((a, b) => a[0]!.ms - b[0]!.ms);
        let value: number | null = null;
        for (const slots of candidates) if ((value = wanted[stat](slots)) !== null) break;
        if (value === null) continue;
        out.push({ dataset: id, series: { zone, stat }, ts: midnight.toJSDate(), resolution: 'P1D', value: Math.round(value * 1e6) / 1e6, unit: z.unit });
      }
    }
  }
  return out;
}

export const dailyPriceStatsSignal: Signal = {
  id: 'signals.daily_price_stats',
  title: 'Daily base, peak (08–20 local, Mon–Fri) and off-peak day-ahead price per zone',
  resolution: 'P1D',
  unit: 'EUR/MWh',
  dimensions: ['zone', 'stat'],
  // Sequence 1 is the single-day-ahead coupling result where a zone publishes more than one.
  inputs: [{ dataset: 'entsoe.day_ahead_prices', where: { sequence: '1' } }],
  margin: 'P1D',
  compute: (inputs, ctx) => dailyPriceStats(inputs[0] ?? [], ctx),
};
