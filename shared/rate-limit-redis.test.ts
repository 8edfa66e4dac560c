import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { createClient, type RedisClientType } from 'redis';
import { createSharedRateLimiter } from './rate-limit-redis.ts';

const REDIS = process.env.SCALAR_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const clients: RedisClientType[] = [];
after(() => clients.forEach((c) => c.destroy()));

/** One connection per simulated process. */
async function connect(): Promise<RedisClientType> {
  const c = createClient({ url: REDIS }) as RedisClientType;
  await c.connect();
  clients.push(c);
  return c;
}

describe('rate limiter shared through Redis', () => {
  it('two processes on one key together stay under the rate', async () => {
    const key = `test-${randomUUID().slice(0, 8)}:rate:entsoe`;
    const perMinute = 1200; // 20 per second
    const burst = 3;
    const a = createSharedRateLimiter(await connect(), { key, perMinute, burst });
    const b = createSharedRateLimiter(await connect(), { key, perMinute, burst });
    const taken: number[] = [];
    const started = Date.now();
    const runFor = 1500;
    const worker = async (l: typeof a) => {
      while (Date.now() - started < runFor) {
        await l.take();
        taken.push(Date.now());
      }
    };
    await Promise.all([worker(a), worker(a), worker(b), worker(b)]);
    const elapsed = taken.at(-1)! - started;
    // GCRA: at most the burst plus one slot per emission interval, over any stretch of time.
    const allowed = burst + Math.ceil((elapsed / 60_000) * perMinute) + 1;
    assert.ok(taken.length <= allowed, `${taken.length} requests in ${elapsed} ms; at most ${allowed} allowed`);
    // And neither limiter starved: together they used a fair part of the rate.
    assert.ok(taken.length >= 10, `only ${taken.length} requests went through`);
  });

  it('a ban seen by one process pauses every process', async () => {
    const key = `test-${randomUUID().slice(0, 8)}:rate:entsoe`;
    const a = createSharedRateLimiter(await connect(), { key, perMinute: 6000, burst: 10 });
    const b = createSharedRateLimiter(await connect(), { key, perMinute: 6000, burst: 10 });
    const bannedAt = Date.now();
    a.pauseUntil(new Date(bannedAt + 800));
    await new Promise((r) => setTimeout(r, 50)); // the ban is written without waiting
    await b.take();
    assert.ok(Date.now() - bannedAt >= 700, `b went after ${Date.now() - bannedAt} ms of an 800 ms ban`);
  });

  it('an aborted wait rejects at once', async () => {
    const key = `test-${randomUUID().slice(0, 8)}:rate:entsoe`;
    const a = createSharedRateLimiter(await connect(), { key, perMinute: 60, burst: 1 });
    await a.take();
    const stop = new AbortController();
    const waiting = a.take(stop.signal);
    stop.abort(new Error('stopping'));
    await assert.rejects(waiting, /stopping/);
  });
});
