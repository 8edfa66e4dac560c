// Pure: which stored values break their dataset's plausibility rules (Dataset.plausibility). A
// finding flags a value; it never removes it. Nulls are never judged: the source said "no value".
// Written against rule kinds, dataset ids the descriptor names and dimensions, never a provider.
import type { PlausibilityRule } from '../shared/dataset.ts';
import { seriesKey, type Observation } from '../shared/observation.ts';
import { nominalDurationMs } from '../shared/time.ts';

export type Finding = { observation: Observation & { value: number }; rule: PlausibilityRule['rule']; detail: string };

export type RuleInputs = {
  /** The values to judge. */
  values: readonly Observation[];
  /** Earlier values of the dataset (jump history); values of the same instant in `values` win. */
  history?: readonly Observation[];
  /** Observations of the other datasets rules name (capacity, balance terms), by dataset id. */
  others?: ReadonlyMap<string, readonly Observation[]>;
};

const HOUR = 3_600_000;
const carries = (where: Readonly<Record<string, string>> | undefined, series: Readonly<Record<string, string>>) =>
  Object.entries(where ?? {}).every(([k, v]) => series[k] === v);
const hasValue = (o: Observation): o is Observation & { value: number } => o.value !== null && Number.isFinite(o.value);
const num = (x: number) => String(Math.round(x * 100) / 100);
const filterText = (where: Readonly<Record<string, string>> | undefined) =>
  where && Object.keys(where).length > 0 ? `{${Object.entries(where).map(([k, v]) => `${k}=${v}`).join(',')}}` : '';

/** Every finding of every rule, in rule order. */
export function evaluatePlausibility(rules: readonly PlausibilityRule[], inputs: RuleInputs): Finding[] {
  const out: Finding[] = [];
  for (const rule of rules) {
    if (rule.rule === 'range') out.push(...rangeFindings(rule, inputs.values));
    else if (rule.rule === 'jump') out.push(...jumpFindings(rule, inputs.values, inputs.history ?? []));
    else if (rule.rule === 'capacity') out.push(...capacityFindings(rule, inputs.values, inputs.others?.get(rule.capacity.dataset) ?? []));
    else out.push(...balanceFindings(rule, inputs.values, inputs.others ?? new Map()));
  }
  return out;
}

function rangeFindings(rule: Extract<PlausibilityRule, { rule: 'range' }>, values: readonly Observation[]): Finding[] {
  const out: Finding[] = [];
  for (const o of values) {
    if (!hasValue(o) || o.unit !== rule.unit || !carries(rule.where, o.series)) continue;
    if (o.value < rule.min) out.push({ observation: o, rule: 'range', detail: `${num(o.value)} ${o.unit} below the plausible minimum ${num(rule.min)} ${o.unit}` });
    else if (o.value > rule.max) out.push({ observation: o, rule: 'range', detail: `${num(o.value)} ${o.unit} above the plausible maximum ${num(rule.max)} ${o.unit}` });
  }
  return out;
}

/** 1.4826 × the median absolute deviation: the standard deviation of normal data, unmoved by a few outliers. */
export function robustSpread(xs: readonly number[]): number {
  const window = new SortedValues();
  for (const x of xs) window.add(x);
  return window.robustSpread();
}

