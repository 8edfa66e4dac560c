import { connectWithin, DEFAULT_CONNECT_TIMEOUT_MS } from '../connect.ts';
import { ConfigError } from '../errors.ts';
import { redact } from '../redact.ts';
import { MemoryCache } from './memory.ts';
import type { Cache } from './types.ts';

export type * from './types.ts';

/** Picks the cache from its URL: `memory:` or `redis://host:6379[/db][?prefix=scalar]`. */
export async function openCache(url: string, o: { connectTimeoutMs?: number } = {}): Promise<Cache> {
  if (url === 'memory:') return new MemoryCache();
  if (url.startsWith('redis://') || url.startsWith('rediss://')) {
    const { RedisCache } = await import('./redis.ts');
    const timeout = o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    return connectWithin('cache', url, timeout, () => RedisCache.open(url, timeout), (c) => c.close());
  }
  throw new ConfigError(`cache URL ${redact(url)}: unsupported scheme (supported: memory:, redis://)`);
}
