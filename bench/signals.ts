// BENCH_ONLY=signals: a full recompute of a year (2025, both DST switches) of quarter-hourly inputs for
// one zone, per signal, beside a baseline measured in the same run. Target (issue 15): < 2 s.
import { datasets } from '../providers/index.ts';
import { ZONES } from '../providers/zones.ts';
import { MemoryCache } from '../shared/cache/memory.ts';
import { seriesKey, type Observation } from '../shared/observation.ts';
import { DuckDbStore } from '../shared/store/duckdb.ts';
import { buildSignals, signalContext, type Signal } from '../signals/index.ts';
import { recomputeSignal } from '../signals/recompute.ts';

type Helpers = {
  time(runs: number, fn: () => unknown): Promise<number>;
  line(label: string, value: string, baseline?: string, ratio?: number): void;
  record(name: string, value: number, unit: string, baseline?: number | null, ratio?: number | null): void;
};

const FROM = Date.UTC(2024, 11, 31, 23); // local midnight 2025-01-01 in Berlin/Brussels
const QUARTERS = 365 * 96;
const Q = 900_000;

/** A year of quarter-hours of one series of an input, carrying the input's `where` values and the zone. */
function year(signal: Signal, dataset: string, where: Record<string, string>, value: (k: number) => number, unit = 'MW'): Observation[] {
  const input = signal.inputs.find((i) => i.dataset === dataset && Object.entries(where).every(([k, v]) => i.where?.[k] === undefined || i.where[k] === v));
  if (!input) throw new Error(`bench: ${signal.id} reads no ${dataset} ${JSON.stringify(where)}`);
  const series = { ...input.where, ...where, resolution: 'PT15M' };
  return Array.from({ length: QUARTERS }, (_, k) => ({ dataset, series, ts: new Date(FROM + k * Q), resolution: 'PT15M', value: value(k), unit }));
}

/** What the store would hand the signal: per input, the rows of its dataset carrying its `where`. */
function feed(signal: Signal, all: readonly Observation[]): Observation[][] {
  return signal.inputs.map((i) => all.filter((o) => o.dataset === i.dataset && Object.entries(i.where ?? {}).every(([k, v]) => o.series[k] === v)));
}

