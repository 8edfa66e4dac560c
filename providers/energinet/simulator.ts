// A loopback Energi Data Service: the real paths, parameters and envelope, serving the recorded
// fixture days re-timed to any requested window (a 92-, 96- or 100-quarter-hour local day is
// served from the fixture day of the same length), with switchable faults.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DateTime } from 'luxon';
import type { Simulator } from '../../shared/dataset.ts';
import { FaultInjector, serveSimulator, type FaultPlan } from '../../shared/simulator.ts';
import { ENERGINET_TZ } from './client.ts';
import { DAY_AHEAD_COLUMNS, ELSPOT_COLUMNS, readEnvelope, type PriceColumns } from './parse.ts';

type Profile = Map<string, { eur: number | null; dkk: number | null }[]>; // area -> values by local slot

const fixture = (name: string) => readEnvelope(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

function profileOf(columns: PriceColumns, file: string): Profile {
  const profile: Profile = new Map();
  for (const r of fixture(file).records) {
    const area = String(r.PriceArea);
    if (!profile.has(area)) profile.set(area, []);
    profile.get(area)!.push({
      eur: r[columns.valueFields.EUR] as number | null,
      dkk: r[columns.valueFields.DKK] as number | null,
    });
  }
  return profile;
}

type SimDataset = {
  columns: PriceColumns;
  localField: string;
  stepMinutes: number;
  /** Slots per local day → the fixture day with that many slots. */
  profiles: Map<number, Profile>;
  /** Delivery instants the dataset covers. */
  from?: Date;
  until?: Date;
  /** Day-ahead results exist up to the end of tomorrow once the auction has run. */
  dayAhead: boolean;
};

// DayAheadPrices holds deliveries from 2025-10-01 (Danish time); Elspotprices is frozen after 2025-09-30.
const SWITCH = new Date('2025-09-30T22:00:00Z');

function load(): Map<string, SimDataset> {
  const dayAhead: SimDataset = {
    columns: DAY_AHEAD_COLUMNS,
    localField: 'TimeDK',
    stepMinutes: 15,
    profiles: new Map([
      [96, profileOf(DAY_AHEAD_COLUMNS, 'DayAheadPrices_DK1-DK2_2025-11-05.json')],
      [100, profileOf(DAY_AHEAD_COLUMNS, 'DayAheadPrices_DK1-DK2_2025-10-26_fall_back.json')],
      [92, profileOf(DAY_AHEAD_COLUMNS, 'DayAheadPrices_DK1-DK2_2026-03-29_spring_forward.json')],
    ]),
    from: SWITCH,
    dayAhead: true,
  };
  const elspot: SimDataset = {
    columns: ELSPOT_COLUMNS,
    localField: 'HourDK',
    stepMinutes: 60,
    profiles: new Map([
      [24, profileOf(ELSPOT_COLUMNS, 'Elspotprices_DK1-DK2_2025-09-30.json')],
      [25, profileOf(ELSPOT_COLUMNS, 'Elspotprices_DK1-DK2_2024-10-27_fall_back.json')],
      [23, profileOf(ELSPOT_COLUMNS, 'Elspotprices_DK1-DK2_2025-03-30_spring_forward.json')],
    ]),
    until: SWITCH,
    dayAhead: true,
  };
  return new Map([
    [DAY_AHEAD_COLUMNS.apiName, dayAhead],
    [ELSPOT_COLUMNS.apiName, elspot],
  ]);
}

let datasets: Map<string, SimDataset> | undefined;
const simDatasets = () => (datasets ??= load());

/** End of what a day-ahead source has published at `now`: tomorrow's prices appear at 13:00 Danish time. */
export function publishedUntil(now: Date): Date {
  const local = DateTime.fromJSDate(now, { zone: ENERGINET_TZ });
  return local.startOf('day').plus({ days: local.hour >= 13 ? 2 : 1 }).toJSDate();
}

const naive = (d: DateTime) => d.toFormat("yyyy-MM-dd'T'HH:mm:ss");

/** The records the simulator serves for one dataset and area over [from, to), oldest first. */
export function simulatedRecords(apiName: string, area: string, from: Date, to: Date, now = new Date()): Record<string, unknown>[] {
  const ds = simDatasets().get(apiName);
  if (!ds) throw new Error(`no simulated dataset ${apiName}`);
  const lo = Math.max(from.getTime(), ds.from?.getTime() ?? -Infinity);
  const hi = Math.min(to.getTime(), ds.until?.getTime() ?? Infinity, ds.dayAhead ? publishedUntil(now).getTime() : Infinity);
  const stepMs = ds.stepMinutes * 60_000;
  const out: Record<string, unknown>[] = [];
  for (let t = Math.ceil(lo / stepMs) * stepMs; t < hi; t += stepMs) {
    const utc = DateTime.fromMillis(t, { zone: 'UTC' });
    const local = utc.setZone(ENERGINET_TZ);
    const dayStart = local.startOf('day');
    const slots = Math.round(dayStart.plus({ days: 1 }).diff(dayStart).as('minutes') / ds.stepMinutes);
    const slot = Math.round(local.diff(dayStart).as('minutes') / ds.stepMinutes);
    const v = ds.profiles.get(slots)?.get(area)?.[slot];
    if (!v) continue; // an area the recordings do not hold
    out.push({
      [ds.columns.timeField]: naive(utc),
      [ds.localField]: naive(local),
      PriceArea: area,
      [ds.columns.valueFields.EUR]: v.eur,
      [ds.columns.valueFields.DKK]: v.dkk,
    });
  }
  return out;
}

/** `start`/`end` as the API takes them: a Danish local date or date-time. */
function parseLocal(value: string | null): Date | null {
  if (!value || !/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/.test(value)) return null;
  const dt = DateTime.fromISO(value, { zone: ENERGINET_TZ });
  return dt.isValid ? dt.toJSDate() : null;
}

function parseAreas(filter: string | null): string[] | null | 'bad' {
  if (filter === null) return null;
  try {
    const f = JSON.parse(filter) as Record<string, unknown>;
    const keys = Object.keys(f);
    if (keys.some((k) => k !== 'PriceArea')) return 'bad';
    const v = f.PriceArea;
    if (typeof v === 'string') return [v];
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    return 'bad';
  } catch {
    return 'bad';
  }
}

export type EnerginetSimulator = Simulator & {
  faults: FaultInjector;
  setFaults(plan: Partial<FaultPlan>): void;
  /** Data requests answered (faults included). */
  requests(): number;
};

export type SimulatorOptions = { port?: number; now?: () => Date };

export async function startEnerginetSimulator(options: SimulatorOptions = {}): Promise<EnerginetSimulator> {
  const faults = new FaultInjector();
  const now = options.now ?? (() => new Date());
  let requests = 0;

  const badRequest = (res: ServerResponse, message: string): void => {
    res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ statusCode: 400, error: 'Bad Request', message }));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const m = /^\/dataset\/([A-Za-z0-9]+)$/.exec(url.pathname);
    const ds = m ? simDatasets().get(m[1]!) : undefined;
    if (!ds) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ statusCode: 404, message: 'Dataset not found' }));
      return;
    }
    requests += 1;
    const q = url.searchParams;
    const start = parseLocal(q.get('start'));
    const end = parseLocal(q.get('end'));
    if (!start || !end) return badRequest(res, 'start and end must be dates or local date-times');
    const areas = parseAreas(q.get('filter'));
    if (areas === 'bad') return badRequest(res, 'invalid filter');
    const limit = q.has('limit') ? Number(q.get('limit')) : 100;
    const offset = q.has('offset') ? Number(q.get('offset')) : 0;
    if (!Number.isInteger(limit) || limit < 0 || !Number.isInteger(offset) || offset < 0) {
      return badRequest(res, 'limit and offset must be non-negative integers');
    }
    const sortParam = q.get('sort');
    const descending = sortParam ? /\bdesc$/i.test(sortParam.trim()) : true; // the API's default is newest first

    const all = (areas ?? ['DK1', 'DK2']).flatMap((a) => simulatedRecords(ds.columns.apiName, a, start, end, now()));
    const tf = ds.columns.timeField;
    all.sort((a, b) => String(a[tf]).localeCompare(String(b[tf])) * (descending ? -1 : 1) || String(a.PriceArea).localeCompare(String(b.PriceArea)));
    const records = limit === 0 ? all.slice(offset) : all.slice(offset, offset + limit);
    const envelope: Record<string, unknown> = { total: all.length };
    if (q.has('limit')) envelope.limit = limit;
    if (q.has('filter')) envelope.filters = q.get('filter');
    if (sortParam) envelope.sort = sortParam;
    envelope.dataset = ds.columns.apiName;
    envelope.records = records;
    let body = JSON.stringify(envelope);

    const fault = faults.next();
    if (fault && faults.answer(fault, res, body, 'application/json')) return;
    if (fault === 'badRecord' && records.length > 0) {
      // A well-formed response whose content is wrong: the parser must reject it.
      envelope.records = [{ ...records[0], [ds.columns.valueFields.EUR]: 'n/a' }, ...records.slice(1)];
      body = JSON.stringify(envelope);
    }
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(body);
  }

  const server = await serveSimulator(faults, handle, options.port);
  const url = server.url;
  return {
    url,
    faults,
    setFaults: (plan) => faults.set(plan),
    requests: () => requests,
    close: () => server.close(),
  };
}
