// Servers going away under a running pipeline, through a loopback TCP proxy this test cuts and
// restores: the broker (NATS) and the store (MariaDB). Every window must land once, nothing may be
// dead-lettered for an outage, and nothing may reject unhandled.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import type { IngestionEvent } from '../ingestion/consumer.ts';
import { openPlatform, readConfig, startRoles, type Platform, type Roles } from '../cli/platform.ts';
import { DAY_AHEAD_COLUMNS } from '../providers/energinet/parse.ts';
import { simulatedRecords, startEnerginetSimulator } from '../providers/energinet/simulator.ts';
import { createLogger, silentLogger } from '../shared/log.ts';
import { NatsBus } from '../shared/bus/nats.ts';
import { InfrastructureUnavailableError, isInfrastructureOutage } from '../shared/errors.ts';
import { RedisCache } from '../shared/cache/redis.ts';
import { SqlStore } from '../shared/store/sql.ts';
import { startFaultProxy, type FaultProxy } from './fault-proxy.ts';
import { TEST_MYSQL_URL, freshDatabases } from '../shared/store/test-stores.ts';

const MYSQL = new URL(TEST_MYSQL_URL);
const NATS = new URL(process.env.SCALAR_TEST_NATS_URL ?? 'nats://127.0.0.1:4222');
const REDIS = new URL(process.env.SCALAR_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
const NOW = new Date('2025-11-05T14:00:00Z');
const DATASET = 'energinet.day_ahead_prices';
const dirs: string[] = [];
const databases = freshDatabases(MYSQL.href);
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);
process.on('unhandledRejection', onUnhandled);

after(async () => {
  process.off('unhandledRejection', onUnhandled);
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 90_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function expected(from: string, to: string): Map<string, number | null> {
  const out = new Map<string, number | null>();
  for (const area of ['DK1', 'DK2']) {
    for (const r of simulatedRecords('DayAheadPrices', area, new Date(from), new Date(to), NOW)) {
      const ts = `${String(r.TimeUTC)}.000Z`;
      out.set(`${area}|EUR|${ts}`, r[DAY_AHEAD_COLUMNS.valueFields.EUR] as number);
      out.set(`${area}|DKK|${ts}`, r[DAY_AHEAD_COLUMNS.valueFields.DKK] as number);
    }
  }
  return out;
}

async function stored(platform: Platform): Promise<Map<string, number | null>> {
  const rows = await platform.store.queryObservations({ dataset: DATASET });
  const out = new Map<string, number | null>();
  for (const o of rows) out.set(`${o.series.area}|${o.series.currency}|${o.ts.toISOString()}`, o.value);
  assert.equal(out.size, rows.length, 'a (series, ts) came back twice');
  return out;
}

/** 60 days in 7-day windows over both areas, on the given bus and store. */
async function run(o: { busUrl: string; storeUrl?: string; during: (landed: () => number) => Promise<void> }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'scalar-outage-'));
  dirs.push(dataDir);
  const sim = await startEnerginetSimulator({ now: () => NOW });
  const env = `outage-${randomUUID().slice(0, 8)}`;
  const config = readConfig({
    env: {},
    overrides: {
      dataDir,
      env,
      busUrl: o.busUrl,
      ...(o.storeUrl ? { storeUrl: o.storeUrl } : {}),
      acquisition: { tickMs: 50, configRefreshMs: 1000, concurrency: 2, http: { timeoutMs: 10_000, maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 50 } },
      ingestion: { batchRows: 2000, batchWaitMs: 50, maxInFlight: 8 },
      bus: { maxDeliveries: 3, redeliveryDelayMs: 50, capacity: 1000, ackWaitMs: 3000 },
    },
  });
  const platform = await openPlatform(config, process.env.OUTAGE_LOG ? createLogger('warn') : silentLogger);
  await platform.store.seedWorkerConfig([{ workerId: DATASET, environment: env, enabled: true, parameters: { backfill: 'P60D' } }]);
  const ingested: IngestionEvent[] = [];
  const roles: Roles = await startRoles(platform, {
    acquisition: true,
    ingestion: true,
    baseUrls: { energinet: sim.url },
    now: () => NOW,
    onIngestion: (e) => ingested.push(e),
    onAcquisition: (e) => process.env.OUTAGE_LOG && console.error(new Date().toISOString(), JSON.stringify(e).slice(0, 300)),
  });
  const landed = () => ingested.filter((e) => e.type === 'landed').length;
  await o.during(landed);
  const caughtUp = async () => {
    for (const p of ['DK1', 'DK2']) {
      if ((await platform.store.getWatermark(DATASET, p).catch(() => null))?.toISOString() !== '2025-11-06T23:00:00.000Z') return false;
    }
    return roles.scheduler!.busy === 0;
  };
  await until('caught up after the outage', caughtUp);
  const want = expected('2025-09-06T22:00:00Z', '2025-11-06T23:00:00Z');
  await until('every row landed', async () => {
    await roles.ingestion!.flush();
    return (await platform.store.countObservations(DATASET)) >= want.size;
  });
  assert.deepEqual(await stored(platform), want);
  assert.deepEqual((await platform.store.listDeadLetters()).map((d) => d.reason), [], 'an outage dead-lettered windows');
  assert.deepEqual(unhandled, []);
  await roles.stop();
  await platform.close();
  await sim.close();
  return ingested;
}

