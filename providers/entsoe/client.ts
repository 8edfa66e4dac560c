// ENTSO-E Transparency Platform REST API: GET https://web-api.tp.entsoe.eu/api?securityToken=...
// Docs: https://transparency.entsoe.eu/content/static_content/Static%20content/web%20api/Guide.html
// The token never appears in logs (shared/http.ts masks it). 400 requests/minute per token and IP;
// exceeding it bans the token for ~10 minutes with a 429 naming the end of the ban.
import { strToU8, unzipSync, zipSync } from 'fflate';
import type { FetchContext, FetchedPayload } from '../../shared/dataset.ts';
import { ConfigError, HttpError, ParseError } from '../../shared/errors.ts';
import type { HttpResponse } from '../../shared/http.ts';
import { addDuration, minDate, type Interval } from '../../shared/time.ts';
import { AcknowledgementError, parseEntsoe } from './parse.ts';

export const ENTSOE_API = 'https://web-api.tp.entsoe.eu/api';
/** The platform allows 400/min per token; 300 leaves room for manual queries with the same token. */
export const ENTSOE_RATE_PER_MINUTE = 300;
/** Longest interval one request may cover for the document types Scalar reads. */
export const ENTSOE_MAX_SPAN = 'P1Y';

export type DocumentRequest = {
  documentType: string;
  processType?: string;
  /** Domain parameters, e.g. `{ in_Domain: eic, out_Domain: eic }`. */
  domains: Readonly<Record<string, string>>;
  extra?: Readonly<Record<string, string>>;
};

const stamp = (d: Date) => d.toISOString().slice(0, 16).replace(/[-:T]/g, '');

/** The query for one window (periodStart/periodEnd are UTC yyyyMMddHHmm, end exclusive); pure. */
export function buildQuery(req: DocumentRequest, window: Interval, token: string): URLSearchParams {
  const q = new URLSearchParams({ securityToken: token, documentType: req.documentType });
  if (req.processType) q.set('processType', req.processType);
  for (const [k, v] of Object.entries(req.domains)) q.set(k, v);
  for (const [k, v] of Object.entries(req.extra ?? {})) q.set(k, v);
  q.set('periodStart', stamp(window.from));
  q.set('periodEnd', stamp(window.to));
  return q;
}

/** Splits a window into pieces ENTSO-E accepts in one request. */
export function splitWindow(window: Interval, maxSpan = ENTSOE_MAX_SPAN): Interval[] {
  const out: Interval[] = [];
  for (let from = window.from; from < window.to; ) {
    const to = minDate(addDuration(from, maxSpan), window.to);
    out.push({ from, to });
    from = to;
  }
  return out;
}

/** "Requester banned until '2025-11-25T10:01:55.545Z'" → milliseconds to wait. */
export function banWait(res: HttpResponse, now = Date.now()): number | null {
  if (res.status !== 429) return null;
  const m = /banned until '?([0-9T:.\-]+Z)/i.exec(new TextDecoder().decode(res.body.subarray(0, 500)));
  if (m) return Math.max(0, Date.parse(m[1]!) - now);
  // No end in the body: a Retry-After header wins; without either, the platform's ban lasts about 10 minutes.
  return res.headers.get('retry-after') ? null : 10 * 60_000;
}

const isZip = (b: Uint8Array) => b[0] === 0x50 && b[1] === 0x4b;

// The acknowledgements of a request that matches more than ENTSO-E serves at once (documents,
// instances, or what offset paging may reach). The same request over a shorter window is answered.
const TOO_MUCH = /exceeds (the )?allowed (limit|maximum)/i;
const NO_DATA = /No matching data found/i;
/** A window is halved on "too much data" down to this; shorter than that, the refusal stands. */
const SHORTEST_SPLIT_MS = 3_600_000;

/**
 * Classifies a body without keeping the parse: "too much" when ENTSO-E refused the window as too
 * large; any other acknowledgement but "no data" is a configuration error.
 */
