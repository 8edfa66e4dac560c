// A loopback Volue Insight: the OAuth2 token endpoint (client credentials, tokens that expire, a
// switch to expire them all at once), curve lookup by name, time series, tagged series and forecast
// instances generated from the fixtures for any window, 401 for a missing or expired token, and the
// usual faults. Which curves exist derives from the dataset descriptors.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Simulator } from '../../shared/dataset.ts';
import { FaultInjector, serveSimulator, type FaultPlan } from '../../shared/simulator.ts';
import { addDuration, floorTo } from '../../shared/time.ts';
import { volueDatasets } from './datasets.ts';
import { FREQUENCIES, curveZone, readVoluePayload, type VoluePayload } from './parse.ts';

export const SIMULATOR_CLIENT = { id: 'simulator-client', secret: 'simulator-client-secret' };

export type VolueSimulator = Simulator & {
  faults: FaultInjector;
  /** Every token issued so far stops working now (the expired-token case). */
  expireTokens(): void;
  /** Tokens issued so far. */
  tokensIssued(): number;
};

export async function startVolueSimulator(options: { port?: number; now?: () => Date; tokenLifetimeS?: number } = {}): Promise<VolueSimulator> {
  const faults = new FaultInjector();
  const now = options.now ?? (() => new Date());
  const lifetimeS = options.tokenLifetimeS ?? 3600;
  const tokens = new Map<string, number>(); // token → expiry (ms)
  let issued = 0;
  const curves = new Map<string, VoluePayload>();
  for (const d of volueDatasets) {
    for (const [name, file] of Object.entries(d.curves)) curves.set(name, readVoluePayload(readFileSync(new URL(`./fixtures/${file}`, import.meta.url))));
  }
  const byId = new Map([...curves.values()].map((c) => [c.curve.id, c]));

  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    const form = new URLSearchParams(text);
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const [id, secret] = basic ? Buffer.from(basic, 'base64').toString().split(':') : [];
    if (form.get('grant_type') !== 'client_credentials') return json(res, 400, { error: 'unsupported_grant_type' });
    if (id !== SIMULATOR_CLIENT.id || secret !== SIMULATOR_CLIENT.secret) return json(res, 401, { error: 'invalid_client' });
    const value = randomBytes(16).toString('hex');
    tokens.set(value, now().getTime() + lifetimeS * 1000);
    issued += 1;
    json(res, 200, { access_token: value, token_type: 'Bearer', expires_in: lifetimeS });
  }

  /** Points of a fixture series re-timed over [from, to): the value of the same slot of the day, cycled. */
  function points(template: VoluePayload['series'][number], frequency: string, tz: string, from: Date, to: Date): [number, number | null][] {
    const res = FREQUENCIES[frequency]!;
    const values = template.points ?? [];
    const out: [number, number | null][] = [];
    for (let t = floorTo(from, res, tz), i = 0; t < to && i < 20_000; t = addDuration(t, res, tz), i++) {
      if (t < from) continue;
      out.push([t.getTime(), values.length ? values[i % values.length]![1] : null]);
    }
    return out;
  }

  function api(url: URL, res: ServerResponse): void {
    const q = url.searchParams;
    if (url.pathname === '/api/curves/get') {
      const c = curves.get(q.get('name') ?? '');
      return c ? json(res, 200, c.curve) : json(res, 404, { error: 'Curve not found' });
    }
    const m = /^\/api\/(series|instances)\/(tagged\/)?(\d+)$/.exec(url.pathname);
    const c = m ? byId.get(Number(m[3])) : undefined;
    if (!m || !c) return json(res, 404, { error: 'Not found' });
    const tz = curveZone(c.curve.time_zone);
    const wanted = q.getAll('tag');
    const templates = c.series.filter((s) => wanted.length === 0 || wanted.includes(s.tag ?? ''));
    if (m[1] === 'series') {
      const from = new Date(q.get('from') ?? '');
      // Actuals (and spot prices) exist up to tomorrow; normals and scenarios of tagged curves for any time.
      const reach = c.curve.curve_type === 'TIME_SERIES' ? now().getTime() + 2 * 86_400_000 : Infinity;
      const to = new Date(Math.min(new Date(q.get('to') ?? '').getTime(), reach));
      if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) return json(res, 400, { error: 'from and to must be instants' });
      const series = templates.map((s) => ({ id: c.curve.id, name: c.curve.name, frequency: s.frequency, time_zone: c.curve.time_zone, ...(s.tag ? { tag: s.tag } : {}), points: points(s, s.frequency, tz, from, to) }));
      return json(res, 200, m[2] ? series : series[0]);
    }
    // Instances: one issue a day at 00:00 UTC (the ec00 run), each with two days of data from the next local day.
    const from = new Date(q.get('issue_date_from') ?? '');
    const to = new Date(Math.min(new Date(q.get('issue_date_to') ?? '').getTime(), now().getTime()));
    if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) return json(res, 400, { error: 'issue_date_from and issue_date_to must be instants' });
    const out = [];
    for (let issue = floorTo(from, 'P1D'); issue < to; issue = addDuration(issue, 'P1D')) {
      if (issue < from) continue;
      const dataFrom = addDuration(floorTo(issue, 'P1D', tz), 'P1D', tz);
      for (const s of templates) {
        out.push({ id: c.curve.id, name: c.curve.name, frequency: s.frequency, time_zone: c.curve.time_zone, ...(s.tag ? { tag: s.tag } : {}), issue_date: issue.toISOString().replace('.000Z', '+00:00'),
          points: q.get('with_data') === 'true' ? points(s, s.frequency, tz, dataFrom, addDuration(dataFrom, 'P2D', tz)) : [] });
      }
    }
    if (out.length === 0) {
      res.writeHead(204).end();
      return;
    }
    json(res, 200, out);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    if (url.pathname === '/oauth2/token' && req.method === 'POST') return token(req, res);
    if (!url.pathname.startsWith('/api/')) return json(res, 404, { error: 'Not found' });
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const expiry = bearer ? tokens.get(bearer) : undefined;
    if (expiry === undefined || expiry <= now().getTime()) return json(res, 401, { error: 'invalid_token', error_description: 'The access token is missing, invalid or expired' });
    const fault = faults.next();
    if (fault && faults.answer(fault, res, '{}', 'application/json')) return;
    api(url, res);
  }

  const server = await serveSimulator(faults, handle, options.port);
  return {
    url: server.url,
    secrets: { 'volue:client_id': SIMULATOR_CLIENT.id, 'volue:client_secret': SIMULATOR_CLIENT.secret },
    faults,
    setFaults: (plan: Partial<FaultPlan>) => faults.set(plan),
    expireTokens() {
      for (const k of tokens.keys()) tokens.set(k, 0);
    },
    tokensIssued: () => issued,
    close: () => server.close(),
  };
}
