// Intraday trading signals from the trades stream (quantity `trades.intraday`: one `price` and one
// `volume` row per trade at its trade time, per delivery `area` and `contract`), and the premium of
// intraday over day-ahead. Three outputs:
//   signals.intraday_bars           per area and contract, at the contract's delivery start and length:
//                                   open/high/low/close/vwap (EUR/MWh), volume (MWh), trades (count)
//   signals.intraday_delivery_bars  per area and delivery bucket (`bucket` PT15M or PT60M) at the bucket's
//                                   start: the same metrics over every trade whose contract delivers
//                                   inside the bucket, each weighted by the energy it delivers there
//                                   (an hourly 4 MW trade is 1 MWh in each of its quarters)
//   signals.intraday_premium        per zone and bucket: delivery-bucket VWAP − day-ahead price over the
//                                   same bucket (EUR/MWh), where the area's zone is known
// Withdrawn trades (null rows) count nowhere. A contract whose delivery the dataset cannot read is left out.
import type { Dataset } from '../shared/dataset.ts';
import type { Observation } from '../shared/observation.ts';
import type { IsoDuration } from '../shared/time.ts';
import { firstCovering, inputsOf, labelled, stepOf, type Steps } from './inputs.ts';
import type { Signal, SignalInput } from './signal.ts';

export const BARS_ID = 'signals.intraday_bars';
export const DELIVERY_BARS_ID = 'signals.intraday_delivery_bars';
export const PREMIUM_ID = 'signals.intraday_premium';
const PRICE_UNIT = 'EUR/MWh';
const HOUR = 3_600_000;
const BUCKETS = [15 * 60_000, HOUR] as const;

export type Delivery = (dataset: string, contract: string) => { start: Date; resolution: IsoDuration } | undefined;

/** One trade leg in one area: price, MW, its contract's delivery [start, end). */
export type Trade = { area: string; zone?: string; contract: string; at: number; price: number; mw: number; start: number; end: number };

type Rows = readonly { input: SignalInput; rows: readonly Observation[] }[];

/** Pure: pairs each trade's price and volume rows (same area, contract and trade time). */
export function tradesOf(inputs: Rows, delivery: Delivery): Trade[] {
  const open = new Map<string, { area: string; contract: string; at: number; zone?: string; price?: number | null; mw?: number | null; start?: number; end?: number }>();
  for (const { input, rows } of inputs) {
    if (input.quantity !== 'trades.intraday') continue;
    for (const o of rows) {
      const { area, contract, metric, zone } = o.series;
      if (area === undefined || contract === undefined || (metric !== 'price' && metric !== 'volume')) continue;
      if (metric === 'price' && o.unit !== PRICE_UNIT) continue;
      if (metric === 'volume' && o.unit !== 'MW') continue;
      const key = `${input.dataset}\u0000${area}\u0000${contract}\u0000${o.ts.getTime()}`;
      const t: { area: string; contract: string; at: number; zone?: string; price?: number | null; mw?: number | null; start?: number; end?: number } = open.get(key) ?? { area, contract, at: o.ts.getTime(), ...(zone ? { zone } : {}) };
      if (metric === 'price') t.price = o.value;
      else t.mw = o.value;
      const d = delivery(input.dataset, contract);
      const length = d ? stepOf(d.resolution) : undefined;
      if (d && length !== undefined) {
        t.start = d.start.getTime();
        t.end = t.start + length;
      }
      open.set(key, t);
    }
  }
  const out: Trade[] = [];
  for (const t of open.values()) {
    if (typeof t.price !== 'number' || typeof t.mw !== 'number' || t.start === undefined || t.end === undefined || t.mw <= 0) continue;
    out.push({ area: t.area, contract: t.contract, at: t.at, price: t.price, mw: t.mw, start: t.start, end: t.end, ...(t.zone ? { zone: t.zone } : {}) });
  }
  return out.sort((a, b) => a.at - b.at);
}

type Bar = { open: number; high: number; low: number; close: number; vwap: number; volume: number; trades: number };

/** OHLC by trade time, VWAP and volume weighted by each trade's energy (MWh) in the bar. */
function bar(trades: readonly { price: number; mwh: number }[]): Bar | undefined {
  if (trades.length === 0) return undefined;
  let high = -Infinity;
  let low = Infinity;
  let value = 0;
  let volume = 0;
  for (const t of trades) {
    high = Math.max(high, t.price);
    low = Math.min(low, t.price);
    value += t.price * t.mwh;
    volume += t.mwh;
  }
  return { open: trades[0]!.price, high, low, close: trades.at(-1)!.price, vwap: value / volume, volume, trades: trades.length };
}

const round = (v: number) => Math.round(v * 1e6) / 1e6;
const resolutionOf = (ms: number) => `PT${ms / 60_000}M`;

function barRows(dataset: string, series: Readonly<Record<string, string>>, ts: Date, resolution: string, b: Bar): Observation[] {
  return (Object.keys(b) as (keyof Bar)[]).map((metric) => ({
    dataset,
    series: { ...series, metric },
    ts,
    resolution,
    value: round(b[metric]),
    unit: metric === 'volume' ? 'MWh' : metric === 'trades' ? '1' : PRICE_UNIT,
  }));
}

const areaSeries = (t: Trade) => ({ area: t.area, ...(t.zone ? { zone: t.zone } : {}) });

