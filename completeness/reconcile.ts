// Cross-source comparison of one quantity in one zone, slot by slot (pure). Each source is one
// dataset's series carrying the quantity; they are brought to one unit (currency only through a
// rate the data itself gives, energy per interval to power) and one grid (finer slots averaged to
// the coarsest resolution, a bucket counted only when complete), then every source present at a
// slot is judged against the others. Knows quantities, units and resolutions, never a provider.
import { seriesKey, type Observation } from '../shared/observation.ts';
import { fixedDurationMs, isCalendarDuration } from '../shared/time.ts';

export type Tolerance = {
  /** Largest difference that still agrees, in the comparison unit. */
  absolute: number;
  /** Or this share of the others' median, when larger (0.02 = 2 %). */
  relative?: number;
};

export type ComparedSource = {
  /** What the source is called in results (its dataset id). */
  id: string;
  /** Its rows carrying the quantity in the zone (any series, any unit). */
  rows: readonly Observation[];
  /** `sum`: the series are parts adding up to the zone's quantity; otherwise one series stands for it. */
  aggregate?: 'sum';
};

export type ComparisonSpec = { unit: string; tolerance: Tolerance; from: Date; to: Date; sources: readonly ComparedSource[] };

/** One source at one slot: its value in the comparison unit, the others' median, and the verdict. */
export type SourceAtSlot = { value: number; others: number | null; agrees: boolean | null };
export type Slot = { ts: Date; bySource: Readonly<Record<string, SourceAtSlot>> };

export type SourceSummary = {
  source: string;
  /** Slots it has a value at (on the comparison grid). */
  slots: number;
  /** Of those, slots where at least one other source had a value. */
  compared: number;
  agreeing: number;
  /** agreeing / compared in %, null when nothing could be compared. */
  agreement: number | null;
  /** Slots others have and this source lacks, before its last value (holes). */
  missing: number;
  /** Slots others have after this source's last value: it has not caught up (yet). */
  late: number;
  lastTs: Date | null;
  /** Rows it had that could not be brought to the comparison unit, with why. */
  unconverted: string[];
};

export type Difference = { ts: Date; source: string; value: number; others: number; difference: number };

export type Comparison = {
  unit: string;
  /** The comparison grid: the coarsest resolution among the sources (null: no source had rows). */
  resolution: string | null;
  slots: Slot[];
  /** Slots where at least two sources had a value. */
  compared: number;
  /** Slots where every present source agreed, in % of `compared` (null when none compared). */
  agreement: number | null;
  sources: SourceSummary[];
};

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const within = (t: Tolerance, value: number, reference: number) =>
  Math.abs(value - reference) <= Math.max(t.absolute, (t.relative ?? 0) * Math.abs(reference)) + 1e-9;

const round = (x: number) => Math.round(x * 10) / 10;

/** Currency of a price unit (`DKK` of `DKK/MWh`), or null when the unit is no money per something. */
const priceParts = (unit: string) => {
  const m = /^([A-Z]{3})\/(.+)$/.exec(unit);
  return m ? { currency: m[1]!, per: m[2]! } : null;
};

/**
 * Exchange rates the data gives: where one source carries the same slot in two currencies (a
 * provider publishing EUR and DKK side by side), target-per-other at that instant. Never a
 * constant: a slot without such a pair converts nothing.
 */
function ratesFromData(sources: readonly ComparedSource[], unit: string): Map<string, number> {
  const target = priceParts(unit);
  const rates = new Map<string, number>();
  if (!target) return rates;
  for (const s of sources) {
    const byTs = new Map<number, Map<string, number>>();
    for (const o of s.rows) {
      const p = priceParts(o.unit);
      if (!p || p.per !== target.per || o.value === null) continue;
      const m = byTs.get(o.ts.getTime()) ?? new Map<string, number>();
      // Several series in the same currency (parts): the rate needs one pair, the first will do.
      if (!m.has(p.currency)) m.set(p.currency, o.value);
      byTs.set(o.ts.getTime(), m);
    }
    for (const [ts, m] of byTs) {
      const t = m.get(target.currency);
      if (t === undefined) continue;
      for (const [currency, v] of m) if (currency !== target.currency && v !== 0 && t !== 0) rates.set(`${currency}\u0000${ts}`, t / v);
    }
  }
  return rates;
}

