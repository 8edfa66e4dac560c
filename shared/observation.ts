import { isoUtc } from './time.ts';

/** Dimensions that identify one time series inside a dataset, e.g. `{ area: 'DK1', currency: 'EUR' }`. */
export type Series = Readonly<Record<string, string>>;

/** One value of one series over one interval starting at `ts`: the unit everything moves. */
export type Observation = {
  dataset: string;
  series: Series;
  /** Start of the interval, UTC. */
  ts: Date;
  /** ISO 8601 duration of the interval: PT15M, PT30M, PT60M, P1D, ... */
  resolution: string;
  /** null only where the source itself says there is no value. */
  value: number | null;
  unit: string;
  /** When the provider issued this value: a forecast's issue time, or the publication/update time. UTC. */
  issued?: Date;
  /** The provider's own status flag (Elia `NotValidated`/`Validated`, Nord Pool `Preliminary`/`Final`, ...). */
  quality?: string;
};

/**
 * Copies the optional fields of `from` onto `to`: for code that rebuilds observations field by field
 * (one object shape per row, far cheaper than a spread on the hot path) without forgetting a field.
 */
export function copyOptionalFields(from: Observation, to: Observation): void {
  if ('issued' in from) to.issued = from.issued;
  if ('quality' in from) to.quality = from.quality;
}

/**
 * One series object per distinct set of dimensions, for a parser to share among a series'
 * observations: ingestion computes a row's series key once per series object (per row it was a
 * tenth of its CPU), and memory holds one object per series. The same dimensions in another order
 * make another (equal) object: correct, only less shared.
 */
export function sharedSeries(): (dims: Series) => Series {
  const seen = new Map<string, Series>();
  return (dims) => {
    const key = JSON.stringify(dims);
    let s = seen.get(key);
    if (s === undefined) seen.set(key, (s = dims));
    return s;
  };
}

/** Canonical, stable string of the sorted dimensions; the store keys series by it. */
export function seriesKey(series: Series): string {
  return Object.keys(series)
    .sort()
    .map((k) => `${k}=${encodeURIComponent(series[k]!)}`)
    .join(';');
}

/** The jsonl shape every command prints: `ts` in UTC ending in `Z`. */
export function observationToJson(o: Observation): Record<string, unknown> {
  return {
    dataset: o.dataset,
    series: o.series,
    ts: isoUtc(o.ts),
    resolution: o.resolution,
    value: o.value,
    unit: o.unit,
    ...(o.issued ? { issued: isoUtc(o.issued) } : {}),
    ...(o.quality !== undefined ? { quality: o.quality } : {}),
  };
}
