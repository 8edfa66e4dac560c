// A loopback ENTSO-E Transparency Platform: `/api` with the real parameters, token check (401),
// the no-data acknowledgement, per-minute rate limiting with a 429 ban, and documents for any
// window built from the fixtures each dataset descriptor names (`simulation`): each TimeSeries
// becomes a template whose points repeat along the requested window (point of slot = recorded[slot
// index mod length]). Which dataset answers a request comes from the descriptors' document kinds.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DateTime } from 'luxon';
import type { Simulator } from '../../shared/dataset.ts';
import { FaultInjector, serveSimulator, type FaultPlan } from '../../shared/simulator.ts';
import { addDuration, ceilTo, fixedDurationMs, floorTo, isCalendarDuration, maxDate, minDate } from '../../shared/time.ts';
import { findArea } from './areas.ts';
import { entsoeDatasets, readsDocument, type Publication } from './datasets.ts';

export const SIMULATOR_TOKEN = 'simulator-token';
const CET = 'Europe/Brussels';

/** `points`: each Point's content after its position (one value, or A85's amount/category pairs). */
type SeriesTemplate = { head: string; resolution: string; curve: string; points: string[] };
type DocTemplate = { root: string; ns: string; series: SeriesTemplate[] };

const fixtureText = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function template(file: string, keep: (s: SeriesTemplate) => boolean = () => true): DocTemplate {
  const text = fixtureText(file);
  const root = /<([A-Za-z_]+_MarketDocument)\s+xmlns="([^"]+)"/.exec(text)!;
  const byHead = new Map<string, SeriesTemplate>();
  for (const chunk of text.match(/<TimeSeries>[\s\S]*?<\/TimeSeries>/g) ?? []) {
    const head = chunk.slice('<TimeSeries>'.length, chunk.indexOf('<Period>')).replace(/<mRID>[^<]*<\/mRID>/, '').replace(/\s+/g, ' ').trim();
    const points = [...chunk.matchAll(/<Point>\s*<position>[^<]*<\/position>([\s\S]*?)<\/Point>/g)].map((m) => m[1]!.replace(/\s+</g, '<').trim());
    const resolution = /<resolution>([^<]+)</.exec(chunk)![1]!;
    // Series with the same elements and resolution are one series over more days.
    const key = `${head}|${resolution}`;
    const s = byHead.get(key);
    if (s) s.points.push(...points);
    else byHead.set(key, { head, resolution, curve: /<curveType>([^<]+)</.exec(chunk)?.[1] ?? 'A01', points });
  }
  return { root: root[1]!, ns: root[2]!, series: [...byHead.values()].filter(keep) };
}

type Era = { from?: Date; to?: Date; doc: DocTemplate };
type Served = { eras: Era[]; published: Publication; value?: (zone: string, at: Date) => number | undefined };

const served = new Map<string, Served>();

/** The templates of the dataset that reads this document type and process type (built on first use). */
function servedFor(type: string, processType: string | null): Served | undefined {
  const ds = entsoeDatasets.find((d) => readsDocument(d.document, type, processType ?? undefined));
  if (!ds) return undefined;
  let entry = served.get(ds.id);
  if (!entry) {
    entry = {
      published: ds.simulation.publication,
      ...(ds.simulation.value ? { value: ds.simulation.value } : {}),
      eras: ds.simulation.templates.map((t) => ({ from: t.from, to: t.to, doc: template(t.file, (s) => t.resolution === undefined || s.resolution === t.resolution) })),
    };
    served.set(ds.id, entry);
  }
  return entry;
}

/** Until when a document type has been published at `now`. */
function publishedUntil(kind: Publication, now: Date): Date {
  if (kind === 'any') return new Date(8.64e15);
  if (kind === 'actual') return floorTo(new Date(now.getTime() - 3_600_000), 'PT60M');
  const local = DateTime.fromJSDate(now, { zone: CET });
  return local.startOf('day').plus({ days: local.hour >= 13 ? 2 : 1 }).toJSDate();
}

const stampToDate = (s: string | null) => {
  if (!s || !/^\d{12}$/.test(s)) return null;
  return new Date(Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(8, 10), +s.slice(10, 12)));
};
const iso = (d: Date) => d.toISOString().slice(0, 16) + 'Z';

