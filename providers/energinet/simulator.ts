// A loopback Energi Data Service: the real paths, parameters and envelope, with switchable faults.
// Everything it knows about a dataset comes from the descriptor: API name, time fields, step,
// partition field, availability, publication rule, and the fixtures it re-times to any window.
// A fixture holding one whole local day serves every day of the same length slot by slot (a
// 92-, 96- or 100-quarter-hour day from the fixture day of that length); days of another length
// take the same local time of day from it; a fixture of a few hours is served cyclically.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DateTime } from 'luxon';
import type { Simulator } from '../../shared/dataset.ts';
import { FaultInjector, serveSimulator, type FaultPlan } from '../../shared/simulator.ts';
import { fixedDurationMs, parseNaiveUtc } from '../../shared/time.ts';
import { ENERGINET_TZ } from './client.ts';
import { energinetDatasets } from './datasets.ts';
import type { EnerginetDataset } from './descriptor.ts';
import { readRecords, type EdsRecord } from './envelope.ts';
import { valueFields } from './records.ts';

/** The fixture's records at one instant. */
type Frame = { at: number; records: EdsRecord[] };
/** A fixture's frames, oldest first; `daySlots` is set when the fixture is exactly one local day. */
type Profile = { frames: Frame[]; daySlots: number | null };
type SimDataset = { ds: EnerginetDataset; stepMs: number; profiles: Profile[]; byDayLength: Map<number, Profile>; byMinuteOfDay: Map<number, Frame> | null };

// Luxon is slow per instant; Copenhagen's offset only changes on whole UTC hours, and a local day's
// bounds are the same for every instant in it: both are cached.
const offsets = new Map<number, number>();
function offsetMs(t: number): number {
  const hour = Math.floor(t / 3_600_000);
  let o = offsets.get(hour);
  if (o === undefined) offsets.set(hour, (o = DateTime.fromMillis(hour * 3_600_000, { zone: ENERGINET_TZ }).offset * 60_000));
  return o;
}
const DAY_MS = 86_400_000;
const days = new Map<number, { start: number; end: number }>();
/** The local day holding `t` (its UTC bounds), and the local minute of day. */
function localDay(t: number): { start: number; end: number; minuteOfDay: number } {
  const local = t + offsetMs(t);
  const key = Math.floor(local / DAY_MS);
  let d = days.get(key);
  if (!d) {
    const start = DateTime.fromMillis(t, { zone: ENERGINET_TZ }).startOf('day');
    days.set(key, (d = { start: start.toMillis(), end: start.plus({ days: 1 }).toMillis() }));
  }
  return { ...d, minuteOfDay: Math.floor((local - key * DAY_MS) / 60_000) };
}
const naiveUtc = (t: number) => new Date(t).toISOString().slice(0, 19);
const naiveLocal = (t: number) => naiveUtc(t + offsetMs(t));

function loadProfile(ds: EnerginetDataset, file: string, stepMs: number): Profile {
  const { timeField } = ds.source.layout;
  const { records } = readRecords(readFileSync(new URL(`./fixtures/${file}`, import.meta.url)));
  const byInstant = new Map<number, EdsRecord[]>();
  for (const r of records) {
    const at = parseNaiveUtc(String(r[timeField]))?.getTime();
    if (at === undefined) throw new Error(`simulator: ${file}: ${timeField} ${String(r[timeField])} is not a timestamp`);
    if (!byInstant.has(at)) byInstant.set(at, []);
    byInstant.get(at)!.push(r);
  }
  const frames = [...byInstant].sort((a, b) => a[0] - b[0]).map(([at, rs]) => ({ at, records: rs }));
  const day = localDay(frames[0]!.at);
  const slots = (day.end - day.start) / stepMs;
  const contiguous = frames.every((f, i) => f.at === frames[0]!.at + i * stepMs);
  const wholeDay = frames[0]!.at === day.start && contiguous && frames.length === slots;
  return { frames, daySlots: wholeDay ? slots : null };
}

