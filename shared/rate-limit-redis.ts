// The rate limit of one upstream shared by every process that calls it, in Redis: GCRA (the
// token bucket expressed as one "theoretical arrival time" per key) in a Lua script, so taking a
// slot is one atomic round trip, timed by the Redis server's clock (processes' clocks may differ).
// A ban (429 "banned until ...") is a second key every process checks before taking a slot.
// While Redis is unreachable each process falls back to its own in-process limiter.
import type { RedisClientType } from 'redis';
import { createRateLimiter, sleep, type RateLimiter } from './rate-limit.ts';

// KEYS[1] theoretical arrival time (ms), KEYS[2] ban end (ms). ARGV[1] emission interval (ms), ARGV[2] burst.
// Returns 0 when the request may go now, else how many ms to wait before asking again.
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ban = tonumber(redis.call('GET', KEYS[2]) or '0')
if ban > now then return ban - now end
local interval = tonumber(ARGV[1])
local tau = interval * tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local nextTat = tat + interval
if nextTat - now > tau then return nextTat - tau - now end
redis.call('SET', KEYS[1], nextTat, 'PX', math.ceil(tau + interval))
return 0`;

// KEYS[1] ban end (ms). ARGV[1] ban length from now (ms). Keeps the later of two bans.
const BAN = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilMs = now + tonumber(ARGV[1])
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if cur < untilMs then redis.call('SET', KEYS[1], untilMs, 'PX', math.ceil(tonumber(ARGV[1]))) end
return 0`;

export type SharedRateLimiterOptions = {
  /** Key prefix (per environment / deployment) and the upstream's name: one limit per key. */
  key: string;
  perMinute: number;
  burst?: number;
  /** Told once when Redis fails and the in-process limiter takes over, and once when Redis is back. */
  onFallback?: (error: Error | null) => void;
};

/** A limiter over a connected node-redis client; several processes on the same key share one rate. */
export function createSharedRateLimiter(client: RedisClientType, o: SharedRateLimiterOptions): RateLimiter {
  const burst = o.burst ?? Math.max(1, Math.floor(o.perMinute / 20));
  const interval = 60_000 / o.perMinute;
  const keys = [`${o.key}:tat`, `${o.key}:ban`];
  const local = createRateLimiter(o.perMinute, burst);
  let failing = false;
  const fallback = (e: Error | null) => {
    if (failing === (e !== null)) return;
    failing = e !== null;
    o.onFallback?.(e);
  };
  return {
    async take(signal) {
      for (;;) {
        if (signal?.aborted) throw signal.reason;
        let wait: number;
        try {
          wait = Number(await client.eval(TAKE, { keys, arguments: [String(interval), String(burst)] }));
          fallback(null);
        } catch (e) {
          fallback(e as Error);
          return local.take(signal);
        }
        if (wait <= 0) return;
        // Ask again after the wait (capped, so a lifted ban or a freed slot is seen soon), with a little jitter against lock-step.
        await sleep(Math.min(wait, 5_000) + Math.random() * 20, signal);
      }
    },
    pauseUntil(until) {
      local.pauseUntil(until);
      const ms = Math.max(1, until.getTime() - Date.now());
      client.eval(BAN, { keys: [keys[1]!], arguments: [String(ms)] }).catch((e: unknown) => fallback(e as Error));
    },
  };
}

export type RateLimits = {
  /** The limiter of one upstream, shared by every client in this process (and, on Redis, every process). */
  limiterFor(provider: string, perMinute: number): RateLimiter;
  close(): Promise<void>;
};

/**
 * Rate limits chosen by the cache URL: `redis://…[?prefix=scalar]` shares them across processes
 * (key `<prefix>:rate:<environment>:<provider>`); anything else keeps them in this process.
 */
export async function openRateLimits(cacheUrl: string, o: { environment: string; connectTimeoutMs: number; onFallback?: (provider: string, e: Error | null) => void }): Promise<RateLimits> {
  const limiters = new Map<string, RateLimiter>();
  const memo = (provider: string, make: () => RateLimiter) => {
    let l = limiters.get(provider);
    if (!l) limiters.set(provider, (l = make()));
    return l;
  };
  if (!cacheUrl.startsWith('redis://') && !cacheUrl.startsWith('rediss://')) {
    return { limiterFor: (provider, perMinute) => memo(provider, () => createRateLimiter(perMinute)), close: async () => undefined };
  }
  const { createClient } = await import('redis');
  const { connectWithin, redisLiveness } = await import('./connect.ts');
  const u = new URL(cacheUrl);
  const prefix = u.searchParams.get('prefix') ?? 'scalar';
  u.search = '';
  let connected = false;
  // A black-holed Redis fails take() after redisLiveness' silence, which then falls back in-process.
  const { pingInterval, socketTimeout } = redisLiveness();
  const client = createClient({
    url: u.toString(),
    pingInterval,
    socket: { connectTimeout: o.connectTimeoutMs, socketTimeout, reconnectStrategy: (retries: number, cause: Error) => (connected ? Math.min(100 * 2 ** retries, 5000) : cause) },
  }) as RedisClientType;
  client.on('error', () => undefined); // while it is down, take() falls back to the in-process limiter
  await connectWithin('rate limiter', cacheUrl, o.connectTimeoutMs, () => client.connect(), async () => void client.destroy());
  connected = true;
  return {
    limiterFor: (provider, perMinute) =>
      memo(provider, () => createSharedRateLimiter(client, { key: `${prefix}:rate:${o.environment}:${provider}`, perMinute, onFallback: (e) => o.onFallback?.(provider, e) })),
    async close() {
      client.destroy();
    },
  };
}
