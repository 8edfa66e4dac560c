// The store contract on MariaDB (mysql dialect) on every run, and on StarRocks when STARROCKS_URL is set.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seriesKey } from '../observation.ts';
import { storeContract, type ContractStoreOptions } from './contract.ts';
import { inKeyOrder, loadDataTsv, SqlStore } from './sql.ts';
import { TEST_MYSQL_URL, freshDatabases } from './test-stores.ts';
import type { StoredObservation } from './types.ts';

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

  it('repeats a field escaped once for the rows after it, and formats each instant wherever it recurs', () => {
    const now = new Date('2025-11-05T11:00:00.123Z');
    const rows = [row('a\tb', 1), { ...row('a\tb', 2), ts: new Date('2025-11-05T10:15:00Z'), issued: new Date('2025-11-05T10:00:00Z') }, row('c', 3)];
    assert.equal(loadDataTsv(rows, now), rows.map((r) => loadDataTsv([r], now)).join(''));
    assert.equal(loadDataTsv(rows, now).split('\n')[1], `test.prices\ta\\tb\t2025-11-05 10:15:00.000\t2\t${'a'.repeat(64)}\t2025-11-05 11:00:00.123\t2025-11-05 10:00:00.000\t\\N`);
  });

  it('puts a batch in key order (dataset, series key, instant) however its rows arrive', () => {
    const at = (m: number) => new Date(Date.UTC(2025, 10, 5, 10, m));
    const rows: StoredObservation[] = [];
    // As a provider's batch arrives: instant by instant, every series in turn (not in time order).
    for (const m of [30, 0, 45, 15]) for (const dataset of ['b.prices', 'a.prices']) for (const key of ['area=DK2', 'area=DK1', 'area=SE3']) rows.push({ ...row(key, m), dataset, ts: at(m) });
    const text = (rs: readonly StoredObservation[]) => rs.map((r) => `${r.dataset} ${r.seriesKey} ${r.ts.getUTCMinutes()}`);
    const expected = text([...rows].sort((a, b) => a.dataset.localeCompare(b.dataset) || a.seriesKey.localeCompare(b.seriesKey) || a.ts.getTime() - b.ts.getTime()));
    assert.equal(expected[0], 'a.prices area=DK1 0');
    const shuffled = rows.map((r, i) => ({ r, k: (i * 7919) % rows.length })).sort((a, b) => a.k - b.k).map((x) => x.r);
    for (const arrival of [rows, shuffled, [...rows].reverse(), inKeyOrder(rows)]) assert.deepEqual(text(inKeyOrder(arrival)), expected);
    assert.equal(inKeyOrder(rows).length, rows.length);
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