function load(ds: EnerginetDataset): SimDataset {
  const stepMs = fixedDurationMs(ds.source.layout.resolution);
  const profiles = ds.source.simulation.profiles.map((f) => loadProfile(ds, f, stepMs));
  const byDayLength = new Map(profiles.filter((p) => p.daySlots !== null).map((p) => [p.daySlots!, p]));
  const day = profiles.find((p) => p.daySlots !== null);
  let byMinuteOfDay: Map<number, Frame> | null = null;
  if (day) {
    byMinuteOfDay = new Map();
    for (const f of day.frames) {
      const minute = localDay(f.at).minuteOfDay;
      if (!byMinuteOfDay.has(minute)) byMinuteOfDay.set(minute, f);
    }
  }
  return { ds, stepMs, profiles, byDayLength, byMinuteOfDay };
}

const byApiName = new Map(energinetDatasets.map((ds) => [ds.source.layout.apiName, ds]));
const loaded = new Map<string, SimDataset>();
/** A dataset's simulation, its fixtures read on first use. */
function simDataset(apiName: string): SimDataset | undefined {
  const ds = byApiName.get(apiName);
  if (!ds) return undefined;
  if (!loaded.has(apiName)) loaded.set(apiName, load(ds));
  return loaded.get(apiName);
}

function frameAt(sim: SimDataset, t: number): Frame {
  const day = localDay(t);
  const exact = sim.byDayLength.get((day.end - day.start) / sim.stepMs);
  if (exact) return exact.frames[(t - day.start) / sim.stepMs]!;
  if (sim.byMinuteOfDay) {
    // The same local time of day; a time the fixture day skipped (spring-forward) takes the one before.
    for (let m = day.minuteOfDay; m >= 0; m -= sim.stepMs / 60_000) {
      const f = sim.byMinuteOfDay.get(m);
      if (f) return f;
    }
  }
  const frames = sim.profiles[0]!.frames;
  const n = Math.floor((t - frames[0]!.at) / sim.stepMs);
  return frames[((n % frames.length) + frames.length) % frames.length]!;
}

/**
 * A fixture record moved from its instant to `t`: the `*UTC` time fields and their `*DK` twins; the
 * issue time by the same shift, but never after `now` (a forecast for tomorrow was issued already).
 */
function retime(sim: SimDataset, r: EdsRecord, from: number, t: number, now: number): EdsRecord {
  const { timeField, issuedField } = sim.ds.source.layout;
  const out: EdsRecord = { ...r };
  const set = (utcField: string, at: number) => {
    out[utcField] = naiveUtc(at);
    const dk = utcField.replace(/UTC$/, 'DK');
    if (dk in r) out[dk] = naiveLocal(at);
  };
  set(timeField, t);
  const issued = issuedField && typeof r[issuedField] === 'string' ? parseNaiveUtc(r[issuedField] as string) : null;
  if (issuedField && issued) set(issuedField, Math.min(issued.getTime() + (t - from), Math.floor(now / 60_000) * 60_000));
  return out;
}

/** The records over [from, to) that `keep` accepts (it sees the fixture record: key fields are never re-timed). */
function recordsBetween(sim: SimDataset, from: Date, to: Date, now: Date, keep: (r: EdsRecord) => boolean = () => true): EdsRecord[] {
  const { window, source } = sim.ds;
  const lo = Math.max(from.getTime(), window.availableFrom?.getTime() ?? -Infinity);
  const hi = Math.min(to.getTime(), window.availableUntil?.getTime() ?? Infinity, source.simulation.publishedUntil(now).getTime());
  const out: EdsRecord[] = [];
  for (let t = Math.ceil(lo / sim.stepMs) * sim.stepMs; t < hi; t += sim.stepMs) {
    const frame = frameAt(sim, t);
    const values = source.simulation.values;
    for (const r of frame.records) {
      if (!keep(r)) continue;
      const record = retime(sim, r, frame.at, t, now.getTime());
      out.push(values ? { ...record, ...values(record, new Date(t)) } : record);
    }
  }
  return out;
}