function acknowledgement(text: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<Acknowledgement_MarketDocument xmlns="urn:iec62325.351:tc57wg16:451-1:acknowledgementdocument:7:0">
  <mRID>sim-ack</mRID>
  <createdDateTime>${new Date().toISOString().slice(0, 19)}Z</createdDateTime>
  <Reason><code>999</code><text>${text}</text></Reason>
</Acknowledgement_MarketDocument>`;
}

/** The domain a template element takes from the request's parameters. */
function substituteDomains(head: string, q: URLSearchParams): string {
  const map: [string, string | null][] = [
    ['in_Domain.mRID', q.get('in_Domain')],
    ['out_Domain.mRID', q.get('out_Domain')],
    ['inBiddingZone_Domain.mRID', q.get('in_Domain')],
    ['outBiddingZone_Domain.mRID', q.get('outBiddingZone_Domain') ?? q.get('in_Domain')],
    ['area_Domain.mRID', q.get('controlArea_Domain')],
  ];
  let out = head;
  for (const [el, value] of map) {
    if (value) out = out.replace(new RegExp(`(<${el.replace(/\./g, '\\.')}[^>]*>)[^<]*(<)`, 'g'), `$1${value}$2`);
  }
  return out;
}

/** A template point, its amount replaced by the dataset's simulated value for the zone when it has one. */
function pointAt(entry: Served, point: string, zone: string | undefined, at: Date): string {
  const v = zone && entry.value ? entry.value(zone, at) : undefined;
  return v === undefined ? point : point.replace(/<(price\.amount|quantity)>[^<]*</, `<$1>${v}<`);
}

/** Builds the document for a request, or null when no data falls in the window. */
export function simulatedDocument(q: URLSearchParams, now: Date): string | null {
  const type = q.get('documentType') ?? '';
  const entry = servedFor(type, q.get('processType'));
  const from = stampToDate(q.get('periodStart'));
  const to = stampToDate(q.get('periodEnd'));
  if (!entry || !from || !to) return null;
  const until = publishedUntil(entry.published, now);
  const zone = findArea(q.get('in_Domain') ?? q.get('outBiddingZone_Domain') ?? q.get('controlArea_Domain') ?? '')?.code;
  const series: string[] = [];
  let root = '';
  let ns = '';
  for (const era of entry.eras) {
    for (const s of era.doc.series) {
      root = era.doc.root;
      ns = era.doc.ns;
      const lo = maxDate(from, era.from ?? from);
      const hi = minDate(minDate(to, era.to ?? to), until);
      const calendar = isCalendarDuration(s.resolution);
      const start = calendar ? floorTo(lo, s.resolution, CET) : ceilTo(lo, s.resolution);
      const end = calendar ? ceilTo(hi, s.resolution, CET) : floorTo(hi, s.resolution);
      if (end <= start) continue;
      const points: string[] = [];
      let previous: string | undefined;
      let position = 1;
      for (let t = start; t < end; t = addDuration(t, s.resolution, CET), position++) {
        const index = calendar ? 0 : Math.floor(t.getTime() / fixedDurationMs(s.resolution));
        const point = pointAt(entry, s.points[index % s.points.length]!, zone, t);
        if (s.curve === 'A03' && point === previous) continue;
        previous = point;
        points.push(`<Point><position>${position}</position>${point}</Point>`);
      }
      series.push(`<TimeSeries><mRID>${series.length + 1}</mRID>${substituteDomains(s.head, q)}<Period><timeInterval><start>${iso(start)}</start><end>${iso(end)}</end></timeInterval><resolution>${s.resolution}</resolution>${points.join('')}</Period></TimeSeries>`);
    }
  }
  if (series.length === 0) return null;
  const processType = q.get('processType');
  const interval = root === 'GL_MarketDocument' ? 'time_Period.timeInterval' : 'period.timeInterval';
  return `<?xml version="1.0" encoding="UTF-8"?>
<${root} xmlns="${ns}"><mRID>sim-${type}</mRID><revisionNumber>1</revisionNumber><type>${type}</type>${processType ? `<process.processType>${processType}</process.processType>` : ''}<createdDateTime>${now.toISOString().slice(0, 19)}Z</createdDateTime>${q.get('controlArea_Domain') ? `<area_Domain.mRID codingScheme="A01">${q.get('controlArea_Domain')}</area_Domain.mRID>` : ''}<${interval}><start>${iso(from)}</start><end>${iso(to)}</end></${interval}>${series.join('')}</${root}>`;
}

export type EntsoeSimulator = Simulator & {
  faults: FaultInjector;
  setFaults(plan: Partial<FaultPlan>): void;
  requests(): number;
  /** Requests answered with 429 because the per-minute limit was exceeded. */
  bans(): number;
};

export type EntsoeSimulatorOptions = {
  port?: number;
  now?: () => Date;
  token?: string;
  /** Requests per rolling minute before the platform bans the token (the real one allows 400). */
  ratePerMinute?: number;
  banMs?: number;
  /**
   * Longest window (days) answered with data; a longer request gets the acknowledgement ENTSO-E sends
   * when a request matches too much (HTTP 400, "exceeds allowed limit"). Unlimited by default.
   */
  maxDaysPerRequest?: number;
};

export async function startEntsoeSimulator(o: EntsoeSimulatorOptions = {}): Promise<EntsoeSimulator> {
  const faults = new FaultInjector();
  const now = o.now ?? (() => new Date());
  const token = o.token ?? SIMULATOR_TOKEN;
  const limit = o.ratePerMinute ?? 400;
  const banMs = o.banMs ?? 10 * 60_000;
  const recent: number[] = [];
  let bannedUntil = 0;
  let requests = 0;
  let bans = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    if (url.pathname !== '/api') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found');
      return;
    }
    requests += 1;
    const q = url.searchParams;
    if (q.get('securityToken') !== token) {
      res.writeHead(401, { 'content-type': 'text/html' }).end('<html><body><h1>Unauthorized</h1><p>Missing or invalid security token</p></body></html>');
      return;
    }
    const t = Date.now();
    if (t >= bannedUntil) {
      while (recent.length > 0 && recent[0]! <= t - 60_000) recent.shift();
      recent.push(t);
      // Over the limit: banned, and the count starts again once the ban is over.
      if (recent.length > limit) {
        bannedUntil = t + banMs;
        recent.length = 0;
      }
    }
    if (t < bannedUntil) {
      bans += 1;
      res.writeHead(429, { 'content-type': 'text/html' }).end(`<html><body><p>Requester banned until '${new Date(bannedUntil).toISOString()}'.</p></body></html>`);
      return;
    }
    if (!q.get('documentType') || !q.get('periodStart') || !q.get('periodEnd')) {
      res.writeHead(400, { 'content-type': 'text/xml' }).end(acknowledgement('Mandatory parameters missing; please check you request against dependency tables'));
      return;
    }
    const [start, end] = [stampToDate(q.get('periodStart')), stampToDate(q.get('periodEnd'))];
    const days = start && end ? (end.getTime() - start.getTime()) / 86_400_000 : 0;
    if (o.maxDaysPerRequest !== undefined && days > o.maxDaysPerRequest) {
      res.writeHead(400, { 'content-type': 'text/xml' }).end(acknowledgement(`The amount of requested data exceeds allowed limit. Requested ${Math.ceil(days)} days, allowed ${o.maxDaysPerRequest}.`));
      return;
    }
    const doc = simulatedDocument(q, now()) ?? acknowledgement(`No matching data found for Data item ${q.get('documentType')} and interval ${q.get('periodStart')}/${q.get('periodEnd')}.`);
    const fault = faults.next();
    if (fault && faults.answer(fault, res, doc, 'text/xml')) return;
    res.writeHead(200, { 'content-type': 'text/xml' }).end(fault === 'badRecord' ? doc.replace(/<(price\.amount|quantity|imbalance_Price\.amount)>[^<]*</, '<$1>n/a<') : doc);
  }

  const server = await serveSimulator(faults, handle, o.port);
  const base = server.url;
  return {
    url: `${base}/api`,
    secrets: { 'entsoe:token': token },
    faults,
    setFaults: (plan) => faults.set(plan),
    requests: () => requests,
    bans: () => bans,
    close: () => server.close(),
  };
}
