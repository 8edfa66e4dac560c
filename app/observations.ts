// Observations read back from the store: request parameters checked once for every caller (CLI
// options, API query strings), rows streamed page by page so no reader holds a whole dataset.
import { isSignalDataset } from '../signals/index.ts';
import { RECONCILIATION_DATASET } from './reconcile.ts';
import { findProvider } from '../providers/index.ts';
import { ParameterError } from '../shared/errors.ts';
import { observationToJson, type Observation } from '../shared/observation.ts';
import type { ObservationQuery, Store } from '../shared/store/index.ts';
import { isoUtc, parseInstant } from '../shared/time.ts';
import { datasetParameter } from './catalog.ts';

/** Rows per store round trip: small enough to keep memory flat, large enough that a day is one page. */
export const PAGE_SIZE = 5000;

export type ObservationParameters = {
  dataset?: string;
  from?: string;
  to?: string;
  /** `key=value` filters; readable names (`area=FR`) are normalised by the dataset's provider. */
  where?: readonly string[] | Readonly<Record<string, string>>;
  limit?: string | number;
  /** vintages: what was known at this instant (`--as-of`, API `asOf`). */
  asOf?: string;
  /** vintages: per instant, the issue current at this instant (`--issued`, API `issued`): forecasts. */
  issued?: string;
};

export function instantParameter(name: string, s: string | undefined): Date | undefined {
  if (s === undefined || s === '') return undefined;
  try {
    return parseInstant(s);
  } catch (e) {
    throw new ParameterError(name, (e as Error).message);
  }
}

/** Datasets the platform derives (signal outputs, reconciliation results): stored and queried like any other, no provider. */
export const isDerivedDataset = (id: string) => isSignalDataset(id) || id === RECONCILIATION_DATASET;

export function whereParameter(dataset: string, where: ObservationParameters['where']): Record<string, string> {
  // Signal outputs are datasets too; their filters are taken as written (no provider codes to normalise).
  const provider = isDerivedDataset(dataset) ? undefined : findProvider(datasetParameter(dataset).provider);
  const pairs = Array.isArray(where)
    ? (where as readonly string[]).map((s) => {
        const i = s.indexOf('=');
        if (i <= 0) throw new ParameterError('where', `expected key=value, got ${s}`);
        return [s.slice(0, i), s.slice(i + 1)] as const;
      })
    : Object.entries(where ?? {});
  return Object.fromEntries(pairs.map(([k, v]) => [k, provider?.normalizeFilter?.(k, v) ?? v]));
}

/** Checks and normalises the parameters of an observations query; every error names its parameter. */
export function observationQuery(p: ObservationParameters): ObservationQuery {
  const dataset = p.dataset && isDerivedDataset(p.dataset) ? p.dataset : datasetParameter(p.dataset).id;
  const from = instantParameter('from', p.from);
  const to = instantParameter('to', p.to);
  if (from && to && to <= from) throw new ParameterError('to', `must be after from (${isoUtc(from)})`);
  let limit: number | undefined;
  if (p.limit !== undefined && p.limit !== '') {
    limit = typeof p.limit === 'number' ? p.limit : /^\d+$/.test(p.limit) ? Number(p.limit) : NaN;
    if (!Number.isSafeInteger(limit) || limit < 0) throw new ParameterError('limit', `a non-negative whole number, got ${p.limit}`);
  }
  const asOf = instantParameter('asOf', p.asOf);
  const issuedAt = instantParameter('issued', p.issued);
  return { dataset, from, to, where: whereParameter(dataset, p.where), limit, ...(asOf ? { asOf } : {}), ...(issuedAt ? { issuedAt } : {}) };
}

/** The matching observations, series by series in time order, one store page at a time. */
export async function* observationPages(store: Store, q: ObservationQuery, pageSize = PAGE_SIZE): AsyncGenerator<Observation[]> {
  if (store.observationPages) {
    yield* store.observationPages(q, pageSize);
    return;
  }
  yield await store.queryObservations(q);
}

export async function collectObservations(store: Store, q: ObservationQuery): Promise<Observation[]> {
  const out: Observation[] = [];
  for await (const page of observationPages(store, q)) out.push(...page);
  return out;
}

/** The `scalar query` jsonl line of one observation. */
export const jsonlLine = (o: Observation) => `${JSON.stringify(observationToJson(o))}\n`;

const csvCell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/**
 * CSV of a streamed result. The columns must be known before the first row, so they come from the
 * dimensions of the series that match (the catalogue), not from the rows.
 */
export function csvWriter(dimensions: readonly string[]) {
  const dims = [...new Set(dimensions)].sort();
  return {
    header: `${['dataset', ...dims, 'ts', 'resolution', 'value', 'unit', 'issued', 'quality'].join(',')}\n`,
    line: (o: Observation) =>
      `${[o.dataset, ...dims.map((d) => o.series[d] ?? ''), isoUtc(o.ts), o.resolution, o.value === null ? '' : String(o.value), o.unit, o.issued ? isoUtc(o.issued) : '', o.quality ?? '']
        .map(csvCell)
        .join(',')}\n`,
  };
}
