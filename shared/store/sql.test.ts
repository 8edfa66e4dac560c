// The store contract on MariaDB (mysql dialect) on every run, and on StarRocks when STARROCKS_URL is set.
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import mysql from 'mysql2/promise';
import { storeContract } from './contract.ts';
import { SqlStore } from './sql.ts';

const MYSQL = process.env.SCALAR_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const created: string[] = [];

/** A fresh database per test, dropped at the end. */
function fresh(base: string) {
  return async () => {
    const db = `scalar_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    created.push(`${base}|${db}`);
    return SqlStore.open(`${base}/${db}`);
  };
}

after(async () => {
  for (const entry of created) {
    const [base, db] = entry.split('|') as [string, string];
    const u = new URL(base);
    const c = await mysql.createConnection({ host: u.hostname, port: Number(u.port), user: u.username || 'root', password: decodeURIComponent(u.password) }).catch(() => null);
    await c?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await c?.end();
  }
});

storeContract('mysql dialect on MariaDB', fresh(MYSQL));

if (process.env.STARROCKS_URL) {
  storeContract('starrocks dialect', fresh(process.env.STARROCKS_URL.replace(/\/[^/]*$/, '')));
} else {
  describe('store contract: starrocks dialect', () => {
    it('skipped: STARROCKS_URL is not set (e.g. starrocks://root@127.0.0.1:9030/scalar)', { skip: 'STARROCKS_URL not set' }, () => {});
  });
}
