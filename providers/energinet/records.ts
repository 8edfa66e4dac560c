// Pure: Energi Data Service records → observations, for every dataset, driven by its layout.
// Instants come from the naive `*UTC` strings (documented as UTC); the `*DK` columns are Danish
// local time, repeat an hour on the fall-back day, and are never read.
import { ParseError } from '../../shared/errors.ts';
import type { Observation, Series } from '../../shared/observation.ts';
import { parseNaiveUtc } from '../../shared/time.ts';
import { readRecords, type EdsRecord } from './envelope.ts';

/** A fixed value column and the series it feeds (prices: one column per currency). */
export type ValueColumn = { field: string; series: Series; unit: string };

/** How one dataset's records become observations. */
export type RecordLayout = {
  datasetId: string;
  /** Dataset name in the API path (`/dataset/<apiName>`) and in the envelope's `dataset` key. */
  apiName: string;
  /** The `*UTC` field holding the interval start. */
  timeField: string;
  resolution: string;
  /** The `*UTC` field holding when the values were issued (a forecast's `TimestampUTC`); into `issued`. */
  issuedField?: string;
  /** Record fields that name a series, and the dimension each becomes (`PriceArea` → `area`). */
  keys: Readonly<Record<string, string>>;
  /**
   * `columns`: exactly these fields, each required in every record. `wide`: every other field of the
   * record is a value (one series per field, the field's name under `dimension`), so a column the
   * documentation does not list still lands; its unit comes from `unitOf(field)`.
   */
  values: { columns: readonly ValueColumn[] } | { wide: { dimension: string; unitOf(field: string): string } };
};

/** Time columns are never values: the `*UTC` instants are read as such, the `*DK` ones ignored. */
const isTimeField = (field: string) => field.endsWith('UTC') || field.endsWith('DK');

/** The value fields of one record, in the record's order (the simulator spoils one for its bad-record fault). */
export function valueFields(layout: RecordLayout, record: EdsRecord): string[] {
  if ('columns' in layout.values) return layout.values.columns.map((c) => c.field);
  return Object.keys(record).filter((f) => !isTimeField(f) && !Object.hasOwn(layout.keys, f));
}

/** Reads a `*UTC` field; the records of one instant (areas, forecast types) share one Date from `seen`. */
function instant(layout: RecordLayout, r: EdsRecord, i: number, field: string, seen: Map<string, Date>): Date {
  const raw = r[field];
  const known = typeof raw === 'string' ? seen.get(raw) : undefined;
  if (known) return known;
  const ts = typeof raw === 'string' ? parseNaiveUtc(raw) : null;
  if (!ts) throw new ParseError(`${layout.apiName} record ${i}: ${field} is not a timestamp: ${JSON.stringify(raw)}`);
  seen.set(raw as string, ts);
  return ts;
}

/** A number or null, nothing else: a string, even a numeric one, is a ParseError (no `Number('')` = 0). */
function value(layout: RecordLayout, r: EdsRecord, i: number, field: string): number | null {
  const v = r[field];
  if (v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new ParseError(`${layout.apiName} record ${i}: ${field} is not a number: ${JSON.stringify(v)}`);
  }
  return v;
}

export function parseRecords(layout: RecordLayout, body: Uint8Array | string): Observation[] {
  const { dataset, records } = readRecords(body);
  if (dataset !== undefined && dataset !== layout.apiName) {
    throw new ParseError(`expected dataset ${layout.apiName}, the response holds ${dataset}`);
  }
  const keyFields = Object.keys(layout.keys);
  const isKey = new Set(keyFields);
  const wide = 'wide' in layout.values ? layout.values.wide : null;
  const columns = 'columns' in layout.values ? layout.values.columns : [];
  // Observations of one series share one series object (fewer allocations, same JSON).
  const seriesCache = new Map<string, Series>();
  const units = new Map<string, string>();
  const seen = new Map<string, Date>();
  const out: Observation[] = [];

  // Closures are made once, not per record (a closure per record and column was a tenth of a
  // parse: esbuild, through tsx, also names each one as it is made).
  let keyValues: string[] = [];
  let prefix = '';
  let ts: Date;
  let issued: Date | undefined;
  const seriesOf = (tag: string, extra: Series): Series => {
    const cacheKey = prefix + tag;
    let s = seriesCache.get(cacheKey);
    if (!s) {
      const dims: Record<string, string> = {};
      keyFields.forEach((f, j) => (dims[layout.keys[f]!] = keyValues[j]!));
      s = { ...dims, ...extra };
      seriesCache.set(cacheKey, s);
    }
    return s;
  };
  const push = (series: Series, v: number | null, unit: string) => {
    const o: Observation = { dataset: layout.datasetId, series, ts, resolution: layout.resolution, value: v, unit };
    if (issued) o.issued = issued;
    out.push(o);
  };

  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    ts = instant(layout, r, i, layout.timeField, seen);
    // null: the record carries no issue time; anything else must be a timestamp.
    issued = layout.issuedField && r[layout.issuedField] !== null ? instant(layout, r, i, layout.issuedField, seen) : undefined;
    keyValues = [];
    for (const f of keyFields) {
      const k = r[f];
      if (typeof k !== 'string' || k === '') {
        throw new ParseError(`${layout.apiName} record ${i}: ${f} is missing or not a string: ${JSON.stringify(k)}`);
      }
      keyValues.push(k);
    }
    prefix = `${keyValues.join('\u0000')}\u0001`;

    if (wide) {
      for (const field in r) {
        if (isTimeField(field) || isKey.has(field)) continue;
        let unit = units.get(field);
        if (unit === undefined) units.set(field, (unit = wide.unitOf(field)));
        const v = value(layout, r, i, field);
        push(seriesCache.get(prefix + field) ?? seriesOf(field, { [wide.dimension]: field }), v, unit);
      }
    } else {
      for (const c of columns) push(seriesOf(c.field, c.series), value(layout, r, i, c.field), c.unit);
    }
  }
  return out;
}