export async function benchSignals(h: Helpers) {
  const signals = buildSignals(datasets);
  const ctx = signalContext(ZONES, datasets);
  const find = (id: string, zone?: string) => signals.find((s) => s.id === id && (!zone || s.inputs.every((i) => i.where?.['zone'] === zone)))!;
  const wave = (k: number, base: number, amp: number) => base + amp * Math.sin(k / 17) + (k % 7);

  console.log(`\nsignals: full recompute of a year of quarter-hourly inputs (${QUARTERS.toLocaleString('en-US')} per series), one zone`);
  // Residual load, DE-LU: load − solar − offshore − onshore (4 series, 140 160 rows).
  const rl = find('signals.residual_load');
  const de = { zone: 'DE-LU' };
  const rlRows = [
    ...year(rl, 'entsoe.load_actual', de, (k) => wave(k, 55_000, 8_000)),
    ...year(rl, 'entsoe.generation_actual', { ...de, psr_type: 'B16' }, (k) => Math.max(0, wave(k, 5_000, 9_000))),
    ...year(rl, 'entsoe.generation_actual', { ...de, psr_type: 'B18' }, (k) => wave(k, 4_000, 2_000)),
    ...year(rl, 'entsoe.generation_actual', { ...de, psr_type: 'B19' }, (k) => wave(k, 15_000, 9_000)),
  ];
  const rlInputs = feed(rl, rlRows);
  // Baseline: one pass over the same rows summing each hour (a Map): the least any hourly signal does.
  const onePass = await h.time(3, () => {
    const m = new Map<number, number>();
    for (const rows of rlInputs) for (const o of rows) { const hr = Math.floor(o.ts.getTime() / 3_600_000); m.set(hr, (m.get(hr) ?? 0) + (o.value ?? 0)); }
    return m;
  });
  let outputs = 0;
  const rlSeconds = await h.time(3, () => (outputs = rl.compute(rlInputs, ctx).length));
  h.line(`residual_load compute (${rlRows.length.toLocaleString('en-US')} rows → ${outputs.toLocaleString('en-US')} h)`, `${rlSeconds.toFixed(3)} s`, `one-pass hourly sum ${onePass.toFixed(3)} s`, rlSeconds / onePass);
  h.record('signals_residual_load_year_compute', rlSeconds, 's', onePass, rlSeconds / onePass);

  // End to end through the store: read the inputs from DuckDB, compute, upsert the outputs.
  const store = await DuckDbStore.open(':memory:');
  await store.migrate();
  try {
    await store.upsertObservations(rlRows.map((o) => ({ ...o, seriesKey: seriesKey(o.series), payloadSha256: 'b'.repeat(64) })));
    const window = { from: new Date(FROM), to: new Date(FROM + QUARTERS * Q) };
    const readOnly = await h.time(2, () => Promise.all(rl.inputs.map((i) => store.queryObservations({ dataset: i.dataset, from: window.from, to: window.to, ...(i.where ? { where: i.where } : {}) }))));
    const e2e = await h.time(2, () => recomputeSignal({ store, cache: new MemoryCache(), ctx }, rl, window));
    h.line('residual_load recompute via DuckDB (read+compute+upsert)', `${e2e.toFixed(3)} s`, `reading the inputs ${readOnly.toFixed(3)} s`, e2e / readOnly);
    h.record('signals_residual_load_year_recompute_duckdb', e2e, 's', readOnly, e2e / readOnly);
  } finally {
    await store.close();
  }

  // Daily price statistics and spreads, DE-LU and FR quarter-hour prices, hourly NTC and flows.
  const stats = find('signals.daily_price_stats');
  const prices = [
    ...year(stats, 'entsoe.day_ahead_prices', de, (k) => wave(k, 80, 40), 'EUR/MWh'),
    ...year(stats, 'entsoe.day_ahead_prices', { zone: 'FR' }, (k) => wave(k, 75, 45), 'EUR/MWh'),
  ];
  const statsSeconds = await h.time(3, () => stats.compute(feed(stats, prices.slice(0, QUARTERS)), ctx));
  h.line('daily_price_stats compute (1 zone, 35 040 prices)', `${statsSeconds.toFixed(3)} s`, `one-pass hourly sum ${onePass.toFixed(3)} s`, statsSeconds / onePass);
  h.record('signals_daily_price_stats_year_compute', statsSeconds, 's', onePass, statsSeconds / onePass);
  const spread = find('signals.price_spread');
  const border = { from_zone: 'DE-LU', to_zone: 'FR' };
  const spreadRows = [...prices, ...year(spread, 'entsoe.transfer_capacity', border, () => 3_000), ...year(spread, 'entsoe.cross_border_flows', border, (k) => wave(k, 2_000, 1_500))];
  const spreadSeconds = await h.time(3, () => spread.compute(feed(spread, spreadRows), ctx));
  h.line('price_spread compute (DE-LU↔FR, prices+NTC+flows)', `${spreadSeconds.toFixed(3)} s`, `one-pass hourly sum ${onePass.toFixed(3)} s`, spreadSeconds / onePass);
  h.record('signals_price_spread_year_compute', spreadSeconds, 's', onePass, spreadSeconds / onePass);

  // The imbalance-price forecast over a year for BE: 365 daily refits on 28 days each.
  const forecast = find('signals.imbalance_price_forecast', 'BE');
  const be = { zone: 'BE' };
  const forecastRows = [
    ...year(forecast, 'entsoe.imbalance_prices', be, (k) => wave(k, 90, 60), 'EUR/MWh'),
    ...year(forecast, 'entsoe.day_ahead_prices', be, (k) => wave(k, 80, 40), 'EUR/MWh'),
  ];
  const forecastSeconds = await h.time(1, () => forecast.compute(feed(forecast, forecastRows), ctx));
  h.line('imbalance_price_forecast compute (BE, 365 refits)', `${forecastSeconds.toFixed(3)} s`, `one-pass hourly sum ${onePass.toFixed(3)} s`, forecastSeconds / onePass);
  h.record('signals_imbalance_forecast_year_compute', forecastSeconds, 's', onePass, forecastSeconds / onePass);
}
