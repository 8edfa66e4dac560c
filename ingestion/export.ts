// `scalar export`: one dataset's observations (the analyst view's columns) to a CSV or Parquet file,
// streamed: DuckDB writes the file itself (COPY ... TO, in the store's order: sorting 1M rows would
// not fit the memory ceiling); over MySQL/MariaDB rows are streamed, by series and time, into
// CSV, and Parquet is made from that CSV by an in-memory DuckDB (its COPY streams; read_csv's buffer
// is cut to 1 MB from its default ~32 MB so that it fits a 32 MB ceiling).
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { DuckDBInstance } from '@duckdb/node-api';
import { ConfigError } from '../shared/errors.ts';
import { DUCKDB_BOUNDED, type ReadOnlySql } from '../shared/store/read-only-sql.ts';
import type { AnalystView } from '../shared/store/views.ts';
import { isoUtc } from '../shared/time.ts';

export type ExportFormat = 'csv' | 'parquet';

export type ExportRequest = {
  view: AnalystView;
  from?: Date;
  to?: Date;
  /** Dimension filters (raw values, as stored), all of which must match. */
  where?: Readonly<Record<string, string>>;
  format: ExportFormat;
  file: string;
};

const FIXED_COLUMNS = ['ts', 'value', 'unit', 'resolution', 'issued', 'quality'];

/** The columns exported: the view's dimension columns, then the fixed ones (series_key left out). */
export const exportColumns = (view: AnalystView) => [...view.columns.map((c) => c.name), ...FIXED_COLUMNS];

function filters(r: ExportRequest): { clauses: string[]; params: (string | Date)[] } {
  const clauses: string[] = [];
  const params: (string | Date)[] = [];
  if (r.from) clauses.push('ts >= ?'), params.push(r.from);
  if (r.to) clauses.push('ts < ?'), params.push(r.to);
  for (const [key, value] of Object.entries(r.where ?? {})) {
    // The raw dimension column (not its display column): values arrive normalised to what is stored.
    const column = r.view.columns.find((c) => c.dimension === key && !c.codes);
    if (!column) throw new ConfigError(`--where ${key}: ${r.view.dataset} has no dimension ${key} (${r.view.columns.filter((c) => !c.codes).map((c) => c.dimension).join(', ')})`);
    clauses.push(`${column.name} = ?`), params.push(value);
  }
  return { clauses, params };
}

/** Writes the export and returns the number of rows; the file appears only once complete. */
export async function exportObservations(sql: ReadOnlySql, r: ExportRequest): Promise<number> {
  const { clauses, params } = filters(r);
  const columns = exportColumns(r.view);
  const partial = `${r.file}.partial`;
  try {
    let n: number;
    if (sql.copyTo) {
      // COPY takes no parameters: inline them as literals (timestamps we format, values quoted).
      let i = 0;
      const where = clauses.map((c) => c.replace('?', () => literal(params[i++]!))).join(' AND ');
      const select = columns.map((c) => (r.format === 'csv' && (c === 'ts' || c === 'issued') ? `strftime(${c}, '%Y-%m-%dT%H:%M:%SZ') AS ${c}` : c));
      n = await sql.copyTo(`SELECT ${select.join(', ')} FROM ${r.view.name}${where ? ` WHERE ${where}` : ''}`, partial, r.format);
    } else {
      const query = `SELECT ${columns.join(', ')} FROM ${r.view.name}${clauses.length ? ` WHERE ${clauses.join(' AND ')}` : ''} ORDER BY series_key, ts`;
      const csv = r.format === 'csv' ? partial : `${r.file}.csv.partial`;
      n = await streamCsv(sql.rows(query, params), columns, csv);
      if (r.format === 'parquet') {
        await csvToParquet(csv, partial, r.view);
        await rm(csv, { force: true });
      }
    }
    await rename(partial, r.file);
    return n;
  } catch (e) {
    await rm(partial, { force: true });
    await rm(`${r.file}.csv.partial`, { force: true });
    throw e;
  }
}

const literal = (v: string | Date) => (v instanceof Date ? `TIMESTAMP '${v.toISOString().replace('T', ' ').replace('Z', '')}'` : `'${v.replace(/'/g, "''")}'`);

const csvCell = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  const s = v instanceof Date ? isoUtc(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

async function streamCsv(rows: AsyncIterable<Record<string, unknown>>, columns: readonly string[], file: string): Promise<number> {
  const out = createWriteStream(file);
  const write = async (s: string) => {
    // Backpressure: wait for the file to take the chunk, so rows never pile up in memory.
    if (!out.write(s)) await once(out, 'drain');
  };
  let n = 0;
  try {
    await write(`${columns.join(',')}\n`);
    let chunk = '';
    for await (const row of rows) {
      chunk += `${columns.map((c) => csvCell(row[c])).join(',')}\n`;
      n += 1;
      if (chunk.length > 64 * 1024) await write(chunk), (chunk = '');
    }
    await write(chunk);
  } finally {
    out.end();
    await once(out, 'close');
  }
  return n;
}

async function csvToParquet(csv: string, file: string, view: AnalystView): Promise<void> {
  const types: Record<string, string> = { ts: 'TIMESTAMP', value: 'DOUBLE', issued: 'TIMESTAMP' };
  const columns = exportColumns(view).map((c) => `'${c}': '${types[c] ?? 'VARCHAR'}'`).join(', ');
  const instance = await DuckDBInstance.create(':memory:', { ...DUCKDB_BOUNDED, memory_limit: '32MB', threads: '1' });
  const conn = await instance.connect();
  try {
    const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
    await conn.run(`SET TimeZone = 'UTC'`);
    await conn.run(`COPY (SELECT * FROM read_csv(${q(csv)}, header = true, buffer_size = 1048576, columns = {${columns}})) TO ${q(file)} (FORMAT parquet, ROW_GROUP_SIZE 20000)`);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
