// JAO clients. Publication Tool: no auth, `FromUtc`/`ToUtc`, at most two SDAC business days
// (Europe/Amsterdam) per call, `Skip`/`Take` paging on the long per-CNEC datasets. Auction tool:
// `AUTH_API_KEY` header (secret `jao:api_key`), `fromdate`/`todate` UTC instants bounding
// `marketPeriodStart`, at most 31 days a call. JAO allows ~100 requests a minute.
import type { FetchContext, FetchedPayload } from '../../shared/dataset.ts';
import { ConfigError, HttpError, SourceUnavailableError } from '../../shared/errors.ts';
import type { HttpResponse } from '../../shared/http.ts';
import { addDuration, minDate, type Interval } from '../../shared/time.ts';
import { AUCTION_TZ, isNoDataAnswer, readAuctions } from './auctions.ts';
import { JAO_TZ, readPublicationEnvelope } from './publication.ts';

export const PUBLICATION_TOOL = 'https://publicationtool.jao.eu';
export const AUCTION_TOOL = 'https://api.jao.eu';
export { JAO_TZ };
/** JAO Publication Tool API caps every dataset to a 2-day range per call. */
export const JAO_MAX_FETCH_DAYS = 2;
/** Rows per page of a paged dataset (jao-py pages by 5000 as well). */
export const JAO_PAGE_SIZE = 5000;
/** The auction tool refuses a fromdate-todate span over 31 days (API user guide §5.1, per electricitymaps-contrib). */
export const AUCTION_TOOL_MAX_DAYS = 31;
/** JAO allows about 100 requests a minute; 80 leaves room for people using the same address. */
export const JAO_RATE_PER_MINUTE = 80;

const iso = (d: Date) => d.toISOString();

/** The Publication Tool URL for one call; pure. */
export function publicationUrl(base: string, region: string, apiName: string, window: Interval, page?: { skip: number; take: number }): string {
  const q = new URLSearchParams({ FromUtc: iso(window.from), ToUtc: iso(window.to) });
  if (page) {
    q.set('Skip', String(page.skip));
    q.set('Take', String(page.take));
  }
  return `${base.replace(/\/$/, '')}/${region}/api/data/${apiName}?${q}`;
}

/** Amsterdam days of a window, each as an interval (the DST fallback: one day per call). */
export function businessDays(window: Interval): Interval[] {
  const out: Interval[] = [];
  for (let from = window.from; from < window.to; ) {
    const to = minDate(addDuration(from, 'P1D', JAO_TZ), window.to);
    out.push({ from, to });
    from = to;
  }
  return out;
}

/**
 * Fetches one Publication Tool window: split into ≤ 2-day calls; a call JAO refuses with 400 (it
 * counts a DST week-end as more than two days) is made again one day at a time; paged datasets
 * follow `totalRowsWithFilter`. One call is published as received; several are joined into one
 * answer of the same shape.
 */
export async function fetchPublication(
  region: string,
  apiName: string,
  paged: boolean,
  window: Interval,
  ctx: FetchContext,
): Promise<FetchedPayload> {
  const base = ctx.baseUrl ?? PUBLICATION_TOOL;
  const bodies: Uint8Array[] = [];
  const rows: unknown[] = [];
  const where = `jao ${region} ${apiName}`;
  const get = async (piece: Interval, page?: { skip: number; take: number }): Promise<HttpResponse> =>
    ctx.http.get(publicationUrl(base, region, apiName, piece, page), {
      signal: ctx.signal,
      onAttempt: ctx.onAttempt,
      check: (r) => {
        try {
          readPublicationEnvelope(r.body, where);
        } catch (e) {
          // `rejected: true` is JAO's own answer (a wrong query): not a transport fault, not retried.
          if ((e as Error).name === 'JaoRejectedError') throw new ConfigError((e as Error).message);
          throw new SourceUnavailableError(`${where}: unreadable answer: ${(e as Error).message}`);
        }
      },
    });
  const fetchPiece = async (piece: Interval) => {
    let skip = 0;
    for (;;) {
      const res = await get(piece, paged ? { skip, take: JAO_PAGE_SIZE } : undefined);
      const env = readPublicationEnvelope(res.body, where);
      const got = env.data ?? [];
      bodies.push(res.body);
      rows.push(...got);
      skip += got.length;
      const total = env.totalRowsWithFilter ?? env.totalRows;
      if (!paged || got.length === 0 || total === null || total === undefined || skip >= total) return;
    }
  };
  for (let from = window.from; from < window.to; ) {
    const to = minDate(addDuration(from, `P${JAO_MAX_FETCH_DAYS}D`, JAO_TZ), window.to);
    try {
      await fetchPiece({ from, to });
    } catch (e) {
      // The known quirk: a 2-day window around a DST change is "more than 2 days" to JAO.
      if (!(e instanceof HttpError && e.status === 400) || businessDays({ from, to }).length < 2) throw e;
      for (const day of businessDays({ from, to })) await fetchPiece(day);
    }
    from = to;
  }
  if (bodies.length === 1) return { body: bodies[0]!, contentType: 'application/json' };
  const joined = { data: rows, rejected: false, messages: null, totalRows: rows.length, totalRowsWithFilter: rows.length };
  return { body: new TextEncoder().encode(JSON.stringify(joined)), contentType: 'application/json' };
}

