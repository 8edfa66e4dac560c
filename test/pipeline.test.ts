// End to end on embedded defaults: simulator → acquisition → bus → ingestion → store and cache.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { AcquisitionEvent } from '../acquisition/scheduler.ts';
import type { IngestionEvent } from '../ingestion/consumer.ts';
import { reprocess } from '../ingestion/reprocess.ts';
import { findDataset } from '../providers/index.ts';
import { annotateZones } from '../providers/zones.ts';
import { simulatedRecords, startEnerginetSimulator, type EnerginetSimulator } from '../providers/energinet/simulator.ts';
import { DAY_AHEAD_COLUMNS } from '../providers/energinet/parse.ts';
import { openPlatform, readConfig, startRoles, type Platform, type Roles } from '../cli/platform.ts';
import { silentLogger } from '../shared/log.ts';
import { rawProperties, sha256Hex } from '../shared/raw-message.ts';
import type { FaultPlan } from '../shared/simulator.ts';
import type { GapRepairOptions } from '../completeness/repair.ts';
import mysql from 'mysql2/promise';
import { TEST_MYSQL_URL, freshDatabases } from '../shared/store/test-stores.ts';

const NOW = new Date('2025-11-05T14:00:00Z'); // after 13:00 in Copenhagen: tomorrow's prices are out
const DATASET = 'energinet.day_ahead_prices';
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

type Run = {
  platform: Platform;
  roles: Roles;
  sim: EnerginetSimulator;
  acquired: AcquisitionEvent[];
  ingested: IngestionEvent[];
  stop(): Promise<void>;
};

/** The store of a data directory, opened on its own (after a pipeline closed it). */
async function reopen(dataDir: string): Promise<Platform> {
  dirs.push(dataDir);
  return openPlatform(readConfig({ env: {}, overrides: { dataDir } }), silentLogger);
}

async function startPipeline(o: {
  dataDir?: string; backfill: string; faults?: Partial<FaultPlan>; sim?: EnerginetSimulator; http?: object; partitions?: string[]; ingestion?: boolean;
  storeUrl?: string; gapRepair?: Partial<GapRepairOptions>;
}): Promise<Run> {
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'scalar-e2e-'));
  dirs.push(dataDir);
  const sim = o.sim ?? (await startEnerginetSimulator({ now: () => NOW }));
  if (o.faults) sim.setFaults(o.faults);
  const config = readConfig({
    env: {},
    overrides: {
      dataDir,
      env: 'test',
      ...(o.storeUrl ? { storeUrl: o.storeUrl } : {}),
      acquisition: {
        tickMs: 20,
        configRefreshMs: 50,
        concurrency: 4,
        // A loaded machine can take longer than a few hundred ms to answer on loopback; a timed-out
        // attempt is a real extra fetch_log row, so only the fault test (slow answers) times out early.
        http: { timeoutMs: 10_000, maxAttempts: 8, initialDelayMs: 5, maxDelayMs: 40, breakerThreshold: 1000, breakerHalfOpenAfterMs: 100, ...o.http },
      },
      ingestion: { batchRows: 20_000, batchWaitMs: 30, maxInFlight: 16 },
      bus: { maxDeliveries: 3, redeliveryDelayMs: 20, capacity: 100 },
    },
  });
  const platform = await openPlatform(config, silentLogger);
  await platform.store.seedWorkerConfig([
    { workerId: DATASET, environment: 'test', enabled: true, parameters: { backfill: o.backfill, ...(o.partitions ? { partitions: o.partitions } : {}) } },
  ]);
  const acquired: AcquisitionEvent[] = [];
  const ingested: IngestionEvent[] = [];
  const roles = await startRoles(platform, {
    acquisition: true,
    ingestion: o.ingestion ?? true,
    baseUrls: { energinet: sim.url },
    now: () => NOW,
    onAcquisition: (e) => acquired.push(e),
    onIngestion: (e) => ingested.push(e),
    ...(o.gapRepair ? { gapRepair: o.gapRepair } : {}),
  });
  return {
    platform, roles, sim, acquired, ingested,
    async stop() {
      await roles.stop();
      await platform.close();
      if (!o.sim) await sim.close();
    },
  };
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const caughtUp = (run: Run, partitions = ['DK1', 'DK2']) => async () => {
  for (const p of partitions) {
    if ((await run.platform.store.getWatermark(DATASET, p))?.toISOString() !== '2025-11-06T23:00:00.000Z') return false;
  }
  return !(await run.roles.scheduler!.pending()) && run.roles.scheduler!.busy === 0;
};

