// Imbalance-price forecast per zone (BE and DK1): a deliberately simple ridge regression, refitted
// for every delivery day on the 28 days before it, predicting each imbalance-price slot of day D from
// what is known at the day-ahead gate (origin = 12:00 local on D−1):
//   day-ahead price of the slot (EUR/MWh / 100)
//   hour of day (sin, cos of the local hour)
//   recent imbalance: mean (imbalance − day-ahead) price over the 24 h before the origin (/ 100)
//   when the zone has residual-load inputs: the slot's residual-load forecast (GW) and the mean
//   residual-load forecast error (actual − forecast, GW) over the 24 h before the origin
// Features are standardised, the intercept is not penalised, λ = 1. Output `signals.imbalance_price_forecast`:
// `metric` level (EUR/MWh) and direction (+1: above the day-ahead price, −1: below, 0: equal), per zone,
// at the imbalance price's own resolution. The same function gives the backtest its predictions, beside
// two baselines known at the same origin: persistence (the latest same-time-of-day imbalance price
// before the origin) and climatology (mean imbalance price of the local hour over the training window).
import { DateTime } from 'luxon';
import type { Dataset } from '../shared/dataset.ts';
import type { Observation } from '../shared/observation.ts';
import { firstCovering, inputsOf, labelled, stepOf, type Steps } from './inputs.ts';
import { residualLoad } from './residual-load.ts';
import type { Signal, SignalContext, SignalInput } from './signal.ts';

export const FORECAST_ID = 'signals.imbalance_price_forecast';
export const FORECAST_ZONES: readonly string[] = ['BE', 'DK1'];
export const TRAINING_DAYS = 28;
const MIN_TRAINING_SLOTS = 48;
const LAMBDA = 1;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PRICE_UNIT = 'EUR/MWh';

/** What one zone's forecast reads, as slot values. */
export type ZoneInputs = {
  imbalance: Steps[];
  dayAhead: Steps[];
  /** Hourly residual load, MW; absent when the zone has no residual-load inputs. */
  residualForecast?: Map<number, number>;
  residualActual?: Map<number, number>;
};

/** One forecast slot with its baselines and, where known, the outcome. */
export type ForecastSlot = { ts: Date; stepMs: number; level: number; dayAhead: number; persistence?: number; climatology?: number; actual?: number };

/** Solves (XᵀX + λ·I′) β = Xᵀy, I′ the identity without the intercept's (column 0) entry. */
export function ridge(x: readonly (readonly number[])[], y: readonly number[], lambda = LAMBDA): number[] {
  const k = x[0]!.length;
  const a = Array.from({ length: k }, (_, i) => Array.from({ length: k + 1 }, (_, j) => (j === i && i > 0 ? lambda : 0)));
  x.forEach((row, n) => {
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) a[i]![j]! += row[i]! * row[j]!;
      a[i]![k]! += row[i]! * y[n]!;
    }
  });
  // Gauss-Jordan with partial pivoting; the ridge term keeps the system regular.
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    const pivot = a[c]![c]!;
    if (Math.abs(pivot) < 1e-12) return Array(k).fill(0).map((_, i) => (i === 0 ? y.reduce((s, v) => s + v, 0) / y.length : 0));
    for (let j = c; j <= k; j++) a[c]![j]! /= pivot;
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = a[r]![c]!;
      if (f !== 0) for (let j = c; j <= k; j++) a[r]![j]! -= f * a[c]![j]!;
    }
  }
  return a.map((row) => row[k]!);
}

/** Slot starts (with step) of the finest imbalance series, sorted. */
function slots(series: readonly Steps[]): [number, number][] {
  const g = new Map<number, number>();
  for (const s of series) for (const [t, v] of s.values) if (v !== null) g.set(t, Math.min(g.get(t) ?? Infinity, s.stepMs));
  return [...g].sort((a, b) => a[0] - b[0]);
}

function meanOf(values: readonly number[]): number | undefined {
  return values.length === 0 ? undefined : values.reduce((s, v) => s + v, 0) / values.length;
}

