// For tests that run against real servers: fresh MySQL/MariaDB databases (random names, dropped
// when the test file ends), and DuckDB in memory beside a fresh MariaDB database per store.
import { randomUUID } from 'node:crypto';
import { after } from 'node:test';
import mysql from 'mysql2/promise';
import { DuckDbStore } from './duckdb.ts';
import { SqlStore } from './sql.ts';
import type { Store } from './types.ts';

/** The MySQL/MariaDB server the tests use (no database in the URL). */
export const TEST_MYSQL_URL = process.env.SCALAR_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

/**
 * Fresh databases on a test server (MySQL, MariaDB or StarRocks), random names, all dropped when the
 * test file (or the describe it is called in) ends. Call it at that level, not inside a test: it
 * registers the drop. `name()` gives a new database name, `url()` the store URL of a new database.
 */
export function freshDatabases(server = TEST_MYSQL_URL): { name(): string; url(): string } {
  const created: string[] = [];
  after(async () => {
    const u = new URL(server);
    const c = await mysql.createConnection({ host: u.hostname, port: Number(u.port || 3306), user: u.username || 'root', password: decodeURIComponent(u.password) }).catch(() => null);
    for (const db of created) await c?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await c?.end();
  });
  const name = () => {
    const db = `scalar_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    created.push(db);
    return db;
  };
  return { name, url: () => `${server.replace(/\/$/, '')}/${name()}` };
}

/** `[name, open]` per engine; call once per test file (it registers the clean-up). */
export function realStores(): [string, () => Promise<Store>][] {
  const databases = freshDatabases();
  return [
    ['duckdb', () => DuckDbStore.open(':memory:')],
    ['mariadb', () => SqlStore.open(databases.url())],
  ];
}

/** The store, counting calls of the named methods: for tests that pin how many reads and writes a step makes. */
export function countingCalls<K extends keyof Store>(store: Store, methods: readonly K[]): { store: Store; calls: Record<K, number> } {
  const calls = Object.fromEntries(methods.map((m) => [m, 0])) as Record<K, number>;
  const counted = new Proxy(store, {
    get(target, name) {
      const v = Reflect.get(target, name, target) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        if (name in calls) calls[name as K]++;
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: counted, calls };
}
