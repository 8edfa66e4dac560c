// A loopback Nord Pool: the data portal (`/api/DayAheadPrices`, `/api/DayAheadPriceIndices`,
// `/api/AggregatePrices`), the STS token endpoint (`/connect/token`), the Market Data API v2
// (`/api/v2/...`, bearer tokens that expire) and, on the same port, the intraday STOMP-over-WebSocket
// stream (`/intraday/ws`). Paths and parameters are the real ones (built by the same client modules'
// URL functions in the tests); prices are a deterministic synthetic profile per area.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Simulator } from '../../shared/dataset.ts';
import { FaultInjector, serveSimulator, type FaultPlan } from '../../shared/simulator.ts';
import { INTRADAY_PATH, startIntradayStream, type IntradayStreamOptions, type IntradayStreamServer } from './intraday-simulator.ts';
import { DATA_API_ENDPOINTS, DATA_API_PREFIX, type DataApiEndpoint } from './data-api-client.ts';
import { STS_TOKEN_PATH } from './oauth.ts';
import { PORTAL_PATHS } from './portal-client.ts';
import { NORDPOOL_TZ, areaOfIndex, indexNameOf } from './portal-parse.ts';
import { AREAS } from './datasets.ts';
import { SIMULATED_DKK_PER_EUR, simulatedDayAheadPrice } from '../../shared/simulated-prices.ts';

/** Credentials the simulator accepts; the demo hands them to the clients through `Simulator.secrets`. */
export const SIM_USERNAME = 'scalar-sim';
export const SIM_PASSWORD = 'sim-password-not-secret';

const GO_LIVE_15MIN = '2025-10-01';
// EUR per unit of the local currency would vary daily; fixed rates are enough for a simulator.
const RATES: Readonly<Record<string, number>> = { EUR: 1, SEK: 11.45, NOK: 11.7, DKK: SIMULATED_DKK_PER_EUR, PLN: 4.27, RON: 4.97, BGN: 1.956, GBP: 0.85 };
/** Index names DayAheadPriceIndices knows: the areas, the system price as `SYSTEM`. */
const INDEX_NAMES: ReadonlySet<string> = new Set(AREAS.map(indexNameOf));
/** The synthetic price of an area for the quarter-hour starting at `ts` (EUR/MWh): the curve every simulator shares. */
export const simulatedPrice = simulatedDayAheadPrice;

