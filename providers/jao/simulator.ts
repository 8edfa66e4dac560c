// A loopback JAO: the Publication Tool (`/<region>/api/data/<name>`, FromUtc/ToUtc of at most two
// Amsterdam days, the 400 on a two-day window around a DST change, Skip/Take paging) and the
// auction tool (`/OWSMP/getauctions`, AUTH_API_KEY check, "No Data found" as HTTP 400). Rows and
// auctions are the recorded (or documented-shape) fixtures re-timed to the asked window. What is
// served for which path derives from the dataset descriptors.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DateTime } from 'luxon';
import type { Simulator } from '../../shared/dataset.ts';
import { FaultInjector, serveSimulator, type FaultPlan } from '../../shared/simulator.ts';
import { AUCTION_TZ, hourLabels, readAuctions, type Auction } from './auctions.ts';
import { AUCTION_TOOL_MAX_DAYS, JAO_TZ, JAO_MAX_FETCH_DAYS } from './client.ts';
import { CORRIDORS, jaoDatasets } from './datasets.ts';
import { mtuOn, readPublicationEnvelope, type JaoRegion } from './publication.ts';
import { fixedDurationMs } from '../../shared/time.ts';

export const SIMULATOR_API_KEY = 'simulator-jao-key';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

// The Nordic region is served from Core recordings with the hubs renamed, so its answers carry
// Nordic hub names as the real ones do.
const NORDIC_NAMES: Readonly<Record<string, string>> = {
  AT: 'NO1', BE: 'NO2', CZ: 'NO3', DE: 'NO4', FR: 'NO5', HR: 'SE1', HU: 'SE2', NL: 'SE3', PL: 'SE4', RO: 'FI', SI: 'DK1', SK: 'DK2',
};

// Nordic constraint rows (fbDomainShadowPrice) name the element cneName/cneEic and their PTDFs ptdf_<hub>.
const NORDIC_CONSTRAINT_FIELDS: Readonly<Record<string, string>> = { cnecName: 'cneName', cnecEic: 'cneEic' };

function renameForNordic(row: Record<string, unknown>): Record<string, unknown> {
  const constraint = 'cnecName' in row;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    const m = /^(border|hub)_(.*)$/.exec(k);
    const prefix = constraint && m?.[1] === 'hub' ? 'ptdf' : m?.[1];
    out[m ? `${prefix}_${m[2]!.split('_').map((t) => NORDIC_NAMES[t] ?? t).join('_')}` : constraint ? (NORDIC_CONSTRAINT_FIELDS[k] ?? k) : k] = v;
  }
  return out;
}

/** End of what the Publication Tool has at `now`: tomorrow's results appear around 10:30 Amsterdam time. */
export function publishedUntil(now: Date, tz = JAO_TZ, hour = 11): Date {
  const local = DateTime.fromJSDate(now, { zone: tz });
  return local.startOf('day').plus({ days: local.hour >= hour ? 2 : 1 }).toJSDate();
}

function localDays(from: Date, to: Date, tz: string): DateTime[] {
  const days: DateTime[] = [];
  for (let d = DateTime.fromJSDate(from, { zone: tz }).startOf('day'); d.toJSDate() < to; d = d.plus({ days: 1 })) days.push(d);
  return days;
}

export type JaoSimulator = Simulator & { faults: FaultInjector; requests(): number };

