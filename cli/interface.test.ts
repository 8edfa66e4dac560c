// The analyst-facing commands end to end (scalar sql, export, query tables, --version, json formats)
// on a DuckDB store seeded with ENTSO-E prices, and sql/export on MariaDB.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { providers } from '../providers/index.ts';
import { seriesKey, type Observation } from '../shared/observation.ts';
import { DuckDbStore } from '../shared/store/duckdb.ts';
import { SqlStore } from '../shared/store/sql.ts';
import { analystViews } from '../shared/store/views.ts';
import { freshDatabases } from '../shared/store/test-stores.ts';

const bin = fileURLToPath(new URL('../bin/scalar.js', import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, SCALAR_LOG_LEVEL: 'error' }, timeout: 60_000 });
const FR = '10YFR-RTE------C';
const dir = mkdtempSync(join(tmpdir(), 'scalar-interface-'));
const scalar = (...args: string[]) => run([...args, '--data-dir', dir]);
after(() => rmSync(dir, { recursive: true, force: true }));

before(async () => {
  const store = await DuckDbStore.open(join(dir, 'scalar.duckdb'));
  await store.replaceViews(analystViews(providers));
  const rows: Observation[] = [0, 1, 2].map((h) => ({
    dataset: 'entsoe.day_ahead_prices', series: { area: FR, sequence: '1', resolution: 'PT60M' }, ts: new Date(Date.UTC(2025, 0, 1, h)),
    resolution: 'PT60M', value: h === 1 ? null : 40 + h, unit: 'EUR/MWh',
  }));
  await store.upsertObservations(rows.map((o) => ({ ...o, seriesKey: seriesKey(o.series), payloadSha256: 'c'.repeat(64) })));
  await store.close();
});

describe('scalar sql', () => {
  it('answers a query on the analyst view in jsonl, nulls as null', () => {
    const r = scalar('sql', "SELECT zone, ts, value FROM v_entsoe_day_ahead_prices ORDER BY ts", '--format', 'jsonl');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown), [
      { zone: 'FR', ts: '2025-01-01T00:00:00Z', value: 40 },
      { zone: 'FR', ts: '2025-01-01T01:00:00Z', value: null },
      { zone: 'FR', ts: '2025-01-01T02:00:00Z', value: 42 },
    ]);
  });

  it('refuses a write in one line, before touching the store', () => {
    const r = scalar('sql', 'DELETE FROM observations');
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'scalar: ConfigError: read-only queries only (SELECT, WITH, SHOW, DESCRIBE, EXPLAIN), not DELETE\n');
  });

  it('reads no file beside the store on DuckDB', () => {
    const r = scalar('sql', `SELECT * FROM read_text('${fileURLToPath(new URL('../package.json', import.meta.url))}')`);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^scalar: ConfigError: query failed: .*(disabled|external access)/i);
  });

  it('names the path when there is no store, and creates none', () => {
    const missing = join(dir, 'nowhere');
    const r = run(['sql', 'SELECT 1', '--data-dir', missing]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^scalar: ConfigError: no store at .*nowhere.*scalar\.duckdb/);
    assert.equal(existsSync(missing), false);
  });

  it('says the file is locked while another process writes to it', async () => {
    // A child holds the file open for writing (DuckDB's lock is per process).
    const holder = spawn(process.execPath, ['--import', 'tsx', '-e', `import('${fileURLToPath(new URL('../shared/store/duckdb.ts', import.meta.url))}').then(async (m) => { await m.DuckDbStore.open('${join(dir, 'scalar.duckdb')}'); console.log('open'); setTimeout(() => {}, 30000); })`], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
      const r = scalar('sql', 'SELECT 1');
      assert.equal(r.status, 2);
      assert.match(r.stderr, /^scalar: ConfigError: store file .*scalar\.duckdb is locked by another process/);
    } finally {
      holder.kill();
      await new Promise((r) => holder.once('exit', r));
    }
  });
});

