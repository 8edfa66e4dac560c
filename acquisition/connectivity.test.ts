import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ABORTED_BY_CALLER } from '../shared/http.ts';
import { computeConnectivity, percentile, type ConnectivityRow } from './connectivity.ts';

const NOW = new Date('2026-11-22T12:00:00Z');
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);
const ok = (dataset: string, minutes: number, latencyMs: number, status = 200): ConnectivityRow => ({ dataset, attempt: 1, status, latencyMs, error: null, at: ago(minutes) });
const bad = (dataset: string, minutes: number, status: number | null, error: string, latencyMs = 20): ConnectivityRow => ({ dataset, attempt: 1, status, latencyMs, error, at: ago(minutes) });

const rows: ConnectivityRow[] = [
  // alpha.prices: healthy with one throttled request in the last hour
  ok('alpha.prices', 20 * 60, 100),
  bad('alpha.prices', 3 * 60, 500, 'HTTP 500: upstream', 50),
  ok('alpha.prices', 50, 200),
  ok('alpha.prices', 40, 300),
  bad('alpha.prices', 30, 429, 'HTTP 429: slow down', 10),
  ok('alpha.prices', 10, 400, 400), // an accepted no-data answer (HTTP 400, no error) is a success
  { dataset: 'alpha.prices', attempt: 0, status: null, latencyMs: 0, error: 'SourceUnavailableError: circuit open', at: ago(5) },
  bad('alpha.prices', 1, null, ABORTED_BY_CALLER, 3), // acquisition stopping: not the provider's failure
  // alpha.load: three failed requests in the last 15 minutes
  ok('alpha.load', 120, 1000),
  bad('alpha.load', 12, null, 'SourceUnavailableError: timed out after 30000 ms', 30_000),
  bad('alpha.load', 8, 503, 'HTTP 503: maintenance', 20),
  bad('alpha.load', 4, 503, 'HTTP 503: maintenance', 30),
  // beta.flows: six failures in a row, spread out (never 3 within 15 minutes)
  ok('beta.flows', 200, 80),
  ...[105, 85, 65, 45, 25, 5].map((m) => bad('beta.flows', m, 502, 'HTTP 502: bad gateway', 15)),
];

const report = computeConnectivity(rows, {
  now: NOW,
  latencySince: ago(24 * 60),
  providerOf: (d) => d.split('.')[0]!,
  providers: ['alpha', 'beta', 'gamma'],
});
const provider = (p: string) => report.find((r) => r.provider === p)!;
const endpoint = (p: string, e: string) => provider(p).endpoints.find((x) => x.endpoint === e)!;

describe('connectivity from fetch_log rows', () => {
  it('computes availability over the last hour and day, counting accepted no-data answers as successes', () => {
    const prices = endpoint('alpha', 'alpha.prices');
    assert.deepEqual(prices.lastHour, { requests: 4, successes: 3, ratio: 0.75 });
    assert.deepEqual(prices.lastDay, { requests: 6, successes: 4, ratio: 4 / 6 });
    assert.deepEqual(provider('alpha').lastHour, { requests: 7, successes: 3, ratio: 3 / 7 });
    assert.deepEqual(provider('alpha').lastDay, { requests: 10, successes: 5, ratio: 0.5 });
  });

  it('gives nearest-rank latency percentiles of answered requests only', () => {
    // answered: 10 50 100 200 300 400 → p50 = 3rd, p95 = p99 = 6th
    assert.deepEqual(endpoint('alpha', 'alpha.prices').latencyMs, { p50: 100, p95: 400, p99: 400, answered: 6 });
    // the 30 s timeout got no answer and is left out: 20 30 1000
    assert.deepEqual(endpoint('alpha', 'alpha.load').latencyMs, { p50: 30, p95: 1000, p99: 1000, answered: 3 });
  });

  it('reports the last success, the last error with its status and message, and the failures since', () => {
    const prices = endpoint('alpha', 'alpha.prices');
    assert.deepEqual(prices.lastSuccess, ago(10));
    assert.deepEqual(prices.lastError, { at: ago(30), status: 429, message: 'HTTP 429: slow down' });
    assert.equal(prices.consecutiveFailures, 0, 'neither the attempt-0 row (no request sent) nor the aborted one is a failure of the provider');
    const load = endpoint('alpha', 'alpha.load');
    assert.deepEqual(load.lastSuccess, ago(120));
    assert.deepEqual(load.lastError, { at: ago(4), status: 503, message: 'HTTP 503: maintenance' });
    assert.equal(load.consecutiveFailures, 3);
    assert.equal(provider('alpha').consecutiveFailures, 2);
    assert.equal(provider('beta').consecutiveFailures, 6);
  });

  it('calls down: nothing succeeded in 15 minutes over ≥ 3 requests, or ≥ 5 failures in a row', () => {
    assert.equal(endpoint('alpha', 'alpha.load').status, 'down', '3 requests in 15 min, none succeeded');
    assert.equal(endpoint('alpha', 'alpha.prices').status, 'up');
    assert.equal(provider('alpha').status, 'up', 'one of its endpoints still answers');
    assert.equal(provider('beta').status, 'down', '6 failures in a row');
    assert.deepEqual([provider('gamma').status, provider('gamma').lastHour.ratio, provider('gamma').latencyMs, provider('gamma').endpoints], ['idle', null, null, []]);
    assert.deepEqual(report.map((r) => r.provider), ['alpha', 'beta', 'gamma']);
  });

  it('limits latency to the requested span', () => {
    const recent = computeConnectivity(rows, { now: NOW, latencySince: ago(60), providerOf: (d) => d.split('.')[0]! });
    assert.deepEqual(recent.find((r) => r.provider === 'alpha')!.endpoints.find((e) => e.endpoint === 'alpha.prices')!.latencyMs, { p50: 200, p95: 400, p99: 400, answered: 4 });
  });

  it('takes percentiles by nearest rank', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.deepEqual([percentile(hundred, 50), percentile(hundred, 95), percentile(hundred, 99)], [50, 95, 99]);
    assert.equal(percentile([7], 99), 7);
    assert.throws(() => percentile([], 50), RangeError);
  });
});