export async function startJaoSimulator(options: { port?: number; now?: () => Date } = {}): Promise<JaoSimulator> {
  const faults = new FaultInjector();
  const now = options.now ?? (() => new Date());
  let requests = 0;
  const templates = new Map<string, Record<string, unknown>[]>();
  const rowsOf = (id: string, file: string) => {
    let t = templates.get(id);
    if (!t) templates.set(id, (t = readPublicationEnvelope(fixture(file)).data ?? []));
    return t;
  };
  const auctionTemplates = new Map<string, Auction>();
  const auctionOf = (file: string) => {
    let a = auctionTemplates.get(file);
    if (!a) auctionTemplates.set(file, (a = readAuctions(fixture(file))[0]!));
    return a;
  };

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  };

  function publication(res: ServerResponse, region: string, apiName: string, q: URLSearchParams): void {
    const ds = jaoDatasets.find((d) => d.simulation.tool === 'publication' && d.simulation.apiNames[region as JaoRegion] === apiName);
    if (!ds || ds.simulation.tool !== 'publication') return json(res, 404, { status: 404, message: `No dataset ${apiName} in ${region}` });
    const param = (name: string) => q.get(name) ?? q.get(name.replace('Utc', 'UTC'));
    const from = new Date(param('FromUtc') ?? '');
    const to = new Date(param('ToUtc') ?? '');
    if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || to <= from) return json(res, 400, { status: 400, message: 'FromUtc and ToUtc must be instants, FromUtc first' });
    const days = localDays(from, to, JAO_TZ);
    if (days.length > JAO_MAX_FETCH_DAYS) return json(res, 400, { status: 400, message: `At most ${JAO_MAX_FETCH_DAYS} days per request` });
    // The real tool counts a two-day window around a DST change as more than two days.
    if (days.length === JAO_MAX_FETCH_DAYS && days.some((d) => d.plus({ days: 1 }).diff(d, 'hours').hours !== 24)) {
      return json(res, 400, { status: 400, message: `Maximum range is ${JAO_MAX_FETCH_DAYS} days` });
    }
    const template = rowsOf(ds.id, ds.simulation.fixture);
    const schedule = ds.simulation.mtu[region as JaoRegion]!;
    const hi = Math.min(to.getTime(), publishedUntil(now()).getTime());
    const rows: Record<string, unknown>[] = [];
    // One row per MTU, each business day at the dataset's MTU for that day (hourly before the go-live).
    for (const day of days) {
      const stepMs = fixedDurationMs(mtuOn(schedule, day.toJSDate())!);
      const end = Math.min(day.plus({ days: 1 }).toMillis(), hi);
      for (let t = Math.ceil(Math.max(from.getTime(), day.toMillis()) / stepMs) * stepMs; t < end; t += stepMs) {
        const base = template[Math.floor(t / stepMs) % template.length]!;
        const row = { ...base, id: Math.floor(t / stepMs) % 1_000_000, dateTimeUtc: new Date(t).toISOString().replace('.000Z', 'Z') };
        rows.push(region === 'nordic' ? renameForNordic(row) : row);
      }
    }
    const take = q.get('Take');
    const skip = Number(q.get('Skip') ?? '0');
    const page = take === null ? rows : rows.slice(skip, skip + Number(take));
    json(res, 200, { data: page, rejected: false, messages: null, totalRows: rows.length, totalRowsWithFilter: rows.length });
  }

  /** A fromdate/todate as the auction tool reads it: `2026-07-27-22:00:00` or `2026-07-27` (midnight), UTC. */
  function auctionToolInstant(s: string | null): Date | null {
    const m = /^(\d{4}-\d{2}-\d{2})(?:-(\d{2}:\d{2}:\d{2}))?$/.exec(s ?? '');
    if (!m) return null;
    const at = new Date(`${m[1]}T${m[2] ?? '00:00:00'}Z`);
    return Number.isNaN(at.getTime()) ? null : at;
  }

  function auctions(req: IncomingMessage, res: ServerResponse, q: URLSearchParams): void {
    if (req.headers.auth_api_key !== SIMULATOR_API_KEY) return json(res, 401, { status: 401, message: 'Invalid or missing API key' });
    const corridor = q.get('corridor') ?? '';
    const horizon = q.get('horizon') ?? '';
    // Daily auctions from the daily dataset's recording, every long-term horizon from the long-term one's.
    const ds = jaoDatasets.find((d) => d.simulation.tool === 'auctions' && (d.simulation.horizon === 'Daily') === (horizon === 'Daily'));
    // The real tool reads fromdate/todate as UTC (`yyyy-MM-dd-HH:mm:ss`, or a date: its UTC midnight),
    // answers the auctions whose marketPeriodStart lies between them, both included, and refuses a
    // span over 31 days (JAO API user guide §5.1, via electricitymaps-contrib JAO_Auctions.py;
    // the refusal's body is not recorded).
    const fromAt = auctionToolInstant(q.get('fromdate'));
    const toAt = auctionToolInstant(q.get('todate'));
    if (!fromAt || !toAt) return json(res, 400, { status: 400, message: 'fromdate and todate must be dates' });
    if (toAt.getTime() - fromAt.getTime() > AUCTION_TOOL_MAX_DAYS * 86_400_000) return json(res, 400, { status: 400, message: `The period may not exceed ${AUCTION_TOOL_MAX_DAYS} days` });
    const noData = () => json(res, 400, { status: 400, message: 'No Data found' });
    if (!ds || ds.simulation.tool !== 'auctions' || !(CORRIDORS as readonly string[]).includes(corridor)) return noData();
    const template = auctionOf(ds.simulation.fixture);
    const published = publishedUntil(now(), AUCTION_TZ, 10);
    const out: Auction[] = [];
    const unit = horizon === 'Daily' ? 'day' : horizon === 'Yearly' ? 'year' : 'month';
    for (let d = DateTime.fromJSDate(fromAt, { zone: AUCTION_TZ }).startOf(unit); d.toJSDate() <= toAt; d = d.plus({ [`${unit}s`]: 1 })) {
      if (d.toJSDate() < fromAt) continue;
      const start = d.toJSDate();
      const stop = d.plus({ [`${unit}s`]: 1 }).toJSDate();
      if (horizon === 'Daily' && stop > published) break;
      const values = template.results ?? [];
      const stamp = d.toFormat('yyMMdd');
      const results = horizon === 'Daily'
        ? [...hourLabels(start, stop).keys()].map((label, i) => ({ ...values[i % values.length], corridorCode: corridor, productHour: label, productIdentification: `B${String(i + 1).padStart(2, '0')}-------` })).reverse()
        : values.map((r) => ({ ...r, corridorCode: corridor }));
      out.push({
        ...template,
        identification: `${corridor}-${horizon === 'Daily' ? 'D-DAILY-' : `${horizon[0]}-BASE------`}-${stamp}-01`,
        horizonName: horizon,
        corridorCode: corridor,
        marketPeriodStart: start.toISOString().replace('Z', '+00:00'),
        marketPeriodStop: stop.toISOString().replace('Z', '+00:00'),
        results,
      });
    }
    if (out.length === 0) return noData();
    json(res, 200, out);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const pub = /^\/(core|nordic)\/api\/data\/([A-Za-z]+)$/.exec(url.pathname);
    const isAuction = url.pathname === '/OWSMP/getauctions';
    if (!pub && !isAuction) return json(res, 404, { status: 404, message: 'Not found' });
    requests += 1;
    const fault = faults.next();
    if (fault && faults.answer(fault, res, '{"data":[],"rejected":false,"messages":null}', 'application/json')) return;
    if (pub) return publication(res, pub[1]!, pub[2]!, url.searchParams);
    return auctions(req, res, url.searchParams);
  }

  const server = await serveSimulator(faults, handle, options.port);
  return {
    url: server.url,
    secrets: { 'jao:api_key': SIMULATOR_API_KEY },
    faults,
    setFaults: (plan: Partial<FaultPlan>) => faults.set(plan),
    requests: () => requests,
    close: () => server.close(),
  };
}
