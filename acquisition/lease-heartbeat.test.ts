// A window that takes longer than the lease keeps its lease: the scheduler renews it while the
// window runs (heartbeat), so the short expiry only frees the leases of a holder that died.
import { memoryArchive } from '../shared/payload-archive.ts';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findDataset } from '../providers/index.ts';
import { MemoryBus } from '../shared/bus/index.ts';
import type { Dataset } from '../shared/dataset.ts';
import { createHttpClient } from '../shared/http.ts';
import { silentLogger } from '../shared/log.ts';
import { sleep } from '../shared/rate-limit.ts';
import { envSecrets } from '../shared/secrets/index.ts';
import { openStore } from '../shared/store/index.ts';
import { Scheduler } from './scheduler.ts';

describe('lease heartbeat', () => {
  it('keeps the lease of a window that runs longer than the lease, and frees it when the window ends', async () => {
    const store = await openStore('duckdb::memory:');
    const bus = new MemoryBus({ capacity: 10, maxDeliveries: 1, redeliveryDelayMs: 0 });
    const real = findDataset('energinet.day_ahead_prices');
    let fetching = false;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    // A fetch that lasts until the test lets it go (or the scheduler aborts it); no timer of its
    // own, which would keep the file's process alive for a minute after its test.
    const slow: Dataset = { ...real, fetch: async (_w, _p, ctx) => {
      fetching = true;
      await Promise.race([released, new Promise<void>((r) => ctx.signal?.addEventListener('abort', () => r(), { once: true }))]);
      return { body: new TextEncoder().encode('{}'), contentType: 'application/json' };
    } };
    await store.seedWorkerConfig([{ workerId: slow.id, environment: 'test', enabled: true, parameters: { backfill: 'P1D', partitions: ['DK1'] } }]);
    const scheduler = new Scheduler(
      { bus, store, archive: memoryArchive(), secrets: envSecrets({}), log: silentLogger, httpFor: () => createHttpClient('test'), baseUrls: {}, topicFor: (p) => p },
      [slow],
      { environment: 'test', tickMs: 50, configRefreshMs: 1000, concurrency: 1, owner: 'node-a', leaseMs: 3000, renewEveryMs: 100, now: () => new Date('2025-11-05T14:00:00Z') },
    );
    scheduler.start();
    try {
      while (!fetching) await sleep(20);
      await sleep(4500); // longer than the lease: only the heartbeat keeps it
      assert.equal(await store.acquireLease(`${slow.id}/DK1`, 'node-b', 3000), false, 'another process took the lease of a window under way');
      release();
      while (scheduler.busy > 0) await sleep(20);
      assert.equal(await store.acquireLease(`${slow.id}/DK1`, 'node-b', 3000), true, 'the finished window released its lease');
    } finally {
      release();
      await scheduler.stop();
      await bus.close();
      await store.close();
    }
  });
});
