import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FetchContext } from '../../shared/dataset.ts';
import { ConfigError } from '../../shared/errors.ts';
import { createHttpClient, type AttemptReport, type HttpClient } from '../../shared/http.ts';
import { silentLogger } from '../../shared/log.ts';
import { envSecrets } from '../../shared/secrets/index.ts';
import { nextWindow } from '../../acquisition/window.ts';
import { banWait, buildQuery, halveWindow, splitWindow } from './client.ts';
import { entsoeDatasets } from './datasets.ts';
import { parseEntsoeDocument as parseEntsoe } from './datasets.ts';
import { SIMULATOR_TOKEN, startEntsoeSimulator } from './simulator.ts';

const NOW = new Date('2025-11-05T14:00:00Z');
const ds = (id: string) => entsoeDatasets.find((d) => d.id === `entsoe.${id}`)!;
const ctx = (baseUrl: string, http: HttpClient, attempts: AttemptReport[] = [], token = SIMULATOR_TOKEN): FetchContext => ({
  http,
  secrets: envSecrets({ ENTSOE__TOKEN: token }),
  baseUrl,
  log: silentLogger,
  onAttempt: (a) => attempts.push(a),
});
const http = (o: object = {}) => createHttpClient('entsoe', { timeoutMs: 2000, maxAttempts: 6, initialDelayMs: 5, maxDelayMs: 20, ...o });