/**
 * Pure: per delivery day (local, in `tz`) from `from` until `to`, forecasts of every imbalance slot
 * from a model fitted on the slots of the 28 days before that day's origin. Slots lacking a feature
 * have no forecast; a day with fewer than 48 training slots has none.
 */
export function forecastZone(data: ZoneInputs, tz: string, from: Date, to: Date): ForecastSlot[] {
  const grid = slots(data.imbalance);
  if (grid.length === 0) return [];
  const useLoad = data.residualForecast !== undefined && data.residualActual !== undefined && data.residualForecast.size > 0;
  const imbalanceAt = (t: number, step: number) => firstCovering(data.imbalance, t, step);
  const daAt = (t: number, step: number) => firstCovering(data.dayAhead, t, step);
  const hourOf = (t: number) => Math.floor(t / HOUR) * HOUR;
  // Local calendar facts per UTC hour, memoised (luxon per slot is the cost of a year's recompute);
  // the zones served have whole-hour UTC offsets, so every slot of a UTC hour shares them.
  const local = new Map<number, { origin: number; hour: number }>();
  const localOf = (t: number) => {
    const h = hourOf(t);
    let l = local.get(h);
    if (!l) {
      const d = DateTime.fromMillis(h, { zone: tz });
      l = { origin: d.startOf('day').minus({ days: 1 }).set({ hour: 12 }).toMillis(), hour: d.hour };
      local.set(h, l);
    }
    return l;
  };
  const originOf = (t: number) => localOf(t).origin;

  // Recent-state features per origin, memoised: mean spread and mean residual-load error over the 24 h before it.
  const recent = new Map<number, { spread?: number; error?: number }>();
  const recentAt = (origin: number) => {
    let r = recent.get(origin);
    if (r) return r;
    const spreads: number[] = [];
    for (const [t, step] of grid) {
      if (t < origin - DAY || t + step > origin) continue;
      const i = imbalanceAt(t, step);
      const d = daAt(t, step);
      if (i !== undefined && d !== undefined) spreads.push(i - d);
    }
    const errors: number[] = [];
    if (useLoad) for (let h = origin - DAY; h < origin; h += HOUR) {
      const a = data.residualActual!.get(h);
      const f = data.residualForecast!.get(h);
      if (a !== undefined && f !== undefined) errors.push(a - f);
    }
    r = { spread: meanOf(spreads), error: meanOf(errors) };
    recent.set(origin, r);
    return r;
  };

  /** The feature row of a slot (without the intercept), or undefined when one is missing. */
  const features = (t: number, step: number): { row: number[]; da: number } | undefined => {
    const da = daAt(t, step);
    const r = recentAt(originOf(t));
    if (da === undefined || r.spread === undefined) return undefined;
    const angle = (2 * Math.PI * (localOf(t).hour + (t % HOUR) / HOUR)) / 24;
    const row = [da / 100, Math.sin(angle), Math.cos(angle), r.spread / 100];
    if (useLoad) {
      const f = data.residualForecast!.get(hourOf(t));
      if (f === undefined || r.error === undefined) return undefined;
      row.push(f / 1000, r.error / 1000);
    }
    return { row, da };
  };

  const samples = grid.flatMap(([t, step]) => {
    const f = features(t, step);
    const y = imbalanceAt(t, step);
    return f && y !== undefined ? [{ t, step, row: f.row, y, hour: localOf(t).hour }] : [];
  });

  const out: ForecastSlot[] = [];
  const days = new Map<number, [number, number][]>();
  for (const [t, step] of grid) if (t >= from.getTime() && t < to.getTime()) {
    const o = originOf(t);
    const list = days.get(o) ?? [];
    list.push([t, step]);
    days.set(o, list);
  }
  // Forecast slots need not have an imbalance price yet: the day-ahead grid of future days counts too.
  for (const s of data.dayAhead) for (const t of s.values.keys()) {
    if (t < from.getTime() || t >= to.getTime()) continue;
    const o = originOf(t);
    const list = days.get(o) ?? [];
    if (!list.some(([u]) => u === t)) list.push([t, Math.min(s.stepMs, grid[0]![1])]);
    days.set(o, list);
  }
  for (const [origin, daySlots] of [...days].sort((a, b) => a[0] - b[0])) {
    const train = samples.filter((s) => s.t + s.step <= origin && s.t >= origin - TRAINING_DAYS * DAY);
    if (train.length < MIN_TRAINING_SLOTS) continue;
    // Standardise on the training slots; a constant column stays as it is (scale 1).
    const k = train[0]!.row.length;
    const mean = Array.from({ length: k }, (_, j) => train.reduce((s, x) => s + x.row[j]!, 0) / train.length);
    const sd = mean.map((m, j) => Math.sqrt(train.reduce((s, x) => s + (x.row[j]! - m) ** 2, 0) / train.length) || 1);
    const z = (row: readonly number[]) => [1, ...row.map((v, j) => (v - mean[j]!) / sd[j]!)];
    const beta = ridge(train.map((s) => z(s.row)), train.map((s) => s.y));
    // Climatology: mean imbalance price per local hour over the training slots.
    const byHour = new Map<number, number[]>();
    for (const s of train) {
      const list = byHour.get(s.hour) ?? [];
      list.push(s.y);
      byHour.set(s.hour, list);
    }
    for (const [t, step] of daySlots.sort((a, b) => a[0] - b[0])) {
      const f = features(t, step);
      if (!f) continue;
      const zr = z(f.row);
      const level = zr.reduce((s, v, j) => s + v * beta[j]!, 0);
      const back = t - DAY + step <= origin ? t - DAY : t - 2 * DAY;
      const persistence = imbalanceAt(back, step);
      const climatology = meanOf(byHour.get(localOf(t).hour) ?? []);
      const actual = imbalanceAt(t, step);
      out.push({ ts: new Date(t), stepMs: step, level, dayAhead: f.da, ...(persistence !== undefined ? { persistence } : {}), ...(climatology !== undefined ? { climatology } : {}), ...(actual !== undefined ? { actual } : {}) });
    }
  }
  return out;
}

