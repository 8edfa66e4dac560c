// Day-ahead price spreads between neighbouring zones, per direction: spread = price(to) − price(from)
// in EUR/MWh, and a congestion flag where the border's flow from → to sits at the capacity offered
// in that direction. One output dataset, two metrics (`metric` dimension):
//   spread     EUR/MWh, at the finer of the two zones' price resolutions (a PT60M price covers each of its quarters)
//   congested  1 / 0 (unit `1`), only where both the flow and the offered capacity cover the slot
// The flow is the scheduled/commercial one where a source has it for the slot, else the physical
// one (weaker: physical flows rarely sit exactly at the capacity). Neighbours: the borders of the
// context (from the flow/capacity datasets' partitions) plus any border the inputs carry.
import type { Dataset, Quantity } from '../shared/dataset.ts';
import type { Observation } from '../shared/observation.ts';
import { firstCovering, inputsOf, labelled, stepOf, type Steps } from './inputs.ts';
import type { Signal, SignalContext, SignalInput } from './signal.ts';

export const SPREAD_ID = 'signals.price_spread';
const PRICE_UNIT = 'EUR/MWh';

/** At the capacity: within max(1 MW, 1 % of the capacity) of it, or above. */
export function atCapacity(flow: number, capacity: number): boolean {
  return flow >= capacity - Math.max(1, 0.01 * Math.abs(capacity));
}

type Rows = readonly { input: SignalInput; rows: readonly Observation[] }[];

/** key → series in input order (registry order), each as slot values with its step. */
function collect(inputs: Rows, quantities: readonly Quantity[], keyOf: (o: Observation) => string | undefined, unit?: string): Map<string, Steps[]> {
  const bySeries = new Map<string, { key: string; steps: Steps }>();
  for (const { input, rows } of inputs) {
    if (!quantities.includes(input.quantity)) continue;
    for (const o of rows) {
      const key = keyOf(o);
      const stepMs = stepOf(o.resolution);
      if (key === undefined || stepMs === undefined || (unit !== undefined && o.unit !== unit)) continue;
      const id = `${quantities.indexOf(input.quantity)}|${input.dataset}|${JSON.stringify(o.series)}|${stepMs}`;
      const s = bySeries.get(id) ?? { key, steps: { stepMs, values: new Map() } };
      s.steps.values.set(o.ts.getTime(), o.value);
      bySeries.set(id, s);
    }
  }
  const out = new Map<string, Steps[]>();
  // Quantity order first (scheduled before physical), then input order; finest step first within.
  const ordered = [...bySeries].sort(([a, x], [b, y]) => Number(a.split('|')[0]) - Number(b.split('|')[0]) || x.steps.stepMs - y.steps.stepMs);
  for (const [, { key, steps }] of ordered) out.set(key, [...(out.get(key) ?? []), steps]);
  return out;
}

/** Slot starts of the series with the finest step at each start. */
function grid(series: readonly Steps[]): Map<number, number> {
  const g = new Map<number, number>();
  for (const s of series) for (const t of s.values.keys()) g.set(t, Math.min(g.get(t) ?? Infinity, s.stepMs));
  return g;
}

const border = (o: Observation) => {
  const from = o.series['from_zone'];
  const to = o.series['to_zone'];
  return from && to ? `${from}>${to}` : undefined;
};

/** Pure: day-ahead prices, flows and capacities in; spreads and congestion flags per directed border out. */
export function priceSpreads(inputs: Rows, ctx: SignalContext, id = SPREAD_ID): Observation[] {
  const prices = collect(inputs, ['price.day_ahead'], (o) => o.series['zone'], PRICE_UNIT);
  const flows = collect(inputs, ['flow.scheduled', 'flow.physical'], border, 'MW');
  const capacities = collect(inputs, ['capacity.offered'], border, 'MW');
  const borders = new Set([...ctx.borders.map(([a, b]) => `${a}>${b}`), ...flows.keys(), ...capacities.keys()]);
  const out: Observation[] = [];
  for (const b of [...borders].sort()) {
    const [from, to] = b.split('>') as [string, string];
    const pf = prices.get(from);
    const pt = prices.get(to);
    if (!pf || !pt) continue;
    const slots = grid([...pf, ...pt]);
    for (const [t, stepMs] of [...slots].sort((x, y) => x[0] - y[0])) {
      const a = firstCovering(pf, t, stepMs);
      const z = firstCovering(pt, t, stepMs);
      if (a === undefined || z === undefined) continue;
      const ts = new Date(t);
      const resolution = `PT${stepMs / 60_000}M`;
      out.push({ dataset: id, series: { from_zone: from, to_zone: to, metric: 'spread' }, ts, resolution, value: Math.round((z - a) * 1e6) / 1e6, unit: PRICE_UNIT });
      const flow = firstCovering(flows.get(b) ?? [], t, stepMs);
      const capacity = firstCovering(capacities.get(b) ?? [], t, stepMs);
      if (flow === undefined || capacity === undefined) continue;
      out.push({ dataset: id, series: { from_zone: from, to_zone: to, metric: 'congested' }, ts, resolution, value: atCapacity(flow, capacity) ? 1 : 0, unit: '1' });
    }
  }
  return out;
}

export function priceSpreadSignal(datasets: readonly Dataset[]): Signal {
  const inputs = [
    ...inputsOf(datasets, 'price.day_ahead'),
    ...inputsOf(datasets, 'flow.scheduled'),
    ...inputsOf(datasets, 'flow.physical'),
    ...inputsOf(datasets, 'capacity.offered'),
  ];
  return {
    id: SPREAD_ID,
    title: 'Day-ahead price spread price(to) − price(from) per directed border, with a congestion flag (flow at the offered capacity)',
    resolution: 'PT15M or PT60M',
    unit: 'EUR/MWh (spread), 1 (congested)',
    dimensions: ['from_zone', 'to_zone', 'metric'],
    inputs,
    margin: 'PT1H',
    compute: (rows, ctx) => priceSpreads(labelled(inputs, rows), ctx),
  };
}