/** The records the simulator serves for one dataset and partition over [from, to), oldest first. */
export function simulatedRecords(apiName: string, partition: string, from: Date, to: Date, now = new Date()): EdsRecord[] {
  const sim = simDataset(apiName);
  if (!sim) throw new Error(`no simulated dataset ${apiName}`);
  const field = sim.ds.source.partitionField;
  return recordsBetween(sim, from, to, now, field ? (r) => r[field] === partition : undefined);
}

/** `start`/`end` as the API takes them: a Danish local date or date-time. */
function parseLocal(value: string | null): Date | null {
  if (!value || !/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/.test(value)) return null;
  const dt = DateTime.fromISO(value, { zone: ENERGINET_TZ });
  return dt.isValid ? dt.toJSDate() : null;
}

/** `filter={"PriceArea":["DK1"]}`: values OR-ed, columns AND-ed, only the dataset's key columns. */
function parseFilter(filter: string | null, columns: readonly string[]): Map<string, string[]> | 'bad' {
  const out = new Map<string, string[]>();
  if (filter === null) return out;
  try {
    const f = JSON.parse(filter) as unknown;
    if (typeof f !== 'object' || f === null || Array.isArray(f)) return 'bad';
    for (const [k, v] of Object.entries(f)) {
      if (!columns.includes(k)) return 'bad';
      if (typeof v === 'string') out.set(k, [v]);
      else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) out.set(k, v as string[]);
      else return 'bad';
    }
    return out;
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
    const m = /^\/dataset\/([A-Za-z0-9_]+)$/.exec(url.pathname);
    const sim = m ? simDataset(m[1]!) : undefined;
    if (!sim) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ statusCode: 404, message: 'Dataset not found' }));
      return;
    }
    requests += 1;
    const { layout } = sim.ds.source;
    const q = url.searchParams;
    const start = parseLocal(q.get('start'));
    const end = parseLocal(q.get('end'));
    if (!start || !end) return badRequest(res, 'start and end must be dates or local date-times');
    const filter = parseFilter(q.get('filter'), Object.keys(layout.keys));
    if (filter === 'bad') return badRequest(res, 'invalid filter');
    const limit = q.has('limit') ? Number(q.get('limit')) : 100;
    const offset = q.has('offset') ? Number(q.get('offset')) : 0;
    if (!Number.isInteger(limit) || limit < 0 || !Number.isInteger(offset) || offset < 0) {
      return badRequest(res, 'limit and offset must be non-negative integers');
    }
    const sortParam = q.get('sort');
    const sortField = sortParam?.trim().split(/\s+/)[0] ?? layout.timeField;
    const descending = sortParam ? /\bdesc$/i.test(sortParam.trim()) : true; // the API's default is newest first

    const all = recordsBetween(sim, start, end, now(), (r) => [...filter].every(([k, vs]) => vs.includes(String(r[k]))));
    // Stable: records of one instant keep the fixture's order (DK1 before DK2).
    all.sort((a, b) => String(a[sortField]).localeCompare(String(b[sortField])) * (descending ? -1 : 1));
    const records = limit === 0 ? all.slice(offset) : all.slice(offset, offset + limit);
    const envelope: Record<string, unknown> = { total: all.length };
    if (q.has('limit')) envelope.limit = limit;
    if (q.has('filter')) envelope.filters = q.get('filter');
    if (sortParam) envelope.sort = sortParam;
    envelope.dataset = layout.apiName;
    envelope.records = records;
    let body = JSON.stringify(envelope);

    const fault = faults.next();
    if (fault && faults.answer(fault, res, body, 'application/json')) return;
    if (fault === 'badRecord' && records.length > 0) {
      // A well-formed response whose content is wrong: the parser must reject it.
      const field = valueFields(layout, records[0]!)[0]!;
      envelope.records = [{ ...records[0], [field]: 'n/a' }, ...records.slice(1)];
      body = JSON.stringify(envelope);
    }
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(body);
  }

  const server = await serveSimulator(faults, handle, options.port);
  return {
    url: server.url,
    faults,
    setFaults: (plan) => faults.set(plan),
    requests: () => requests,
    close: () => server.close(),
  };
}