type Rows = readonly { input: SignalInput; rows: readonly Observation[] }[];

/** Per zone: the price series (EUR/MWh) of the quantity, in input order, finest step first. */
function priceSteps(inputs: Rows, quantity: SignalInput['quantity'], zones: readonly string[]): Map<string, Steps[]> {
  const byKey = new Map<string, { zone: string; steps: Steps }>();
  inputs.forEach(({ input, rows }, i) => {
    if (input.quantity !== quantity) return;
    for (const o of rows) {
      const zone = o.series['zone'];
      const stepMs = stepOf(o.resolution);
      if (!zone || !zones.includes(zone) || o.unit !== PRICE_UNIT || stepMs === undefined) continue;
      const key = `${String(i).padStart(4, '0')}|${JSON.stringify(o.series)}|${stepMs}`;
      const s = byKey.get(key) ?? { zone, steps: { stepMs, values: new Map() } };
      s.steps.values.set(o.ts.getTime(), o.value);
      byKey.set(key, s);
    }
  });
  const out = new Map<string, Steps[]>();
  for (const [, { zone, steps }] of [...byKey].sort(([a, x], [b, y]) => a.slice(0, 4).localeCompare(b.slice(0, 4)) || x.steps.stepMs - y.steps.stepMs)) {
    const list = out.get(zone) ?? [];
    list.push(steps);
    out.set(zone, list);
  }
  return out;
}

/** Hourly residual load per zone from one source (the one covering most hours). */
function residualByZone(rows: Observation[]): Map<string, Map<number, number>> {
  const bySource = new Map<string, Map<number, number>>();
  for (const o of rows) {
    if (o.value === null) continue;
    const k = `${o.series['zone']}\u0000${o.series['source']}`;
    const m = bySource.get(k) ?? new Map<number, number>();
    m.set(o.ts.getTime(), o.value);
    bySource.set(k, m);
  }
  const out = new Map<string, Map<number, number>>();
  for (const [k, m] of bySource) {
    const zone = k.split('\u0000')[0]!;
    if ((out.get(zone)?.size ?? -1) < m.size) out.set(zone, m);
  }
  return out;
}

