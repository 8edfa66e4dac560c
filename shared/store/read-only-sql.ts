// Read-only SQL against the store, for `scalar sql` and exports: a separate connection that cannot
// write (DuckDB opened READ_ONLY; MySQL/MariaDB inside START TRANSACTION READ ONLY), rows streamed.
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import mysql from 'mysql2';
import type { Connection } from 'mysql2';
import { ConfigError, ConnectionError } from '../errors.ts';
import { redact } from '../redact.ts';

export type SqlRow = Record<string, unknown>;

export type ReadOnlySql = {
  dialect: 'duckdb' | 'mysql' | 'starrocks';
  /** Rows one at a time: memory stays bounded whatever the result size. */
  rows(sql: string, params?: readonly unknown[]): AsyncIterable<SqlRow>;
  /** DuckDB only: `COPY (query) TO file` in DuckDB's own writer (csv or parquet). */
  copyTo?(sql: string, file: string, format: 'csv' | 'parquet'): Promise<number>;
  close(): Promise<void>;
};

const ALLOWED = new Set(['SELECT', 'WITH', 'SHOW', 'DESCRIBE', 'DESC', 'EXPLAIN']);

/** Throws ConfigError unless `sql` is one read-only statement (SELECT, WITH, SHOW, DESCRIBE, EXPLAIN). */
export function checkReadOnlyStatement(sql: string): string {
  const text = sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ').trim().replace(/;\s*$/, '');
  // A `;` left inside would start a second statement (quoted ones are rare enough to refuse too).
  if (text.includes(';')) throw new ConfigError('one statement only (no ";" inside the query)');
  const keyword = (/^\(*\s*([A-Za-z]+)/.exec(text)?.[1] ?? '').toUpperCase();
  if (!ALLOWED.has(keyword)) throw new ConfigError(`read-only queries only (SELECT, WITH, SHOW, DESCRIBE, EXPLAIN), not ${keyword || 'an empty query'}`);
  return text;
}

export type ReadOnlyOptions = {
  /** DuckDB: no file or network access from the query (`read_csv('/etc/…')`, ATTACH); off for exports, which write a file. */
  sandboxed?: boolean;
};

export async function openReadOnlySql(storeUrl: string, o: ReadOnlyOptions = {}): Promise<ReadOnlySql> {
  if (storeUrl.startsWith('duckdb:')) return openDuckDb(storeUrl.slice('duckdb:'.length), o.sandboxed === true);
  if (storeUrl.startsWith('mysql://') || storeUrl.startsWith('starrocks://')) return openMysql(storeUrl);
  throw new ConfigError(`store URL ${redact(storeUrl)}: unsupported scheme (supported: duckdb:, mysql://, starrocks://)`);
}

/** DuckDB settings for exports and ad-hoc queries: a memory ceiling, spilling under the system temp directory. */
export const DUCKDB_BOUNDED: Readonly<Record<string, string>> = { memory_limit: '96MB', threads: '2', temp_directory: join(tmpdir(), 'scalar-duckdb-spill'), preserve_insertion_order: 'false' };

async function openDuckDb(path: string, sandboxed: boolean): Promise<ReadOnlySql> {
  if (!path || path === ':memory:') throw new ConfigError('an in-memory store holds nothing to query from another process');
  if (!existsSync(path)) throw new ConfigError(`no store at ${path} (nothing created; check --data-dir or SCALAR_STORE_URL)`);
  let instance: DuckDBInstance;
  try {
    // A bounded buffer pool: a large COPY or sort spills to disk instead of growing the process (default is 80% of RAM).
    instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY', ...DUCKDB_BOUNDED });
  } catch (e) {
    const m = (e as Error).message;
    // DuckDB allows one writing process per file: a running `scalar start` holds the lock.
    if (/lock/i.test(m)) throw new ConfigError(`store file ${path} is locked by another process (a running scalar start or demo?): stop it first, or use a MySQL/MariaDB store for concurrent reads`);
    throw new ConfigError(`cannot open ${path} read-only: ${m.split('\n')[0]}`);
  }
  const conn: DuckDBConnection = await instance.connect();
  // Once off it cannot be turned back on from SQL.
  if (sandboxed) await conn.run('SET enable_external_access = false');
  return {
    dialect: 'duckdb',
    async *rows(sql, params = []) {
      const result = await conn.stream(sql, params.length > 0 ? (params.map(duckValue) as DuckDBValue[]) : undefined);
      for await (const chunk of result.yieldRowObjectJs()) yield* chunk;
    },
    async copyTo(sql, file, format) {
      // Measured on 1M rows: 32 MB and one thread keep the process near 150 MB; an ORDER BY would need the
      // whole result sorted (out of memory at this limit), so exports come in the store's order.
      await conn.run("SET memory_limit = '32MB'; SET threads = 1");
      const r = await conn.run(`COPY (${sql}) TO '${file.replace(/'/g, "''")}' (FORMAT ${format === 'parquet' ? 'parquet, ROW_GROUP_SIZE 20000' : 'csv, HEADER true'})`);
      return Number(r.rowsChanged);
    },
    async close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

const duckValue = (v: unknown): DuckDBValue => (v instanceof Date ? v.toISOString().replace('T', ' ').replace('Z', '') : (v as DuckDBValue));

async function openMysql(url: string): Promise<ReadOnlySql> {
  const u = new URL(url);
  const dialect = u.protocol === 'starrocks:' ? 'starrocks' : 'mysql';
  const conn: Connection = mysql.createConnection({
    host: u.hostname, port: Number(u.port || (dialect === 'starrocks' ? 9030 : 3306)), user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password), database: decodeURIComponent(u.pathname.replace(/^\//, '')), timezone: 'Z', supportBigNumbers: true,
  });
  const run = (sql: string) => new Promise<void>((resolve, reject) => conn.query(sql, (e) => (e ? reject(e) : resolve())));
  try {
    await new Promise<void>((resolve, reject) => conn.connect((e) => (e ? reject(e) : resolve())));
    // StarRocks has no read-only transactions: there only the statement check above guards.
    if (dialect === 'mysql') await run('START TRANSACTION READ ONLY');
  } catch (e) {
    conn.destroy();
    throw new ConnectionError(`store ${redact(url)}: ${(e as Error).message}`);
  }
  return {
    dialect,
    async *rows(sql, params = []) {
      const stream = conn.query({ sql, values: [...params] }).stream({ highWaterMark: 500 });
      for await (const row of stream) yield row as SqlRow;
    },
    async close() {
      if (dialect === 'mysql') await run('ROLLBACK').catch(() => undefined);
      await new Promise<void>((resolve) => conn.end(() => resolve()));
    },
  };
}
