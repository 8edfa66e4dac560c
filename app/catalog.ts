// The catalogue: which datasets this build knows, their series in the store, how fresh each is.
import { datasets, findDataset, findProvider } from '../providers/index.ts';
import type { Cadence } from '../shared/dataset.ts';
import { ParameterError, UnknownDatasetError } from '../shared/errors.ts';
import type { SeriesInfo, Store } from '../shared/store/index.ts';

export type DatasetSummary = {
  id: string;
  provider: string;
  title: string;
  cadence: Cadence;
  stream: boolean;
  resolution: string;
  unit: string;
  dimensions: readonly string[];
  optionalDimensions: readonly string[];
  partitions: readonly string[];
  /** The newest observation instant in the store, null when none landed yet. */
  newest: Date | null;
};

export async function listDatasets(store: Store | null): Promise<DatasetSummary[]> {
  const newest = new Map(((await store?.newestObservations?.()) ?? []).map((n) => [n.dataset, n.newest]));
  return datasets.map((d) => ({
    id: d.id,
    provider: d.provider,
    title: d.title,
    cadence: d.cadence,
    stream: Boolean(d.stream),
    resolution: d.resolution,
    unit: d.unit,
    dimensions: d.dimensions,
    optionalDimensions: d.optionalDimensions ?? [],
    partitions: d.partitions,
    newest: newest.get(d.id) ?? null,
  }));
}

/** The dataset named by a request parameter, or a ParameterError naming it. */
export function datasetParameter(id: string | undefined, parameter = 'dataset') {
  if (!id) throw new ParameterError(parameter, 'required (a dataset id, e.g. energinet.day_ahead_prices)');
  try {
    return findDataset(id);
  } catch (e) {
    if (e instanceof UnknownDatasetError) throw new ParameterError(parameter, e.message);
    throw e;
  }
}

export async function listSeries(store: Store, dataset: string): Promise<SeriesInfo[]> {
  datasetParameter(dataset);
  if (store.listSeries) return store.listSeries(dataset);
  // A store without a series listing: derived from the rows (small stores only).
  const bySeries = new Map<string, SeriesInfo>();
  for (const o of await store.queryObservations({ dataset })) {
    const k = JSON.stringify(o.series);
    const s = bySeries.get(k);
    if (!s) bySeries.set(k, { seriesKey: k, series: { ...o.series }, resolution: o.resolution, unit: o.unit, firstTs: o.ts, lastTs: o.ts });
    else s.lastTs = o.ts;
  }
  return [...bySeries.values()];
}

/** Readable labels of a series' dimension values (zone codes for EICs); values without one are left out. */
export function seriesLabels(dataset: string, series: Readonly<Record<string, string>>): Record<string, string> {
  const provider = findProvider(findDataset(dataset).provider);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(series)) {
    const label = provider.dimensionLabel?.(k, v);
    if (label !== undefined && label !== v) out[k] = label;
  }
  return out;
}