/** A row's value in `unit`, or why not. */
function convert(o: Observation, unit: string, rates: ReadonlyMap<string, number>): number | string {
  const value = o.value!;
  if (o.unit === unit) return value;
  const from = priceParts(o.unit);
  const to = priceParts(unit);
  if (from && to && from.per === to.per) {
    const rate = rates.get(`${from.currency}\u0000${o.ts.getTime()}`);
    return rate === undefined ? `${o.unit} → ${unit}: no rate in the data` : value * rate;
  }
  // Energy over an interval vs mean power over it (MWh per hour is MW).
  if (!isCalendarDuration(o.resolution)) {
    const hours = fixedDurationMs(o.resolution) / 3_600_000;
    if (o.unit === 'MWh' && unit === 'MW') return value / hours;
    if (o.unit === 'MW' && unit === 'MWh') return value * hours;
  }
  return `${o.unit} → ${unit}: no conversion`;
}

type Points = { stepMs: number; values: Map<number, number> };

/** A source as one series of values in the comparison unit at its own resolution. */
function sourcePoints(s: ComparedSource, unit: string, rates: ReadonlyMap<string, number>, unconverted: Set<string>): Points | null {
  const usable = s.rows.filter((o) => o.value !== null && !isCalendarDuration(o.resolution));
  // A source carrying the unit itself is read in it; its other currencies are only for rates.
  const native = usable.filter((o) => o.unit === unit);
  const rows = native.length > 0 ? native : usable;
  const bySeries = new Map<string, { stepMs: number; values: Map<number, number> }>();
  for (const o of rows) {
    const v = convert(o, unit, rates);
    if (typeof v === 'string') {
      unconverted.add(v);
      continue;
    }
    const key = seriesKey(o.series);
    const stepMs = fixedDurationMs(o.resolution);
    const entry = bySeries.get(key) ?? { stepMs, values: new Map<number, number>() };
    entry.values.set(o.ts.getTime(), v);
    bySeries.set(key, entry);
  }
  const series = [...bySeries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);
  if (series.length === 0) return null;
  if (s.aggregate === 'sum') {
    // A slot counts only when every part has it: a partial sum would read as a disagreement.
    const stepMs = Math.max(...series.map((e) => e.stepMs));
    const sums = new Map<number, number>();
    for (const ts of series[0]!.values.keys()) {
      if (series.every((e) => e.values.has(ts))) sums.set(ts, series.reduce((acc, e) => acc + e.values.get(ts)!, 0));
    }
    return { stepMs, values: sums };
  }
  // Several series for one quantity (an hourly and a quarter-hourly result of one auction): the
  // finest stands for the source, then the fullest.
  series.sort((a, b) => a.stepMs - b.stepMs || b.values.size - a.values.size);
  return series[0]!;
}

/** Averages a source onto a coarser grid; a bucket missing any of its finer slots is left out. */
function onGrid(p: Points, gridMs: number): Map<number, number> {
  if (p.stepMs === gridMs) return p.values;
  const per = gridMs / p.stepMs;
  const buckets = new Map<number, number[]>();
  for (const [ts, v] of p.values) {
    const b = Math.floor(ts / gridMs) * gridMs;
    const list = buckets.get(b) ?? [];
    list.push(v);
    buckets.set(b, list);
  }
  const out = new Map<number, number>();
  for (const [b, list] of buckets) if (list.length === per) out.set(b, list.reduce((x, y) => x + y, 0) / per);
  return out;
}

