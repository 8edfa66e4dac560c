// Data portal client (https://dataportal-api.nordpoolgroup.com/api, public, unofficial, no SLA).
// One request per CET delivery day (`date=`) or year (`year=`) and per area and currency. A day
// the auction has not published yet (HTTP 204, or 200 with `version: 0` and no entries) is
// NoDataYetError: acquisition publishes nothing and asks again later.
import { DateTime } from 'luxon';
import type { FetchContext, FetchedPayload } from '../../shared/dataset.ts';
import { ConfigError, NoDataYetError, SourceUnavailableError } from '../../shared/errors.ts';
import type { Interval } from '../../shared/time.ts';
import { NORDPOOL_TZ, indexNameOf, isUnpublished, readJson, readPartition, type IndexResolution } from './portal-parse.ts';

export const PORTAL_API = 'https://dataportal-api.nordpoolgroup.com';

/** A partition is an area (`SE3`, prices in EUR) or an area in another currency (`SE3@SEK`). */
export function splitPartition(partition: string): { area: string; currency: string } {
  const p = readPartition(partition);
  if (!p) throw new ConfigError(`nordpool: partition ${partition} is not AREA or AREA@CUR`);
  return p;
}

/** The CET delivery day a one-day window covers (windows are aligned on CET midnight). */
export function deliveryDate(window: Interval): string {
  const from = DateTime.fromJSDate(window.from, { zone: NORDPOOL_TZ });
  const to = DateTime.fromJSDate(window.to, { zone: NORDPOOL_TZ });
  if (!from.equals(from.startOf('day')) || !to.equals(from.plus({ days: 1 }))) {
    throw new ConfigError(`nordpool: window ${window.from.toISOString()}/${window.to.toISOString()} is not one CET delivery day`);
  }
  return from.toISODate()!;
}

/** Portal paths by request kind; the simulator routes on the same table. */
export const PORTAL_PATHS = {
  prices: '/api/DayAheadPrices',
  indices: '/api/DayAheadPriceIndices',
  aggregates: '/api/AggregatePrices',
} as const;

export type PortalRequest =
  | { kind: 'prices'; date: string; area: string; currency: string }
  | { kind: 'indices'; date: string; area: string; currency: string; minutes: IndexResolution }
  | { kind: 'aggregates'; year: number; area: string; currency: string };

/** The request URL; pure, so tests pin the exact query. */
export function portalUrl(base: string, r: PortalRequest): string {
  const root = base.replace(/\/$/, '');
  switch (r.kind) {
    case 'prices':
      return `${root}${PORTAL_PATHS.prices}?${new URLSearchParams({ date: r.date, market: 'DayAhead', deliveryArea: r.area, currency: r.currency })}`;
    case 'indices':
      return `${root}${PORTAL_PATHS.indices}?${new URLSearchParams({
        date: r.date, market: 'DayAhead', indexNames: indexNameOf(r.area), currency: r.currency, resolutionInMinutes: String(r.minutes),
      })}`;
    case 'aggregates':
      return `${root}${PORTAL_PATHS.aggregates}?${new URLSearchParams({ year: String(r.year), market: 'DayAhead', deliveryArea: r.area, currency: r.currency })}`;
  }
}

export async function fetchPortal(r: PortalRequest, ctx: FetchContext): Promise<FetchedPayload> {
  const url = portalUrl(ctx.baseUrl ?? PORTAL_API, r);
  const res = await ctx.http.get(url, {
    signal: ctx.signal,
    onAttempt: ctx.onAttempt,
    headers: { accept: 'application/json' },
    // A body that does not decode (cut off, garbled) is a transport fault: retry, don't publish.
    check: (x) => {
      try {
        readJson(x.body, 'nordpool portal');
      } catch (e) {
        throw new SourceUnavailableError(`nordpool ${r.kind}: unreadable response: ${(e as Error).message}`);
      }
    },
  });
  const what = r.kind === 'aggregates' ? `${r.year}` : r.date;
  if (res.status === 204 || isUnpublished(readJson(res.body, 'nordpool portal'))) {
    throw new NoDataYetError(`nordpool ${r.kind} ${r.area} ${r.currency} ${what}: not published yet (HTTP ${res.status})`);
  }
  return { body: res.body, contentType: 'application/json' };
}
