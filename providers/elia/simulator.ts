// A loopback Elia Open Data (Opendatasoft Explore v2.1): `/api/explore/v2.1/catalog/datasets/{id}/records`
// and `/exports/json`, speaking the ODSQL subset the client sends (`where` on datetime with >=, >,
// <=, < joined by AND; `order_by`, `limit`, `offset`, `timezone`, `refine`), answering
// Opendatasoft's JSON errors, and serving each dataset's fixture re-timed to the requested window:
// the fixture's timestamps are a profile by slot of the Brussels day, so a 92- or 100-quarter-hour
// day gets as many rows. The routes come from the families (every era's id), not from a list here.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DateTime } from 'luxon';
import type { Simulator } from '../../shared/dataset.ts';
import { FaultInjector, serveSimulator, type FaultPlan } from '../../shared/simulator.ts';
import { fixedDurationMs } from '../../shared/time.ts';
import { API_PATH, OFFSET_CAP, PAGE_LIMIT } from './client.ts';
import { eliaDatasets } from './datasets/index.ts';
import { ELIA_TZ, odsRoutes, recentCutoff, type Era, type Family } from './family.ts';
import { parseOffsetTimestamp, readPayload, type EliaRecord } from './parse.ts';

/** Records of one timestamp, without `datetime`, in fixture order. */
type Profile = readonly (readonly EliaRecord[])[];

function loadProfile(file: string): Profile {
  const { records } = readPayload(readFileSync(new URL(`./fixtures/${file}`, import.meta.url)));
  const byTs = new Map<number, EliaRecord[]>();
  for (const r of records) {
    const t = parseOffsetTimestamp(String(r.datetime))!.getTime();
    if (!byTs.has(t)) byTs.set(t, []);
    const { datetime: _drop, ...rest } = r;
    byTs.get(t)!.push(rest);
  }
  return [...byTs.entries()].sort((a, b) => a[0] - b[0]).map(([, rs]) => rs);
}

type Route = { family: Family; era: Era; profile: () => Profile };

function buildRoutes(): Map<string, Route> {
  const routes = new Map<string, Route>();
  for (const [ods, { family, era }] of odsRoutes(eliaDatasets.map((d) => d.family))) {
    const fixtures = eliaDatasets.find((d) => d.family === family)!.dataset.fixtures ?? [];
    // An era's own recording when there is one (its field set), the dataset's first otherwise.
    const file = (fixtures.find((f) => f.file.startsWith(`${ods}_`)) ?? fixtures[0])?.file;
    if (!file) throw new Error(`elia simulator: ${family.datasetId} has no fixture to serve`);
    let cached: Profile | undefined;
    routes.set(ods, { family, era, profile: () => (cached ??= loadProfile(file)) });
  }
  return routes;
}

const format = (t: number, tz: string) =>
  tz === 'UTC' ? `${new Date(t).toISOString().slice(0, 19)}+00:00` : DateTime.fromMillis(t, { zone: tz }).toFormat("yyyy-MM-dd'T'HH:mm:ssZZ");

/** The instants an id holds at `now`: its era, a daily history up to today, measurements up to now, forecasts through tomorrow. */
function servedRange(route: Route, now: Date): [number, number] {
  const { era, family } = route;
  const lo = era.from?.getTime() ?? -Infinity;
  let hi = era.until?.getTime() ?? Infinity;
  if (era.historical) hi = Math.min(hi, recentCutoff(now, 0).getTime());
  const ahead =
    family.servesAhead === 'tomorrow'
      ? DateTime.fromJSDate(now, { zone: ELIA_TZ }).startOf('day').plus({ days: 2 }).toMillis()
      : now.getTime();
  return [lo, Math.min(hi, ahead)];
}

const MEASURED_FIELDS = ['measured', 'totalload', 'loadfactor'];