/** Pure: one bar per area and contract, at the contract's delivery. */
export function contractBars(trades: readonly Trade[], id = BARS_ID): Observation[] {
  const groups = new Map<string, Trade[]>();
  for (const t of trades) {
    const k = `${t.area}\u0000${t.contract}`;
    const list = groups.get(k) ?? [];
    list.push(t);
    groups.set(k, list);
  }
  return [...groups.values()].flatMap((ts) => {
    const first = ts[0]!;
    const hours = (first.end - first.start) / HOUR;
    const b = bar(ts.map((t) => ({ price: t.price, mwh: t.mw * hours })))!;
    return barRows(id, { ...areaSeries(first), contract: first.contract }, new Date(first.start), resolutionOf(first.end - first.start), b);
  });
}

/** Bars per area and delivery bucket: area → bucket ms → bucket start → bar (with the zone). */
function deliveryBuckets(trades: readonly Trade[]) {
  const groups = new Map<string, { zone?: string; area: string; bucket: number; start: number; trades: { price: number; mwh: number }[] }>();
  for (const t of trades) {
    for (const bucket of BUCKETS) {
      for (let s = t.start - (t.start % bucket); s < t.end; s += bucket) {
        const overlap = Math.min(t.end, s + bucket) - Math.max(t.start, s);
        if (overlap <= 0) continue;
        const k = `${t.area}\u0000${bucket}\u0000${s}`;
        const g = groups.get(k) ?? { area: t.area, bucket, start: s, trades: [], ...(t.zone ? { zone: t.zone } : {}) };
        g.trades.push({ price: t.price, mwh: (t.mw * overlap) / HOUR });
        groups.set(k, g);
      }
    }
  }
  return [...groups.values()].map((g) => ({ ...g, bar: bar(g.trades)! }));
}

/** Pure: bars per area and 15-minute / hourly delivery bucket. */
export function deliveryBars(trades: readonly Trade[], id = DELIVERY_BARS_ID): Observation[] {
  return deliveryBuckets(trades).flatMap((g) =>
    barRows(id, { area: g.area, ...(g.zone ? { zone: g.zone } : {}), bucket: resolutionOf(g.bucket) }, new Date(g.start), resolutionOf(g.bucket), g.bar),
  );
}

/** Pure: delivery-bucket VWAP − the zone's day-ahead price over the bucket; nothing where either is missing. */
export function intradayPremium(trades: readonly Trade[], dayAhead: readonly Observation[], id = PREMIUM_ID): Observation[] {
  const prices = new Map<string, Map<number, Steps>>();
  for (const o of dayAhead) {
    const zone = o.series['zone'];
    const stepMs = stepOf(o.resolution);
    if (zone === undefined || o.unit !== PRICE_UNIT || stepMs === undefined) continue;
    const byStep = prices.get(zone) ?? new Map<number, Steps>();
    const s = byStep.get(stepMs) ?? { stepMs, values: new Map() };
    if (!s.values.has(o.ts.getTime()) || s.values.get(o.ts.getTime()) === null) s.values.set(o.ts.getTime(), o.value);
    byStep.set(stepMs, s);
    prices.set(zone, byStep);
  }
  const out: Observation[] = [];
  for (const g of deliveryBuckets(trades)) {
    if (!g.zone) continue;
    const series = [...(prices.get(g.zone)?.values() ?? [])].sort((a, b) => a.stepMs - b.stepMs);
    const da = firstCovering(series, g.start, g.bucket);
    if (da === undefined) continue;
    out.push({ dataset: id, series: { zone: g.zone, bucket: resolutionOf(g.bucket) }, ts: new Date(g.start), resolution: resolutionOf(g.bucket), value: round(g.bar.vwap - da), unit: PRICE_UNIT });
  }
  return out;
}

function deliveryLookup(datasets: readonly Dataset[]): Delivery {
  const byId = new Map(datasets.map((d) => [d.id, d]));
  return (dataset, contract) => byId.get(dataset)?.deliveryOf?.(contract);
}

// A contract trades from the afternoon before delivery until shortly before it: two days either side
// of a landed trade hold every trade of every contract it can touch.
const TRADING_SPAN = 'P2D';

function intradaySignal(datasets: readonly Dataset[], id: string, title: string, unit: string, dimensions: string[], withPrices: boolean, fn: (trades: Trade[], dayAhead: Observation[]) => Observation[]): Signal {
  const inputs = [...inputsOf(datasets, 'trades.intraday'), ...(withPrices ? inputsOf(datasets, 'price.day_ahead') : [])];
  const delivery = deliveryLookup(datasets);
  return {
    id,
    title,
    resolution: 'PT15M or PT60M (delivery)',
    unit,
    dimensions,
    inputs,
    margin: TRADING_SPAN,
    lead: TRADING_SPAN,
    compute: (rows) => {
      const l = labelled(inputs, rows);
      return fn(tradesOf(l, delivery), l.filter((x) => x.input.quantity === 'price.day_ahead').flatMap((x) => x.rows));
    },
  };
}

export const intradayBarsSignal = (datasets: readonly Dataset[]) =>
  intradaySignal(datasets, BARS_ID, 'Intraday bars per area and contract: OHLC, VWAP, volume, trade count', 'EUR/MWh, MWh, 1', ['area', 'contract', 'metric'], false, (t) => contractBars(t));
export const intradayDeliveryBarsSignal = (datasets: readonly Dataset[]) =>
  intradaySignal(datasets, DELIVERY_BARS_ID, 'Intraday bars per area and 15-minute / hourly delivery bucket: OHLC, VWAP, volume, trade count', 'EUR/MWh, MWh, 1', ['area', 'bucket', 'metric'], false, (t) => deliveryBars(t));
export const intradayPremiumSignal = (datasets: readonly Dataset[]) =>
  intradaySignal(datasets, PREMIUM_ID, 'Intraday premium: delivery-bucket VWAP − day-ahead price, per zone and bucket', 'EUR/MWh', ['zone', 'bucket'], true, (t, da) => intradayPremium(t, da));
