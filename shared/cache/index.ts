import { ConfigError } from '../errors.ts';
import { MemoryCache } from './memory.ts';
import type { Cache } from './types.ts';

export type * from './types.ts';

/** Picks the cache from its URL: `memory:`. */
export async function openCache(url: string): Promise<Cache> {
  if (url === 'memory:') return new MemoryCache();
  throw new ConfigError(`cache URL ${url}: unsupported scheme (supported: memory:)`);
}
