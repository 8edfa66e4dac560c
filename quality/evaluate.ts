// Evaluates a dataset's plausibility rules over a stretch of stored values and replaces that
// stretch's flags, so a flag always describes the current value (a revision that lands is judged
// again, and a flag it no longer earns goes). Runs after a batch commits, beside the ledger recount.
import type { Dataset, PlausibilityRule } from '../shared/dataset.ts';
import { coalesceByTime, type CoalescedHook } from '../shared/coalesce.ts';
import type { Logger } from '../shared/log.ts';
import { recordPlausibilityFlags } from '../shared/metrics.ts';
import { seriesKey, type Observation } from '../shared/observation.ts';
import type { QualityFlag, Store } from '../shared/store/index.ts';
import { nominalDurationMs, type Interval } from '../shared/time.ts';
import { evaluatePlausibility } from './plausibility.ts';

const HOUR = 3_600_000;
/** How far back a capacity is looked for: yearly capacities apply until the next year's is published. */
const CAPACITY_LOOKBACK_MS = 2 * 366 * 86_400_000;

export type QualityDeps = { store: Store; datasets: readonly Dataset[]; log: Logger; now?: () => Date };

/** Whole UTC hours around the interval: balance rules compare hourly means. */
export function evaluationRange(window: Interval): Interval {
  return { from: new Date(Math.floor(window.from.getTime() / HOUR) * HOUR), to: new Date(Math.ceil(window.to.getTime() / HOUR) * HOUR) };
}

/** The datasets and ranges a rule set reads besides the judged values themselves. */
export function inputsOf(rules: readonly PlausibilityRule[], range: Interval): { history: Interval | null; others: Map<string, Interval> } {
  let historyMs = 0;
  const others = new Map<string, Interval>();
  const need = (dataset: string, from: Date) => {
    const cur = others.get(dataset);
    others.set(dataset, { from: cur && cur.from < from ? cur.from : from, to: range.to });
  };
  for (const r of rules) {
    if (r.rule === 'jump') historyMs = Math.max(historyMs, nominalDurationMs(r.history));
    else if (r.rule === 'capacity') need(r.capacity.dataset, new Date(range.from.getTime() - CAPACITY_LOOKBACK_MS));
    else if (r.rule === 'balance') for (const t of r.terms) need(t.dataset, range.from);
  }
  return { history: historyMs > 0 ? { from: new Date(range.from.getTime() - historyMs), to: range.from } : null, others };
}

/** A stretch of a dataset's stored rows read once, from which each window's inputs are cut. */
class StoredStretch {
  // Runs of rows in ascending time (the store returns each series in time order), so a window's
  // rows are found by binary search, in the order a read of the window alone would return them.
  readonly #runs: { rows: Observation[]; ms: number[] }[] = [];
  constructor(rows: readonly Observation[]) {
    let run: { rows: Observation[]; ms: number[] } | undefined;
    for (const o of rows) {
      const t = o.ts.getTime();
      if (!run || t <= run.ms.at(-1)!) this.#runs.push((run = { rows: [], ms: [] }));
      run.rows.push(o);
      run.ms.push(t);
    }
  }
  /** The rows of [from, to). */
  within({ from, to }: Interval): Observation[] {
    const out: Observation[] = [];
    for (const { rows, ms } of this.#runs) {
      for (let i = firstAtOrAfter(ms, from.getTime()), end = firstAtOrAfter(ms, to.getTime()); i < end; i++) out.push(rows[i]!);
    }
    return out;
  }
}

