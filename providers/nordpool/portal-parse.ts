// Pure parsers for Nord Pool's public data portal (dataportal-api.nordpoolgroup.com/api): bytes in,
// observations out. Instants come from `deliveryStart` (UTC `Z`); the interval length from
// `deliveryEnd - deliveryStart`, so hourly days before the 15-minute MTU (2025-10-01) and quarter-hour
// days after it parse alike, and DST days simply have 23/25 hours (92/100 quarters).
import { DateTime } from 'luxon';
import { z } from 'zod';
import { ParseError } from '../../shared/errors.ts';
import { sharedSeries, type Observation } from '../../shared/observation.ts';

/** Nord Pool counts delivery days in CET/CEST. */
export const NORDPOOL_TZ = 'Europe/Oslo';

export const DATASET_IDS = {
  dayAheadPrices: 'nordpool.day_ahead_prices',
  aggregatePrices: 'nordpool.aggregate_prices',
  indices: (minutes: IndexResolution) => `nordpool.day_ahead_price_indices_${minutes}m`,
} as const;

export const INDEX_RESOLUTIONS = [15, 30, 60] as const;
export type IndexResolution = (typeof INDEX_RESOLUTIONS)[number];

const INSTANT_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?Z$/;

/** A UTC instant as Nord Pool writes it (`2024-11-04T23:00:00Z`, up to 7 fraction digits); null if not one. */
export function parseUtcInstant(s: unknown): Date | null {
  if (typeof s !== 'string') return null;
  const m = INSTANT_RE.exec(s);
  if (!m) return null;
  const fraction = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +(m[6] ?? 0), fraction));
  // Date.UTC rolls 2025-02-30 over into March; a real instant round-trips.
  if (d.getUTCMonth() !== +m[2]! - 1 || d.getUTCDate() !== +m[3]! || d.getUTCHours() !== +m[4]! || d.getUTCMinutes() !== +m[5]!) return null;
  return d;
}

/** A plain CET delivery date (`2025-03-30`) as the instant of CET/CEST midnight; null if not one. */
export function cetMidnight(s: unknown): Date | null {
  if (typeof s !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return null;
  const dt = DateTime.fromISO(s, { zone: NORDPOOL_TZ });
  return dt.isValid && dt.toISODate() === s ? dt.toJSDate() : null;
}

/** `PT15M`, `PT30M`, `PT60M` from an entry's bounds; anything else is not a day-ahead MTU. */
export function mtuOf(start: Date, end: Date, where: string): string {
  const minutes = (end.getTime() - start.getTime()) / 60_000;
  if (minutes === 15 || minutes === 30 || minutes === 60) return `PT${minutes}M`;
  throw new ParseError(`${where}: deliveryEnd - deliveryStart is ${minutes} minutes, not a 15/30/60-minute MTU`);
}

/** Decodes JSON; an empty body (HTTP 204, "not published yet") is `null`. */
export function readJson(body: Uint8Array | string, what: string): unknown {
  const text = typeof body === 'string' ? body : decodeUtf8(body, what);
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ParseError(`${what}: not a JSON document: ${(e as Error).message}`);
  }
}

function decodeUtf8(body: Uint8Array, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new ParseError(`${what}: body is not UTF-8`);
  }
}

export function checked<T>(schema: z.ZodType<T>, json: unknown, what: string): T {
  const r = schema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new ParseError(`${what}: ${i.path.join('.') || 'body'}: ${i.message}`);
  }
  return r.data;
}

/**
 * A partition as the portal is asked for it: an area (`SE3`, prices in EUR) or an area in another
 * currency (`SE3@SEK`); null if it is neither.
 */
export function readPartition(partition: string): { area: string; currency: string } | null {
  const m = /^([A-Za-z0-9_]+)(?:@([A-Z]{3}))?$/.exec(partition);
  return m ? { area: m[1]!, currency: m[2] ?? 'EUR' } : null;
}

/**
 * DayAheadPriceIndices calls the Nordic system price `SYSTEM`, in `indexNames` and in its answer
 * (kipe/nordpool tests/vcr/system_hourly.yaml); DayAheadPrices and our series call it `SYS`.
 */
const SYSTEM_INDEX_NAME = 'SYSTEM';

/** The index name DayAheadPriceIndices knows an area by. */
export const indexNameOf = (area: string): string => (area === 'SYS' ? SYSTEM_INDEX_NAME : area);

/** The area an index name of DayAheadPriceIndices stands for. */
export const areaOfIndex = (name: string): string => (name === SYSTEM_INDEX_NAME ? 'SYS' : name);

const currency = z.string().regex(/^[A-Z]{3}$/, 'a three-letter currency code');
// A price is a JSON number or null ("no price for this area"); never a string, never NaN.
const price = z.number().finite().nullable();
const entries = z.array(
  z.looseObject({
    deliveryStart: z.string(),
    deliveryEnd: z.string(),
    entryPerArea: z.record(z.string().min(1), price),
  }),
);
const areaStates = z.array(z.looseObject({ state: z.string().min(1), areas: z.array(z.string()) }));

