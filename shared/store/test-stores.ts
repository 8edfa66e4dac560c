// For tests that run against both engines: DuckDB in memory and a fresh MariaDB database per
// store (random name, dropped when the test file ends).
import { randomUUID } from 'node:crypto';
import { after } from 'node:test';
import mysql from 'mysql2/promise';
import { DuckDbStore } from './duckdb.ts';
import { SqlStore } from './sql.ts';
import type { Store } from './types.ts';

const MYSQL = process.env.SCALAR_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

/** `[name, open]` per engine; call once per test file (it registers the clean-up). */
export function realStores(): [string, () => Promise<Store>][] {
  const created: string[] = [];
  after(async () => {
    const u = new URL(MYSQL);
    const c = await mysql.createConnection({ host: u.hostname, port: Number(u.port), user: u.username || 'root', password: decodeURIComponent(u.password) }).catch(() => null);
    for (const db of created) await c?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await c?.end();
  });
  return [
    ['duckdb', () => DuckDbStore.open(':memory:')],
    ['mariadb', () => {
      const db = `scalar_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
      created.push(db);
      return SqlStore.open(`${MYSQL}/${db}`);
    }],
  ];
}
