// The behaviour every Cache implementation must show.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Cache, LatestValue } from './types.ts';

const v = (ts: string, value: number | null, seriesKey = 'area=DK1'): LatestValue => ({
  dataset: 'test.prices', seriesKey, series: { area: seriesKey.slice(5) }, ts: new Date(ts), value, unit: 'EUR/MWh', resolution: 'PT15M',
});

async function waitFor(check: () => boolean, ms = 2000): Promise<void> {
  for (const end = Date.now() + ms; !check() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 10));
}

export function cacheContract(name: string, open: () => Promise<Cache & { ready?(): Promise<void> }>): void {
  describe(`cache contract: ${name}`, () => {
    it('answers a ping (readiness)', async () => {
      const cache = await open();
      await cache.ping?.();
      await cache.close();
    });

    it('keeps the value with the latest instant per series; an older one never replaces it', async () => {
      const cache = await open();
      await cache.refresh([v('2025-11-05T10:00:00Z', 1), v('2025-11-05T10:15:00Z', 2)]);
      await cache.refresh([v('2025-11-05T09:00:00Z', 99)]);
      const [latest] = await cache.latest('test.prices');
      assert.equal(latest!.ts.toISOString(), '2025-11-05T10:15:00.000Z');
      assert.equal(latest!.value, 2);
      await cache.close();
    });

    it('takes a revision of the same instant, and tells followers only what changed', async () => {
      const cache = await open();
      const seen: number[] = [];
      const stop = cache.onChange((changed) => seen.push(...changed.map((c) => c.value ?? NaN)));
      await cache.ready?.();
      await cache.refresh([v('2025-11-05T10:00:00Z', 1), v('2025-11-05T10:00:00Z', 5, 'area=DK2')]);
      await cache.refresh([v('2025-11-05T10:00:00Z', 1)]); // same value: no change
      await cache.refresh([v('2025-11-05T10:00:00Z', 3)]); // revision
      await waitFor(() => seen.length >= 3);
      stop();
      await cache.refresh([v('2025-11-05T11:00:00Z', 4)]);
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(seen, [1, 5, 3]);
      assert.deepEqual((await cache.latest('test.prices', 'area=DK1')).map((l) => l.value), [4]);
      assert.equal((await cache.latest('test.prices')).length, 2);
      await cache.close();
    });
  });
}
