import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FetchContext } from '../../shared/dataset.ts';
import { HttpError } from '../../shared/errors.ts';
import { createHttpClient, type AttemptReport } from '../../shared/http.ts';
import { silentLogger } from '../../shared/log.ts';
import { envSecrets } from '../../shared/secrets/index.ts';
import { isoUtc } from '../../shared/time.ts';
import { buildExportUrl, buildRecordsUrl, chooseEndpoint, fetchFamily, fetchRecords, rateLimitWait } from './client.ts';
import { generationFamily } from './datasets/generation.ts';
import { imbalancePricesMinuteFamily, imbalancePricesQhFamily } from './datasets/imbalance-prices.ts';
import { windFamily } from './datasets/renewables.ts';
import { ELIA_SPLIT, planRequests } from './family.ts';
import { parseFamily, readPayload } from './parse.ts';
import { startEliaSimulator, type EliaSimulator } from './simulator.ts';

const NOW = new Date('2025-11-05T14:07:00Z');
const ctx = (baseUrl: string, attempts: AttemptReport[] = []): FetchContext => ({
  http: createHttpClient('elia', { timeoutMs: 2000, maxAttempts: 10, initialDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 1500 }),
  secrets: envSecrets({}),
  baseUrl,
  log: silentLogger,
  onAttempt: (a) => attempts.push(a),
});
const day = (from: string, to: string) => ({ from: new Date(from), to: new Date(to) });

describe('elia requests', () => {
  it('asks for the window in UTC, oldest first, one page of at most 100', () => {
    const url = new URL(buildRecordsUrl('https://opendata.elia.be', 'ods162', day('2024-10-26T22:00:00Z', '2024-10-27T23:00:00Z'), { limit: 100, offset: 200 }));
    assert.equal(url.pathname, '/api/explore/v2.1/catalog/datasets/ods162/records');
    assert.equal(url.searchParams.get('where'), 'datetime >= "2024-10-26T22:00:00Z" AND datetime < "2024-10-27T23:00:00Z"');
    assert.equal(url.searchParams.get('order_by'), 'datetime asc');
    assert.equal(url.searchParams.get('timezone'), 'UTC');
    assert.deepEqual([url.searchParams.get('limit'), url.searchParams.get('offset')], ['100', '200']);
    const exp = new URL(buildExportUrl('https://opendata.elia.be', 'ods087', day('2024-10-26T22:00:00Z', '2024-10-27T23:00:00Z'), { refine: { region: 'Belgium' } }));
    assert.equal(exp.pathname, '/api/explore/v2.1/catalog/datasets/ods087/exports/json');
    assert.deepEqual(exp.searchParams.getAll('refine'), ['region:"Belgium"']);
    assert.equal(exp.searchParams.has('limit'), false);
  });

  it('uses records for a recent small window and exports for backfills and many-row windows', () => {
    assert.equal(chooseEndpoint(imbalancePricesQhFamily, day('2025-11-04T23:00:00Z', '2025-11-05T23:00:00Z')), 'records');
    assert.equal(chooseEndpoint(imbalancePricesQhFamily, day('2025-10-29T23:00:00Z', '2025-11-05T23:00:00Z')), 'exports');
    // One day of wind is ~30 rows × 96 quarter-hours: one export, not 29 pages.
    assert.equal(chooseEndpoint(windFamily, day('2025-11-04T23:00:00Z', '2025-11-05T23:00:00Z')), 'exports');
  });

  it('cuts a window at the 22/05/2024 split and at the near-real-time cutoff', () => {
    const plan = planRequests(imbalancePricesQhFamily, day('2024-05-19T22:00:00Z', '2024-05-23T22:00:00Z'), NOW);
    assert.deepEqual(plan.map((p) => [p.ods, isoUtc(p.window.from), isoUtc(p.window.to)]), [
      ['ods047', '2024-05-19T22:00:00Z', isoUtc(ELIA_SPLIT)],
      ['ods134', isoUtc(ELIA_SPLIT), '2024-05-23T22:00:00Z'],
    ]);
    // Yesterday and today (Brussels) from the near-real-time set, older days from the daily history.
    const recent = planRequests(imbalancePricesQhFamily, day('2025-11-02T23:00:00Z', '2025-11-05T23:00:00Z'), NOW);
    assert.deepEqual(recent.map((p) => [p.ods, isoUtc(p.window.from), isoUtc(p.window.to)]), [
      ['ods134', '2025-11-02T23:00:00Z', '2025-11-03T23:00:00Z'],
      ['ods162', '2025-11-03T23:00:00Z', '2025-11-05T23:00:00Z'],
    ]);
    // Generation has no pre-split set: nothing to ask before it.
    assert.deepEqual(planRequests(generationFamily, day('2024-05-01T00:00:00Z', '2024-05-10T00:00:00Z'), NOW), []);
  });

  it('reads X-RateLimit-Reset as the wait of a 429', () => {
    const headers = new Headers({ 'x-ratelimit-reset': String(Math.floor(1_000_000_000 + 90)) });
    assert.equal(rateLimitWait({ status: 429, headers, body: new Uint8Array() }, 1_000_000_000_000), 90_000);
    assert.equal(rateLimitWait({ status: 429, headers: new Headers(), body: new Uint8Array() }), null);
    assert.equal(rateLimitWait({ status: 200, headers, body: new Uint8Array() }), null);
  });
});