/** Delivery-day bounds in UTC for a CET date, or null if the date is malformed. */
function dayBounds(date: string | null): { from: DateTime; to: DateTime } | null {
  if (!date || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return null;
  const from = DateTime.fromISO(date, { zone: NORDPOOL_TZ });
  if (!from.isValid || from.toISODate() !== date) return null;
  return { from, to: from.plus({ days: 1 }) };
}

/** Tomorrow's auction result is published at 13:00 CET; anything later is not there yet. */
export function isPublished(date: string, now: Date): boolean {
  const local = DateTime.fromJSDate(now, { zone: NORDPOOL_TZ });
  const last = local.startOf('day').plus({ days: local.hour >= 13 ? 1 : 0 });
  return date <= last.toISODate()!;
}

type Entry = { deliveryStart: string; deliveryEnd: string; values: Record<string, number | null> };

const iso = (d: DateTime) => d.toUTC().toISO({ suppressMilliseconds: true })!;
const isoMs = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/**
 * Entries of one delivery day at `minutes` resolution. Before the 15-minute go-live the market
 * cleared hourly, so finer resolutions repeat the hourly price (as the real portal does).
 */
function dayEntries(date: string, areas: readonly string[], currency: string, minutes: number): Entry[] {
  const b = dayBounds(date)!;
  const native = date >= GO_LIVE_15MIN ? 15 : 60;
  // Epoch milliseconds rather than zoned DateTimes (see zoneOffset); the zone's offsets are whole
  // hours, so a local minute is the UTC minute.
  const span = minutes * 60_000;
  const step = Math.min(native, minutes) * 60_000;
  const out: Entry[] = [];
  for (let t = b.from.toMillis(); t < b.to.toMillis(); t += span) {
    const values: Record<string, number | null> = {};
    for (const a of areas) {
      // The index over an interval is the mean of the native MTU prices inside it.
      const inside: number[] = [];
      for (let q = t; q < t + span; q += step) inside.push(simulatedPrice(a, new Date(q - (new Date(q).getUTCMinutes() % native) * 60_000)));
      const eur = inside.reduce((x, y) => x + y, 0) / inside.length;
      values[a] = Math.round(eur * (RATES[currency] ?? 1) * 100) / 100;
    }
    out.push({ deliveryStart: isoMs(t), deliveryEnd: isoMs(t + span), values });
  }
  return out;
}

export type NordpoolSimulator = Simulator & {
  faults: FaultInjector;
  setFaults(plan: Partial<FaultPlan>): void;
  /** Every bearer token issued so far stops working (the API then answers 401). */
  expireTokens(): void;
  /** Answer Market Data API requests with 403 (no subscription for this data) while set. */
  forbid(on: boolean): void;
  /** Token grants and data requests answered, for tests. */
  stats(): { grants: number; dataRequests: number; rejected401: number };
  stream: IntradayStreamServer;
};

export type NordpoolSimulatorOptions = {
  port?: number;
  now?: () => Date;
  /** Lifetime of issued tokens (`expires_in`). */
  tokenSeconds?: number;
  stream?: IntradayStreamOptions;
};

export async function startNordpoolSimulator(options: NordpoolSimulatorOptions = {}): Promise<NordpoolSimulator> {
  const faults = new FaultInjector();
  const now = options.now ?? (() => new Date());
  const tokens = new Map<string, number>(); // token -> expiry (ms)
  let forbidden = false;
  const counts = { grants: 0, dataRequests: 0, rejected401: 0 };
  const stream = startIntradayStream({ ...options.stream, tokenValid: (t) => (tokens.get(t) ?? 0) > now().getTime() });

  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  };

  /** Answers a fault instead of `body` when the injector says so; true when it did. */
  const faulted = (res: ServerResponse, body: string): boolean => {
    const fault = faults.next();
    return fault !== null && faults.answer(fault, res, body, 'application/json');
  };

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return json(res, 405, { error: 'method_not_allowed' });
    let text = '';
    for await (const chunk of req) text += String(chunk);
    const form = new URLSearchParams(text);
    const auth = req.headers.authorization ?? '';
    const [id, secret] = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString().split(':');
    if (!auth.startsWith('Basic ') || !id || id !== secret || !['client_marketdata_api', 'client_intraday_api'].includes(id)) {
      return json(res, 401, { error: 'invalid_client' });
    }
    if (form.get('grant_type') !== 'password' || form.get('username') !== SIM_USERNAME || form.get('password') !== SIM_PASSWORD) {
      return json(res, 400, { error: 'invalid_grant' });
    }
    const seconds = options.tokenSeconds ?? 3600;
    const t = randomBytes(24).toString('base64url');
    tokens.set(t, now().getTime() + seconds * 1000);
    counts.grants += 1;
    const body = JSON.stringify({ access_token: t, expires_in: seconds, token_type: 'Bearer', scope: form.get('scope') });
    if (faulted(res, body)) return;
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  }

  function portal(path: string, q: URLSearchParams, res: ServerResponse): void {
    const currency = q.get('currency') ?? 'EUR';
    if (path === PORTAL_PATHS.aggregates) {
      const year = Number(q.get('year'));
      const areas = (q.get('deliveryArea') ?? '').split(',').filter(Boolean);
      if (!Number.isInteger(year) || areas.length === 0) return json(res, 400, { message: 'year and deliveryArea are required' });
      return void respond(res, JSON.stringify(aggregates(year, areas, currency, now())));
    }
    const date = q.get('date');
    if (!dayBounds(date)) return json(res, 400, { message: 'date must be YYYY-MM-DD' });
    const published = isPublished(date!, now());
    const updatedAt = `${DateTime.fromISO(date!, { zone: NORDPOOL_TZ }).minus({ days: 1 }).set({ hour: 12, minute: 57 }).toUTC().toISO()!.replace('.000Z', '.1234567Z')}`;
    if (path === PORTAL_PATHS.prices) {
      if (!published) return void res.writeHead(204).end();
      const areas = (q.get('deliveryArea') ?? '').split(',').filter(Boolean);
      const native = date! >= GO_LIVE_15MIN ? 15 : 60;
      const entries = dayEntries(date!, areas, currency, native);
      return void respond(res, JSON.stringify({
        deliveryDateCET: date, version: 2, updatedAt, deliveryAreas: areas, market: 'DayAhead',
        multiAreaEntries: entries.map((e) => ({ deliveryStart: e.deliveryStart, deliveryEnd: e.deliveryEnd, entryPerArea: e.values })),
        blockPriceAggregates: [], currency, exchangeRate: RATES[currency] ?? 1,
        areaStates: [{ state: 'Final', areas }],
        areaAverages: areas.map((a) => ({ areaCode: a, price: avg(entries.map((e) => e.values[a] ?? null)) })),
      }));
    }
    // DayAheadPriceIndices: index names are the area codes, but the system price is `SYSTEM`, asked
    // for and answered so. How the real portal answers a name it does not know is not recorded; the
    // simulator refuses it, so a client asking for `SYS` fails loudly instead of storing nothing.
    const minutes = Number(q.get('resolutionInMinutes') ?? 60);
    if (![15, 30, 60].includes(minutes)) return json(res, 400, { message: 'resolutionInMinutes must be 15, 30 or 60' });
    const names = (q.get('indexNames') ?? '').split(',').filter(Boolean);
    const unknown = names.filter((n) => !INDEX_NAMES.has(n));
    if (unknown.length > 0) return json(res, 400, { message: `unknown indexNames: ${unknown.join(',')}` });
    const entries = published ? dayEntries(date!, names.map(areaOfIndex), currency, minutes) : [];
    respond(res, JSON.stringify({
      deliveryDateCET: date, version: published ? 2 : 0, updatedAt, market: 'DayAhead', indexNames: names, currency,
      resolutionInMinutes: minutes, areaStates: published ? [{ state: 'Final', areas: names }] : [],
      multiIndexEntries: entries.map((e) => ({
        deliveryStart: e.deliveryStart, deliveryEnd: e.deliveryEnd,
        entryPerArea: Object.fromEntries(Object.entries(e.values).map(([area, v]) => [indexNameOf(area), v])),
      })),
    }));
  }

  function respond(res: ServerResponse, body: string): void {
    if (faulted(res, body)) return;
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(body);
  }

  function dataApi(endpoint: DataApiEndpoint, q: URLSearchParams, req: IncomingMessage, res: ServerResponse): void {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || (tokens.get(bearer) ?? 0) <= now().getTime()) {
      counts.rejected401 += 1;
      return json(res, 401, { message: 'Unauthorized' });
    }
    if (forbidden) return json(res, 403, { message: 'No subscription for this data' });
    counts.dataRequests += 1;
    const date = q.get('date');
    const areas = (q.get('areas') ?? '').split(',').filter(Boolean);
    if (!dayBounds(date) || areas.length === 0) return json(res, 400, { message: 'areas and date are required' });
    if (!isPublished(date!, now())) return void res.writeHead(204).end();
    const b = dayBounds(date)!;
    const updatedAt = iso(b.from.minus({ hours: 10 }));
    if (endpoint === 'Auction/Prices/ByAreas') {
      const currency = q.get('currency') ?? 'EUR';
      const native = date! >= GO_LIVE_15MIN ? 15 : 60;
      return respond(res, JSON.stringify(areas.map((a) => {
        const entries = dayEntries(date!, [a], currency, native);
        const prices = entries.map((e) => ({ price: e.values[a], deliveryStart: e.deliveryStart, deliveryEnd: e.deliveryEnd }));
        return { market: 'DayAhead', deliveryArea: a, status: 'Final', unit: `${currency}/MWh`, currency, exchangeRate: RATES[currency] ?? 1,
          averagePrice: avg(prices.map((p) => p.price ?? null)), blockPrices: [], prices, deliveryDateCET: date, updatedAt };
      })));
    }
    const hours: DateTime[] = [];
    for (let t = b.from; t < b.to; t = t.plus({ hours: 1 })) hours.push(t);
    if (endpoint === 'PowerSystem/Exchanges/ByAreas') {
      return respond(res, JSON.stringify(areas.map((a) => ({
        deliveryArea: a, status: 'Available', unit: 'MW', dailyTotalUnit: 'MWh',
        exchanges: hours.map((t, i) => {
          const byConnections = ['SE3', 'NO1', 'DK1'].filter((c) => c !== a).map((c, k) => {
            const flow = Math.round(400 * Math.sin((i + k * 5) / 4));
            return { area: c, import: Math.max(flow, 0), export: Math.max(-flow, 0), netPosition: flow };
          });
          const imp = byConnections.reduce((s, c) => s + c.import, 0);
          const exp = byConnections.reduce((s, c) => s + c.export, 0);
          return { byConnections, totalImport: imp, totalExport: exp, totalNetPosition: imp - exp, deliveryStart: iso(t), deliveryEnd: iso(t.plus({ hours: 1 })) };
        }),
        deliveryDateCET: date, updatedAt,
      }))));
    }
    if (endpoint === 'Auction/Capacities/ByAreas') {
      return respond(res, JSON.stringify(areas.map((a) => ({
        market: 'DayAhead', status: 'Available', deliveryArea: a, unit: 'MW', dailyTotalUnit: 'MWh',
        capacities: hours.map((t) => ({
          importsByConnection: [{ area: 'NO2_NK', capacity: 1444, lossFactor: 0.031, rampingRestriction: 619 }],
          exportsByConnection: [{ area: 'NO2_NK', capacity: 1200, lossFactor: 0.031, rampingRestriction: 619 }],
          totalImport: 1444, totalExport: 1200, deliveryStart: iso(t), deliveryEnd: iso(t.plus({ hours: 1 })),
        })),
        maxNtcValues: [], deliveryDateCET: date, updatedAt,
      }))));
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const path = url.pathname;
    if (path === STS_TOKEN_PATH) return token(req, res);
    const endpoint = DATA_API_ENDPOINTS.find((e) => path === `${DATA_API_PREFIX}${e}`);
    if (endpoint) return dataApi(endpoint, url.searchParams, req, res);
    if (Object.values(PORTAL_PATHS).some((p) => p === path)) return portal(path, url.searchParams, res);
    json(res, 404, { message: `no route ${path}` });
  }

  const server = await serveSimulator(faults, handle, options.port, (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://sim').pathname === INTRADAY_PATH) stream.upgrade(req, socket, head);
    else socket.destroy();
  });
  return {
    url: server.url,
    secrets: { 'nordpool:username': SIM_USERNAME, 'nordpool:password': SIM_PASSWORD },
    faults,
    setFaults: (plan) => faults.set(plan),
    expireTokens: () => tokens.clear(),
    forbid: (on) => void (forbidden = on),
    stats: () => ({ ...counts }),
    stream,
    async close() {
      await stream.close();
      await server.close();
    },
  };
}

