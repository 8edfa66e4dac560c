import { memoryArchive } from '../../shared/payload-archive.ts';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { StreamWorkers, STREAM_CONNECTED, type StreamEvent } from '../../acquisition/stream-worker.ts';
import { MemoryBus } from '../../shared/bus/memory.ts';
import { createHttpClient } from '../../shared/http.ts';
import { createLogger, silentLogger } from '../../shared/log.ts';
import { seriesKey } from '../../shared/observation.ts';
import { readRawMessage } from '../../shared/raw-message.ts';
import { envSecrets } from '../../shared/secrets/index.ts';
import { openStore, type Store } from '../../shared/store/index.ts';
import { intradayTrades } from './datasets.ts';
import { statisticsStream, tickerStream } from './intraday-stream.ts';
import type { Statistic } from './intraday-parse.ts';
import { SIM_PASSWORD, SIM_USERNAME, startNordpoolSimulator, type NordpoolSimulator } from './simulator.ts';

async function until(what: string, ok: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('Nord Pool intraday stream through the stream worker', () => {
  let sim: NordpoolSimulator;
  let store: Store;
  let bus: MemoryBus;
  let workers: StreamWorkers;
  const published: { tradeIds: string[]; rows: number; keys: string[] }[] = [];
  const events: StreamEvent[] = [];

  before(async () => {
    sim = await startNordpoolSimulator({ stream: { running: false } });
    store = await openStore('duckdb::memory:');
    bus = new MemoryBus({ capacity: 10_000 });
    await bus.subscribe(['nordpool'], { subscription: 'test', maxInFlight: 100 }, async (d) => {
      const raw = readRawMessage(d.message.properties, d.message.data);
      const trades = JSON.parse(new TextDecoder().decode(raw.body)) as { tradeId: string }[];
      const obs = intradayTrades.parse(raw.body);
      published.push({ tradeIds: trades.map((t) => t.tradeId), rows: obs.length, keys: obs.map((o) => `${seriesKey(o.series)}@${o.ts.toISOString()}`) });
      await d.ack();
    });
    await store.seedWorkerConfig([{ workerId: intradayTrades.id, environment: 'test', enabled: true, parameters: {} }]);
    workers = new StreamWorkers(
      {
        bus,
        store,
        archive: memoryArchive(),
        secrets: envSecrets({ NORDPOOL__USERNAME: SIM_USERNAME, NORDPOOL__PASSWORD: SIM_PASSWORD }),
        log: process.env.DEBUG_STREAM ? createLogger('debug') : silentLogger,
        httpFor: () => createHttpClient('nordpool', { maxAttempts: 3, initialDelayMs: 5 }),
        baseUrls: { nordpool: sim.url },
        topicFor: (p) => p,
      },
      [intradayTrades],
      { environment: 'test', configRefreshMs: 60_000, maxBatchRecords: 50, maxBatchWaitMs: 30, backoffInitialMs: 10, backoffMaxMs: 50, onEvent: (e) => events.push(e) },
    );
  });

  after(async () => {
    await workers.stop();
    await bus.close();
    await store.close();
    await sim.close();
  });

  it('every trade lands exactly once while the connection is killed again and again', async () => {
    const connected = () => events.filter((e) => e.type === 'stream-connected').length;
    await workers.refresh();
    await until('the first connection', () => connected() === 1);
    for (let round = 0; round < 12; round++) {
      sim.stream.generate(40);
      await new Promise((r) => setTimeout(r, 5 + (round % 3) * 10));
      assert.equal(sim.stream.drop(), 1);
      sim.stream.generate(25); // traded while nobody listens: comes back in the snapshot on resubscribe
      const before = connected();
      await until('the reconnect', () => connected() > before);
      if (round === 5) {
        // A broken message ends the connection too; the snapshot on resubscribe brings everything back.
        sim.stream.malformed();
        await until('the reconnect after a malformed frame', () => connected() > before + 1);
      }
    }
    sim.stream.generate(100);
    const total = sim.stream.trades().length;
    assert.equal(total, 12 * 65 + 100);
    await until('every trade published', () => published.reduce((n, p) => n + p.tradeIds.length, 0) >= total);
    await new Promise((r) => setTimeout(r, 100)); // a duplicate arriving late would show now

    const ids = published.flatMap((p) => p.tradeIds);
    assert.equal(ids.length, total, 'no trade published twice');
    assert.deepEqual(new Set(ids), new Set(sim.stream.trades().map((t) => t.tradeId)));
    // One trade, one row per metric: (series, ts) never collides, so the store keeps every trade.
    const keys = published.flatMap((p) => p.keys);
    assert.equal(keys.length, 2 * total);
    assert.equal(new Set(keys).size, keys.length);
    // The snapshots repeated many trades; the worker dropped them.
    const dropped = events.reduce((n, e) => n + (e.type === 'stream-published' ? e.duplicates : 0), 0);
    assert.ok(dropped > 0);
    assert.ok(published.every((p) => p.tradeIds.length <= 50), 'batches respect maxBatchRecords');
  });

  it('records connection health in fetch_log', async () => {
    const log = await store.listFetchLog({ dataset: intradayTrades.id, limit: 200 });
    assert.ok(log.filter((r) => r.status === STREAM_CONNECTED).length >= 13);
    assert.ok(log.filter((r) => r.error?.startsWith('disconnected:')).length >= 12);
    assert.ok(log.some((r) => r.error?.includes('not JSON') || r.error?.includes('not a list of rows')));
  });

  it('stops the stream when its worker is disabled in worker_config, and starts it again when enabled', async () => {
    await store.setWorkerEnabled('test', intradayTrades.id, false);
    await workers.refresh();
    assert.deepEqual(workers.running, []);
    await until('the disconnect', () => sim.stream.connections() === 0);
    await store.setWorkerEnabled('test', intradayTrades.id, true);
    await workers.refresh();
    await until('the new connection', () => sim.stream.connections() === 1);
  });

  it('re-authenticates when the token it holds is refused', async () => {
    sim.expireTokens();
    sim.stream.drop();
    const before = sim.stats().grants;
    await until('a connection with a fresh token', () => sim.stream.connections() === 1 && sim.stats().grants > before);
  });

  it('notices a stalled server by its missing heart-beats and ends the connection with an error', async () => {
    const secrets = envSecrets({ NORDPOOL__USERNAME: SIM_USERNAME, NORDPOOL__PASSWORD: SIM_PASSWORD });
    const conn = await tickerStream({ heartbeatMs: 200 }).connect(
      { secrets, http: createHttpClient('nordpool'), baseUrl: sim.url, partitions: ['all'], log: silentLogger, signal: new AbortController().signal },
      () => undefined,
    );
    sim.stream.stall(5000);
    const reason = await conn.closed;
    assert.match(String(reason), /connection closed|WebSocket error/);
  });

  it('streams contract statistics of the subscribed area, ending at the simulator\'s current row per contract', async () => {
    const secrets = envSecrets({ NORDPOOL__USERNAME: SIM_USERNAME, NORDPOOL__PASSWORD: SIM_PASSWORD });
    const latest = new Map<string, Statistic>();
    const conn = await statisticsStream().connect(
      { secrets, http: createHttpClient('nordpool'), baseUrl: sim.url, partitions: ['3'], log: silentLogger, signal: new AbortController().signal },
      (rs) => rs.forEach((r) => latest.set((r.data as Statistic).contractId, r.data as Statistic)),
    );
    await new Promise((r) => setTimeout(r, 5200)); // the stall of the test before is over
    sim.stream.generate(200);
    const want = sim.stream.statistics().filter((x) => x.deliveryAreaId === 3);
    await until('every contract of area 3', () => want.every((w) => latest.get(w.contractId)?.updatedAt === w.updatedAt));
    assert.ok([...latest.values()].every((x) => x.deliveryAreaId === 3));
    await conn.close();
  });
});
