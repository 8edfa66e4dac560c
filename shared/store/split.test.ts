// The store contract through splitStore: observations in one engine, the control plane in another,
// both ways round; and which part each method reaches.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { storeContract, type ContractStoreOptions } from './contract.ts';
import { DuckDbStore } from './duckdb.ts';
import { checkControlStoreUrl, openStore } from './index.ts';
import { splitStore } from './split.ts';
import { SqlStore } from './sql.ts';
import { freshDatabases } from './test-stores.ts';

const databases = freshDatabases();
const freshMariaDb = (o: ContractStoreOptions = {}) => SqlStore.open(databases.url(), o);

// The contract's options (a revision retention) go to the observation part, where revisions live.
storeContract('split: DuckDB observations, MariaDB control', async (o) => splitStore(await DuckDbStore.open(':memory:', o), await freshMariaDb()));
storeContract('split: MariaDB observations, DuckDB control', async (o) => splitStore(await freshMariaDb(o), await DuckDbStore.open(':memory:')));

describe('splitStore', () => {
  it('sends observations to one store and leases, watermarks, fetch log and dead letters to the other', async () => {
    const observations = await DuckDbStore.open(':memory:');
    const control = await DuckDbStore.open(':memory:');
    const store = splitStore(observations, control);
    const series = { area: 'DK1' };
    await store.upsertObservations([{ dataset: 'd', series, seriesKey: 'area=DK1', ts: new Date('2025-11-05T00:00:00Z'), resolution: 'PT15M', value: 1, unit: 'EUR/MWh', payloadSha256: 'a'.repeat(64) }]);
    assert.equal(await store.acquireLease('k', 'me', 60_000), true);
    await store.advanceWatermark('d', 'DK1', new Date('2025-11-06T00:00:00Z'));
    await store.recordDeadLetters([{ at: new Date(), topic: 't', reason: 'r', dataset: 'd', runId: null, windowFrom: null, windowTo: null, sha256: null }]);
    assert.equal(await observations.countObservations('d'), 1);
    assert.equal(await control.countObservations('d'), 0);
    assert.equal((await control.listWatermarks()).length, 1);
    assert.equal((await observations.listWatermarks()).length, 0);
    assert.equal(await observations.acquireLease('k', 'other', 60_000), true, 'the lease was taken in the control store only');
    assert.equal(await control.acquireLease('k', 'other', 60_000), false);
    assert.equal((await control.listDeadLetters()).length, 1);
    assert.equal((await observations.listDeadLetters()).length, 0);
    await store.close();
    await assert.rejects(control.ping(), 'close closes both parts');
    await assert.rejects(observations.ping());
  });

  it('is the store itself when both parts are one', async () => {
    const one = await DuckDbStore.open(':memory:');
    assert.equal(splitStore(one, one), one);
    await one.close();
  });

  it('opens the control plane from its own URL, and refuses one that cannot hold a lease', async () => {
    const store = await openStore('duckdb::memory:', { controlUrl: 'duckdb:' }); // two in-memory DuckDBs
    assert.equal(await store.acquireLease('k', 'me', 60_000), true);
    await store.close();
    assert.throws(() => checkControlStoreUrl('starrocks://root@127.0.0.1:9030/scalar'), /control store URL .*must be duckdb: or mysql:\/\//);
    assert.doesNotThrow(() => checkControlStoreUrl('mysql://root@127.0.0.1:3306/scalar'));
    await assert.rejects(openStore('duckdb::memory:', { controlUrl: 'starrocks://root@127.0.0.1:9030/scalar' }), { name: 'ConfigError' });
  });
});