/** Every record an id serves over [from, to), oldest first, with `datetime` (and `quarterhour`) written in `tz`. */
function simulatedRecords(route: Route, from: number, to: number, tz: string, now: Date): Record<string, unknown>[] {
  const [lo, hi] = servedRange(route, now);
  const stepMs = fixedDurationMs(route.family.resolution);
  const profile = route.profile();
  const out: Record<string, unknown>[] = [];
  const start = Math.ceil(Math.max(from, lo) / stepMs) * stepMs;
  const end = Math.min(to, hi);
  let dayStart = -Infinity;
  let nextDay = -Infinity;
  for (let t = start; t < end; t += stepMs) {
    if (t >= nextDay) {
      const local = DateTime.fromMillis(t, { zone: ELIA_TZ }).startOf('day');
      dayStart = local.toMillis();
      nextDay = local.plus({ days: 1 }).toMillis();
    }
    const group = profile[Math.round((t - dayStart) / stepMs) % profile.length]!;
    for (const r of group) {
      const rec: Record<string, unknown> = { datetime: format(t, tz), ...r };
      if ('quarterhour' in r) rec.quarterhour = format(Math.floor(t / 900_000) * 900_000, tz);
      // Ahead of now only forecasts exist: what is measured (and the load factor derived from it) is null.
      if (t >= now.getTime()) for (const f of MEASURED_FIELDS) if (f in rec) rec[f] = null;
      out.push(rec);
    }
  }
  return out;
}

class OdsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A datetime literal: with an offset it is exact, naive it is read in the request's `timezone`. */
function literal(text: string, tz: string): number {
  const exact = parseOffsetTimestamp(text);
  if (exact) return exact.getTime();
  const dt = DateTime.fromISO(text, { zone: tz });
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || !dt.isValid) throw new OdsError(400, 'ODSQLError', `Invalid datetime literal ${text}`);
  return dt.toMillis();
}

/** `datetime >= "…" AND datetime < "…"` (also `date'…'`, > and <=) as a half-open [from, to) in ms. */
export function parseWhere(where: string | null, tz: string): [number, number] {
  if (!where) throw new OdsError(400, 'ODSQLError', 'the simulator needs a where clause on datetime');
  let from = -Infinity;
  let to = Infinity;
  for (const part of where.split(/\s+AND\s+/i)) {
    const m = /^\s*datetime\s*(>=|>|<=|<)\s*(?:date)?(["'])([^"']+)\2\s*$/.exec(part);
    if (!m) throw new OdsError(400, 'ODSQLError', `Unsupported ODSQL expression: ${part.trim()}`);
    const at = literal(m[3]!, tz);
    if (m[1] === '>=') from = Math.max(from, at);
    else if (m[1] === '>') from = Math.max(from, at + 1);
    else if (m[1] === '<') to = Math.min(to, at);
    else to = Math.min(to, at + 1);
  }
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw new OdsError(400, 'ODSQLError', 'the simulator needs both a lower and an upper datetime bound');
  return [from, to];
}

/** `refine=field:"value"`, repeatable; `datetime:"YYYY-MM-DD"` selects that day in the request's time zone. */
function applyRefines(records: Record<string, unknown>[], refines: string[], tz: string): Record<string, unknown>[] {
  let out = records;
  for (const refine of refines) {
    const m = /^(\w+):"?([^"]*)"?$/.exec(refine);
    if (!m) throw new OdsError(400, 'InvalidRESTParameterError', `Invalid refine ${refine}`);
    const [, field, value] = m as unknown as [string, string, string];
    if (field === 'datetime') {
      const day = DateTime.fromISO(value, { zone: tz });
      if (!day.isValid) throw new OdsError(400, 'InvalidRESTParameterError', `Invalid refine ${refine}`);
      const lo = day.startOf('day').toMillis();
      const hi = day.startOf('day').plus({ days: 1 }).toMillis();
      out = out.filter((r) => {
        const t = parseOffsetTimestamp(String(r.datetime))!.getTime();
        return t >= lo && t < hi;
      });
    } else {
      out = out.filter((r) => String(r[field]) === value);
    }
  }
  return out;
}

function intParam(q: URLSearchParams, name: string, fallback: number): number {
  const raw = q.get(name);
  if (raw === null) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new OdsError(400, 'InvalidRESTParameterError', `Invalid value for ${name}: ${raw}`);
  return Number(raw);
}

export type EliaSimulator = Simulator & {
  faults: FaultInjector;
  setFaults(plan: Partial<FaultPlan>): void;
  /** Path and query of every data request answered (faults included), oldest first. */
  requests(): readonly string[];
};

