// Evaluates a dataset's plausibility rules over a stretch of stored values and replaces that
// stretch's flags, so a flag always describes the current value (a revision that lands is judged
// again, and a flag it no longer earns goes). Runs after a batch commits, beside the ledger recount.
import type { Dataset, PlausibilityRule } from '../shared/dataset.ts';
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

/**
 * Judges the dataset's values in `window` (widened to whole hours) and replaces their flags.
 * Returns the flags now stored for that stretch and how many of them are new.
 */
export async function evaluateStretch(store: Store, ds: Dataset, window: Interval, now: Date): Promise<{ flags: QualityFlag[]; added: number }> {
  const rules = ds.plausibility ?? [];
  if (rules.length === 0) return { flags: [], added: 0 };
  const range = evaluationRange(window);
  const values = await store.queryObservations({ dataset: ds.id, from: range.from, to: range.to });
  if (values.length === 0) return { flags: [], added: 0 };
  const needs = inputsOf(rules, range);
  const history = needs.history ? await store.queryObservations({ dataset: ds.id, ...needs.history }) : [];
  const others = new Map<string, Observation[]>();
  for (const [dataset, r] of needs.others) others.set(dataset, dataset === ds.id ? [...history, ...values] : await store.queryObservations({ dataset, ...r }));
  const flags: QualityFlag[] = evaluatePlausibility(rules, { values, history, others }).map((f) => ({
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
  const unique = [...new Map(flags.map((f) => [`${f.seriesKey}\u0000${f.ts.getTime()}\u0000${f.rule}`, f])).values()];
  const before = new Set((await store.listQualityFlags({ dataset: ds.id, ...range })).map((f) => `${f.seriesKey}\u0000${f.ts.getTime()}\u0000${f.rule}`));
  const seriesKeys = [...new Set(values.map((o) => seriesKey(o.series)))];
  await store.replaceQualityFlags({ dataset: ds.id, seriesKeys, ...range }, unique);
  const added = new Map<string, number>();
  for (const f of unique) if (!before.has(`${f.seriesKey}\u0000${f.ts.getTime()}\u0000${f.rule}`)) added.set(f.rule, (added.get(f.rule) ?? 0) + 1);
  for (const [rule, n] of added) recordPlausibilityFlags(ds.id, rule, n);
  return { flags: unique, added: [...added.values()].reduce((a, b) => a + b, 0) };
}

/** Datasets whose balance rules read `dataset`: a term landing late changes their verdict. */
function dependentsOf(datasets: readonly Dataset[], dataset: string): Dataset[] {
  return datasets.filter((d) => d.id !== dataset && (d.plausibility ?? []).some((r) => r.rule === 'balance' && r.terms.some((t) => t.dataset === dataset)));
}

export type Landed = { dataset: string; partition: string; window: Interval };

/**
 * The hook ingestion calls after a batch commits: judges the landed windows of datasets with rules,
 * and of datasets whose balance rules read them. Runs queued beside ingestion; a failure is logged,
 * never fails the batch.
 */
export function qualityAfterCommit(deps: QualityDeps): ((landed: readonly Landed[]) => Promise<void>) & { idle(): Promise<void> } {
  let queue: Promise<void> = Promise.resolve();
  const byId = new Map(deps.datasets.map((d) => [d.id, d]));
  const hook = (landed: readonly Landed[]): Promise<void> => {
    queue = queue.then(async () => {
      const work = new Map<string, { ds: Dataset; window: Interval }>();
      const add = (ds: Dataset, window: Interval) => {
        if (!ds.plausibility?.length) return;
        const k = `${ds.id}\u0000${window.from.getTime()}\u0000${window.to.getTime()}`;
        work.set(k, { ds, window });
      };
      for (const l of landed) {
        const ds = byId.get(l.dataset);
        if (ds) add(ds, l.window);
        for (const d of dependentsOf(deps.datasets, l.dataset)) add(d, l.window);
      }
      const now = deps.now?.() ?? new Date();
      for (const { ds, window } of work.values()) {
        try {
          await evaluateStretch(deps.store, ds, window, now);
        } catch (err) {
          deps.log.warn({ err, dataset: ds.id }, 'plausibility evaluation failed; the values stay stored and unflagged until the next batch of the window');
        }
      }
    });
    return Promise.resolve();
  };
  // idle: resolves once every evaluation handed over so far has run (the bench waits on it).
  return Object.assign(hook, { idle: () => queue });
}