describe('elia client against the simulator', () => {
  let sim: EliaSimulator;
  before(async () => {
    sim = await startEliaSimulator({ now: () => NOW });
  });
  after(() => sim.close());

  it('pages a records window with limit/offset and joins the pages into one envelope', async () => {
    const attempts: AttemptReport[] = [];
    const window = day('2025-11-05T08:00:00Z', '2025-11-05T14:00:00Z'); // 360 minutes
    const payload = await fetchFamily(imbalancePricesMinuteFamily, window, ctx(sim.url, attempts), NOW);
    const env = readPayload(payload.body);
    assert.equal(env.shape, 'records');
    assert.deepEqual([env.totalCount, env.records.length], [360, 360]);
    assert.deepEqual(attempts.map((a) => new URL(a.url).searchParams.get('offset')), ['0', '100', '200', '300']);
    assert.ok(attempts.every((a) => new URL(a.url).pathname.endsWith('/ods161/records')));
    const obs = parseFamily(imbalancePricesMinuteFamily, payload.body);
    assert.equal(new Set(obs.map((o) => o.ts.getTime())).size, 360);
    assert.equal(isoUtc(obs[0]!.ts), '2025-11-05T08:00:00Z');
  });

  it('halves a records window by time when it holds more than offset + limit may reach (10 000)', async () => {
    const attempts: AttemptReport[] = [];
    const window = day('2025-10-20T00:00:00Z', '2025-10-28T00:00:00Z'); // 11 520 minutes
    const parts = await fetchRecords('ods161', window, 60_000, ctx(sim.url, attempts));
    const wheres = new Set(attempts.map((a) => new URL(a.url).searchParams.get('where')));
    assert.deepEqual([...wheres], [
      'datetime >= "2025-10-20T00:00:00Z" AND datetime < "2025-10-28T00:00:00Z"',
      'datetime >= "2025-10-20T00:00:00Z" AND datetime < "2025-10-24T00:00:00Z"',
      'datetime >= "2025-10-24T00:00:00Z" AND datetime < "2025-10-28T00:00:00Z"',
    ]);
    for (const a of attempts) {
      const q = new URL(a.url).searchParams;
      assert.ok(Number(q.get('offset')) + Number(q.get('limit')) <= 10_000);
    }
    assert.equal(parts.reduce((n, p) => n + p.records.length, 0), 11_520);
  });

  it('fetches a backfill across the split from both ids in one payload, each with its own fields', async () => {
    const attempts: AttemptReport[] = [];
    const window = day('2024-05-18T22:00:00Z', '2024-05-25T22:00:00Z');
    const payload = await fetchFamily(imbalancePricesQhFamily, window, ctx(sim.url, attempts), NOW);
    assert.deepEqual(attempts.map((a) => new URL(a.url).pathname.split('/').slice(-3).join('/')), ['ods047/exports/json', 'ods134/exports/json']);
    const obs = parseFamily(imbalancePricesQhFamily, payload.body);
    assert.equal(new Set(obs.map((o) => o.ts.getTime())).size, 7 * 96);
    const before = obs.filter((o) => o.ts < ELIA_SPLIT);
    const afterSplit = obs.filter((o) => o.ts >= ELIA_SPLIT);
    assert.ok(before.some((o) => o.series.metric === 'positiveimbalanceprice') && !before.some((o) => o.series.metric === 'imbalanceprice'));
    assert.ok(afterSplit.some((o) => o.series.metric === 'imbalanceprice') && !afterSplit.some((o) => o.series.metric === 'positiveimbalanceprice'));
  });

  it('waits out a 429 and still lands the window', async () => {
    sim.setFaults({ rates: { rateLimit: 0.5 }, retryAfterSeconds: 1, seed: 7 });
    try {
      const attempts: AttemptReport[] = [];
      const payload = await fetchFamily(imbalancePricesQhFamily, day('2025-11-04T23:00:00Z', '2025-11-05T12:00:00Z'), ctx(sim.url, attempts), NOW);
      assert.ok(attempts.some((a) => a.status === 429));
      assert.equal(readPayload(payload.body).records.length, 52);
    } finally {
      sim.setFaults({ rates: {} });
    }
  });

  it('retries server errors and cut-off or garbled bodies, and publishes only a whole payload', async () => {
    sim.setFaults({ rates: { serverError: 0.2, unavailable: 0.1, truncated: 0.15, malformed: 0.15 }, seed: 3 });
    try {
      const attempts: AttemptReport[] = [];
      const payload = await fetchFamily(imbalancePricesMinuteFamily, day('2025-11-05T08:00:00Z', '2025-11-05T14:00:00Z'), ctx(sim.url, attempts), NOW);
      assert.ok(attempts.some((a) => a.error !== null));
      assert.equal(parseFamily(imbalancePricesMinuteFamily, payload.body).length, 360 * 7);
    } finally {
      sim.setFaults({ rates: {} });
    }
  });

  it('does not retry an unknown dataset (404)', async () => {
    const attempts: AttemptReport[] = [];
    await assert.rejects(fetchRecords('ods999', day('2025-11-04T00:00:00Z', '2025-11-05T00:00:00Z'), 900_000, ctx(sim.url, attempts)), (e: unknown) => e instanceof HttpError && e.status === 404);
    assert.equal(attempts.length, 1);
  });
});