export type SimulatorOptions = { port?: number; now?: () => Date };

const DATA_PATH = new RegExp(`^${API_PATH.replace(/[.]/g, '\\.')}/([^/]+)/(records|exports/json)$`);

export async function startEliaSimulator(options: SimulatorOptions = {}): Promise<EliaSimulator> {
  const faults = new FaultInjector();
  const now = options.now ?? (() => new Date());
  const routes = buildRoutes();
  const log: string[] = [];
  const quotaLimit = 50_000;

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const m = DATA_PATH.exec(url.pathname);
    if (!m) return json(res, 404, { error_code: 'NotFound', message: `Unknown path ${url.pathname}` });
    log.push(`${url.pathname}${url.search}`);
    const route = routes.get(m[1]!);
    if (!route) return json(res, 404, { error_code: 'DatasetNotFound', message: `Unknown dataset: ${m[1]}` });
    const q = url.searchParams;
    const tz = q.get('timezone') ?? 'UTC';
    let body: string;
    let rows: Record<string, unknown>[];
    let envelope: { total_count: number; results: Record<string, unknown>[] } | null = null;
    try {
      if (!DateTime.now().setZone(tz).isValid) throw new OdsError(400, 'InvalidRESTParameterError', `Unknown timezone ${tz}`);
      const [from, to] = parseWhere(q.get('where'), tz);
      const orderBy = (q.get('order_by') ?? 'datetime asc').trim();
      if (!/^-?datetime(\s+(asc|desc))?$/i.test(orderBy)) throw new OdsError(400, 'ODSQLError', `Unsupported order_by ${orderBy}`);
      const descending = orderBy.startsWith('-') || /\sdesc$/i.test(orderBy);
      const all = applyRefines(simulatedRecords(route, from, to, tz, now()), q.getAll('refine'), tz);
      if (descending) all.reverse();
      if (m[2] === 'records') {
        const limit = intParam(q, 'limit', 10);
        const offset = intParam(q, 'offset', 0);
        if (limit < 0 || limit > PAGE_LIMIT) throw new OdsError(400, 'InvalidRESTParameterError', `Invalid value for limit API parameter: ${limit} was found but -1 <= limit <= 100 is expected.`);
        if (offset < 0 || offset + limit > OFFSET_CAP) throw new OdsError(400, 'InvalidRESTParameterError', `Invalid value for offset API parameter: offset + limit must be lower than or equal to 10000 (got ${offset + limit}).`);
        rows = all.slice(offset, offset + limit);
        envelope = { total_count: all.length, results: rows };
        body = JSON.stringify(envelope);
      } else {
        rows = all;
        body = JSON.stringify(rows);
      }
    } catch (e) {
      if (e instanceof OdsError) return json(res, e.status, { error_code: e.code, message: e.message });
      throw e;
    }

    const fault = faults.next();
    if (fault === 'rateLimit') {
      // Opendatasoft's quota answer: JSON, with the quota headers and when it resets.
      const wait = faults.plan.retryAfterSeconds;
      return json(
        res,
        429,
        { error_code: 'TooManyRequests', message: 'You have exceeded the requests limit. Retry later.' },
        {
          'x-ratelimit-limit': String(quotaLimit),
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + wait),
          'retry-after': String(wait),
        },
      );
    }
    if (fault && faults.answer(fault, res, body, 'application/json')) return;
    if (fault === 'badRecord' && rows.length > 0) {
      // A well-formed response whose content is wrong: the parser must reject it.
      const metric = route.family.metrics.find((f) => f in rows[0]!);
      rows[0] = { ...rows[0], [metric ?? 'datetime']: 'n/a' };
      body = JSON.stringify(envelope ?? rows);
    }
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'x-ratelimit-limit': String(quotaLimit),
      'x-ratelimit-remaining': String(Math.max(0, quotaLimit - log.length)),
    });
    res.end(body);
  }

  const server = await serveSimulator(faults, handle, options.port);
  return {
    url: server.url,
    faults,
    setFaults: (plan) => faults.set(plan),
    requests: () => log,
    close: () => server.close(),
  };
}