/** Every value the simulator serves over [from, to), keyed like the store rows. */
function expected(from: string, to: string, areas = ['DK1', 'DK2']): Map<string, number | null> {
  const out = new Map<string, number | null>();
  for (const area of areas) {
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

describe('pipeline on embedded defaults', () => {
  const databases = freshDatabases();

  it('restores a day of rows deleted behind its back, by itself: the audit finds the holes and gap repair re-fetches that day', async () => {
    // MariaDB, so the rows can be deleted from outside while the platform runs; the clock stands still
    // at NOW, so once caught up the regular worker never fetches again: only gap repair can bring them back.
    const base = TEST_MYSQL_URL;
    const db = databases.name();
    const u = new URL(base);
    const admin = await mysql.createConnection({ host: u.hostname, port: Number(u.port), user: u.username || 'root', password: decodeURIComponent(u.password) });
    try {
      const run = await startPipeline({
        backfill: 'P3D', partitions: ['DK1'], storeUrl: `${base}/${db}`,
        gapRepair: { auditEveryMs: 200, baseDelayMs: 100, maxDelayMs: 400, maxAttempts: 5 },
      });
      await until('DK1 caught up', caughtUp(run, ['DK1']), 60_000);
      await run.roles.ingestion!.flush();
      const want = expected('2025-11-03T23:00:00Z', '2025-11-06T23:00:00Z', ['DK1']);
      await until('first landing', async () => (await stored(run.platform)).size === want.size, 60_000);
      const fetchesBefore = (await run.platform.store.listFetchLog({ dataset: DATASET })).length;

      // Delivery day 2025-11-04 in Copenhagen: 96 quarter-hours × 2 currencies.
      const [deleted] = await admin.query(`DELETE FROM \`${db}\`.observations WHERE dataset = ? AND ts >= '2025-11-03 23:00:00' AND ts < '2025-11-04 23:00:00'`, [DATASET]);
      assert.equal((deleted as { affectedRows: number }).affectedRows, 192);

      await until('the deleted day restored', async () => (await stored(run.platform)).size === want.size, 90_000);
      assert.deepEqual(await stored(run.platform), want);
      // Gap repair fetched again, only the deleted day's window; the ledger closes over it.
      const log = await run.platform.store.listFetchLog({ dataset: DATASET });
      const again = log.slice(0, log.length - fetchesBefore).filter((l) => l.status === 200);
      assert.ok(again.length >= 1, 'no re-fetch was logged');
      assert.ok(again.every((l) => l.windowFrom.toISOString() === '2025-11-03T23:00:00.000Z' && l.windowTo.toISOString() === '2025-11-04T23:00:00.000Z'), JSON.stringify(again.map((l) => [l.windowFrom, l.windowTo])));
      await until('the ledger closed', async () => {
        const [day] = await run.platform.store.listLedger({ dataset: DATASET, partition: 'DK1', fromDay: '2025-11-04', toDay: '2025-11-04' });
        return day !== undefined && day.missing === 0 && day.present === day.expected;
      }, 30_000);
      await run.stop();
    } finally {
      await admin.end();
    }
  });
  it('lands exactly what the simulator served: every row once, values exact, cache refreshed', async () => {
    const run = await startPipeline({ backfill: 'P3D' });
    await until('both areas caught up', caughtUp(run));
    await run.roles.ingestion!.flush();
    await until('landing', () => run.ingested.filter((e) => e.type === 'landed').length === 2);
    const want = expected('2025-11-03T23:00:00Z', '2025-11-06T23:00:00Z');
    assert.equal(want.size, 3 * 96 * 2 * 2);
    assert.deepEqual(await stored(run.platform), want);
    // the latest value per series is tomorrow's last quarter-hour
    const latest = await run.platform.cache.latest(DATASET);
    assert.equal(latest.length, 4);
    assert.ok(latest.every((l) => l.ts.toISOString() === '2025-11-06T22:45:00.000Z'));
    assert.equal(latest.find((l) => l.seriesKey === 'area=DK2;currency=EUR;zone=DK2')?.value, want.get('DK2|EUR|2025-11-06T22:45:00.000Z'));
    // fetch_log knows each request and the rows its window landed
    const log = await run.platform.store.listFetchLog({ dataset: DATASET });
    assert.deepEqual(log.map((l) => [l.partition, l.status, l.rows]).sort(), [['DK1', 200, 576], ['DK2', 200, 576]]);
    await run.stop();
  });

  it('resumes from the watermark after a restart, without gaps or duplicates', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'scalar-restart-'));
    const sim = await startEnerginetSimulator({ now: () => NOW });
    // 20 days in 7-day windows: three windows per area. Stop after the first has landed.
    const first = await startPipeline({ dataDir, backfill: 'P20D', sim, partitions: ['DK1'] });
    await until('a first window', () => first.ingested.some((e) => e.type === 'landed'));
    await first.stop();
    const second = await startPipeline({ dataDir, backfill: 'P20D', sim, partitions: ['DK1'] });
    await until('caught up', caughtUp(second, ['DK1']));
    await second.roles.ingestion!.flush();
    const log = await second.platform.store.listFetchLog({ dataset: DATASET, limit: 1000 });
    const windows = log.map((l) => `${l.windowFrom.toISOString()}/${l.windowTo.toISOString()}`).sort();
    // the three windows, each fetched once across both runs: no re-fetch from scratch, no gap
    assert.deepEqual(windows, [
      '2025-10-17T22:00:00.000Z/2025-10-24T22:00:00.000Z',
      '2025-10-24T22:00:00.000Z/2025-10-31T23:00:00.000Z',
      '2025-10-31T23:00:00.000Z/2025-11-06T23:00:00.000Z',
    ]);
    assert.deepEqual(await stored(second.platform), expected('2025-10-17T22:00:00Z', '2025-11-06T23:00:00Z', ['DK1']));
    await second.stop();
    await sim.close();
  });

  it('lands from the raw archive, after a crash, the windows the in-process bus lost, without fetching them again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'scalar-crash-'));
    const sim = await startEnerginetSimulator({ now: () => NOW });
    // "Crash": acquisition publishes, nothing ingests, and the process ends without draining the bus.
    const first = await startPipeline({ dataDir, backfill: 'P3D', sim, partitions: ['DK1'], ingestion: false });
    await until('published', caughtUp(first, ['DK1']));
    await first.roles.stop();
    await first.platform.close();
    const check = await reopen(dataDir);
    assert.equal((await stored(check)).size, 0, 'nothing landed before the crash');
    await check.close();
    const requests = sim.requests();
    const second = await startPipeline({ dataDir, backfill: 'P3D', sim, partitions: ['DK1'] });
    await until('the lost window landed', async () => second.ingested.some((e) => e.type === 'landed'));
    await second.roles.ingestion!.flush();
    assert.deepEqual(await stored(second.platform), expected('2025-11-03T23:00:00Z', '2025-11-06T23:00:00Z', ['DK1']));
    assert.equal(sim.requests(), requests, 'the provider was asked again');
    const log = await second.platform.store.listFetchLog({ dataset: DATASET });
    assert.deepEqual(log.map((l) => [l.status, l.rows]), [[200, 3 * 96 * 2]], 'one fetch, marked landed');
    await second.stop();
    await sim.close();
  });

  it('lands every window although half of the requests fail, and logs the failures', async () => {
    const run = await startPipeline({
      backfill: 'P30D',
      faults: { rates: { rateLimit: 0.1, serverError: 0.1, unavailable: 0.1, slow: 0.05, truncated: 0.1, malformed: 0.05 }, retryAfterSeconds: 0, slowMs: 6000, seed: 42 },
      http: { maxAttempts: 20, timeoutMs: 2000 },
    });
    await until('caught up despite faults', caughtUp(run), 60_000);
    await run.roles.ingestion!.flush();
    assert.deepEqual(await stored(run.platform), expected('2025-10-07T22:00:00Z', '2025-11-06T23:00:00Z'));
    const log = await run.platform.store.listFetchLog({ dataset: DATASET, limit: 1000 });
    const { ok, ...faults } = run.sim.faults.served;
    const faultCount = Object.values(faults).reduce((a, b) => a + b, 0);
    assert.ok(faultCount >= 3, `the simulator served only ${faultCount} faults`);
    // every fault the simulator served is a failed request in fetch_log, every good answer a success
    assert.equal(log.filter((l) => l.error !== null).length, faultCount);
    assert.equal(log.filter((l) => l.error === null).length, ok);
    assert.equal(log.filter((l) => l.status === 429).length, faults.rateLimit);
    assert.ok(log.filter((l) => l.error !== null).every((l) => l.rows === null));
    await run.stop();
  });

  it('dead-letters a payload that does not parse, keeps its bytes, and lands the rest', async () => {
    const run = await startPipeline({ backfill: 'P3D', partitions: ['DK1'] });
    const body = new TextEncoder().encode('{"total": 1, "records": [{"TimeUTC": "yesterday"}]}');
    const sha256 = sha256Hex(body);
    const window = { from: new Date('2025-11-01T23:00:00Z'), to: new Date('2025-11-02T23:00:00Z') };
    await run.platform.bus.publish('energinet', {
      data: body,
      key: DATASET,
      properties: rawProperties({ provider: 'energinet', dataset: DATASET, partition: 'DK1', window, runId: 'bad-run', fetchedAt: NOW, contentType: 'application/json', sha256 }),
    });
    await run.platform.bus.publish('energinet', { data: new TextEncoder().encode('x'), properties: { schema: 'nope' } });
    await until('caught up', caughtUp(run, ['DK1']));
    await until('two dead letters recorded', async () => (await run.platform.store.listDeadLetters()).length === 2);
    const dead = await run.platform.store.listDeadLetters();
    const parseFailure = dead.find((d) => d.runId === 'bad-run');
    assert.match(parseFailure!.reason, /ParseError: DayAheadPrices record 0: TimeUTC is not a timestamp: "yesterday"/);
    assert.equal(parseFailure!.windowFrom?.toISOString(), window.from.toISOString());
    assert.ok(dead.some((d) => /invalid raw message/.test(d.reason)));
    assert.deepEqual(await run.platform.archive.get(sha256), body);
    await run.roles.ingestion!.flush();
    assert.equal((await stored(run.platform)).size, 3 * 96 * 2);
    await run.stop();
  });

  it('dead-letters implausible values instead of storing them', async () => {
    const run = await startPipeline({ backfill: 'P3D', partitions: ['DK1'] });
    const records = [{ TimeUTC: '2025-11-02T00:00:00', PriceArea: 'DK1', DayAheadPriceEUR: 99999, DayAheadPriceDKK: 1 }];
    const body = new TextEncoder().encode(JSON.stringify({ total: 1, dataset: 'DayAheadPrices', records }));
    await run.platform.bus.publish('energinet', {
      data: body,
      properties: rawProperties({ provider: 'energinet', dataset: DATASET, partition: 'DK1', window: { from: new Date('2025-11-01T23:00:00Z'), to: new Date('2025-11-02T23:00:00Z') }, runId: 'implausible', fetchedAt: NOW, contentType: 'application/json', sha256: sha256Hex(body) }),
    });
    await until('dead letter', async () => (await run.platform.store.listDeadLetters()).length === 1);
    assert.match((await run.platform.store.listDeadLetters())[0]!.reason, /ValidationError: 1 implausible observation\(s\).*99999 EUR\/MWh outside the plausible range/);
    await until('caught up', caughtUp(run, ['DK1']));
    await run.stop();
  });

  it('re-parses kept payloads with reprocess, without calling the provider', async () => {
    const run = await startPipeline({ backfill: 'P3D' });
    await until('caught up', caughtUp(run));
    await run.roles.ingestion!.flush();
    const requests = run.sim.requests();
    const want = await stored(run.platform);
    await run.roles.stop();
    // wipe what was landed, then rebuild it from the kept raw payloads
    const ds = findDataset(DATASET);
    // As `scalar reprocess` does: the zone dimension ingestion added, or the series keys would differ.
    const result = await reprocess({ store: run.platform.store, archive: run.platform.archive, annotateZones: annotateZones(() => undefined) }, ds, {}, { batchRows: 500 });
    assert.deepEqual([result.payloads, result.rows, result.failed.length], [2, 1152, 0]);
    assert.deepEqual(await stored(run.platform), want);
    assert.equal(run.sim.requests(), requests);
    await run.platform.close();
    await run.sim.close();
  });

  it('lets two acquisition roles share the work without fetching a window twice (lease)', async () => {
    const run = await startPipeline({ backfill: 'P30D' });
    const second = await startRoles(run.platform, { acquisition: true, ingestion: false, baseUrls: { energinet: run.sim.url }, now: () => NOW });
    await until('caught up', caughtUp(run));
    await until('second scheduler idle', async () => second.scheduler!.busy === 0);
    await run.roles.ingestion!.flush();
    const log = (await run.platform.store.listFetchLog({ dataset: DATASET, limit: 1000 })).filter((l) => l.error === null);
    const windows = log.map((l) => `${l.partition} ${l.windowFrom.toISOString()}/${l.windowTo.toISOString()}`);
    assert.equal(new Set(windows).size, windows.length, `a window was fetched twice: ${windows.sort().join(', ')}`);
    assert.deepEqual(await stored(run.platform), expected('2025-10-07T22:00:00Z', '2025-11-06T23:00:00Z'));
    await second.stop();
    await run.stop();
  });

  it('stops and starts a worker when worker_config changes, without a restart', async () => {
    const run = await startPipeline({ backfill: 'P3D' });
    await until('caught up', caughtUp(run));
    await run.platform.store.setWorkerEnabled('test', DATASET, false);
    await until('worker disabled', () => run.acquired.some((e) => e.type === 'workers' && e.enabled.length === 0));
    const requests = run.sim.requests();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(run.sim.requests(), requests, 'a disabled worker fetched');
    await run.platform.store.setWorkerEnabled('test', DATASET, true);
    await until('worker enabled again', () => run.acquired.filter((e) => e.type === 'workers' && e.enabled.includes(DATASET)).length >= 2);
    await run.stop();
  });
});
