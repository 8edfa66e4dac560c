import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { createClient } from 'redis';
import { cacheContract } from './contract.ts';
import { RedisCache } from './redis.ts';

const REDIS = process.env.SCALAR_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

// A fresh key prefix per test keeps runs apart on a shared server.
cacheContract('redis', () => RedisCache.open(`${REDIS}?prefix=scalar-test-${randomUUID().slice(0, 8)}`));

const values = (n: number, value: number) =>
  Array.from({ length: n }, (_, i) => ({ dataset: 'test.prices', seriesKey: `area=A${i}`, series: { area: `A${i}` }, ts: new Date('2025-11-05T10:00:00Z'), value, unit: 'EUR/MWh', resolution: 'PT15M' }));

test('a refresh larger than one script call keeps every series, and repeating it changes nothing', async () => {
  const cache = await RedisCache.open(`${REDIS}?prefix=scalar-test-${randomUUID().slice(0, 8)}`);
  assert.equal((await cache.refresh(values(1201, 1))).length, 1201);
  assert.equal((await cache.refresh(values(1201, 1))).length, 0);
  assert.equal((await cache.refresh(values(1201, 2).slice(1200))).length, 1);
  const latest = await cache.latest('test.prices');
  assert.equal(latest.length, 1201);
  assert.deepEqual(latest.filter((l) => l.value === 2).map((l) => l.seriesKey), ['area=A1200']);
  await cache.close();
});

test('the refresh script is loaded again when the server has forgotten it (NOSCRIPT)', async () => {
  const cache = await RedisCache.open(`${REDIS}?prefix=scalar-test-${randomUUID().slice(0, 8)}`);
  await cache.refresh(values(1, 1));
  // Only this cache calls scripts by SHA on the shared server; everything else sends EVAL.
  const admin = createClient({ url: REDIS });
  await admin.connect();
  await admin.scriptFlush();
  await admin.quit();
  assert.equal((await cache.refresh(values(1, 2))).length, 1);
  assert.equal((await cache.latest('test.prices'))[0]!.value, 2);
  await cache.close();
});

test('followers see every change of a large refresh, long values included', async () => {
  const cache = await RedisCache.open(`${REDIS}?prefix=scalar-test-${randomUUID().slice(0, 8)}`);
  const seen: string[] = [];
  cache.onChange((changed) => seen.push(...changed.map((c) => `${c.seriesKey}=${c.value}:${c.series.area}`)));
  await cache.ready();
  const long = 'x'.repeat(70_000); // past MessagePack's 8- and 16-bit string lengths
  const batch = [...values(1201, 7), { ...values(1, 8)[0]!, seriesKey: 'area=long', series: { area: long } }];
  await cache.refresh(batch);
  for (let i = 0; i < 100 && seen.length < batch.length; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(seen.sort(), batch.map((b) => `${b.seriesKey}=${b.value}:${b.series.area}`).sort());
  await cache.close();
});
