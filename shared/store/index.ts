import { join } from 'node:path';
import { ConfigError } from '../errors.ts';
import { DuckDbStore } from './duckdb.ts';
import type { Store } from './types.ts';

export type * from './types.ts';

export function defaultStoreUrl(dataDir: string): string {
  return `duckdb:${join(dataDir, 'scalar.duckdb')}`;
}

/** Picks the store implementation from its URL: `duckdb:<file>` or `duckdb::memory:`. */
export async function openStore(url: string): Promise<Store> {
  if (url.startsWith('duckdb:')) return DuckDbStore.open(url.slice('duckdb:'.length) || ':memory:');
  throw new ConfigError(`store URL ${url}: unsupported scheme (supported: duckdb:)`);
}
