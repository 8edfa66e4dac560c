import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { storeContract } from './contract.ts';
import { DuckDbStore } from './duckdb.ts';

storeContract('duckdb (in memory)', () => DuckDbStore.open(':memory:'));

test('a batch appended past series bounds that are out of step with the rows is merged instead, not lost or doubled', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scalar-duckdb-'));
  const file = join(dir, 'store.duckdb');
  const row = (value: number) => ({
    dataset: 'test.prices', series: { area: 'DK1' }, seriesKey: 'area=DK1', ts: new Date('2025-11-05T10:00:00Z'),
    resolution: 'PT15M', value, unit: 'EUR/MWh', payloadSha256: 'a'.repeat(64),
  });
  try {
    let store = await DuckDbStore.open(file);
    await store.upsertObservations([row(1)]);
    await store.close();
    // Bounds that say the series holds nothing near the stored row: the append path is taken and meets the key.
    const instance = await DuckDBInstance.create(file);
    const conn = await instance.connect();
    await conn.run(`UPDATE series SET first_ts = TIMESTAMP '2030-01-01', last_ts = TIMESTAMP '2030-01-02'`);
    conn.closeSync();
    instance.closeSync();
    store = await DuckDbStore.open(file);
    await store.upsertObservations([row(2)]);
    assert.deepEqual((await store.queryObservations({ dataset: 'test.prices' })).map((o) => o.value), [2]);
    assert.equal(await store.countObservations('test.prices'), 1);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
