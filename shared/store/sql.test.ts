// The store contract on MariaDB (mysql dialect) on every run, and on StarRocks when STARROCKS_URL is set.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seriesKey } from '../observation.ts';
import { storeContract, type ContractStoreOptions } from './contract.ts';
import { loadDataTsv, SqlStore } from './sql.ts';
import { TEST_MYSQL_URL, freshDatabases } from './test-stores.ts';

/** A fresh database per test on `server`, dropped at the end. */
function fresh(server: string) {
  const databases = freshDatabases(server);
  return async (o?: ContractStoreOptions) => SqlStore.open(databases.url(), o);
}

storeContract('mysql dialect on MariaDB', fresh(TEST_MYSQL_URL));

if (process.env.STARROCKS_URL) {
  storeContract('starrocks dialect', fresh(process.env.STARROCKS_URL.replace(/\/[^/]*$/, '')));
} else {
  describe('store contract: starrocks dialect', () => {
    it('skipped: STARROCKS_URL is not set (e.g. starrocks://root@127.0.0.1:9030/scalar)', { skip: 'STARROCKS_URL not set' }, () => {});
  });
}

describe('mysql dialect: the LOAD DATA path', () => {
  const row = (seriesKey: string, value: number | null) => ({
    dataset: 'test.prices', series: { k: seriesKey }, seriesKey, ts: new Date('2025-11-05T10:00:00Z'), resolution: 'PT15M', value, unit: 'EUR/MWh', payloadSha256: 'a'.repeat(64),
  });

  it('writes tabs, newlines, backslashes and nulls in the escaped TSV LOAD DATA reads', () => {
    const tsv = loadDataTsv([{ ...row('a\tb\\c\nd', null), quality: '\\N' }], new Date('2025-11-05T11:00:00.123Z'));
    assert.equal(tsv, `test.prices\ta\\tb\\\\c\\nd\t2025-11-05 10:00:00.000\t\\N\t${'a'.repeat(64)}\t2025-11-05 11:00:00.123\t\\N\t\\\\N\n`);
  });

  it('a row the table cannot hold fails the batch as an INSERT does, leaving nothing truncated behind', async () => {
    const store = await fresh(TEST_MYSQL_URL)();
    await assert.rejects(store.upsertObservations([row('x'.repeat(600), 1), row('area=DK1', 2)]), /too long/i);
    assert.equal(await store.countObservations('test.prices'), 0);
    await store.upsertObservations([row('area=DK1', 2)]);
    assert.deepEqual((await store.queryObservations({ dataset: 'test.prices' })).map((o) => o.value), [2]);
    await store.close();
  });
});

describe('mysql dialect: text beyond latin1', () => {
  it('creates its database as utf8mb4 and keeps dimensions, units and flags outside latin1 as written, whatever the server default', async () => {
    const store = await fresh(TEST_MYSQL_URL)();
    const series = { area: 'Nordsø', note: 'A→B −1' };
    await store.upsertObservations([{ dataset: 'test.prices', series, seriesKey: seriesKey(series), ts: new Date('2025-11-05T10:00:00Z'), resolution: 'PT15M', value: 1, unit: '€/MWh', payloadSha256: 'a'.repeat(64) }]);
    const [o] = await store.queryObservations({ dataset: 'test.prices' });
    assert.deepEqual([o?.series, o?.unit], [series, '€/MWh']);
    await store.close();
  });
});
