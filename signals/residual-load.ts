// Residual load per zone and hour = load − (onshore + offshore wind) − solar, in MW: what
// dispatchable plants and imports must cover. One descriptor for actuals, one for the day-ahead
// forecasts; both use the same pure function.
import type { Observation, Series } from '../shared/observation.ts';
import { seriesKey } from '../shared/observation.ts';
import { hourlyMeans } from './hourly.ts';
import type { Signal, SignalContext } from './signal.ts';

const SOLAR = 'B16';
const WIND = ['B18', 'B19'] as const;

/** Hourly means per zone of one input: zone → psr type ('' for load) → series key → hour → MW. */
function byZone(obs: readonly Observation[], ctx: SignalContext, psr: (s: Series) => string | undefined) {
  const grouped = new Map<string, Map<string, Map<string, Observation[]>>>();
  for (const o of obs) {
    const area = o.series['area'];
    const zone = area === undefined ? undefined : ctx.zoneOf(area)?.zone;
    const type = psr(o.series);
    if (zone === undefined || type === undefined) continue;
    const types = grouped.get(zone) ?? new Map<string, Map<string, Observation[]>>();
    const series = types.get(type) ?? new Map<string, Observation[]>();
    const key = seriesKey(o.series);
    series.set(key, [...(series.get(key) ?? []), o]);
    types.set(type, series);
    grouped.set(zone, types);
  }
  const out = new Map<string, Map<string, Map<number, number>>>();
  for (const [zone, types] of grouped) {
    const perType = new Map<string, Map<number, number>>();
    for (const [type, series] of types) {
      // Several series of one type (a zone publishing PT15M and PT60M): any complete one gives the hour.
      const merged = new Map<number, number>();
      for (const s of series.values()) for (const [h, v] of hourlyMeans(s)) if (!merged.has(h)) merged.set(h, v);
      perType.set(type, merged);
    }
    out.set(zone, perType);
  }
  return out;
}

/**
 * Pure. `load` holds load series, `renewables` the wind/solar series (psr_type B16, B18, B19). A
 * production type a zone publishes no series of at all within the inputs (no offshore wind in CZ)
 * counts as zero; a type it does publish must have the hour, or the hour has no residual load.
 */
export function residualLoad(load: readonly Observation[], renewables: readonly Observation[], ctx: SignalContext, id: string): Observation[] {
  const loads = byZone(load, ctx, () => '');
  const gens = byZone(renewables, ctx, (s) => {
    const t = s['psr_type'];
    return t === SOLAR || (WIND as readonly string[]).includes(t ?? '') ? t : undefined;
  });
  const out: Observation[] = [];
  for (const [zone, types] of loads) {
    const hours = types.get('')!;
    const published = gens.get(zone) ?? new Map<string, Map<number, number>>();
    // Without any solar or wind series the zone's inputs are simply missing, not zero.
    if (published.size === 0) continue;
    for (const [hour, l] of [...hours].sort((a, b) => a[0] - b[0])) {
      let value: number | null = l;
      for (const values of published.values()) {
        const v = values.get(hour);
        if (v === undefined) { value = null; break; }
        value -= v;
      }
      if (value === null) continue;
      out.push({ dataset: id, series: { zone }, ts: new Date(hour), resolution: 'PT60M', value: Math.round(value * 1000) / 1000, unit: 'MW' });
    }
  }
  return out;
}

const GEN_TYPES = [SOLAR, ...WIND];

export const residualLoadActual: Signal = {
  id: 'signals.residual_load',
  title: 'Residual load (actual): load − wind − solar per zone',
  resolution: 'PT60M',
  unit: 'MW',
  dimensions: ['zone'],
  inputs: [
    { dataset: 'entsoe.load_actual' },
    ...GEN_TYPES.map((psr_type) => ({ dataset: 'entsoe.generation_actual', where: { psr_type, direction: 'generation' } })),
  ],
  margin: 'PT1H',
  compute: (inputs, ctx) => residualLoad(inputs[0] ?? [], inputs.slice(1).flat(), ctx, 'signals.residual_load'),
};

export const residualLoadForecast: Signal = {
  id: 'signals.residual_load_forecast',
  title: 'Residual load (day-ahead forecast): load forecast − wind and solar forecast per zone',
  resolution: 'PT60M',
  unit: 'MW',
  dimensions: ['zone'],
  inputs: [
    { dataset: 'entsoe.load_forecast', where: { horizon: 'day_ahead' } },
    ...GEN_TYPES.map((psr_type) => ({ dataset: 'entsoe.wind_solar_forecast', where: { psr_type, horizon: 'day_ahead' } })),
  ],
  margin: 'PT1H',
  compute: (inputs, ctx) => residualLoad(inputs[0] ?? [], inputs.slice(1).flat(), ctx, 'signals.residual_load_forecast'),
};
