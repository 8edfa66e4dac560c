import { join } from 'node:path';
import { ConfigError } from '../errors.ts';
import { redact } from '../redact.ts';
import { DuckDbStore } from './duckdb.ts';
import type { Store } from './types.ts';

export type * from './types.ts';

export function defaultStoreUrl(dataDir: string): string {
  return `duckdb:${join(dataDir, 'scalar.duckdb')}`;
}

/**
 * fetch_log and dead_letters hold text that came from outside (error pages, URLs, exception
 * messages): it is redacted here, on the way in, whichever store and whichever caller.
 */
function redacting(store: Store): Store {
  const appendFetchLog: Store['appendFetchLog'] = (entries) =>
    store.appendFetchLog(entries.map((e) => ({ ...e, url: redact(e.url), error: e.error === null ? null : redact(e.error) })));
  const recordDeadLetter: Store['recordDeadLetter'] = (d) => store.recordDeadLetter({ ...d, reason: redact(d.reason) });
  return new Proxy(store, {
    get(target, key) {
      if (key === 'appendFetchLog') return appendFetchLog;
      if (key === 'recordDeadLetter') return recordDeadLetter;
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

/** Picks the store from its URL: `duckdb:<file>`, `mysql://user:pass@host:3306/db` (MySQL, MariaDB), `starrocks://user@host:9030/db`. */
export async function openStore(url: string): Promise<Store> {
  if (url.startsWith('duckdb:')) return redacting(await DuckDbStore.open(url.slice('duckdb:'.length) || ':memory:'));
  if (url.startsWith('mysql://') || url.startsWith('starrocks://')) {
    const { SqlStore } = await import('./sql.ts');
    return redacting(await SqlStore.open(url));
  }
  throw new ConfigError(`store URL ${redact(url)}: unsupported scheme (supported: duckdb:, mysql://, starrocks://)`);
}