describe('ENTSO-E client', () => {
  it('builds the query with UTC periodStart/periodEnd and the zone EIC codes', () => {
    const q = buildQuery({ documentType: 'A44', domains: { in_Domain: '10YFR-RTE------C', out_Domain: '10YFR-RTE------C' } },
      { from: new Date('2025-10-25T22:00:00Z'), to: new Date('2025-10-26T23:00:00Z') }, 'tok');
    assert.equal(q.toString(), 'securityToken=tok&documentType=A44&in_Domain=10YFR-RTE------C&out_Domain=10YFR-RTE------C&periodStart=202510252200&periodEnd=202510262300');
  });

  it('splits a window longer than a year into allowed requests', () => {
    const parts = splitWindow({ from: new Date('2023-01-01T00:00:00Z'), to: new Date('2025-07-01T00:00:00Z') });
    assert.deepEqual(parts.map((p) => p.to.toISOString()), ['2024-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z', '2025-07-01T00:00:00.000Z']);
  });

  it('reads how long a ban lasts from the 429 body', () => {
    const body = new TextEncoder().encode("<html><body><p>Requester banned until '2025-11-25T10:01:55.545Z'.</p></body></html>");
    assert.equal(banWait({ status: 429, headers: new Headers(), body }, Date.parse('2025-11-25T10:00:00Z')), 115_545);
    assert.equal(banWait({ status: 429, headers: new Headers(), body: new Uint8Array() }), 600_000);
  });

  it('fails fast on a bad token: a configuration error, one request, token masked in the log', async () => {
    const sim = await startEntsoeSimulator({ now: () => NOW });
    const attempts: AttemptReport[] = [];
    const window = { from: new Date('2025-11-01T23:00:00Z'), to: new Date('2025-11-02T23:00:00Z') };
    await assert.rejects(ds('day_ahead_prices').fetch(window, 'FR', ctx(sim.url, http(), attempts, 'wrong-token')), (e: unknown) => e instanceof ConfigError && /HTTP 401/.test(e.message));
    assert.equal(sim.requests(), 1);
    assert.match(attempts[0]!.url, /securityToken=\*\*\*&/);
    assert.ok(!attempts[0]!.url.includes('wrong-token'));
    await sim.close();
  });

  it('turns "no matching data" into an empty result, not an error', async () => {
    const sim = await startEntsoeSimulator({ now: () => NOW });
    // Imbalance prices are published within the hour: nothing exists yet for tomorrow.
    const window = { from: new Date(NOW.getTime() + 86_400_000), to: new Date(NOW.getTime() + 2 * 86_400_000) };
    const payload = await ds('imbalance_prices').fetch(window, 'BE', ctx(sim.url, http()));
    assert.deepEqual(parseEntsoe(payload.body).observations, []);
    await sim.close();
  });

  it('bundles the requests of a multi-year window into one ZIP that parses whole', async () => {
    const sim = await startEntsoeSimulator({ now: () => NOW });
    const window = { from: new Date('2022-12-31T23:00:00Z'), to: new Date('2025-12-31T23:00:00Z') };
    const payload = await ds('installed_capacity').fetch(window, 'BE', ctx(sim.url, http()));
    assert.equal(payload.contentType, 'application/zip');
    assert.equal(sim.requests(), 3);
    const obs = ds('installed_capacity').parse(payload.body);
    assert.deepEqual([...new Set(obs.map((o) => o.ts.toISOString()))].sort(), ['2022-12-31T23:00:00.000Z', '2023-12-31T23:00:00.000Z', '2024-12-31T23:00:00.000Z']);
    await sim.close();
  });

  it('halves a window ENTSO-E finds too large until each piece is answered, and keeps every instant exactly once', async () => {
    const window = { from: new Date('2025-08-31T22:00:00Z'), to: new Date('2025-10-10T22:00:00Z') }; // 40 days
    const whole = await startEntsoeSimulator({ now: () => NOW });
    const expected = parseEntsoe((await ds('day_ahead_prices').fetch(window, 'FR', ctx(whole.url, http()))).body).observations;
    await whole.close();
    // France went from hourly to quarter-hourly day-ahead prices on 1 October 2025.
    assert.equal(expected.length, 30 * 24 + 10 * 96);
    const sim = await startEntsoeSimulator({ now: () => NOW, maxDaysPerRequest: 15 });
    try {
      const payload = await ds('day_ahead_prices').fetch(window, 'FR', ctx(sim.url, http()));
      // 40 days refused, two of 20 refused, four of 10 answered.
      assert.equal(sim.requests(), 7);
      const got = ds('day_ahead_prices').parse(payload.body);
      assert.deepEqual(got.map((o) => [o.ts.toISOString(), o.value]), expected.map((o) => [o.ts.toISOString(), o.value]));
    } finally {
      await sim.close();
    }
  });

  it('gives up with a configuration error when even an hour is too much', async () => {
    const sim = await startEntsoeSimulator({ now: () => NOW, maxDaysPerRequest: 0.01 });
    const window = { from: new Date('2025-10-01T22:00:00Z'), to: new Date('2025-10-02T22:00:00Z') };
    try {
      await assert.rejects(ds('day_ahead_prices').fetch(window, 'FR', ctx(sim.url, http())), (e: unknown) => e instanceof ConfigError && /too much data even for 2025-10-01T22:00:00.000Z\/2025-10-01T23:00:00.000Z/.test(e.message));
    } finally {
      await sim.close();
    }
  });

  it('halves on a whole hour, and not below one hour', () => {
    const h = (s: string) => new Date(`2025-10-01T${s}:00Z`);
    assert.deepEqual(halveWindow({ from: h('00:00'), to: h('05:00') })?.map((w) => w.to.toISOString()), ['2025-10-01T02:00:00.000Z', '2025-10-01T05:00:00.000Z']);
    assert.deepEqual(halveWindow({ from: h('00:15'), to: h('02:15') })?.map((w) => w.to.toISOString()), ['2025-10-01T01:15:00.000Z', '2025-10-01T02:15:00.000Z']);
    assert.equal(halveWindow({ from: h('00:00'), to: h('01:45') }), null);
  });

  it('slows down on a 429 ban and loses no window, without hammering while banned', async () => {
    const sim = await startEntsoeSimulator({ now: () => NOW, ratePerMinute: 4, banMs: 1200 });
    const client = http({ maxAttempts: 5, maxRetryAfterMs: 5000, ratePerMinute: 6000 });
    const started = Date.now();
    const days = Array.from({ length: 6 }, (_, i) => ({ from: new Date(Date.UTC(2025, 10, 1 + i) - 3_600_000), to: new Date(Date.UTC(2025, 10, 2 + i) - 3_600_000) }));
    const results = await Promise.all(days.map((w) => ds('day_ahead_prices').fetch(w, 'FR', ctx(sim.url, client))));
    for (const r of results) assert.equal(parseEntsoe(r.body).observations.length, 96);
    assert.ok(sim.bans() >= 1, 'the simulator never banned');
    assert.ok(sim.bans() <= 3, `kept calling while banned: ${sim.bans()} refusals`);
    assert.ok(Date.now() - started >= 1000, 'did not wait for the ban to end');
    await sim.close();
  });
});

describe('ENTSO-E windows', () => {
  it('an actuals run re-reads the last day before its watermark, where ENTSO-E revises and fills in (the notes: 1–3 days)', () => {
    const load = entsoeDatasets.find((d) => d.id === 'entsoe.load_actual')!;
    const now = new Date('2025-11-05T14:30:00Z');
    const w = nextWindow(load.window, new Date('2025-11-05T14:00:00Z'), now)!;
    assert.equal(w.from.toISOString(), '2025-11-04T14:00:00.000Z');
  });
});
