// A loopback Baltic Transparency Dashboard: `/api/v1/export` with the real parameters, serving each
// dataset's fixture re-timed to the asked window (values repeat by quarter-hour of the day), an
// unknown id answered 400, and the decoy — HTTP 200 with an HTML page — switchable like a fault.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Simulator } from '../../shared/dataset.ts';
import { FaultInjector, seededRandom, serveSimulator, type FaultPlan } from '../../shared/simulator.ts';
import { balticDatasets } from './datasets.ts';

const DECOY = '<!doctype html><html lang="en"><head><title>Baltic Transparency Dashboard</title></head><body><div id="app"></div><script src="/assets/index.js"></script></body></html>';
const STEP_MS = 15 * 60_000;

export type BalticSimulator = Simulator & { faults: FaultInjector; setDecoyRate(rate: number): void; requests(): number };

export async function startBalticSimulator(options: { port?: number; now?: () => Date } = {}): Promise<BalticSimulator> {
  const faults = new FaultInjector();
  const now = options.now ?? (() => new Date());
  let decoyRate = 0;
  let random = seededRandom(11);
  let requests = 0;
  const templates = new Map<string, { data: Record<string, unknown> & { timeseries: { values: unknown[] }[] } }>();
  const template = (file: string) => {
    let t = templates.get(file);
    if (!t) templates.set(file, (t = JSON.parse(readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8'))));
    return t!;
  };
  const naive = (s: string | null) => (s && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(s) ? new Date(`${s}Z`) : null);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    if (url.pathname !== '/api/v1/export') {
      res.writeHead(404, { 'content-type': 'text/html' }).end(DECOY);
      return;
    }
    requests += 1;
    const q = url.searchParams;
    const ds = balticDatasets.find((d) => d.apiId === q.get('id'));
    const from = naive(q.get('start_date'));
    const to = naive(q.get('end_date'));
    if (!ds || !from || !to || to <= from || (q.get('output_time_zone') ?? 'UTC') !== 'UTC') {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Invalid export request' }));
      return;
    }
    if (decoyRate > 0 && random() < decoyRate) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(DECOY);
      return;
    }
    const t = template(ds.fixture);
    const rows = t.data.timeseries;
    const hi = Math.min(to.getTime(), Math.floor(now().getTime() / STEP_MS) * STEP_MS - STEP_MS);
    const timeseries = [];
    for (let s = Math.ceil(from.getTime() / STEP_MS) * STEP_MS; s < hi; s += STEP_MS) {
      const slot = Math.floor((s % 86_400_000) / STEP_MS);
      const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', '+00:00');
      timeseries.push({ from: iso(s), to: iso(s + STEP_MS), values: rows[slot % rows.length]!.values });
    }
    const body = JSON.stringify({ data: { ...t.data, creation_time: now().toISOString(), timeseries } });
    const fault = faults.next();
    if (fault && faults.answer(fault, res, body, 'application/json')) return;
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  }

  const server = await serveSimulator(faults, handle, options.port);
  return {
    url: server.url,
    faults,
    setFaults: (plan: Partial<FaultPlan>) => faults.set(plan),
    setDecoyRate(rate) {
      decoyRate = rate;
      random = seededRandom(11);
    },
    requests: () => requests,
    close: () => server.close(),
  };
}
