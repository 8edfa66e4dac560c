// Acquisition and ingestion as two processes over NATS, MariaDB and Redis, against the Energinet
// simulator; the ingestion process is killed with SIGKILL mid-stream and started again.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { simulatedRecords, startEnerginetSimulator } from '../providers/energinet/simulator.ts';
import { SqlStore } from '../shared/store/sql.ts';
import { TEST_MYSQL_URL, freshDatabases } from '../shared/store/test-stores.ts';

const bin = fileURLToPath(new URL('../bin/scalar.js', import.meta.url));
const MYSQL = TEST_MYSQL_URL;
const NATS = process.env.SCALAR_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const REDIS = process.env.SCALAR_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATASET = 'energinet.day_ahead_prices';

const databases = freshDatabases(MYSQL);
const db = databases.name();
const env = `proc-${randomUUID().slice(0, 8)}`;
const dataDir = mkdtempSync(join(tmpdir(), 'scalar-proc-'));
const children: ChildProcess[] = [];

after(async () => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

function start(role: string, simUrl: string): ChildProcess {
  const child = spawn(process.execPath, [bin, 'start', '--role', role], {
    env: {
      ...process.env,
      SCALAR_ENV: env,
      SCALAR_DATA_DIR: dataDir,
      SCALAR_STORE_URL: `${MYSQL}/${db}`,
      SCALAR_BUS_URL: NATS,
      SCALAR_CACHE_URL: REDIS,
      SCALAR_ENERGINET_URL: simUrl,
      SCALAR_LOG_LEVEL: 'warn',
      SCALAR_INGEST_BATCH_WAIT_MS: '200',
      SCALAR_ACQUISITION_TICK_MS: '100',
      SCALAR_BUS_ACK_WAIT_MS: '3000',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  return child;
}

async function until(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the demo on the real servers', () => {
  it('runs over NATS, MariaDB and Redis, and scalar query reads its rows back from MariaDB', () => {
    const demoDb = databases.name();
    const envs = { ...process.env, SCALAR_BUS_URL: NATS, SCALAR_STORE_URL: `${MYSQL}/${demoDb}`, SCALAR_CACHE_URL: REDIS, SCALAR_LOG_LEVEL: 'error' };
    const demo = spawnSync(process.execPath, [bin, 'demo', '--duration', '5', '--data-dir', dataDir], { env: envs, encoding: 'utf8', timeout: 60_000 });
    assert.equal(demo.status, 0, demo.stderr);
    const q = spawnSync(process.execPath, [bin, 'query', 'energinet.day_ahead_prices', '--where', 'area=DK1', '--where', 'currency=EUR'], { env: envs, encoding: 'utf8' });
    assert.equal(q.status, 0, q.stderr);
    const rows = q.stdout.trim().split('\n').map((l) => JSON.parse(l) as { ts: string; value: number });
    assert.ok(rows.length >= 96, `only ${rows.length} rows`);
    assert.equal(new Set(rows.map((r) => r.ts)).size, rows.length);
  });
});

describe('acquisition and ingestion as separate processes', () => {
  it('lands every window exactly once although ingestion is killed with SIGKILL mid-stream', async () => {
    const sim = await startEnerginetSimulator();
    const store = await SqlStore.open(`${MYSQL}/${db}`);
    await store.seedWorkerConfig([{ workerId: DATASET, environment: env, enabled: true, parameters: { backfill: 'P40D' } }]);
    const acquisition = start('acquisition', sim.url);
    let ingestion = start('ingestion', sim.url);
    const landed = async () => (await store.listFetchLog({ dataset: DATASET, limit: 1000 })).filter((l) => l.error === null && l.rows !== null).length;
    await until('a first landed window', async () => (await landed()) >= 1);
    ingestion.kill('SIGKILL');
    await new Promise((r) => ingestion.once('exit', r));
    ingestion = start('ingestion', sim.url);
    // 40 days in 7-day windows per area, two areas; the acquisition may re-read the lookback on cadence.
    await until('every fetched window landed', async () => {
      const log = (await store.listFetchLog({ dataset: DATASET, limit: 1000 })).filter((l) => l.error === null);
      const marks = await store.listWatermarks();
      return marks.length === 2 && log.length >= 12 && log.every((l) => l.rows !== null);
    }, 90_000);
    const marks = await store.listWatermarks();
    const log = (await store.listFetchLog({ dataset: DATASET, limit: 1000 })).filter((l) => l.error === null);
    const from = new Date(Math.min(...log.map((l) => l.windowFrom.getTime())));
    let expected = 0;
    for (const m of marks) expected += simulatedRecords('DayAheadPrices', m.partition, from, m.watermark).length * 2;
    assert.equal(await store.countObservations(DATASET), expected);
    const rows = await store.queryObservations({ dataset: DATASET, where: { area: 'DK1', currency: 'EUR' } });
    assert.equal(new Set(rows.map((r) => r.ts.getTime())).size, rows.length);
    for (const c of [acquisition, ingestion]) c.kill('SIGTERM');
    await Promise.all([acquisition, ingestion].map((c) => new Promise((r) => (c.exitCode === null ? c.once('exit', r) : r(null)))));
    await store.close();
    await sim.close();
  });
});
