// Daily base, peak and off-peak averages of the day-ahead price per zone. Peak is the EEX/EPEX
// convention: 08:00–20:00 local time, Monday to Friday (holidays not excluded); off-peak is the
// rest of the day, the whole day at weekends. Days are local days in the zone's time zone (23 or
// 25 hours on DST days), stamped at local midnight with P1D. Prices in EUR/MWh only. Several sources
// of one zone's price (the same auction result, republished) are one series: per day and statistic,
// the first source in registry order that covers it wins, its finest series first.
import type { Dataset } from '../shared/dataset.ts';
import type { Observation } from '../shared/observation.ts';
import { DateTime } from 'luxon';
import { inputsOf, stepOf } from './inputs.ts';
import type { Signal, SignalContext } from './signal.ts';

/** A price slot with its local weekday (1 = Monday) and hour. */
type Slot = { start: { weekday: number; hour: number }; ms: number; value: number | null };
type Stat = 'base' | 'peak' | 'offpeak';

function isPeak(start: Slot['start']): boolean {
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

const UNIT = 'EUR/MWh';

/**
 * Pure: day-ahead price observations in (`sources[i]` from the i-th source), one observation per
 * zone, local day and statistic out.
 */
export function dailyPriceStats(sources: readonly (readonly Observation[])[], ctx: SignalContext, id = 'signals.daily_price_stats'): Observation[] {
  // zone → local day (ISO date) → source and series key → slots; a day is computed from one series that covers it.
  const days = new Map<string, { tz: string; byDay: Map<string, Map<string, Slot[]>> }>();
  // Local day, weekday and hour per zone and UTC hour, memoised (luxon per row is the cost of a year's
  // recompute); zones have whole-hour offsets, so each slot of a UTC hour shares them.
  const local = new Map<string, { day: string; weekday: number; hour: number }>();
  const localOf = (zone: string, tz: string, t: number) => {
    const h = Math.floor(t / 3_600_000) * 3_600_000;
    const k = `${zone}|${h}`;
    let l = local.get(k);
    if (!l) {
      const d = DateTime.fromMillis(h, { zone: tz });
      l = { day: d.toISODate()!, weekday: d.weekday, hour: d.hour };
      local.set(k, l);
    }
    return l;
  };
  sources.forEach((prices, source) => {
    for (const o of prices) {
      const zone = o.series['zone'];
      const tz = zone === undefined ? undefined : ctx.timeZoneOf(zone);
      const ms = stepOf(o.resolution);
      if (zone === undefined || !tz || o.unit !== UNIT || ms === undefined) continue;
      const start = localOf(zone, tz, o.ts.getTime());
      const z = days.get(zone) ?? { tz, byDay: new Map() };
      const day = start.day;
      const perSeries = z.byDay.get(day) ?? new Map<string, Slot[]>();
      const key = `${String(source).padStart(4, '0')}|${JSON.stringify(o.series)}`;
      const list = perSeries.get(key) ?? [];
      list.push({ start, ms, value: o.value });
      perSeries.set(key, list);
      z.byDay.set(day, perSeries);
      days.set(zone, z);
    }
  });
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
        // Registry order of sources, then the finest series first (PT15M before PT60M), among those that cover the slot set completely.
        const candidates = [...perSeries].sort(([ka, a], [kb, b]) => ka.slice(0, 4).localeCompare(kb.slice(0, 4)) || a[0]!.ms - b[0]!.ms).map(([, slots]) => slots);
        let value: number | null = null;
        for (const slots of candidates) if ((value = wanted[stat](slots)) !== null) break;
        if (value === null) continue;
        out.push({ dataset: id, series: { zone, stat }, ts: midnight.toJSDate(), resolution: 'P1D', value: Math.round(value * 1e6) / 1e6, unit: UNIT });
      }
    }
  }
  return out;
}

export function dailyPriceStatsSignal(datasets: readonly Dataset[]): Signal {
  return {
    id: 'signals.daily_price_stats',
    title: 'Daily base, peak (08–20 local, Mon–Fri) and off-peak day-ahead price per zone',
    resolution: 'P1D',
    unit: UNIT,
    dimensions: ['zone', 'stat'],
    inputs: inputsOf(datasets, 'price.day_ahead'),
    margin: 'P1D',
    compute: (inputs, ctx) => dailyPriceStats(inputs, ctx),
  };
}