function checkAcknowledgement(body: Uint8Array): 'data' | 'empty' | 'too much' {
  if (isZip(body)) return 'data';
  const head = new TextDecoder().decode(body.subarray(0, 400));
  if (!head.includes('Acknowledgement_MarketDocument')) return 'data';
  try {
    // An acknowledgement never reaches the dataset naming: there is no document type to name.
    parseEntsoe(body, (type) => {
      throw new ParseError(`ENTSO-E ${type} document where an acknowledgement was expected`);
    });
    return 'empty';
  } catch (e) {
    if (e instanceof AcknowledgementError && TOO_MUCH.test(e.reason)) return 'too much';
    if (e instanceof AcknowledgementError) throw new ConfigError(`ENTSO-E refused the request: ${e.message}`, { cause: e });
    throw e;
  }
}

/** Halves a window on a whole hour (ENTSO-E's requests are in minutes; hours keep pieces on every resolution's grid); null when it is too short to halve. */
export function halveWindow(window: Interval): [Interval, Interval] | null {
  const span = window.to.getTime() - window.from.getTime();
  if (span < 2 * SHORTEST_SPLIT_MS) return null;
  const mid = new Date(window.from.getTime() + Math.floor(span / 2 / SHORTEST_SPLIT_MS) * SHORTEST_SPLIT_MS);
  return [{ from: window.from, to: mid }, { from: mid, to: window.to }];
}

/**
 * Fetches a window, split into requests ENTSO-E accepts: at most a year each, and halved again while
 * ENTSO-E answers that a piece matches too much (as entsoe-py does). One answer is published as
 * received; several are bundled into one ZIP (the platform's own multi-document format), in time
 * order. No data is an empty result.
 */
export async function fetchDocuments(req: DocumentRequest, window: Interval, ctx: FetchContext): Promise<FetchedPayload> {
  const token = await ctx.secrets.require('entsoe:token');
  const base = ctx.baseUrl ?? ENTSOE_API;
  const bodies: Uint8Array[] = [];
  let lastEmpty: Uint8Array | undefined;
  // Pieces still to fetch, the earliest last (popped first).
  const pending = splitWindow(window).reverse();
  for (let piece = pending.pop(); piece !== undefined; piece = pending.pop()) {
    let res: HttpResponse;
    try {
      res = await ctx.http.get(`${base}?${buildQuery(req, piece, token)}`, {
        signal: ctx.signal,
        onAttempt: ctx.onAttempt,
        retryAfter: (r) => banWait(r),
        // "No matching data" and "too much" may come as HTTP 400 with an acknowledgement; other 400s are errors.
        acceptStatus: (status, body) => {
          if (status !== 400) return false;
          const text = new TextDecoder().decode(body.subarray(0, 2000));
          return NO_DATA.test(text) || TOO_MUCH.test(text);
        },
      });
    } catch (e) {
      if (e instanceof HttpError && e.status === 400) throw new ConfigError(`ENTSO-E rejected the request: ${e.message}`, { cause: e });
      throw e;
    }
    const kind = checkAcknowledgement(res.body);
    if (kind === 'too much') {
      const halves = halveWindow(piece);
      const span = `${piece.from.toISOString()}/${piece.to.toISOString()}`;
      if (halves === null) throw new ConfigError(`ENTSO-E ${req.documentType}: too much data even for ${span}, the shortest window Scalar requests`);
      ctx.log.info({ documentType: req.documentType, window: span }, 'ENTSO-E: too much data for one request, fetching the window in halves');
      pending.push(halves[1], halves[0]);
    } else if (kind === 'empty') lastEmpty = res.body;
    else bodies.push(res.body);
  }
  if (bodies.length === 0) return { body: lastEmpty ?? strToU8(''), contentType: 'application/xml' };
  if (bodies.length === 1) return { body: bodies[0]!, contentType: isZip(bodies[0]!) ? 'application/zip' : 'application/xml' };
  const files: Record<string, Uint8Array> = {};
  bodies.forEach((b, i) => {
    if (isZip(b)) for (const [name, bytes] of Object.entries(unzipSync(b))) files[`${String(i).padStart(3, '0')}-${name}`] = bytes;
    else files[`${String(i).padStart(3, '0')}.xml`] = b;
  });
  return { body: zipSync(files), contentType: 'application/zip' };
}
