import { ConfigError } from '../errors.ts';
import { MemoryCache } from './memory.ts';
import type { Cache } from './types.ts';

export type * from './types.ts';

/** Picks the cache from its URL: `memory:` or `redis://host:6379[/db][?prefix=scalar]`. */
export async function openCache(url: string): Promise<Cache> {
  if (url === 'memory:') return new MemoryCache();
  if (url.startsWith('redis://') || url.startsWith('rediss://')) {
    const { RedisCache } = await import('./redis.ts');
    return RedisCache.open(url);
  }
  throw new ConfigError(`cache URL ${url}: unsupported scheme (supported: memory:, redis://)`);
}