const DayAheadPricesSchema = z.looseObject({
  deliveryDateCET: z.string(),
  version: z.number().int().nonnegative(),
  updatedAt: z.string(),
  deliveryAreas: z.array(z.string()),
  market: z.string(),
  currency,
  multiAreaEntries: entries,
  areaStates: areaStates.optional(),
});

const IndicesSchema = z.looseObject({
  deliveryDateCET: z.string(),
  version: z.number().int().nonnegative(),
  updatedAt: z.string(),
  market: z.string(),
  indexNames: z.array(z.string()),
  currency,
  resolutionInMinutes: z.number().int(),
  areaStates: areaStates.optional(),
  multiIndexEntries: entries,
});

const aggregateEntry = z.looseObject({
  deliveryStart: z.string(),
  deliveryEnd: z.string().optional(),
  averagePerArea: z.record(z.string().min(1), price),
});
const AggregatesSchema = z.looseObject({
  // The real answer names none (kipe/nordpool tests/vcr/single_area_weekly.yaml): see aggregateCurrency.
  currency: currency.optional(),
  market: z.string().optional(),
  updatedAt: z.string().optional(),
  multiAreaDailyAggregates: z.array(aggregateEntry).optional(),
  multiAreaWeeklyAggregates: z.array(aggregateEntry).optional(),
  multiAreaMonthlyAggregates: z.array(aggregateEntry).optional(),
  // Documented as an object (one year); some answers carry an array of years: both read the same.
  multiAreaYearlyAggregates: z.union([aggregateEntry, z.array(aggregateEntry)]).nullable().optional(),
});

/** `version: 0` with no entries is how the portal says "this day is not published yet" (besides 204). */
export function isUnpublished(json: unknown): boolean {
  if (json === null) return true;
  if (typeof json !== 'object' || Array.isArray(json)) return false;
  const o = json as Record<string, unknown>;
  const list = o.multiAreaEntries ?? o.multiIndexEntries;
  return o.version === 0 && Array.isArray(list) && list.length === 0;
}

/** `areaOf`: the area code an answer's key stands for (the indices' `SYSTEM` is `SYS`). */
function qualityByArea(states: z.infer<typeof areaStates> | undefined, areaOf: (key: string) => string): Map<string, string> {
  const q = new Map<string, string>();
  for (const s of states ?? []) for (const a of s.areas) q.set(areaOf(a), s.state);
  return q;
}

const sameArea = (key: string) => key;

function entryRows(
  dataset: string,
  list: z.infer<typeof entries>,
  cur: string,
  issued: Date,
  quality: Map<string, string>,
  label: string,
  expectedMtu?: string,
  areaOf: (key: string) => string = sameArea,
): Observation[] {
  const out: Observation[] = [];
  const seriesOf = sharedSeries();
  list.forEach((e, i) => {
    const where = `${label} entry ${i}`;
    const start = parseUtcInstant(e.deliveryStart);
    const end = parseUtcInstant(e.deliveryEnd);
    if (!start || !end) throw new ParseError(`${where}: deliveryStart/deliveryEnd are not UTC instants: ${e.deliveryStart} / ${e.deliveryEnd}`);
    const resolution = mtuOf(start, end, where);
    if (expectedMtu && resolution !== expectedMtu) throw new ParseError(`${where}: a ${resolution} entry in a ${expectedMtu} answer`);
    for (const [key, value] of Object.entries(e.entryPerArea)) {
      const area = areaOf(key);
      const q = quality.get(area);
      out.push({
        dataset,
        series: seriesOf({ area, currency: cur }),
        ts: start,
        resolution,
        value,
        unit: `${cur}/MWh`,
        issued,
        ...(q !== undefined ? { quality: q } : {}),
      });
    }
  });
  return out;
}

function issuedOf(updatedAt: string, label: string): Date {
  const d = parseUtcInstant(updatedAt);
  if (!d) throw new ParseError(`${label}: updatedAt is not a UTC instant: ${updatedAt}`);
  return d;
}

/** `GET /api/DayAheadPrices`: one row per area and delivery interval; currency read from the answer. */
export function parseDayAheadPrices(body: Uint8Array | string): Observation[] {
  const json = readJson(body, 'nordpool DayAheadPrices');
  if (json === null) return []; // 204: not published yet
  const doc = checked(DayAheadPricesSchema, json, 'nordpool DayAheadPrices');
  if (isUnpublished(doc)) return [];
  const label = `nordpool DayAheadPrices ${doc.deliveryDateCET}`;
  return entryRows(DATASET_IDS.dayAheadPrices, doc.multiAreaEntries, doc.currency, issuedOf(doc.updatedAt, label), qualityByArea(doc.areaStates, sameArea), label);
}

/**
 * `GET /api/DayAheadPriceIndices` at one resolution: each dataset accepts only its own `resolutionInMinutes`.
 * Index names become area codes (`SYSTEM` → `SYS`), so a market has one code across datasets.
 */
