// What a stop leaves behind: no window started after it, and no window it cut in half (a request
// already answered is published, not thrown away and fetched again on the next start).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryBus } from '../shared/bus/index.ts';
import type { Dataset } from '../shared/dataset.ts';
import { ConfigError, HttpError } from '../shared/errors.ts';
import { createHttpClient } from '../shared/http.ts';
import { silentLogger } from '../shared/log.ts';
import { memoryArchive } from '../shared/payload-archive.ts';
import { envSecrets } from '../shared/secrets/index.ts';
import { DuckDbStore } from '../shared/store/duckdb.ts';
import type { Store } from '../shared/store/index.ts';
import { Scheduler, type AcquisitionEvent } from './scheduler.ts';

const NOW = new Date('2025-11-05T12:00:00Z');

/** A promise the test resolves by hand. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

function testDataset(fetch: Dataset['fetch']): Dataset {
  return {
    id: 'test.prices',
    provider: 'test',
    title: 'test',
    resolution: 'PT1H',
    unit: 'EUR/MWh',
    dimensions: ['area'],
    cadence: { every: 'PT1H' },
    window: { align: 'P1D', tz: 'UTC', maxSpan: 'P1D', lookback: 'P1D', horizon: 'P1D', backfill: 'P1D' },
    partitions: ['A'],
    validation: { plausible: {}, maxLead: 'P2D' },
    fetch,
    parse: () => [],
    detect: () => false,
    workers: {},
    fixtures: [],
  };
}

async function setup(fetch: Dataset['fetch'], wrap: (s: Store) => Store = (s) => s, clock: () => Date = () => NOW) {
  const store = await DuckDbStore.open(':memory:');
  await store.seedWorkerConfig([{ workerId: 'test.prices', environment: 'test', enabled: true, parameters: {} }]);
  const bus = new MemoryBus();
  const published: string[] = [];
  const events: AcquisitionEvent[] = [];
  await bus.subscribe(['test'], { subscription: 's', maxInFlight: 10 }, async (d) => {
    published.push(d.message.properties['window-from'] ?? '?');
    await d.ack();
  });
  const scheduler = new Scheduler(
    { bus, store: wrap(store), archive: memoryArchive(), secrets: envSecrets({}), log: silentLogger, httpFor: () => createHttpClient('test'), baseUrls: {}, topicFor: (p) => p },
    [testDataset(fetch)],
    { environment: 'test', tickMs: 10_000, configRefreshMs: 10_000, concurrency: 1, maxRetryDelayMs: 0, now: clock, onEvent: (e) => events.push(e) },
  );
  return { store, bus, scheduler, published, events };
}

/** The store with some methods replaced (the rest bound to the real one: it has private fields). */
function withOverrides(s: Store, overrides: Partial<Store>): Store {
  return new Proxy(s, {
    get(target, key) {
      const own = (overrides as Record<PropertyKey, unknown>)[key];
      if (own !== undefined) return own;
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

const body = new TextEncoder().encode('{}');

describe('scheduler stop', () => {
  it('starts no window once stop() was called, even from a scheduling pass already under way', async () => {
    const leaseAsked = gate();
    const leaseGiven = gate();
    let fetches = 0;
    const { store, scheduler } = await setup(
      async () => {
        fetches += 1;
        return { body, contentType: 'application/json' };
      },
      (s) => withOverrides(s, {
        acquireLease: async (key, owner, ttl) => {
          leaseAsked.open();
          await leaseGiven.opened;
          return s.acquireLease(key, owner, ttl);
        },
      }),
    );
    scheduler.start();
    await leaseAsked.opened;
    const stopping = scheduler.stop();
    leaseGiven.open();
    await stopping;
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(fetches, 0, 'a window was fetched after stop()');
    assert.deepEqual(await store.listFetchLog({}), []);
    await store.close();
  });

  it('lets a window whose request is under way finish: published, watermark advanced, one fetch_log row', async () => {
    const requested = gate();
    const answered = gate();
    const { store, scheduler, published, bus } = await setup(async (_w, _p, ctx) => {
      requested.open();
      await Promise.race([
        answered.opened,
        new Promise((_, reject) => ctx.signal?.addEventListener('abort', () => reject(new Error('aborted')))),
      ]);
      ctx.onAttempt?.({ url: 'http://test/', attempt: 1, status: 200, latencyMs: 1, bytes: 2, error: null });
      return { body, contentType: 'application/json' };
    });
    scheduler.start();
    await requested.opened;
    const stopping = scheduler.stop();
    setTimeout(() => answered.open(), 20);
    await stopping;
    await bus.drain(2000);
    const log = await store.listFetchLog({});
    assert.deepEqual(log.map((l) => [l.status, l.error]), [[200, null]]);
    assert.equal(published.length, 1);
    assert.ok(await store.getWatermark('test.prices', 'A'), 'watermark advanced');
    await store.close();
  });
});

describe('scheduler outcome by error class', () => {
  async function fetchesAfterAnHour(error: Error) {
    let now = NOW;
    let fetches = 0;
    const { store, scheduler, events } = await setup(async () => {
      fetches += 1;
      throw error;
    }, undefined, () => now);
    const idle = async () => {
      while (scheduler.busy > 0) await new Promise((r) => setTimeout(r, 5));
    };
    await scheduler.tick();
    await idle();
    // an hour later (the retry delay is 0 here)
    now = new Date(NOW.getTime() + 3_600_000);
    await scheduler.tick();
    await idle();
    await scheduler.stop();
    await store.close();
    return { fetches, events };
  }

  it('stops the worker, saying why, when the source rejects the token (ConfigError)', async () => {
    const { fetches, events } = await fetchesAfterAnHour(new ConfigError('test: credentials rejected (HTTP 401)'));
    assert.equal(fetches, 1, 'a rejected token was retried');
    const stopped = events.find((e) => e.type === 'worker-stopped');
    assert.match(stopped && 'error' in stopped ? stopped.error : '', /credentials rejected/);
  });

  it('retries a 503 later', async () => {
    const { fetches, events } = await fetchesAfterAnHour(new HttpError('test: HTTP 503', 503));
    assert.equal(fetches, 2);
    assert.ok(!events.some((e) => e.type === 'worker-stopped'));
  });
});
