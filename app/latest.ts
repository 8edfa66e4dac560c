// The latest value of every series, from the cache (never the store): what live tiles show.
import type { Cache, LatestValue } from '../shared/cache/index.ts';
import { matchesWhere } from '../shared/store/rows.ts';
import { isoUtc } from '../shared/time.ts';
import { seriesLabels } from './catalog.ts';

/** Labels of a series of a dataset this build may no longer know (a cache outlives a deploy): none then. */
const seriesLabelsOf = (dataset: string, series: Readonly<Record<string, string>>) => {
  try {
    return seriesLabels(dataset, series);
  } catch {
    return {};
  }
};

export async function latestValues(cache: Cache, dataset: string, where: Readonly<Record<string, string>> = {}): Promise<LatestValue[]> {
  return (await cache.latest(dataset)).filter((v) => matchesWhere(v.series, where));
}

export function latestToJson(v: LatestValue) {
  return { dataset: v.dataset, seriesKey: v.seriesKey, series: v.series, labels: seriesLabelsOf(v.dataset, v.series), ts: isoUtc(v.ts), value: v.value, unit: v.unit, resolution: v.resolution };
}