/** `yyyy-MM-dd-HH:mm:ss` in UTC, the auction tool's instant format. */
const auctionToolStamp = (d: Date) => d.toISOString().slice(0, 19).replace('T', '-');

/**
 * The auction tool URL for one corridor and horizon over a window; pure. The tool filters on
 * `marketPeriodStart`, both bounds included, read in UTC: a CET day's (or month's) auction starts
 * at 22:00/23:00 UTC the day before, so the bounds are the window's UTC instants (a CET date would
 * be read as its UTC midnight and miss the window's first auction). `todate` stops a second short
 * of the window's end, so the auction starting there belongs to the next window only.
 */
export function auctionsUrl(base: string, corridor: string, horizon: string, window: Interval): string {
  const q = new URLSearchParams({
    corridor,
    horizon,
    fromdate: auctionToolStamp(window.from),
    todate: auctionToolStamp(new Date(window.to.getTime() - 1000)),
  });
  return `${base.replace(/\/$/, '')}/OWSMP/getauctions?${q}`;
}

/**
 * Fetches the auctions of one corridor and horizon, in calls of at most 30 days (the tool refuses
 * more than 31); "No Data found" (HTTP 400) is an empty answer. One answer is published as
 * received; several are joined into one array, each auction once.
 */
export async function fetchAuctions(corridor: string, horizon: string, window: Interval, ctx: FetchContext): Promise<FetchedPayload> {
  const key = await ctx.secrets.require('jao:api_key');
  const base = ctx.baseUrl ?? AUCTION_TOOL;
  const bodies: Uint8Array[] = [];
  for (let from = window.from; from < window.to; ) {
    const to = minDate(addDuration(from, `P${AUCTION_TOOL_MAX_DAYS - 1}D`, AUCTION_TZ), window.to);
    // A refused key (401/403) comes back as a ConfigError from shared/http.ts: not retried.
    const res = await ctx.http.get(auctionsUrl(base, corridor, horizon, { from, to }), {
      headers: { AUTH_API_KEY: key },
      signal: ctx.signal,
      onAttempt: ctx.onAttempt,
      // A corridor without an auction in the window (cable outage, unused corridor) answers 400.
      acceptStatus: (status, body) => status === 400 && isNoDataAnswer(body),
      check: (r) => {
        try {
          readAuctions(r.body);
        } catch (e) {
          throw new SourceUnavailableError(`jao auctions ${corridor}: unreadable answer: ${(e as Error).message}`);
        }
      },
    });
    bodies.push(res.body);
    from = to;
  }
  if (bodies.length === 1) return { body: bodies[0]!, contentType: 'application/json' };
  const withData = bodies.filter((b) => readAuctions(b).length > 0);
  if (withData.length === 0) return { body: bodies.at(-1)!, contentType: 'application/json' };
  const seen = new Set<string>();
  const auctions = withData.flatMap((b) => readAuctions(b)).filter((a) => !seen.has(a.identification) && seen.add(a.identification));
  return { body: new TextEncoder().encode(JSON.stringify(auctions)), contentType: 'application/json' };
}