function avg(xs: (number | null)[]): number | null {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? Math.round((v.reduce((a, b) => a + b, 0) / v.length) * 100) / 100 : null;
}

/**
 * AggregatePrices for a year, shaped as the portal answers (kipe/nordpool tests/vcr/single_area_weekly.yaml):
 * the published days, the ISO weeks and months they touch (newest first, the current ones partial)
 * and the year so far, each with average, max and min per area. The answer names no currency: the
 * values are in the one the request asked for.
 */
function aggregates(year: number, areas: readonly string[], currency: string, now: Date): Record<string, unknown> {
  type Day = { date: string; average: Record<string, number | null>; max: Record<string, number | null>; min: Record<string, number | null> };
  const perArea = (f: (a: string) => number | null) => Object.fromEntries(areas.map((a) => [a, f(a)]));
  const extreme = (xs: (number | null | undefined)[], pick: (...v: number[]) => number) => {
    const v = xs.filter((x): x is number => typeof x === 'number');
    return v.length ? pick(...v) : null;
  };
  const daily: Day[] = [];
  for (let d = DateTime.fromObject({ year, month: 1, day: 1 }, { zone: NORDPOOL_TZ }); d.year === year; d = d.plus({ days: 1 })) {
    const date = d.toISODate()!;
    if (!isPublished(date, now)) break;
    // Hourly samples are enough for a daily mean in the simulator.
    const entries = dayEntries(date, areas, currency, 60);
    const of = (a: string) => entries.map((e) => e.values[a] ?? null);
    daily.push({ date, average: perArea((a) => avg(of(a))), max: perArea((a) => extreme(of(a), Math.max)), min: perArea((a) => extreme(of(a), Math.min)) });
  }
  const period = (start: string, end: string, days: readonly Day[]) => ({
    deliveryStart: start,
    deliveryEnd: end,
    averagePerArea: perArea((a) => avg(days.map((d) => d.average[a] ?? null))),
    maxPerArea: perArea((a) => extreme(days.map((d) => d.max[a]), Math.max)),
    minPerArea: perArea((a) => extreme(days.map((d) => d.min[a]), Math.min)),
  });
  /** Days grouped by a period key, newest period first; each period ends on its last published day. */
  const group = (key: (date: string) => string) => {
    const m = new Map<string, Day[]>();
    for (const d of daily) {
      const days = m.get(key(d.date));
      if (days) days.push(d);
      else m.set(key(d.date), [d]);
    }
    return [...m].reverse().map(([k, days]) => ({ key: k, end: days.at(-1)!.date, days }));
  };
  const monday = (date: string) => DateTime.fromISO(date, { zone: NORDPOOL_TZ }).startOf('week');
  return {
    updatedAt: now.toISOString(), year, market: 'DayAhead', deliveryAreas: areas,
    multiAreaDailyAggregates: [...daily].reverse().map((d) => ({ deliveryStart: d.date, deliveryEnd: d.date, averagePerArea: d.average, maxPerArea: d.max, minPerArea: d.min })),
    multiAreaWeeklyAggregates: group((d) => monday(d).toISODate()!).map((w) => ({ isoWeekNumber: monday(w.key).weekNumber, ...period(w.key, w.end, w.days) })),
    multiAreaMonthlyAggregates: group((d) => `${d.slice(0, 7)}-01`).map((m) => period(m.key, m.end, m.days)),
    multiAreaYearlyAggregates: daily.length > 0 ? period(`${year}-01-01`, `${year}-12-31`, daily) : null,
  };
}
