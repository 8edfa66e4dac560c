import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { storeContract } from './contract.ts';
import { DuckDbStore } from './duckdb.ts';

storeContract('duckdb (in memory)', (o) => DuckDbStore.open(':memory:', o));

describe('duckdb file after a crash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scalar-duckdb-crash-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reopens a freshly created store whose process was SIGKILLed right after its schema was made', async () => {
    const file = join(dir, 'scalar.duckdb');
    const store = fileURLToPath(new URL('./duckdb.ts', import.meta.url));
    // A child creates the store and then hangs; it is killed before any clean close (no checkpoint on close).
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e',
      `const { DuckDbStore } = await import(${JSON.stringify(store)}); await DuckDbStore.open(${JSON.stringify(file)}); process.stdout.write('open\\n'); setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => String(d).includes('open') && resolve());
      child.once('exit', (code) => reject(new Error(`child exited ${code} before opening the store`)));
    });
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    const reopened = await DuckDbStore.open(file);
    try {
      assert.equal(await reopened.countObservations(), 0);
    } finally {
      await reopened.close();
    }
  });
});

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

describe('duckdb memory', () => {
  const rows = Array.from({ length: 5000 }, (_, i) => ({
    dataset: 'test.prices', series: { area: `Z${i % 50}` }, seriesKey: `area=Z${i % 50}`, ts: new Date(Date.UTC(2025, 0, 1) + Math.floor(i / 50) * 3_600_000),
    resolution: 'PT1H', value: i, unit: 'EUR/MWh', payloadSha256: 'a'.repeat(64),
  }));

  it('keeps nothing of the rows it staged: merging the same batch 40 times leaves its memory where it was', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scalar-duckdb-mem-'));
    const store = await DuckDbStore.open(join(dir, 'store.duckdb'));
    try {
      await store.upsertObservations(rows);
      await store.upsertObservations(rows); // the first merge (the one above was a plain append)
      const before = await store.memory();
      for (let i = 0; i < 40; i++) await store.upsertObservations(rows);
      const after = await store.memory();
      // Emptied with DELETE, a temporary staging table kept every row ever staged: ~13 MB for these 200 000.
      const grown = (after.byTag.IN_MEMORY_TABLE ?? 0) - (before.byTag.IN_MEMORY_TABLE ?? 0);
      assert.ok(grown < 1024 * 1024, `in-memory tables grew by ${(grown / 1048576).toFixed(1)} MB`);
      assert.equal(await store.countObservations('test.prices'), rows.length);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("bounds its buffer pool as configured (DuckDB would take 80 % of the machine's memory)", async () => {
    const store = await DuckDbStore.open(':memory:', { memoryLimit: '64MB', threads: 1 });
    try {
      assert.equal((await store.memory()).limit, '61.0 MiB');
    } finally {
      await store.close();
    }
  });
});