function firstAtOrAfter(ms: readonly number[], t: number): number {
  let lo = 0;
  let hi = ms.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ms[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const flagKey = (f: QualityFlag) => `${f.seriesKey}\u0000${f.ts.getTime()}\u0000${f.rule}`;
const inRange = (ts: Date, r: Interval) => ts >= r.from && ts < r.to;

/**
 * Judges the dataset's values in `window` (widened to whole hours) and replaces their flags.
 * Returns the flags now stored for that stretch and how many of them are new.
 */
export async function evaluateStretch(store: Store, ds: Dataset, window: Interval, now: Date): Promise<{ flags: QualityFlag[]; added: number }> {
  return (await evaluateWindows(store, ds, [window], now))[0]!;
}

/**
 * Judges landed windows of one dataset, in the order given, with the flags each gets exactly as if
 * each were judged on its own one after the other (a later window's judgement of an instant wins).
 * Windows whose reads would overlap (a window's history reaching into the one before) form a
 * stretch, and a stretch costs one read of the dataset's values and history, one read per other
 * dataset the rules name, one read of its flags and one write, whatever the number of windows.
 * Returns, per window, the flags it earned and how many of them were new.
 */
export async function evaluateWindows(store: Store, ds: Dataset, windows: readonly Interval[], now: Date): Promise<{ flags: QualityFlag[]; added: number }[]> {
  const results = windows.map(() => ({ flags: [] as QualityFlag[], added: 0 }));
  const rules = ds.plausibility ?? [];
  if (rules.length === 0) return results;
  const ranges = windows.map(evaluationRange);
  const historyMs = (r: Interval) => r.from.getTime() - (inputsOf(rules, r).history?.from.getTime() ?? r.from.getTime());
  // Stretches: windows by start, joined while the next one's history reaches into the stretch.
  const byStart = ranges.map((_, i) => i).sort((a, b) => ranges[a]!.from.getTime() - ranges[b]!.from.getTime());
  const stretches: number[][] = [];
  let end = -Infinity;
  for (const i of byStart) {
    const r = ranges[i]!;
    if (stretches.length > 0 && r.from.getTime() - historyMs(r) <= end) {
      stretches.at(-1)!.push(i);
      end = Math.max(end, r.to.getTime());
    } else {
      stretches.push([i]);
      end = r.to.getTime();
    }
  }
  for (const members of stretches) {
    members.sort((a, b) => a - b); // judged in the order given
    const span: Interval = {
      from: new Date(Math.min(...members.map((i) => ranges[i]!.from.getTime()))),
      to: new Date(Math.max(...members.map((i) => ranges[i]!.to.getTime()))),
    };
    const needs = inputsOf(rules, span);
    const own = new StoredStretch(await store.queryObservations({ dataset: ds.id, from: needs.history?.from ?? span.from, to: span.to }));
    const others = new Map<string, StoredStretch>();
    for (const [dataset, r] of needs.others) if (dataset !== ds.id) others.set(dataset, new StoredStretch(await store.queryObservations({ dataset, ...r })));
    const before = await store.listQualityFlags({ dataset: ds.id, ...span });
    // The stretch's flags as each window's judgement leaves them, judged one after another.
    const state = new Map(before.map((f) => [flagKey(f), f]));
    const touched = new Set(before.map((f) => f.seriesKey));
    let judgedAny = false;
    for (const i of members) {
      const range = ranges[i]!;
      const values = own.within(range);
      if (values.length === 0) continue;
      judgedAny = true;
      const windowNeeds = inputsOf(rules, range);
      const history = windowNeeds.history ? own.within(windowNeeds.history) : [];
      const otherRows = new Map<string, Observation[]>();
      for (const [dataset, r] of windowNeeds.others) otherRows.set(dataset, dataset === ds.id ? [...history, ...values] : others.get(dataset)!.within(r));
      const flags: QualityFlag[] = evaluatePlausibility(rules, { values, history, others: otherRows }).map((f) => ({
        dataset: ds.id,
        seriesKey: seriesKey(f.observation.series),
        series: f.observation.series,
        ts: f.observation.ts,
        rule: f.rule,
        value: f.observation.value,
        detail: f.detail,
        flaggedAt: now,
      }));
      // Two rules of the same kind may flag one value: the store keeps one flag per (series, ts, rule).
      const unique = [...new Map(flags.map((f) => [flagKey(f), f])).values()];
      const seriesKeys = new Set(values.map((o) => seriesKey(o.series)));
      const had = new Set<string>();
      for (const [k, f] of state) {
        if (!inRange(f.ts, range)) continue;
        had.add(k);
        if (seriesKeys.has(f.seriesKey)) state.delete(k);
      }
      for (const k of seriesKeys) touched.add(k);
      const added = new Map<string, number>();
      for (const f of unique) {
        state.set(flagKey(f), f);
        if (!had.has(flagKey(f))) added.set(f.rule, (added.get(f.rule) ?? 0) + 1);
      }
      for (const [rule, n] of added) recordPlausibilityFlags(ds.id, rule, n);
      results[i] = { flags: unique, added: [...added.values()].reduce((a, b) => a + b, 0) };
    }
    // One write for the stretch: flags no window judged again are written back as they were.
    if (judgedAny) await store.replaceQualityFlags({ dataset: ds.id, seriesKeys: [...touched], ...span }, [...state.values()]);
  }
  return results;
}

/** Datasets whose balance rules read `dataset`: a term landing late changes their verdict. */
function dependentsOf(datasets: readonly Dataset[], dataset: string): Dataset[] {
  return datasets.filter((d) => d.id !== dataset && (d.plausibility ?? []).some((r) => r.rule === 'balance' && r.terms.some((t) => t.dataset === dataset)));
}

export type Landed = { dataset: string; partition: string; window: Interval };

/**
 * How long landed windows are gathered before they are judged: as for the ledger
 * (LEDGER_RECOUNT_EVERY_MS), a judgement reads and writes per dataset and stretch whatever the
 * number of windows in it, and one window per batch would otherwise pay three reads and a write each.
 */
export const PLAUSIBILITY_EVERY_MS = 250;

/**
 * The hook ingestion calls after a batch commits: judges the landed windows of datasets with rules,
 * and of datasets whose balance rules read them, gathered over PLAUSIBILITY_EVERY_MS. Runs beside
 * ingestion; a failure is logged, never fails the batch. `flush()` on shutdown judges at once.
 */
export function qualityAfterCommit(deps: QualityDeps): CoalescedHook<Landed> {
  const byId = new Map(deps.datasets.map((d) => [d.id, d]));
  return coalesceByTime<Landed>(
    PLAUSIBILITY_EVERY_MS,
    async (landed) => {
      const work = new Map<string, { ds: Dataset; windows: Map<string, Interval> }>();
      const add = (ds: Dataset, window: Interval) => {
        if (!ds.plausibility?.length) return;
        let w = work.get(ds.id);
        if (!w) work.set(ds.id, (w = { ds, windows: new Map() }));
        // A window landing again within the interval is judged once.
        w.windows.set(`${window.from.getTime()}\u0000${window.to.getTime()}`, window);
      };
      for (const l of landed) {
        const ds = byId.get(l.dataset);
        if (ds) add(ds, l.window);
        for (const d of dependentsOf(deps.datasets, l.dataset)) add(d, l.window);
      }
      const now = deps.now?.() ?? new Date();
      for (const { ds, windows } of work.values()) {
        try {
          await evaluateWindows(deps.store, ds, [...windows.values()], now);
        } catch (err) {
          deps.log.warn({ err, dataset: ds.id }, 'plausibility evaluation failed; the values stay stored and unflagged until the next batch of the window');
        }
      }
    },
    (err) => deps.log.warn({ err }, 'plausibility evaluation failed'),
  );
}
