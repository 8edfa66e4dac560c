import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { connectWithin, DEFAULT_CONNECT_TIMEOUT_MS } from '../connect.ts';
import { ConfigError } from '../errors.ts';
import { redact } from '../redact.ts';
import { splitStore } from './split.ts';
import type { Store } from './types.ts';

export type * from './types.ts';
export { splitStore, type ControlStore, type ObservationStore } from './split.ts';

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
  const recordDeadLetters: Store['recordDeadLetters'] = (ds) => store.recordDeadLetters(ds.map((d) => ({ ...d, reason: redact(d.reason) })));
  return new Proxy(store, {
    get(target, key) {
      if (key === 'appendFetchLog') return appendFetchLog;
      if (key === 'recordDeadLetter') return recordDeadLetter;
      if (key === 'recordDeadLetters') return recordDeadLetters;
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

export type OpenStoreOptions = {
  /** false for read-only commands: a missing DuckDB file or MySQL database is an error, not created. */
  create?: boolean;
  connectTimeoutMs?: number;
  /** vintages: how long replaced values are kept (0: none captured); the store's default when unset. */
  revisionRetentionMs?: number;
  /**
   * The control plane's own store (SCALAR_CONTROL_STORE_URL): watermarks, leases, fetch log, raw payload
   * index, dead letters there, observations at `url`. Unset or equal to `url`: one store holds both.
   */
  controlUrl?: string;
  /** The embedded store's DuckDB settings (config `duckdb.*`); DuckDB's own defaults when unset. */
  duckdb?: DuckDbSettings;
};

export type DuckDbSettings = {
  /** DuckDB's `memory_limit` (`256MB`, `2GB`): the most its buffer pool holds before evicting and spilling. */
  memoryLimit?: string;
  /** DuckDB's worker threads (default: one per core). */
  threads?: number;
};

export { DEFAULT_REVISION_RETENTION_DAYS } from './types.ts';

/** A read-only command met no store where the configuration points: nothing was created. */
export class NoStoreError extends ConfigError {
  override name = 'NoStoreError';
}

/** The DuckDB file's place checked before DuckDB sees it, so a wrong --data-dir is one clear line. */
function checkDuckDbPath(path: string, create: boolean): void {
  const dir = dirname(path);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new ConfigError(`data directory ${dir} is a file, not a directory`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new ConfigError(`store file ${path} is a directory`);
  if (!create && !existsSync(path)) {
    throw new NoStoreError(`no store at ${path} (nothing created; check --data-dir or SCALAR_STORE_URL; scalar start or scalar db migrate creates one)`);
  }
}

const retention = (o: OpenStoreOptions) => (o.revisionRetentionMs === undefined ? {} : { retentionMs: o.revisionRetentionMs });

/** Picks the store from its URL: `duckdb:<file>`, `mysql://user:pass@host:3306/db` (MySQL, MariaDB), `starrocks://user@host:9030/db`. */
export async function openStore(url: string, o: OpenStoreOptions = {}): Promise<Store> {
  if (o.controlUrl === undefined || o.controlUrl === url) return openOneStore(url, o);
  checkControlStoreUrl(o.controlUrl);
  const control = await openOneStore(o.controlUrl, o);
  try {
    return splitStore(await openOneStore(url, o), control);
  } catch (e) {
    await control.close().catch(() => undefined);
    throw e;
  }
}

/** Leases and watermarks need a real compare-and-set: the control store is a transactional database. */
export function checkControlStoreUrl(url: string): void {
  if (!url.startsWith('duckdb:') && !url.startsWith('mysql://')) {
    throw new ConfigError(`control store URL ${redact(url)}: must be duckdb: or mysql:// (a transactional database; leases need a compare-and-set)`);
  }
}

async function openOneStore(url: string, o: OpenStoreOptions): Promise<Store> {
  const timeout = o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const close = (s: Store) => s.close();
  if (url.startsWith('duckdb:')) {
    const path = url.slice('duckdb:'.length) || ':memory:';
    if (path !== ':memory:') checkDuckDbPath(path, o.create ?? true);
    // Loaded on demand, like sql.ts: commands that never open a store (datasets, parse, --help) start faster.
    const { DuckDbStore } = await import('./duckdb.ts');
    return redacting(await connectWithin('store', url, timeout, () => DuckDbStore.open(path, { revisions: retention(o), ...o.duckdb }), close));
  }
  if (url.startsWith('mysql://') || url.startsWith('starrocks://')) {
    const { SqlStore } = await import('./sql.ts');
    return redacting(await connectWithin('store', url, timeout, () => SqlStore.open(url, { create: o.create, connectTimeoutMs: timeout, revisions: retention(o) }), close));
  }
  throw new ConfigError(`store URL ${redact(url)}: unsupported scheme (supported: duckdb:, mysql://, starrocks://)`);
}
