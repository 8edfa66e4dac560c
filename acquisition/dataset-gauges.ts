// Lag and freshness per dataset, read from the store for the `scalar.dataset.*` gauges. The
// arithmetic is pure (tested on its own); the store is read at most once per `minIntervalMs`, so a
// frequent scrape costs one cheap query (the series table, not observations).
import type { Cadence, Dataset } from '../shared/dataset.ts';
import type { Observed } from '../shared/metrics.ts';
import type { Store } from '../shared/store/index.ts';
import { addDuration, fixedDurationMs } from '../shared/time.ts';
import { nextRunAt, targetEnd } from './window.ts';

/** How long one cadence step lasts around `now` (cron: the gap between its next two runs). */
export function cadencePeriodMs(cadence: Cadence, now: Date): number {
  if ('every' in cadence) return fixedDurationMs(cadence.every);
  const next = nextRunAt(cadence, now);
  return nextRunAt(cadence, next).getTime() - next.getTime();
}

/**
 * The largest freshness (now − newest observation, seconds) the dataset may show now: the newest
 * instant it should hold is the start of the last aligned step before the target its worker should
 * have reached one cadence ago (the source publishes on that cadence; one step of slack).
 */
export function freshnessLimitSeconds(ds: Dataset, now: Date): number {
  const expectedEnd = targetEnd(ds.window, new Date(now.getTime() - cadencePeriodMs(ds.cadence, now)));
  const lastStepStart = addDuration(expectedEnd, ds.window.align, ds.window.tz, -1);
  return (now.getTime() - lastStepStart.getTime()) / 1000;
}

export type DatasetGaugeValues = { lag: Observed; freshness: Observed; freshnessLimit: Observed };

/** Pure: the gauge values from what the store holds. Datasets with nothing stored report nothing. */
export function datasetGaugeValues(
  datasets: readonly Dataset[],
  watermarks: readonly { dataset: string; watermark: Date }[],
  newest: readonly { dataset: string; newest: Date }[],
  now: Date,
): DatasetGaugeValues {
  const out: DatasetGaugeValues = { lag: [], freshness: [], freshnessLimit: [] };
  for (const ds of datasets) {
    const attributes = { provider: ds.provider, dataset: ds.id };
    const marks = watermarks.filter((w) => w.dataset === ds.id).map((w) => w.watermark.getTime());
    if (marks.length > 0) out.lag.push({ attributes, value: (now.getTime() - Math.min(...marks)) / 1000 });
    const n = newest.find((x) => x.dataset === ds.id);
    if (n) {
      out.freshness.push({ attributes, value: (now.getTime() - n.newest.getTime()) / 1000 });
      out.freshnessLimit.push({ attributes, value: freshnessLimitSeconds(ds, now) });
    }
  }
  return out;
}

/** Reads the store at most every `minIntervalMs`; a failed read reports nothing rather than stale values. */
export function datasetGaugeReader(store: Store, datasets: readonly Dataset[], minIntervalMs = 15_000, now = () => new Date()) {
  let last: { at: number; values: Promise<DatasetGaugeValues> } | undefined;
  return (): Promise<DatasetGaugeValues> => {
    const t = Date.now();
    if (!last || t - last.at >= minIntervalMs) {
      const values = (async () => {
        const [marks, newest] = await Promise.all([store.listWatermarks(), store.newestObservations?.() ?? Promise.resolve([])]);
        return datasetGaugeValues(datasets, marks, newest, now());
      })();
      last = { at: t, values };
      values.catch(() => {
        if (last?.values === values) last = undefined;
      });
    }
    return last.values;
  };
}
