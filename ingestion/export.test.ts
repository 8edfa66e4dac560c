// Exports on DuckDB (COPY) and MariaDB (streamed CSV, Parquet through DuckDB): the rows asked for,
// in the view's columns, nulls kept empty, and a Parquet file DuckDB reads back with the same count.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { providers } from '../providers/index.ts';
import { seriesKey, type Observation } from '../shared/observation.ts';
import { DuckDbStore } from '../shared/store/duckdb.ts';
import { openReadOnlySql } from '../shared/store/read-only-sql.ts';
import { SqlStore } from '../shared/store/sql.ts';
import type { Store } from '../shared/store/types.ts';
import { analystViews } from '../shared/store/views.ts';
import { exportObservations } from './export.ts';
import { freshDatabases } from '../shared/store/test-stores.ts';

const FR = '10YFR-RTE------C';
const DE = '10Y1001A1001A82H';
const HOURS = 48;
const prices: Observation[] = [FR, DE].flatMap((area) =>
  Array.from({ length: HOURS }, (_, h) => ({
    dataset: 'entsoe.day_ahead_prices', series: { area, sequence: '1', resolution: 'PT60M' }, ts: new Date(Date.UTC(2025, 0, 1, h)),
    resolution: 'PT60M', value: h === 5 ? null : 50 + h, unit: 'EUR/MWh',
  })),
);
const view = analystViews(providers).find((v) => v.dataset === 'entsoe.day_ahead_prices')!;
const dir = mkdtempSync(join(tmpdir(), 'scalar-export-'));

async function seed(store: Store): Promise<void> {
  await store.replaceViews!(analystViews(providers));
  await store.upsertObservations(prices.map((o) => ({ ...o, seriesKey: seriesKey(o.series), payloadSha256: 'b'.repeat(64) })));
  await store.close();
}

async function parquetRows(file: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const r = await conn.runAndReadAll(`SELECT zone, ts, value FROM read_parquet('${file}') ORDER BY ts`);
  const rows = r.getRowObjectsJS() as Record<string, unknown>[];
  conn.closeSync();
  db.closeSync();
  return rows;
}

function exportContract(name: string, open: () => Promise<{ store: Store; url: string }>) {
  describe(`export: ${name}`, () => {
    it('writes the filtered rows to CSV with the view columns, nulls empty, ts in UTC', async () => {
      const { store, url } = await open();
      await seed(store);
      const sql = await openReadOnlySql(url);
      const file = join(dir, `${randomUUID()}.csv`);
      try {
        const n = await exportObservations(sql, { view, format: 'csv', file, where: { area: FR }, from: new Date(Date.UTC(2025, 0, 1, 0)), to: new Date(Date.UTC(2025, 0, 2, 0)) });
        assert.equal(n, 24);
        const [header, ...lines] = readFileSync(file, 'utf8').trimEnd().split('\n');
        assert.equal(header, 'area,zone,series_resolution,sequence,ts,value,unit,resolution,issued,quality');
        assert.equal(lines.length, 24);
        // DuckDB writes in the store's order: sorted here by ts (ISO text sorts as time).
        lines.sort((a, b) => a.split(',')[4]!.localeCompare(b.split(',')[4]!));
        const first = lines[0]!.split(',');
        // DuckDB writes 50.0, MariaDB 50: the same number.
        assert.deepEqual([...first.slice(0, 5), Number(first[5]), ...first.slice(6)], [FR, 'FR', 'PT60M', '1', '2025-01-01T00:00:00Z', 50, 'EUR/MWh', 'PT60M', '', '']);
        assert.equal(lines[5]!.split(',')[5], '', 'the null price at 05:00 stays empty');
        assert.equal(existsSync(`${file}.partial`), false);
      } finally {
        await sql.close();
      }
    });

    it('writes Parquet that reads back with every row and the null', async () => {
      const { store, url } = await open();
      await seed(store);
      const sql = await openReadOnlySql(url);
      const file = join(dir, `${randomUUID()}.parquet`);
      try {
        assert.equal(await exportObservations(sql, { view, format: 'parquet', file }), 2 * HOURS);
        const rows = await parquetRows(file);
        assert.equal(rows.length, 2 * HOURS);
        assert.equal(rows.filter((r) => r.value === null).length, 2);
        assert.deepEqual(new Set(rows.map((r) => r.zone)), new Set(['FR', 'DE-LU']));
        assert.equal(new Date(rows[0]!.ts as Date).toISOString(), '2025-01-01T00:00:00.000Z');
      } finally {
        await sql.close();
      }
    });

    it('names the dimensions when a filter key is not one of them', async () => {
      const { store, url } = await open();
      await seed(store);
      const sql = await openReadOnlySql(url);
      try {
        await assert.rejects(exportObservations(sql, { view, format: 'csv', file: join(dir, 'x.csv'), where: { zone: 'FR' } }), /no dimension zone \(area, resolution, sequence\)/);
      } finally {
        await sql.close();
      }
    });
  });
}

exportContract('duckdb', async () => {
  const path = join(dir, `${randomUUID()}.duckdb`);
  return { store: await DuckDbStore.open(path), url: `duckdb:${path}` };
});

const databases = freshDatabases();
exportContract('mysql dialect on MariaDB', async () => {
  const url = databases.url();
  return { store: await SqlStore.open(url), url };
});
