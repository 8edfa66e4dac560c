// Pure parsing of Elia Open Data (Opendatasoft Explore v2.1) payloads: bytes in, observations out.
// Two shapes arrive: the `records` endpoint's envelope `{total_count, results: [...]}` and the
// `exports/json` endpoint's bare array. Records are wide: every numeric field becomes its own series
// with the field name as `metric`, beside the record's key fields (region, fuel type, ...).
import { ParseError } from '../../shared/errors.ts';
import type { Observation } from '../../shared/observation.ts';
import { TIME_AND_STATUS_FIELDS, type Family } from './family.ts';

export type EliaRecord = Readonly<Record<string, unknown>>;
export type EliaPayload = { shape: 'records' | 'export'; totalCount?: number; records: readonly EliaRecord[] };

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Decodes either payload shape; throws ParseError for anything else. The client uses it to page and to spot cut-off bodies. */
export function readPayload(body: Uint8Array | string): EliaPayload {
  let json: unknown;
  try {
    json = JSON.parse(typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch (e) {
    throw new ParseError(`elia: not a JSON document: ${(e as Error).message}`);
  }
  let records: unknown[];
  let totalCount: number | undefined;
  let shape: EliaPayload['shape'];
  if (Array.isArray(json)) {
    records = json;
    shape = 'export';
  } else if (isPlainObject(json) && Array.isArray(json.results)) {
    const tc = json.total_count;
    // total_count is informational (a hand-edited mock disagrees with its results): only its type is checked.
    if (!(typeof tc === 'number' && Number.isInteger(tc) && tc >= 0)) {
      throw new ParseError(`elia: records envelope without a valid total_count: ${JSON.stringify(tc)}`);
    }
    records = json.results;
    totalCount = tc;
    shape = 'records';
  } else if (isPlainObject(json) && typeof json.error_code === 'string') {
    throw new ParseError(`elia: an Opendatasoft error, not data: ${json.error_code}: ${String(json.message)}`);
  } else {
    const keys = isPlainObject(json) ? Object.keys(json).slice(0, 5).join(', ') : typeof json;
    throw new ParseError(`elia: neither a records envelope {total_count, results} nor an export array (saw ${keys || 'an empty object'})`);
  }
  records.forEach((r, i) => {
    if (!isPlainObject(r)) throw new ParseError(`elia: record ${i} is not an object: ${JSON.stringify(r)?.slice(0, 80)}`);
  });
  return { shape, totalCount, records: records as EliaRecord[] };
}

// ISO 8601 with a mandatory offset; `Date.parse` alone would accept naive strings (as local time) and roll 02-30 over.
const OFFSET_TS_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|([+-])(\d{2}):(\d{2}))$/;

/** An Opendatasoft timestamp (`2024-10-27T02:15:00+01:00`) as its exact instant, or null when it is not one. */
export function parseOffsetTimestamp(s: string): Date | null {
  const m = OFFSET_TS_RE.exec(s);
  if (!m) return null;
  const [y, mo, d, h, mi, sec] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || sec > 59) return null;
  const local = Date.UTC(y, mo - 1, d, h, mi, sec, m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0);
  const check = new Date(local);
  if (check.getUTCDate() !== d || check.getUTCMonth() !== mo - 1) return null; // 2024-02-30
  if (m[8] === 'Z') return check;
  const oh = Number(m[10]);
  const om = Number(m[11]);
  if (oh > 14 || om > 59) return null;
  const offsetMs = (oh * 60 + om) * 60_000 * (m[9] === '-' ? -1 : 1);
  return new Date(local - offsetMs);
}

/** Opendatasoft's `resolutioncode` as the platform's resolution (PT1H is written PT60M everywhere in Scalar). */
export function resolutionOf(code: string): string | null {
  switch (code) {
    case 'PT1M':
    case 'PT15M':
    case 'PT60M':
      return code;
    case 'PT1H':
      return 'PT60M';
    default:
      return null;
  }
}

/**
 * One family's records as observations. Per record: `datetime` (interval start, with offset) →
 * exact UTC; `resolutioncode` → resolution (the family's when absent); `qualitystatus` → quality;
 * each key field → a dimension (must be a non-empty string); each other field → a series when its
 * value is a number or null. The family's known value fields (`metrics`) must be a number or null,
 * anything else is a ParseError; a field the family does not know is a series when numeric and
 * skipped when text (a label Elia added), so a new numeric column is kept rather than lost.
 */