describe('scalar export', () => {
  it('writes the rows asked for and says how many', () => {
    const out = join(dir, 'fr.csv');
    const r = scalar('export', 'entsoe.day_ahead_prices', '--where', 'area=FR', '--from', '2025-01-01T01:00Z', '--format', 'csv', '--out', out);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `entsoe.day_ahead_prices: 2 rows written to ${out} (csv)\n`);
    assert.equal(readFileSync(out, 'utf8').trim().split('\n').length, 3);
  });
});

describe('CLI polish', () => {
  it('prints the package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(run(['--version']).stdout, `${pkg.version}\n`);
  });

  it('refuses a --limit that is not a positive integer', () => {
    for (const bad of ['0', '-1', '2.5', 'ten']) {
      const r = scalar('query', 'entsoe.day_ahead_prices', '--limit', bad);
      assert.notEqual(r.status, 0, bad);
      assert.match(r.stderr, /a positive integer/, bad);
    }
  });

  it('shows ENTSO-E areas by zone code in tables, once per column, and keeps the EIC in jsonl', () => {
    const table = scalar('query', 'entsoe.day_ahead_prices', '--format', 'table', '--limit', '1').stdout.split('\n');
    const header = table[0]!.split(/\s+/);
    assert.deepEqual(header, ['dataset', 'area', 'sequence', 'ts', 'resolution', 'value', 'unit']);
    assert.match(table[2]!, /^entsoe\.day_ahead_prices\s+FR\s+1\s+2025-01-01T00:00:00Z/);
    const jsonl = JSON.parse(scalar('query', 'entsoe.day_ahead_prices', '--limit', '1').stdout) as { series: { area: string } };
    assert.equal(jsonl.series.area, FR);
  });

  it('has --format json on status and workers list', () => {
    const status = JSON.parse(scalar('status', '--format', 'json').stdout) as Record<string, unknown[]>;
    assert.deepEqual(Object.keys(status), ['watermarks', 'recentFailures', 'deadLetters']);
    const workers = JSON.parse(scalar('workers', 'list', '--format', 'json').stdout) as { worker: string; enabled: boolean }[];
    assert.ok(workers.some((w) => w.worker === 'entsoe.day_ahead_prices' && typeof w.enabled === 'boolean'));
  });
});

describe('scalar sql and export on MariaDB', () => {
  const url = freshDatabases().url();
  const onMaria = (...args: string[]) =>
    spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, SCALAR_LOG_LEVEL: 'error', SCALAR_STORE_URL: url }, timeout: 60_000 });
  before(async () => {
    const store = await SqlStore.open(url);
    await store.replaceViews(analystViews(providers));
    await store.upsertObservations([{ dataset: 'entsoe.day_ahead_prices', series: { area: FR, sequence: '1', resolution: 'PT60M' }, ts: new Date(Date.UTC(2025, 0, 1)),
      resolution: 'PT60M', value: 40, unit: 'EUR/MWh', seriesKey: seriesKey({ area: FR, sequence: '1', resolution: 'PT60M' }), payloadSha256: 'c'.repeat(64) }]);
    await store.close();
  });

  it('answers from the view inside a read-only transaction', () => {
    const r = onMaria('sql', 'SELECT zone, value FROM v_entsoe_day_ahead_prices', '--format', 'csv');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'zone,value\nFR,40\n');
    // A locking read passes the statement check; the read-only transaction refuses it.
    const w = onMaria('sql', 'SELECT 1 FROM series FOR UPDATE');
    assert.equal(w.status, 2);
    assert.match(w.stderr, /^scalar: ConfigError: query failed: .*READ ONLY transaction/);
  });

  it('exports to Parquet', () => {
    const out = join(dir, 'maria.parquet');
    const r = onMaria('export', 'entsoe.day_ahead_prices', '--format', 'parquet', '--out', out);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `entsoe.day_ahead_prices: 1 rows written to ${out} (parquet)\n`);
    assert.ok(existsSync(out));
  });
});
