// Residual load per zone and hour = load − (onshore + offshore wind) − solar, in MW: what
// dispatchable plants and imports must cover. Inputs are chosen by quantity from whichever datasets
// carry them; each provider's inputs make their own series (`source` dimension): load from one
// provider is never netted against wind from another, their definitions differ (grid losses,
// embedded generation, metering boundaries).
import type { Dataset, Quantity } from '../shared/dataset.ts';
import type { Observation } from '../shared/observation.ts';
import { hourlyMeans } from './hourly.ts';
import { inputsOf, labelled, megawatts } from './inputs.ts';
import type { Signal, SignalInput } from './signal.ts';

const GENERATION: readonly Quantity[] = ['generation.solar', 'generation.wind_onshore', 'generation.wind_offshore'];

type Rows = readonly { input: SignalInput; rows: readonly Observation[] }[];

/**
 * Pure. Per (source, zone): the load input less every wind/solar quantity the source publishes for
 * the zone. A quantity a source publishes no series of for the zone within the inputs (no offshore
 * wind in CZ) counts as zero; one it does publish must have the hour, or the hour has no value.
 * Without any wind or solar series the zone's inputs are missing, not zero: no output.
 */
export function residualLoad(inputs: Rows, id: string): Observation[] {
  // source → zone → quantity → alternative → series → MW rows. An alternative is one series, or every
  // series of a summed input (its parts); any complete alternative gives the hour. Rows are grouped
  // through one flat map first (one lookup per row: a year of quarter-hours is 35 040 rows a series).
  type Group = { source: string; zone: string; quantity: Quantity; alt: string; sum: boolean; series: Map<string, Observation[]> };
  const flat = new Map<string, Group>();
  inputs.forEach(({ input, rows }, i) => {
    const sum = input.aggregate === 'sum';
    for (const o of rows) {
      const zone = o.series['zone'];
      const mw = megawatts(o);
      if (zone === undefined || mw === undefined) continue;
      // Within one input and zone a series is told apart by its resolution (PT15M beside PT60M); the
      // parts of a summed input by all their dimensions. A key only groups rows here, it is never stored.
      const part = sum ? JSON.stringify(o.series) : o.resolution;
      const alt = sum ? `${i}` : `${i}|${part}`;
      const k = `${input.source}\u0000${zone}\u0000${input.quantity}\u0000${alt}`;
      let g = flat.get(k);
      if (!g) flat.set(k, (g = { source: input.source, zone, quantity: input.quantity, alt, sum, series: new Map() }));
      let list = g.series.get(part);
      if (!list) g.series.set(part, (list = []));
      list.push(mw === o.value ? o : { ...o, value: mw });
    }
  });
  const grouped = new Map<string, Map<string, Map<Quantity, Map<string, Group>>>>();
  for (const g of flat.values()) {
    const zones = grouped.get(g.source) ?? new Map<string, Map<Quantity, Map<string, Group>>>();
    const quantities = zones.get(g.zone) ?? new Map<Quantity, Map<string, Group>>();
    const alternatives = quantities.get(g.quantity) ?? new Map<string, Group>();
    alternatives.set(g.alt, g);
    quantities.set(g.quantity, alternatives);
    zones.set(g.zone, quantities);
    grouped.set(g.source, zones);
  }
  const out: Observation[] = [];
  for (const [source, zones] of grouped) {
    for (const [zone, quantities] of zones) {
      const hourly = new Map<Quantity, Map<number, number>>();
      for (const [quantity, alternatives] of quantities) {
        const merged = new Map<number, number>();
        for (const a of alternatives.values()) for (const [h, v] of alternativeHours(a.series)) if (!merged.has(h)) merged.set(h, v);
        hourly.set(quantity, merged);
      }
      const load = hourly.get('load');
      const generation = GENERATION.flatMap((q) => (hourly.has(q) ? [hourly.get(q)!] : []));
      if (!load || generation.length === 0) continue;
      for (const [hour, l] of [...load].sort((a, b) => a[0] - b[0])) {
        let value: number | null = l;
        for (const values of generation) {
          const v = values.get(hour);
          if (v === undefined) { value = null; break; }
          value -= v;
        }
        if (value === null) continue;
        out.push({ dataset: id, series: { zone, source }, ts: new Date(hour), resolution: 'PT60M', value: Math.round(value * 1000) / 1000, unit: 'MW' });
      }
    }
  }
  return out;
}

/** Hourly MW of one alternative: a single series' hourly means, or the sum of its parts' where every part has the hour. */
function alternativeHours(series: ReadonlyMap<string, readonly Observation[]>): Map<number, number> {
  const parts = [...series.values()].map((rows) => hourlyMeans(rows));
  if (parts.length === 1) return parts[0]!;
  const out = new Map<number, number>();
  for (const h of parts[0]!.keys()) {
    let sum = 0;
    let complete = true;
    for (const p of parts) {
      const v = p.get(h);
      if (v === undefined) { complete = false; break; }
      sum += v;
    }
    if (complete) out.set(h, sum);
  }
  return out;
}

function residualLoadSignal(id: string, title: string, inputs: readonly SignalInput[]): Signal {
  return {
    id,
    title,
    resolution: 'PT60M',
    unit: 'MW',
    dimensions: ['zone', 'source'],
    inputs,
    margin: 'PT1H',
    compute: (rows) => residualLoad(labelled(inputs, rows), id),
  };
}

export function residualLoadActual(datasets: readonly Dataset[]): Signal {
  const inputs = [inputsOf(datasets, 'load', 'actual'), ...GENERATION.map((q) => inputsOf(datasets, q, 'actual'))].flat();
  return residualLoadSignal('signals.residual_load', 'Residual load (actual): load − wind − solar per zone and source', inputs);
}

export function residualLoadForecast(datasets: readonly Dataset[]): Signal {
  const inputs = [inputsOf(datasets, 'load', 'forecast', 'day_ahead'), ...GENERATION.map((q) => inputsOf(datasets, q, 'forecast', 'day_ahead'))].flat();
  return residualLoadSignal('signals.residual_load_forecast', 'Residual load (day-ahead forecast): load forecast − wind and solar forecast per zone and source', inputs);
}
