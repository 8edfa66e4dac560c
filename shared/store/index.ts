import { join } from 'node:path';
import { ConfigError } from '../errors.ts';
import { DuckDbStore } from './duckdb.ts';
import type { Store } from './types.ts';

export type * from './types.ts';

export function defaultStoreUrl(dataDir: string): string {
  return `duckdb:${join(dataDir, 'scalar.duckdb')}`;
}

/** Picks the store from its URL: `duckdb:<file>`, `mysql://user:pass@host:3306/db` (MySQL, MariaDB), `starrocks://user@host:9030/db`. */
export async function openStore(url: string): Promise<Store> {
  if (url.startsWith('duckdb:')) return DuckDbStore.open(url.slice('duckdb:'.length) || ':memory:');
  if (url.startsWith('mysql://') || url.startsWith('starrocks://')) {
    const { SqlStore } = await import('./sql.ts');
    return SqlStore.open(url);
  }
  throw new ConfigError(`store URL ${url}: unsupported scheme (supported: duckdb:, mysql://, starrocks://)`);
}
