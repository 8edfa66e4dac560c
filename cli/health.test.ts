// `scalar health` on an embedded store with planted fetch_log rows: the figures and the exit code.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { DuckDbStore } from '../shared/store/duckdb.ts';
import type { FetchLogEntry } from '../shared/store/types.ts';
import { parseSpan } from './health.ts';

const bin = fileURLToPath(new URL('../bin/scalar.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'scalar-health-'));
const scalar = (...args: string[]) => spawnSync(process.execPath, [bin, 'health', '--data-dir', dir, ...args], { encoding: 'utf8', env: { ...process.env, SCALAR_LOG_LEVEL: 'error' }, timeout: 60_000 });
after(() => rmSync(dir, { recursive: true, force: true }));

before(async () => {
  // Minutes before now: the CLI runs seconds later, and no row sits near a span's edge.
  const now = Date.now();
  const entry = (dataset: string, minutesAgo: number, status: number | null, latencyMs: number, error: string | null): FetchLogEntry => ({
    runId: `run-${dataset}-${minutesAgo}`, dataset, partition: 'DK1', windowFrom: new Date('2026-11-20T23:00:00Z'), windowTo: new Date('2026-11-21T23:00:00Z'),
    url: 'https://api.example/dataset?token=***', attempt: 1, status, latencyMs, bytes: 100, error, at: new Date(now - minutesAgo * 60_000),
  });
  const store = await DuckDbStore.open(join(dir, 'scalar.duckdb'));
  await store.appendFetchLog([
    // energinet: 4 requests in the last hour, 3 answered 200, one 500; one more 5 hours ago
    entry('energinet.day_ahead_prices', 300, 200, 90, null),
    entry('energinet.day_ahead_prices', 45, 200, 120, null),
    entry('energinet.day_ahead_prices', 35, 500, 40, 'HTTP 500: internal error'),
    entry('energinet.day_ahead_prices', 25, 200, 150, null),
    entry('energinet.elspot_prices', 20, 200, 60, null),
    // entsoe: answered until 2 hours ago, then five failed requests in a row
    entry('entsoe.day_ahead_prices', 120, 200, 700, null),
    ...[110, 90, 70, 50, 30].map((m) => entry('entsoe.day_ahead_prices', m, 503, 30, 'HTTP 503: Service Unavailable')),
  ]);
  await store.close();
});

type Json = {
  providers: {
    provider: string;
    status: string;
    availability: { lastHour: { requests: number; successes: number; ratio: number | null }; lastDay: { requests: number; successes: number; ratio: number | null } };
    latencyMs: { p50: number; p95: number; p99: number } | null;
    consecutiveFailures: number;
    lastError: { status: number | null; message: string } | null;
    endpoints: { endpoint: string; status: string; latencyMs: { p50: number; p95: number; p99: number } | null }[];
  }[];
};

describe('scalar health', () => {
  it('reports availability, latency and the last error per provider and dataset as JSON, and exits 3 when a provider is down', () => {
    const r = scalar('--format', 'json');
    assert.equal(r.status, 3, r.stderr);
    const report = JSON.parse(r.stdout) as Json;
    const energinet = report.providers.find((p) => p.provider === 'energinet')!;
    assert.equal(energinet.status, 'up');
    assert.deepEqual(energinet.availability.lastHour, { requests: 4, successes: 3, ratio: 0.75 });
    assert.deepEqual(energinet.availability.lastDay, { requests: 5, successes: 4, ratio: 0.8 });
    // 24 h of answered latencies: 40 60 90 120 150 → p50 3rd, p95/p99 5th
    assert.deepEqual(energinet.latencyMs, { p50: 90, p95: 150, p99: 150, answered: 5 });
    assert.deepEqual(energinet.lastError && { status: energinet.lastError.status, message: energinet.lastError.message }, { status: 500, message: 'HTTP 500: internal error' });
    assert.deepEqual(energinet.endpoints.map((e) => [e.endpoint, e.status]), [['energinet.day_ahead_prices', 'up'], ['energinet.elspot_prices', 'up']]);
    const entsoe = report.providers.find((p) => p.provider === 'entsoe')!;
    assert.equal(entsoe.status, 'down');
    assert.equal(entsoe.consecutiveFailures, 5);
    assert.deepEqual(entsoe.availability.lastHour, { requests: 2, successes: 0, ratio: 0 });
  });

  it('exits 0 when the selected providers are up, and narrows the latency span with --since', () => {
    const r = scalar('--provider', 'energinet', '--since', '1h', '--format', 'json');
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as Json;
    assert.deepEqual(report.providers.map((p) => p.provider), ['energinet']);
    // last hour only: 40 60 120 150
    assert.deepEqual(report.providers[0]!.latencyMs, { p50: 60, p95: 150, p99: 150, answered: 4 });
    assert.deepEqual(report.providers[0]!.availability.lastDay, { requests: 5, successes: 4, ratio: 0.8 }, 'the day is always a day');
  });

  it('prints a table with a line per provider and per dataset', () => {
    const r = scalar();
    assert.equal(r.status, 3);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0]!, /^provider\s+endpoint\s+status\s+avail 1h\s+avail 24h\s+p50\/p95\/p99 ms\s+last success\s+fails in a row\s+last error/);
    assert.match(lines.find((l) => /^energinet\s+\(all\)/.test(l))!, /up\s+75\.0% of 4\s+80\.0% of 5\s+90\/150\/150/);
    assert.match(lines.find((l) => /^entsoe\s+entsoe\.day_ahead_prices/.test(l))!, /down\s+0\.0% of 2\s+16\.7% of 6\s+.*\s5\s+\S+Z 503 HTTP 503: Service Unavailable$/);
  });

  it('refuses an unknown provider or span', () => {
    assert.match(scalar('--provider', 'nope').stderr, /unknown provider nope/);
    assert.match(scalar('--since', '1 hour').stderr, /expected a span like 30m, 1h or 7d/);
    assert.deepEqual([parseSpan('90s'), parseSpan('30m'), parseSpan('7d')], [90_000, 1_800_000, 604_800_000]);
  });
});