/** The first index of `xs` (ascending) whose value is not below `x`. */
function lowerBound(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The values of a sliding window kept in order, so its median and robust spread need no sort: a
 * value enters and leaves by binary search, and the median absolute deviation is read by walking
 * outwards from the median (the deviations on either side are already in order).
 */
class SortedValues {
  readonly #xs: number[] = [];
  get size(): number {
    return this.#xs.length;
  }
  add(x: number): void {
    this.#xs.splice(lowerBound(this.#xs, x), 0, x);
  }
  remove(x: number): void {
    this.#xs.splice(lowerBound(this.#xs, x), 1);
  }
  robustSpread(): number {
    const xs = this.#xs;
    const n = xs.length;
    if (n === 0) return 0;
    const m = n >> 1;
    const med = n % 2 === 1 ? xs[m]! : (xs[m - 1]! + xs[m]!) / 2;
    // Merge the deviations below the median (walking down) and above it (walking up) up to the middle one.
    let down = lowerBound(xs, med) - 1;
    let up = down + 1;
    let before = 0;
    let at = 0;
    for (let k = 0; k <= m; k++) {
      const dDown = down >= 0 ? Math.abs(xs[down]! - med) : Infinity;
      const dUp = up < n ? Math.abs(xs[up]! - med) : Infinity;
      before = at;
      if (dDown <= dUp) {
        at = dDown;
        down--;
      } else {
        at = dUp;
        up++;
      }
    }
    return 1.4826 * (n % 2 === 1 ? at : (before + at) / 2);
  }
}

function jumpFindings(rule: Extract<PlausibilityRule, { rule: 'jump' }>, values: readonly Observation[], history: readonly Observation[]): Finding[] {
  const spreads = rule.spreads ?? 10;
  const minHistory = rule.minHistory ?? 8;
  // A history bound, not a step: a day counts as 24 h even across DST.
  const historyMs = nominalDurationMs(rule.history);
  const judged = new Set(values.map((o) => `${seriesKey(o.series)}\u0000${o.ts.getTime()}`));
  const bySeries = new Map<string, Map<number, Observation>>();
  for (const o of [...history, ...values]) {
    if (!carries(rule.where, o.series)) continue;
    const k = seriesKey(o.series);
    const points = bySeries.get(k) ?? new Map<number, Observation>();
    points.set(o.ts.getTime(), o);
    bySeries.set(k, points);
  }
  const out: Finding[] = [];
  for (const [key, points] of bySeries) {
    const series = [...points.values()].filter(hasValue).sort((a, b) => a.ts.getTime() - b.ts.getTime());
    // The series' values in [t − history, t) of the value judged: series[oldest, newest), slid forward.
    const recent = new SortedValues();
    let oldest = 0;
    let newest = 0;
    let previous: (Observation & { value: number }) | undefined;
    let lastFlagged: (Observation & { value: number }) | undefined;
    for (let i = 0; i < series.length; i++) {
      const o = series[i]!;
      const t = o.ts.getTime();
      if (previous === undefined || !judged.has(`${key}\u0000${t}`)) {
        previous = o;
        continue;
      }
      const step = o.value - previous.value;
      // The spread of the series' recent values (not of its steps: quarter-hours inside an hour barely
      // move, so a step spread would call every hourly change a jump).
      for (; newest < i; newest++) recent.add(series[newest]!.value);
      for (; oldest < newest && series[oldest]!.ts.getTime() < t - historyMs; oldest++) recent.remove(series[oldest]!.value);
      const spread = Math.max(recent.robustSpread(), rule.minSpread ?? 0);
      const byMax = rule.maxStep !== undefined && Math.abs(step) > rule.maxStep;
      const bySpread = recent.size >= minHistory && spread > 0 && Math.abs(step) > spreads * spread;
      // After a flagged jump, a value close to the flagged one is a new level, not a second jump.
      const limit = Math.min(rule.maxStep ?? Infinity, recent.size >= minHistory && spread > 0 ? spreads * spread : Infinity);
      const newLevel = lastFlagged !== undefined && Math.abs(o.value - lastFlagged.value) <= limit;
      if ((byMax || bySpread) && !newLevel) {
        const detail = byMax
          ? `step of ${num(step)} ${o.unit} from ${num(previous.value)} exceeds the largest plausible step ${num(rule.maxStep!)} ${o.unit}`
          : `step of ${num(step)} ${o.unit} from ${num(previous.value)} is ${num(Math.abs(step) / spread)} × the recent spread ${num(spread)} ${o.unit} (limit ${spreads} ×, ${recent.size} values over ${rule.history})`;
        out.push({ observation: o, rule: 'jump', detail });
        // A flagged value is not the baseline of the next: the return from a spike is not a jump.
        lastFlagged = o;
      } else {
        previous = o;
        lastFlagged = undefined;
      }
    }
  }
  return out;
}

function capacityFindings(rule: Extract<PlausibilityRule, { rule: 'capacity' }>, values: readonly Observation[], capacities: readonly Observation[]): Finding[] {
  const matchKey = (s: Readonly<Record<string, string>>) => rule.match.map((d) => s[d] ?? '\u0001').join('\u0000');
  const index = new Map<string, (Observation & { value: number })[]>();
  for (const c of capacities) {
    if (!hasValue(c) || !carries(rule.capacity.where, c.series)) continue;
    const k = matchKey(c.series);
    index.set(k, [...(index.get(k) ?? []), c]);
  }
  for (const list of index.values()) list.sort((a, b) => a.ts.getTime() - b.ts.getTime());
  const out: Finding[] = [];
  for (const o of values) {
    if (!hasValue(o) || !carries(rule.where, o.series)) continue;
    // The newest capacity declared at or before the value's instant.
    const installed = index.get(matchKey(o.series))?.filter((c) => c.ts <= o.ts).at(-1);
    if (!installed) continue;
    const limit = installed.value * (1 + rule.tolerance);
    if (o.value > limit) {
      out.push({
        observation: o,
        rule: 'capacity',
        detail: `${num(o.value)} ${o.unit} above the installed capacity ${num(installed.value)} ${installed.unit} (${rule.capacity.dataset} from ${installed.ts.toISOString()}, tolerance ${num(rule.tolerance * 100)} %)`,
      });
    }
  }
  return out;
}

/** Mean of each series' values per (zone, UTC hour), then summed over the series of a zone. */
function hourlySums(observations: readonly Observation[], zoneDim: string, where: Readonly<Record<string, string>> | undefined, combine: 'sum' | 'mean') {
  const perSeries = new Map<string, { zone: string; hour: number; total: number; n: number }>();
  for (const o of observations) {
    const zone = o.series[zoneDim];
    if (!hasValue(o) || zone === undefined || !carries(where, o.series)) continue;
    const hour = Math.floor(o.ts.getTime() / HOUR);
    const k = `${seriesKey(o.series)}\u0000${hour}`;
    const cur = perSeries.get(k) ?? { zone, hour, total: 0, n: 0 };
    cur.total += o.value;
    cur.n += 1;
    perSeries.set(k, cur);
  }
  const out = new Map<string, { total: number; series: number }>();
  for (const s of perSeries.values()) {
    const k = `${s.zone}\u0000${s.hour}`;
    const cur = out.get(k) ?? { total: 0, series: 0 };
    cur.total += s.total / s.n;
    cur.series += 1;
    out.set(k, cur);
  }
  if (combine === 'mean') for (const v of out.values()) (v.total /= v.series), (v.series = 1);
  return out;
}

function balanceFindings(rule: Extract<PlausibilityRule, { rule: 'balance' }>, values: readonly Observation[], others: ReadonlyMap<string, readonly Observation[]>): Finding[] {
  const own = hourlySums(values, rule.zone, rule.where, 'mean');
  const terms = rule.terms.map((t) => ({ term: t, sums: hourlySums(others.get(t.dataset) ?? [], t.zone, t.where, 'sum') }));
  const termsText = rule.terms.map((t) => `${t.sign > 0 ? '+' : '−'}${t.dataset}${filterText(t.where)}[${t.zone}]`).join(' ');
  const out: Finding[] = [];
  const offBy = new Map<string, string>();
  for (const [k, mine] of own) {
    let expected = 0;
    let complete = true;
    for (const { term, sums } of terms) {
      const s = sums.get(k);
      if (s === undefined && term.required !== false) complete = false;
      expected += term.sign * (s?.total ?? 0);
    }
    if (!complete) continue;
    const diff = Math.abs(mine.total - expected);
    if (diff > rule.tolerance * Math.abs(mine.total)) {
      const share = mine.total === 0 ? '∞' : num((diff / Math.abs(mine.total)) * 100);
      offBy.set(k, `hourly mean ${num(mine.total)} vs ${num(expected)} from ${termsText}: ${share} % apart (tolerance ${num(rule.tolerance * 100)} %)`);
    }
  }
  for (const o of values) {
    const zone = o.series[rule.zone];
    if (!hasValue(o) || zone === undefined || !carries(rule.where, o.series)) continue;
    const detail = offBy.get(`${zone}\u0000${Math.floor(o.ts.getTime() / HOUR)}`);
    if (detail) out.push({ observation: o, rule: 'balance', detail: `${num(o.value)} ${o.unit}; ${detail}` });
  }
  return out;
}
