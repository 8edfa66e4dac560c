import { memoryArchive } from '../shared/payload-archive.ts';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryBus } from '../shared/bus/memory.ts';
import type { Dataset } from '../shared/dataset.ts';
import { NoDataYetError } from '../shared/errors.ts';
import { createHttpClient } from '../shared/http.ts';
import { silentLogger } from '../shared/log.ts';
import { envSecrets } from '../shared/secrets/index.ts';
import { openStore, type Store } from '../shared/store/index.ts';
import { runWindow, type AcquisitionDeps } from './run-window.ts';
import { Scheduler, type AcquisitionEvent } from './scheduler.ts';

const window = { from: new Date('2025-11-05T23:00:00Z'), to: new Date('2025-11-06T23:00:00Z') };

function dataset(fetch: Dataset['fetch']): Dataset {
  return {
    id: 'test.day_ahead', provider: 'test', title: 't', resolution: 'PT60M', unit: 'EUR/MWh', dimensions: ['area'],
    cadence: { every: 'PT1H' },
    window: { align: 'P1D', tz: 'Europe/Oslo', maxSpan: 'P1D', lookback: 'P1D', horizon: 'P2D', backfill: 'P1D' },
    partitions: ['A'], validation: { plausible: { 'EUR/MWh': [-1, 1] }, maxLead: 'P2D' },
    fetch, parse: () => [], detect: () => false, workers: {}, fixtures: [],
  };
}

describe('a window the source has not published yet', () => {
  let store: Store;
  let bus: MemoryBus;
  let deps: AcquisitionDeps;
  const published: string[] = [];
  before(async () => {
    store = await openStore('duckdb::memory:');
    bus = new MemoryBus();
    await bus.subscribe(['test'], { subscription: 's', maxInFlight: 10 }, async (d) => {
      published.push(d.message.properties.dataset!);
      await d.ack();
    });
    deps = { bus, store, archive: memoryArchive(), secrets: envSecrets({}), log: silentLogger, httpFor: () => createHttpClient('t'), baseUrls: {}, topicFor: (p) => p };
  });
  after(async () => {
    await bus.close();
    await store.close();
  });

  it('publishes nothing, keeps the watermark, logs its requests as landed with zero rows', async () => {
    await store.advanceWatermark('test.day_ahead', 'A', window.from);
    const ds = dataset(async (_w, _p, ctx) => {
      ctx.onAttempt?.({ url: 'http://x/day', attempt: 1, status: 204, latencyMs: 1, bytes: 0, error: null });
      throw new NoDataYetError('not published yet');
    });
    await assert.rejects(runWindow(deps, ds, 'A', window), NoDataYetError);
    assert.deepEqual(await store.getWatermark('test.day_ahead', 'A'), window.from);
    assert.deepEqual(published, []);
    const log = await store.listFetchLog({ dataset: 'test.day_ahead' });
    assert.deepEqual(log.map((l) => [l.status, l.error, l.rows]), [[204, null, 0]]);
    assert.deepEqual(await store.listUnlandedWindows(new Date(0)), []);
  });

  it('the scheduler reports it as no-data-yet (not a failure) and waits before asking again', async () => {
    let calls = 0;
    const ds = dataset(async () => {
      calls += 1;
      throw new NoDataYetError('not yet', 60_000);
    });
    await store.seedWorkerConfig([{ workerId: ds.id, environment: 'test', enabled: true, parameters: {} }]);
    const events: AcquisitionEvent[] = [];
    const now = () => new Date('2025-11-05T09:00:00Z');
    const s = new Scheduler(deps, [ds], { environment: 'test', tickMs: 5, configRefreshMs: 1000, concurrency: 1, now, onEvent: (e) => events.push(e) });
    await s.tick();
    while (s.busy > 0) await new Promise((r) => setTimeout(r, 5));
    await s.tick();
    await s.stop();
    assert.equal(calls, 1, 'asked once: the retry waits 60 s');
    const e = events.find((x) => x.type === 'no-data-yet');
    assert.ok(e && e.type === 'no-data-yet' && e.retryInMs === 60_000);
    assert.ok(!events.some((x) => x.type === 'failed'));
  });
});