/** Pure: the forecast model's inputs per zone, from the signal's labelled input rows. */
export function zoneInputs(inputs: Rows, zones: readonly string[]): Map<string, ZoneInputs> {
  const imbalance = priceSteps(inputs, 'price.imbalance', zones);
  const dayAhead = priceSteps(inputs, 'price.day_ahead', zones);
  const isForecast = (i: SignalInput) => i.kind === 'forecast';
  const residual = (forecast: boolean) =>
    residualByZone(residualLoad(inputs.filter((x) => ['load', 'generation.solar', 'generation.wind_onshore', 'generation.wind_offshore'].includes(x.input.quantity) && isForecast(x.input) === forecast), 'residual'));
  const rf = residual(true);
  const ra = residual(false);
  const out = new Map<string, ZoneInputs>();
  for (const zone of zones) {
    const i = imbalance.get(zone);
    const d = dayAhead.get(zone);
    if (!i || !d) continue;
    out.set(zone, { imbalance: i, dayAhead: d, ...(rf.has(zone) && ra.has(zone) ? { residualForecast: rf.get(zone)!, residualActual: ra.get(zone)! } : {}) });
  }
  return out;
}

/** Pure: the signal's output rows for every zone with inputs. */
export function imbalanceForecast(inputs: Rows, ctx: SignalContext, zones: readonly string[] = FORECAST_ZONES, id = FORECAST_ID): Observation[] {
  const out: Observation[] = [];
  for (const [zone, data] of zoneInputs(inputs, zones)) {
    const tz = ctx.timeZoneOf(zone);
    if (!tz) continue;
    for (const s of forecastZone(data, tz, new Date(-8.64e15), new Date(8.64e15))) {
      const resolution = `PT${s.stepMs / 60_000}M`;
      const level = Math.round(s.level * 1000) / 1000;
      out.push(
        { dataset: id, series: { zone, metric: 'level' }, ts: s.ts, resolution, value: level, unit: PRICE_UNIT },
        { dataset: id, series: { zone, metric: 'direction' }, ts: s.ts, resolution, value: Math.sign(level - s.dayAhead), unit: '1' },
      );
    }
  }
  return out;
}

/** The inputs the forecast (and its backtest) read. */
export function forecastInputs(datasets: readonly Dataset[]): SignalInput[] {
  return [
    ...inputsOf(datasets, 'price.imbalance', 'actual'),
    ...inputsOf(datasets, 'price.day_ahead'),
    ...inputsOf(datasets, 'load', 'actual'),
    ...inputsOf(datasets, 'load', 'forecast', 'day_ahead'),
    ...(['generation.solar', 'generation.wind_onshore', 'generation.wind_offshore'] as const).flatMap((q) => [...inputsOf(datasets, q, 'actual'), ...inputsOf(datasets, q, 'forecast', 'day_ahead')]),
  ];
}

/**
 * One descriptor per zone (same output dataset): its inputs are read for that zone only, so a landed
 * batch of another zone's load never reads 30 days of everything.
 */
export function imbalanceForecastSignals(datasets: readonly Dataset[], zones: readonly string[] = FORECAST_ZONES): Signal[] {
  return zones.map((zone) => {
    const inputs = forecastInputs(datasets).map((i) => ({ ...i, where: { ...i.where, zone } }));
    return {
      id: FORECAST_ID,
      title: `Imbalance-price forecast for ${zone} (ridge regression, refitted daily on ${TRAINING_DAYS} days): level and direction vs day-ahead`,
      resolution: 'PT15M (the imbalance price resolution)',
      unit: 'EUR/MWh (level), 1 (direction)',
      dimensions: ['zone', 'metric'],
      inputs,
      // The training window and its origin's day before; landed data reaches forecasts up to two days on.
      margin: `P${TRAINING_DAYS + 2}D`,
      lead: 'P2D',
      compute: (rows, ctx) => imbalanceForecast(labelled(inputs, rows), ctx, [zone]),
    };
  });
}
