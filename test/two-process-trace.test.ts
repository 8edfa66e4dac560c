// Acquisition and ingestion as two `scalar start` processes over NATS, MariaDB and Redis, both
// exporting to one in-process OTLP receiver: a window's trace id spans both processes, and each
// role answers /healthz, /readyz and /metrics on its health port.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { startEnerginetSimulator } from '../providers/energinet/simulator.ts';
import { prometheusName } from '../shared/metrics.ts';
import { SqlStore } from '../shared/store/sql.ts';
import { startOtlpReceiver } from './otlp-receiver.ts';
import { TEST_MYSQL_URL, freshDatabases } from '../shared/store/test-stores.ts';

const bin = fileURLToPath(new URL('../bin/scalar.js', import.meta.url));
const MYSQL = TEST_MYSQL_URL;
const NATS = process.env.SCALAR_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const REDIS = process.env.SCALAR_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATASET = 'energinet.day_ahead_prices';

const db = freshDatabases(MYSQL).name();
const env = `otel-${randomUUID().slice(0, 8)}`;
const dataDir = mkdtempSync(join(tmpdir(), 'scalar-otel-proc-'));
const children: ChildProcess[] = [];

after(async () => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

async function until(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('one trace across two processes over NATS', () => {
  it('continues the acquisition trace in ingestion, and both roles answer their health endpoints', async () => {
    const receiver = await startOtlpReceiver();
    const sim = await startEnerginetSimulator();
    const store = await SqlStore.open(`${MYSQL}/${db}`);
    await store.seedWorkerConfig([{ workerId: DATASET, environment: env, enabled: true, parameters: { backfill: 'P10D' } }]);
    const ports = { acquisition: await freePort(), ingestion: await freePort() };
    const start = (role: 'acquisition' | 'ingestion') => {
      const child = spawn(process.execPath, [bin, 'start', '--role', role], {
        env: {
          ...process.env,
          SCALAR_ENV: env,
          SCALAR_DATA_DIR: dataDir,
          SCALAR_STORE_URL: `${MYSQL}/${db}`,
          SCALAR_BUS_URL: NATS,
          SCALAR_CACHE_URL: REDIS,
          SCALAR_ENERGINET_URL: sim.url,
          SCALAR_LOG_LEVEL: 'warn',
          SCALAR_INGEST_BATCH_WAIT_MS: '200',
          SCALAR_ACQUISITION_TICK_MS: '100',
          SCALAR_HEALTH_PORT: String(ports[role]),
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          OTEL_SERVICE_NAME: `scalar-${role}`,
          OTEL_METRIC_EXPORT_INTERVAL: '1000',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      children.push(child);
      return child;
    };
    const acquisition = start('acquisition');
    const ingestion = start('ingestion');
    const get = (role: keyof typeof ports, path: string) => fetch(`http://127.0.0.1:${ports[role]}${path}`);

    await until('both roles ready', async () => (await get('acquisition', '/readyz')).status === 200 && (await get('ingestion', '/readyz')).status === 200);
    for (const role of ['acquisition', 'ingestion'] as const) {
      assert.equal((await get(role, '/healthz')).status, 200);
      const ready = (await (await get(role, '/readyz')).json()) as { status: string; checks: Record<string, string> };
      assert.deepEqual(ready, { status: 'ready', checks: { bus: 'ok', store: 'ok', cache: 'ok', [role]: 'ok' } });
    }
    await until('a landed window', async () => (await store.listFetchLog({ dataset: DATASET, limit: 100 })).some((l) => l.rows !== null && l.rows !== undefined));
    // Prometheus text of the same instruments: the acquisition's fetches, the ingestion's rows and backlog.
    await until('metrics on /metrics', async () => {
      const a = await (await get('acquisition', '/metrics')).text();
      const i = await (await get('ingestion', '/metrics')).text();
      return a.includes('scalar_fetch_requests_total{') && a.includes('scalar_dataset_lag{') && i.includes('scalar_ingest_rows_total{') && i.includes('scalar_bus_backlog{');
    });
    assert.equal((await get('ingestion', '/nothing')).status, 404);
    // The dashboards' name for the same counter (OTLP → Prometheus adds the suffixes).
    assert.equal(prometheusName('scalar.ingest.rows'), 'scalar_ingest_rows_total');

    for (const c of [acquisition, ingestion]) c.kill('SIGTERM');
    await Promise.all([acquisition, ingestion].map((c) => new Promise((r) => (c.exitCode === null ? c.once('exit', r) : r(null)))));
    assert.equal(acquisition.exitCode, 0);
    assert.equal(ingestion.exitCode, 0);

    const producer = receiver.spans.filter((s) => s.service === 'scalar-acquisition' && s.name.startsWith('publish '));
    const consumer = receiver.spans.filter((s) => s.service === 'scalar-ingestion' && s.name.startsWith('process '));
    assert.ok(producer.length > 0 && consumer.length > 0, `spans: ${receiver.spans.length}`);
    const joined = consumer.filter((c) => producer.some((p) => p.traceId === c.traceId && p.spanId === c.parentSpanId));
    assert.ok(joined.length > 0, 'no ingestion span continues an acquisition trace');
    const trace = receiver.spans.filter((s) => s.traceId === joined[0]!.traceId);
    assert.deepEqual(new Set(trace.map((s) => s.service)), new Set(['scalar-acquisition', 'scalar-ingestion']));
    assert.ok(trace.some((s) => s.name === 'GET') && trace.some((s) => s.name.startsWith('land ')));
    // Both flushed their metrics and (on SIGTERM) their last spans.
    assert.ok(receiver.metricNames.has('scalar.fetch.requests') && receiver.metricNames.has('scalar.ingest.rows'));

    await store.close();
    await sim.close();
    await receiver.close();
  });
});