describe('outages under a running pipeline', () => {
  // First: a statement cut off mid-flight leaves mysql2's timer for it (30 s, not cleared when its
  // connection dies), which would otherwise hold this file's process open after its last test.
  it('MariaDB cut for 5 s while windows flow: retried until it is back, nothing dead-lettered, every window lands once', async () => {
    const proxy = await startFaultProxy({ host: MYSQL.hostname, port: Number(MYSQL.port || 3306) });
    const db = databases.name();
    try {
      const events = await run({
        busUrl: 'memory:',
        storeUrl: `mysql://${MYSQL.username || 'root'}@127.0.0.1:${proxy.port}/${db}`,
        async during(landed) {
          await until('a first window landed', () => landed() > 0);
          await proxy.set('refuse');
          await sleep(5000);
          await proxy.set('pass');
        },
      });
      assert.ok(events.some((e) => e.type === 'outage'), 'the outage was not even noticed');
    } finally {
      await proxy.close();
    }
  });

  it('NATS cut for 4 s mid-stream: the bus reconnects, acks that failed are redelivered, every window lands once', async () => {
    const proxy: FaultProxy = await startFaultProxy({ host: NATS.hostname, port: Number(NATS.port || 4222) });
    try {
      await run({
        busUrl: `nats://127.0.0.1:${proxy.port}`,
        async during(landed) {
          await until('a first window landed', () => landed() > 0);
          await proxy.set('refuse');
          await sleep(4000);
          await proxy.set('pass');
        },
      });
    } finally {
      await proxy.close();
    }
  });

  it('a publish while NATS is unreachable fails after its bound instead of hanging, and works again once it is back', async () => {
    const proxy = await startFaultProxy({ host: NATS.hostname, port: Number(NATS.port || 4222) });
    const bus = await NatsBus.open(`nats://127.0.0.1:${proxy.port}`, {
      environment: `outage-${randomUUID().slice(0, 8)}`, maxDeliveries: 3, redeliveryDelayMs: 50, ackWaitMs: 2000, maxAgeDays: 1, publishTimeoutMs: 1500,
    });
    try {
      await proxy.set('refuse');
      const started = Date.now();
      await assert.rejects(bus.publish('t', { data: new Uint8Array([1]), properties: {} }), InfrastructureUnavailableError);
      // publishTimeoutMs is 1.5 s; each attempt is cut to what is left of it.
      assert.ok(Date.now() - started < 5000, `publish took ${Date.now() - started} ms to fail`);
      await proxy.set('pass');
      await until('published again', () => bus.publish('t', { data: new Uint8Array([2]), properties: {} }).then(() => true, () => false), 30_000);
    } finally {
      await bus.close();
      await proxy.close();
    }
  });

  it('NATS black-holed (no reset, nothing answers): the bus notices within 20 s, and what was published meanwhile is handled as soon as the link is back', async () => {
    const proxy = await startFaultProxy({ host: NATS.hostname, port: Number(NATS.port || 4222) });
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) });
    const o = { environment: `outage-${randomUUID().slice(0, 8)}`, maxDeliveries: 3, redeliveryDelayMs: 50, ackWaitMs: 2000, maxAgeDays: 1 };
    const bus = await NatsBus.open(`nats://127.0.0.1:${proxy.port}`, { ...o, log });
    const direct = await NatsBus.open(NATS.toString(), o);
    const handled: string[] = [];
    try {
      await bus.subscribe(['t'], { subscription: 's', maxInFlight: 4 }, async (d) => {
        handled.push(new TextDecoder().decode(d.message.data));
        await d.ack();
      });
      await direct.publish('t', { data: new TextEncoder().encode('before'), properties: {} });
      await until('the message before the fault handled', () => handled.includes('before'), 30_000);
      await proxy.set('blackhole');
      const holedAt = Date.now();
      await direct.publish('t', { data: new TextEncoder().encode('during'), properties: {} });
      // The client's default (pings every 2 min, 2 out) noticed after up to 6 minutes; 10 s pings after up to 30 s.
      await until('the bus noticed the dead link', () => lines.some((l) => l.includes('disconnected')), 40_000);
      const noticedMs = Date.now() - holedAt;
      assert.ok(noticedMs <= 20_000, `noticed the black hole after ${noticedMs} ms`);
      await proxy.set('pass');
      const restoredAt = Date.now();
      await until('the message published during the fault handled', () => handled.includes('during'), 60_000);
      const recoveredMs = Date.now() - restoredAt;
      // Bound: the reconnect wait (1–1.5 s), a failed consumer check retried after the pull expiry
      // (5 s; the client's default 30 s) and the ack wait (2 s, for a message served into the dead link).
      assert.ok(recoveredMs <= 15_000, `handled ${recoveredMs} ms after the link came back`);
    } finally {
      await bus.close();
      await direct.close();
      await proxy.close();
      const nc = await connect({ servers: `${NATS.hostname}:${NATS.port || 4222}` });
      await (await jetstreamManager(nc)).streams.delete(`SCALAR_${o.environment.toUpperCase()}`).catch(() => undefined);
      await nc.close();
    }
  });

  it('MariaDB black-holed: a statement fails as an outage within its bound instead of hanging, and the store works once the link is back', async () => {
    const proxy = await startFaultProxy({ host: MYSQL.hostname, port: Number(MYSQL.port || 3306) });
    const db = databases.name();
    const store = await SqlStore.open(`mysql://${MYSQL.username || 'root'}@127.0.0.1:${proxy.port}/${db}`, { queryTimeoutMs: 2000, connectTimeoutMs: 3000 });
    try {
      await store.getWatermark(DATASET, 'DK1');
      await proxy.set('blackhole');
      const started = Date.now();
      const e = await store.getWatermark(DATASET, 'DK1').then(() => null, (x: unknown) => x);
      assert.ok(isInfrastructureOutage(e), `not an outage: ${String(e)}`);
      assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms to fail`);
      await proxy.set('pass');
      await until('the store answers again', () => store.getWatermark(DATASET, 'DK1').then(() => true, () => false), 30_000);
    } finally {
      await store.close();
      await proxy.close();
    }
  });

  it('Redis black-holed: a command fails as an outage once the link is silent for its bound, and the cache works once the link is back', async () => {
    const proxy = await startFaultProxy({ host: REDIS.hostname, port: Number(REDIS.port || 6379) });
    const cache = await RedisCache.open(`redis://127.0.0.1:${proxy.port}?prefix=outage-${randomUUID().slice(0, 8)}`, 3000, { silentAfterMs: 1500 });
    try {
      await cache.latest(DATASET);
      await proxy.set('blackhole');
      const started = Date.now();
      const e = await cache.latest(DATASET).then(() => null, (x: unknown) => x);
      assert.ok(isInfrastructureOutage(e), `not an outage: ${String(e)}`);
      assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms to fail`);
      await proxy.set('pass');
      await until('the cache answers again', () => cache.latest(DATASET).then(() => true, () => false), 30_000);
    } finally {
      await cache.close().catch(() => undefined);
      await proxy.close();
    }
  });

  it('scalar start exits non-zero (70) when its bus cannot go on, instead of staying up consuming nothing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'scalar-fatal-'));
    dirs.push(dataDir);
    const env = `fatal-${randomUUID().slice(0, 8)}`;
    const child = spawn(process.execPath, [fileURLToPath(new URL('../bin/scalar.js', import.meta.url)), 'start', '--role', 'ingestion'], {
      env: { ...process.env, SCALAR_ENV: env, SCALAR_DATA_DIR: dataDir, SCALAR_BUS_URL: NATS.toString(), SCALAR_LOG_LEVEL: 'error' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    let exitCode: number | null | undefined;
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r((exitCode = code))));
    const nc = await connect({ servers: `${NATS.hostname}:${NATS.port || 4222}` });
    try {
      const jsm = await jetstreamManager(nc);
      const stream = `SCALAR_${env.toUpperCase().replace(/[^A-Z0-9_-]/g, '_')}`;
      // Consuming, not only created: a pull request is waiting (the role subscribes topic by topic;
      // a consumer deleted before its loop runs fails the start with exit 1, not the case under test).
      await until('the ingestion consumer is pulling', () => {
        if (exitCode !== undefined) throw new Error(`scalar start exited (${exitCode}) before consuming: ${stderr}`);
        return jsm.consumers.info(stream, 'ingestion-energinet').then((i) => i.num_waiting > 0, () => false);
      }, 30_000);
      // An operator (or a broker losing its state) deletes the consumer the role reads from.
      await jsm.consumers.delete(stream, 'ingestion-energinet');
      // Unref'd: once the child has exited, the race's timer must not hold the file open.
      const code = await Promise.race([exited, delay(20_000, 'still running', { ref: false })]);
      assert.equal(code, 70, stderr);
      assert.match(stderr, /cannot go on/);
      await jsm.streams.delete(stream).catch(() => undefined);
    } finally {
      child.kill('SIGKILL');
      await nc.close();
    }
  });
});
