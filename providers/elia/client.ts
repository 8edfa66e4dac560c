// Elia Open Data client: Opendatasoft Explore API v2.1 at https://opendata.elia.be/api/explore/v2.1.
// No auth. Short windows go to `records` (at most 100 rows a call, and offset + limit may not pass
// 10 000: a window holding more is cut in two by time), long or large ones to `exports/json` (the
// whole filtered result in one bare array, no cap). Every request filters the window in UTC
// (`timezone=UTC`, literals ending in Z), so DST never reaches a request.
import type { FetchContext, FetchedPayload } from '../../shared/dataset.ts';
import { ParseError, SourceUnavailableError } from '../../shared/errors.ts';
import type { HttpResponse } from '../../shared/http.ts';
import { fixedDurationMs, isoUtc, type Interval } from '../../shared/time.ts';
import { planRequests, type Family } from './family.ts';
import { readPayload, type EliaRecord } from './parse.ts';

export const ELIA_API = 'https://opendata.elia.be';
export const API_PATH = '/api/explore/v2.1/catalog/datasets';
/** The records endpoint's largest page. */
export const PAGE_LIMIT = 100;
/** offset + limit may not pass this on the records endpoint. */
export const OFFSET_CAP = 10_000;
/** Windows longer than this go to the exports endpoint (backfills). */
export const RECORDS_MAX_MS = 2 * 86_400_000;
/** Windows expected to hold more rows than this go to exports too: one request instead of more than ten pages. */
export const RECORDS_MAX_ROWS = 10 * PAGE_LIMIT;

/** `datetime >= "…Z" AND datetime < "…Z"`: the half-open window in UTC. */
export function whereClause(window: Interval): string {
  return `datetime >= "${isoUtc(window.from)}" AND datetime < "${isoUtc(window.to)}"`;
}

export type QueryOptions = { refine?: Readonly<Record<string, string>> };

function query(window: Interval, options: QueryOptions): URLSearchParams {
  const q = new URLSearchParams({ where: whereClause(window), order_by: 'datetime asc', timezone: 'UTC' });
  for (const [field, value] of Object.entries(options.refine ?? {})) q.append('refine', `${field}:"${value}"`);
  return q;
}

/** One page of the records endpoint; pure, so tests pin the exact query. */
export function buildRecordsUrl(base: string, ods: string, window: Interval, page: { limit: number; offset: number }, options: QueryOptions = {}): string {
  const q = query(window, options);
  q.set('limit', String(page.limit));
  q.set('offset', String(page.offset));
  return `${base.replace(/\/$/, '')}${API_PATH}/${ods}/records?${q}`;
}

/** The JSON export of a window (a bare array). */
export function buildExportUrl(base: string, ods: string, window: Interval, options: QueryOptions = {}): string {
  return `${base.replace(/\/$/, '')}${API_PATH}/${ods}/exports/json?${query(window, options)}`;
}

/** Records for recent, small windows; exports for backfills and for windows of many rows (regions × quarter-hours). */
export function chooseEndpoint(family: Family, window: Interval): 'records' | 'exports' {
  const span = window.to.getTime() - window.from.getTime();
  const rows = Math.ceil(span / fixedDurationMs(family.resolution)) * family.rowsPerStep;
  return span > RECORDS_MAX_MS || rows > RECORDS_MAX_ROWS ? 'exports' : 'records';
}

/**
 * Opendatasoft counts a quota per day and says when it resets in `X-RateLimit-Reset` (epoch seconds
 * or a date); that is how long a 429 should wait. Null leaves it to Retry-After.
 */
export function rateLimitWait(res: HttpResponse, now = Date.now()): number | null {
  if (res.status !== 429) return null;
  const reset = res.headers.get('x-ratelimit-reset');
  if (!reset) return null;
  const at = /^\d+$/.test(reset.trim()) ? Number(reset) * 1000 : Date.parse(reset);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

type Fetched = { body: Uint8Array; records: readonly EliaRecord[] };

async function get(url: string, ods: string, ctx: FetchContext): Promise<Fetched> {
  const res = await ctx.http.get(url, {
    signal: ctx.signal,
    onAttempt: ctx.onAttempt,
    retryAfter: (r) => rateLimitWait(r),
    // A body that does not decode is a transport fault (cut off, garbled): retry, never publish it.
    check: (r) => {
      try {
        readPayload(r.body);
      } catch (e) {
        if (e instanceof ParseError) throw new SourceUnavailableError(`elia ${ods}: unreadable response: ${e.message}`);
        throw e;
      }
    },
  });
  return { body: res.body, records: readPayload(res.body).records };
}

/** The records of one window from the records endpoint: pages of 100; a window over 10 000 rows is halved by time. */
export async function fetchRecords(ods: string, window: Interval, stepMs: number, ctx: FetchContext, options: QueryOptions = {}): Promise<Fetched[]> {
  const base = ctx.baseUrl ?? ELIA_API;
  const first = await get(buildRecordsUrl(base, ods, window, { limit: PAGE_LIMIT, offset: 0 }, options), ods, ctx);
  const total = readPayload(first.body).totalCount ?? first.records.length;
  if (total > OFFSET_CAP) {
    const steps = Math.floor((window.to.getTime() - window.from.getTime()) / stepMs);
    if (steps < 2) throw new SourceUnavailableError(`elia ${ods}: ${total} rows in one step at ${isoUtc(window.from)}; cannot split further`);
    const mid = new Date(window.from.getTime() + Math.floor(steps / 2) * stepMs);
    return [
      ...(await fetchRecords(ods, { from: window.from, to: mid }, stepMs, ctx, options)),
      ...(await fetchRecords(ods, { from: mid, to: window.to }, stepMs, ctx, options)),
    ];
  }
  const pages = [first];
  let offset = first.records.length;
  while (offset < total && pages.at(-1)!.records.length > 0) {
    const limit = Math.min(PAGE_LIMIT, OFFSET_CAP - offset);
    const page = await get(buildRecordsUrl(base, ods, window, { limit, offset }, options), ods, ctx);
    pages.push(page);
    offset += page.records.length;
  }
  return pages;
}

/**
 * Fetches a window of a family: cut by era (each piece from the dataset id serving it), each piece
 * from records or exports. A single response is published as the exact bytes received; several are
 * joined into one records envelope `{total_count, results}`.
 */
export async function fetchFamily(family: Family, window: Interval, ctx: FetchContext, now = new Date(), options: QueryOptions = {}): Promise<FetchedPayload> {
  const stepMs = fixedDurationMs(family.resolution);
  const parts: Fetched[] = [];
  for (const piece of planRequests(family, window, now)) {
    if (chooseEndpoint(family, piece.window) === 'exports') {
      parts.push(await get(buildExportUrl(ctx.baseUrl ?? ELIA_API, piece.ods, piece.window, options), piece.ods, ctx));
    } else {
      parts.push(...(await fetchRecords(piece.ods, piece.window, stepMs, ctx, options)));
    }
  }
  if (parts.length === 1) return { body: parts[0]!.body, contentType: 'application/json' };
  const results = parts.flatMap((p) => p.records);
  return { body: new TextEncoder().encode(JSON.stringify({ total_count: results.length, results })), contentType: 'application/json' };
}