export function parseDayAheadPriceIndices(minutes: IndexResolution, body: Uint8Array | string): Observation[] {
  const json = readJson(body, 'nordpool DayAheadPriceIndices');
  if (json === null) return [];
  const doc = checked(IndicesSchema, json, 'nordpool DayAheadPriceIndices');
  if (doc.resolutionInMinutes !== minutes) {
    throw new ParseError(`nordpool DayAheadPriceIndices: resolutionInMinutes is ${doc.resolutionInMinutes}, this dataset holds ${minutes}`);
  }
  if (isUnpublished(doc)) return [];
  const label = `nordpool DayAheadPriceIndices ${doc.deliveryDateCET} ${minutes} min`;
  return entryRows(DATASET_IDS.indices(minutes), doc.multiIndexEntries, doc.currency, issuedOf(doc.updatedAt, label), qualityByArea(doc.areaStates, areaOfIndex), label, `PT${minutes}M`, areaOfIndex);
}

const AGGREGATE_KINDS = [
  ['multiAreaDailyAggregates', 'P1D'],
  ['multiAreaWeeklyAggregates', 'P1W'],
  ['multiAreaMonthlyAggregates', 'P1M'],
  ['multiAreaYearlyAggregates', 'P1Y'],
] as const;

/** Start of an aggregate period: a plain CET delivery date (CET/CEST midnight) or a full UTC instant. */
function periodStart(s: string): Date | null {
  return cetMidnight(s) ?? parseUtcInstant(s);
}

/**
 * The currency of an AggregatePrices answer: the one it states, else the one its request asked for.
 * The portal's answer does not repeat the request's `currency` (kipe/nordpool reads
 * `data.get("currency", self.currency)` for the same reason), and the partition names it.
 */
function aggregateCurrency(stated: string | undefined, partition: string | undefined): string {
  if (stated !== undefined) return stated;
  const id = DATASET_IDS.aggregatePrices;
  if (partition === undefined) throw new ParseError(`${id}: the answer names no currency and no partition says which one was asked for (AREA for EUR, or AREA@CUR)`);
  const asked = readPartition(partition);
  if (!asked) throw new ParseError(`${id}: the answer names no currency and partition ${partition} is not AREA or AREA@CUR`);
  return asked.currency;
}

/**
 * `GET /api/AggregatePrices?year=`: daily, weekly, monthly and yearly averages per area. Each period
 * is one row at the instant its CET delivery date starts, with resolution P1D/P1W/P1M/P1Y.
 * `partition` (`FI`, `SE3@SEK`): the one the answer was fetched for, whose currency it is in.
 */
export function parseAggregatePrices(body: Uint8Array | string, partition?: string): Observation[] {
  const json = readJson(body, 'nordpool AggregatePrices');
  if (json === null) return [];
  const doc = checked(AggregatesSchema, json, 'nordpool AggregatePrices');
  const issued = doc.updatedAt !== undefined ? parseUtcInstant(doc.updatedAt) : null;
  if (doc.updatedAt !== undefined && !issued) throw new ParseError(`nordpool AggregatePrices: updatedAt is not a UTC instant: ${doc.updatedAt}`);
  const out: Observation[] = [];
  const seriesOf = sharedSeries();
  // Asked for only when there is a row to label: an answer without aggregates needs no currency.
  let cur: string | undefined;
  for (const [key, resolution] of AGGREGATE_KINDS) {
    const raw = doc[key];
    const list = raw === undefined || raw === null ? [] : Array.isArray(raw) ? raw : [raw];
    list.forEach((e, i) => {
      const ts = periodStart(e.deliveryStart);
      if (!ts) throw new ParseError(`nordpool AggregatePrices ${key} ${i}: deliveryStart is not a delivery date: ${e.deliveryStart}`);
      for (const [area, value] of Object.entries(e.averagePerArea)) {
        cur ??= aggregateCurrency(doc.currency, partition);
        out.push({
          dataset: DATASET_IDS.aggregatePrices,
          series: seriesOf({ area, currency: cur }),
          ts,
          resolution,
          value,
          unit: `${cur}/MWh`,
          ...(issued ? { issued } : {}),
        });
      }
    });
  }
  return out;
}

/** Cheap shape checks for `detect`; never throw. */
export function portalShape(body: Uint8Array): { kind: 'prices' } | { kind: 'indices'; minutes: number } | { kind: 'aggregates' } | null {
  try {
    const json = readJson(body, 'detect');
    if (json === null || typeof json !== 'object' || Array.isArray(json)) return null;
    const o = json as Record<string, unknown>;
    if ('multiIndexEntries' in o && typeof o.resolutionInMinutes === 'number') return { kind: 'indices', minutes: o.resolutionInMinutes };
    if ('multiAreaEntries' in o && 'deliveryAreas' in o) return { kind: 'prices' };
    if (AGGREGATE_KINDS.some(([k]) => k in o)) return { kind: 'aggregates' };
    return null;
  } catch {
    return null;
  }
}