/** Compares the sources slot by slot over [from, to). */
export function compareSources(spec: ComparisonSpec): Comparison {
  const rates = ratesFromData(spec.sources, spec.unit);
  const unconverted = new Map(spec.sources.map((s) => [s.id, new Set<string>()]));
  const points = spec.sources.map((s) => ({ id: s.id, p: sourcePoints(s, spec.unit, rates, unconverted.get(s.id)!) }));
  const steps = points.flatMap((x) => (x.p ? [x.p.stepMs] : []));
  const gridMs = steps.length > 0 ? Math.max(...steps) : null;
  const from = spec.from.getTime();
  const to = spec.to.getTime();
  const grids = points.map((x) => ({ id: x.id, values: x.p && gridMs ? onGrid(x.p, gridMs) : new Map<number, number>() }));
  const instants = [...new Set(grids.flatMap((g) => [...g.values.keys()]))].filter((t) => t >= from && t < to).sort((a, b) => a - b);

  const slots: Slot[] = instants.map((t) => {
    const present = grids.filter((g) => g.values.has(t)).map((g) => ({ id: g.id, value: g.values.get(t)! }));
    const bySource: Record<string, SourceAtSlot> = {};
    for (const s of present) {
      const others = present.filter((o) => o.id !== s.id).map((o) => o.value);
      if (others.length === 0) {
        bySource[s.id] = { value: s.value, others: null, agrees: null };
        continue;
      }
      // Agrees when within tolerance of at least half the others: with three sources, one outlier
      // is the one that disagrees, not all three.
      const close = others.filter((o) => within(spec.tolerance, s.value, o)).length;
      bySource[s.id] = { value: s.value, others: median(others), agrees: close * 2 >= others.length };
    }
    return { ts: new Date(t), bySource };
  });

  const sources = spec.sources.map((s) => summarize(s.id, slots, [...unconverted.get(s.id)!]));
  const comparedSlots = slots.filter((x) => Object.keys(x.bySource).length >= 2);
  const allAgree = comparedSlots.filter((x) => Object.values(x.bySource).every((v) => v.agrees !== false)).length;
  return {
    unit: spec.unit,
    resolution: gridMs === null ? null : `PT${gridMs / 60_000}M`,
    slots,
    compared: comparedSlots.length,
    agreement: comparedSlots.length === 0 ? null : round((allAgree / comparedSlots.length) * 100),
    sources,
  };
}

/** One source's counts over the given slots (all of a comparison, or one delivery day of it). */
export function summarize(source: string, slots: readonly Slot[], unconverted: string[] = []): SourceSummary {
  let own = 0;
  let compared = 0;
  let agreeing = 0;
  let last: number | null = null;
  for (const s of slots) {
    const mine = s.bySource[source];
    if (!mine) continue;
    own++;
    last = s.ts.getTime();
    if (mine.agrees === null) continue;
    compared++;
    if (mine.agrees) agreeing++;
  }
  let missing = 0;
  let late = 0;
  for (const s of slots) {
    if (s.bySource[source] || Object.keys(s.bySource).length === 0) continue;
    if (last !== null && s.ts.getTime() < last) missing++;
    else late++;
  }
  // With no value at all, every slot others have is missing rather than late.
  if (last === null) [missing, late] = [late, 0];
  return {
    source,
    slots: own,
    compared,
    agreeing,
    agreement: compared === 0 ? null : round((agreeing / compared) * 100),
    missing,
    late,
    lastTs: last === null ? null : new Date(last),
    unconverted,
  };
}

/** The `n` largest disagreements, largest first (ties: earlier slot first). */
export function largestDifferences(c: Comparison, n: number): Difference[] {
  const out: Difference[] = [];
  for (const s of c.slots) {
    for (const [source, v] of Object.entries(s.bySource)) {
      if (v.agrees !== false || v.others === null) continue;
      out.push({ ts: s.ts, source, value: v.value, others: v.others, difference: v.value - v.others });
    }
  }
  out.sort((a, b) => Math.abs(b.difference) - Math.abs(a.difference) || a.ts.getTime() - b.ts.getTime() || (a.source < b.source ? -1 : 1));
  return out.slice(0, n);
}