export function parseFamily(family: Family, body: Uint8Array | string): Observation[] {
  const { records } = readPayload(body);
  const skip = new Set([...TIME_AND_STATUS_FIELDS, ...family.keys, ...family.descriptive]);
  const metrics = new Set(family.metrics);
  // Series objects and units are shared between rows of the same series (many rows per series in a window).
  const seriesCache = new Map<string, Readonly<Record<string, string>>>();
  const unitCache = new Map<string, string>();
  let lastRawTs: unknown;
  let lastTs: Date | null = null;
  const out: Observation[] = [];
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const where = (field: string) => `elia ${family.datasetId}: record ${i} field ${field}`;
    const rawTs = r.datetime;
    // Rows of one timestamp (regions, fuels) follow each other: parse each timestamp once.
    const ts: Date | null = rawTs === lastRawTs && lastTs ? lastTs : typeof rawTs === 'string' ? parseOffsetTimestamp(rawTs) : null;
    if (!ts) throw new ParseError(`${where('datetime')}: not a timestamp with an offset: ${JSON.stringify(rawTs)}`);
    lastRawTs = rawTs;
    lastTs = ts;
    let resolution: string = family.resolution;
    if (r.resolutioncode !== undefined) {
      const res = typeof r.resolutioncode === 'string' ? resolutionOf(r.resolutioncode) : null;
      if (!res) throw new ParseError(`${where('resolutioncode')}: unknown resolution ${JSON.stringify(r.resolutioncode)}`);
      resolution = res;
    }
    let quality: string | undefined;
    if (r.qualitystatus !== undefined && r.qualitystatus !== null) {
      if (typeof r.qualitystatus !== 'string') throw new ParseError(`${where('qualitystatus')}: not a string: ${JSON.stringify(r.qualitystatus)}`);
      quality = r.qualitystatus;
    }
    let dimsKey = '';
    for (const k of family.keys) {
      const v = r[k];
      if (typeof v !== 'string' || v === '') throw new ParseError(`${where(k)}: key is missing or not a string: ${JSON.stringify(v)}`);
      dimsKey += `${v}\u0000`;
    }
    for (const field in r) {
      if (skip.has(field)) continue;
      const v = r[field];
      // Text in a field we know nothing about is descriptive (a label, an id); in a known value field it is an error.
      if ((typeof v === 'string' || typeof v === 'boolean') && !metrics.has(field)) continue;
      if (v !== null && (typeof v !== 'number' || !Number.isFinite(v))) {
        throw new ParseError(`${where(field)}: not a number or null: ${JSON.stringify(v)}`);
      }
      const sk = dimsKey + field;
      let series = seriesCache.get(sk);
      if (!series) {
        const dims: Record<string, string> = {};
        for (const k of family.keys) dims[k] = r[k] as string;
        dims.metric = field;
        series = dims;
        seriesCache.set(sk, series);
      }
      let unit = unitCache.get(field);
      if (unit === undefined) unitCache.set(field, (unit = family.unitOf(field)));
      // null is Elia saying "no value" (a forecast not yet made, a unit not reporting): kept, never 0.
      const o: Observation = { dataset: family.datasetId, series, ts, resolution, value: v, unit };
      if (quality !== undefined) o.quality = quality;
      out.push(o);
    }
  }
  return out;
}

type Signature = { fields: ReadonlySet<string>; resolutioncode: unknown };
// Every dataset's `detect` asks about the same bytes in turn: decode them once.
const signatures = new WeakMap<Uint8Array, Signature | null>();

/** Field set and resolutioncode of a payload's first record, or null when it holds no record or is not Elia JSON. Never throws. */
export function payloadSignature(body: Uint8Array | string): Signature | null {
  if (typeof body !== 'string' && signatures.has(body)) return signatures.get(body)!;
  let sig: Signature | null = null;
  try {
    const first = readPayload(body).records[0];
    if (first) sig = { fields: new Set(Object.keys(first)), resolutioncode: first.resolutioncode };
  } catch {
    sig = null;
  }
  if (typeof body !== 'string') signatures.set(body, sig);
  return sig;
}
