// The analyst views and read-only SQL, on DuckDB and on MariaDB: the dimensions come out as columns,
// ENTSO-E areas as zone codes, nulls stay null, and nothing but a read gets through.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { providers } from '../../providers/index.ts';
import { seriesKey, type Observation } from '../observation.ts';
import { DuckDbStore } from './duckdb.ts';
import { checkReadOnlyStatement, openReadOnlySql, type SqlRow } from './read-only-sql.ts';
import { SqlStore } from './sql.ts';
import { analystViews, viewStatement } from './views.ts';
import type { Store } from './types.ts';
import { freshDatabases } from './test-stores.ts';

const FR = '10YFR-RTE------C';
const DE = '10Y1001A1001A82H';
const price = (area: string, hour: number, value: number | null): Observation => ({
  dataset: 'entsoe.day_ahead_prices', series: { area, sequence: '1', resolution: 'PT60M' }, ts: new Date(Date.UTC(2025, 0, 1, hour)),
  resolution: 'PT60M', value, unit: 'EUR/MWh',
});
const rows = [price(FR, 0, 80), price(FR, 1, null), price(DE, 0, 90), price(DE, 1, 100)];

async function seed(store: Store): Promise<void> {
  await store.replaceViews!(analystViews(providers));
  await store.upsertObservations(rows.map((o) => ({ ...o, seriesKey: seriesKey(o.series), payloadSha256: 'a'.repeat(64) })));
}

async function collect(it: AsyncIterable<SqlRow>): Promise<SqlRow[]> {
  const out: SqlRow[] = [];
  for await (const r of it) out.push(r);
  return out;
}

function viewContract(name: string, open: () => Promise<{ store: Store; url: string }>) {
  describe(`analyst views: ${name}`, () => {
    it('unpacks the dimensions into columns, shows the zone code beside the EIC and keeps nulls', async () => {
      const { store, url } = await open();
      await seed(store);
      await store.close();
      const sql = await openReadOnlySql(url);
      try {
        const got = await collect(sql.rows('SELECT zone, area, sequence, series_resolution, ts, value, unit FROM v_entsoe_day_ahead_prices ORDER BY zone, ts'));
        assert.deepEqual(got.map((r) => [r.zone, r.area, r.sequence, r.series_resolution, new Date(r.ts as Date).toISOString(), r.value, r.unit]), [
          ['DE-LU', DE, '1', 'PT60M', '2025-01-01T00:00:00.000Z', 90, 'EUR/MWh'],
          ['DE-LU', DE, '1', 'PT60M', '2025-01-01T01:00:00.000Z', 100, 'EUR/MWh'],
          ['FR', FR, '1', 'PT60M', '2025-01-01T00:00:00.000Z', 80, 'EUR/MWh'],
          ['FR', FR, '1', 'PT60M', '2025-01-01T01:00:00.000Z', null, 'EUR/MWh'],
        ]);
        const spread = await collect(sql.rows(
          "SELECT d.value - f.value AS spread FROM v_entsoe_day_ahead_prices d JOIN v_entsoe_day_ahead_prices f ON f.ts = d.ts AND f.zone = 'FR' WHERE d.zone = 'DE-LU' ORDER BY d.ts",
        ));
        assert.deepEqual(spread.map((r) => (r.spread === null ? null : Number(r.spread))), [10, null]);
      } finally {
        await sql.close();
      }
    });

    it('cannot write through the read-only connection', async () => {
      const { store, url } = await open();
      await seed(store);
      await store.close();
      const sql = await openReadOnlySql(url);
      try {
        // Below the statement check, the connection itself refuses a write.
        await assert.rejects(collect(sql.rows("INSERT INTO leases (lease_key, owner, expires_at) VALUES ('k', 'o', '2025-01-01 00:00:00')")));
      } finally {
        await sql.close();
      }
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'scalar-views-'));
viewContract('duckdb', async () => {
  const path = join(dir, `${randomUUID()}.duckdb`);
  return { store: await DuckDbStore.open(path), url: `duckdb:${path}` };
});

const databases = freshDatabases();
viewContract('mysql dialect on MariaDB', async () => {
  const url = databases.url();
  return { store: await SqlStore.open(url), url };
});

describe('read-only statement check', () => {
  it('lets reads through and refuses writes, DDL and a second statement', () => {
    for (const ok of ['SELECT 1', '  with x as (select 1) select * from x;', 'SHOW TABLES', 'DESCRIBE v_entsoe_day_ahead_prices', 'EXPLAIN SELECT 1', '-- note\nSELECT 2']) {
      assert.doesNotThrow(() => checkReadOnlyStatement(ok), ok);
    }
    for (const bad of ['DELETE FROM observations', 'drop table series', 'SELECT 1; DELETE FROM series', '', 'ATTACH \'x.db\'', 'COPY observations TO \'x.csv\'']) {
      assert.throws(() => checkReadOnlyStatement(bad), /read-only|one statement/, bad);
    }
  });
});

describe('view statements', () => {
  it('has a column per declared dimension of every dataset, in every dialect', () => {
    const views = analystViews(providers);
    assert.equal(views.length, providers.reduce((n, p) => n + p.datasets.length, 0));
    const load = views.find((v) => v.dataset === 'entsoe.load_forecast')!;
    assert.equal(load.name, 'v_entsoe_load_forecast');
    assert.deepEqual(load.columns.map((c) => c.name), ['area', 'zone', 'horizon', 'series_resolution', 'bound']);
    for (const dialect of ['duckdb', 'mysql', 'starrocks'] as const) assert.match(viewStatement(dialect, load), /^CREATE OR REPLACE VIEW/);
  });
});
