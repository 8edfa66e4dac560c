// For tests beyond the contract suite that must run on both engines: an in-memory DuckDB store and a
// fresh MariaDB database per open (SCALAR_TEST_MYSQL_URL), dropped when the test file ends.
import { randomUUID } from 'node:crypto';
import { after } from 'node:test';
import mysql from 'mysql2/promise';
import { DuckDbStore } from './duckdb.ts';
import { SqlStore } from './sql.ts';
import type { Store } from './types.ts';

export function bothEngines(): [string, () => Promise<Store>][] {
  const base = process.env.SCALAR_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
  const created: string[] = [];
  after(async () => {
    if (created.length === 0) return;
    const u = new URL(base);
    const c = await mysql.createConnection({ host: u.hostname, port: Number(u.port), user: u.username || 'root', password: decodeURIComponent(u.password) }).catch(() => null);
    for (const db of created) await c?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await c?.end();
  });
  return [
    ['duckdb', () => DuckDbStore.open(':memory:')],
    ['mariadb', () => {
      const db = `scalar_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
      created.push(db);
      return SqlStore.open(`${base}/${db}`);
    }],
  ];
}
