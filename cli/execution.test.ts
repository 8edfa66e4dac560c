// `scalar orders|positions|pnl` and GET /api/orders|positions|pnl on a store the desk wrote to.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { buildApi } from '../api/server.ts';
import { seedDesk } from '../execution/desk-fixture.ts';
import { MemoryCache } from '../shared/cache/memory.ts';
import { envSecrets } from '../shared/secrets/index.ts';
import { DuckDbStore } from '../shared/store/duckdb.ts';

const bin = fileURLToPath(new URL('../bin/scalar.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'scalar-desk-'));
const env: NodeJS.ProcessEnv = { ...process.env, SCALAR_LOG_LEVEL: 'error' };
delete env.SCALAR_STORE_URL;
const scalar = (...args: string[]) => spawnSync(process.execPath, [bin, ...args, '--data-dir', dir], { encoding: 'utf8', env, timeout: 90_000 });

before(async () => {
  const store = await DuckDbStore.open(join(dir, 'scalar.duckdb'));
  await seedDesk(store);
  await store.close();
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('scalar orders, positions, pnl', () => {
  it('lists orders with readable times, units and rejection or expiry reasons', () => {
    const r = scalar('orders', '--status', 'filled', '--format', 'json');
    assert.equal(r.status, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.deepEqual(rows.map((o) => [o.zone, o.delivery_start, o.side, o.quantity_mw, o.limit, o.price_unit, o.status]), [
      ['DK1', '2026-01-14T23:00:00Z', 'buy', 5, 47, 'EUR/MWh', 'filled'],
      ['DK1', '2026-01-15T00:00:00Z', 'sell', 5, 53, 'EUR/MWh', 'filled'],
    ]);
    const expired = scalar('orders', '--status', 'expired', '--format', 'csv');
    assert.equal(expired.status, 0, expired.stderr);
    const lines = expired.stdout.trim().split('\n');
    assert.equal(lines.length, 1 + 46);
    assert.match(lines[1]!, /^\w{12},base_reversion_day_ahead,paper,day_ahead,DK1,2026-01-14T23:00:00Z,2026-01-15T00:00:00Z,sell,5,53,EUR\/MWh,expired,not matched: clearing price 40 EUR\/MWh below limit 53,/);
    assert.match(lines[2]!, /2026-01-15T00:00:00Z,.*,buy,5,47,.*not matched: clearing price 60 EUR\/MWh above limit 47/);
  });

  it('prints positions and P&L per book and zone as a table, settled at the imbalance price', () => {
    const pnl = scalar('pnl', '--by', 'book,zone');
    assert.equal(pnl.status, 0, pnl.stderr);
    assert.match(pnl.stdout, /book\s+zone\s+net_mwh\s+cash\s+realised\s+unrealised\s+total\s+mark/);
    // +150 (bought 5 MWh at 40, settled at 70) − 100 (sold 5 MWh at 60, settled at 80).
    assert.match(pnl.stdout, /base_reversion_day_ahead\s+DK1\s+0\s+100\s+50\s+0\s+50\s+imbalance/);
    const positions = scalar('positions', '--by', 'zone,product,side', '--format', 'jsonl');
    assert.equal(positions.status, 0, positions.stderr);
    assert.deepEqual(positions.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown), [
      { zone: 'DK1', product: 'day_ahead', side: 'buy', energy_mwh: 5, avg_price: 40 },
      { zone: 'DK1', product: 'imbalance', side: 'sell', energy_mwh: 5, avg_price: 70 },
      { zone: 'DK1', product: 'day_ahead', side: 'sell', energy_mwh: 5, avg_price: 60 },
      { zone: 'DK1', product: 'imbalance', side: 'buy', energy_mwh: 5, avg_price: 80 },
    ]);
  });

  it('refuses an unknown dimension in one line', () => {
    const r = scalar('pnl', '--by', 'colour');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /by: unknown dimension colour/);
  });
});

describe('GET /api/orders, /api/positions, /api/pnl', () => {
  it('answers what the CLI prints, and 400 naming a bad parameter', async () => {
    const store = await DuckDbStore.open(':memory:');
    await seedDesk(store);
    const api = await buildApi({ store, cache: new MemoryCache(), secrets: envSecrets({}), environment: 'test', seedWorkers: async () => 0 });
    try {
      const pnl = (await api.app.inject({ method: 'GET', url: '/api/pnl?by=book' })).json() as Record<string, unknown>[];
      assert.deepEqual(pnl, [{ book: 'base_reversion_day_ahead', net_mwh: 0, cash: 100, realised: 50, unrealised: 0, total: 50, mark: 'imbalance' }]);
      const orders = (await api.app.inject({ method: 'GET', url: '/api/orders?status=rejected' })).json() as unknown[];
      assert.deepEqual(orders, []);
      assert.equal(((await api.app.inject({ method: 'GET', url: '/api/orders' })).json() as unknown[]).length, 48);
      assert.equal(((await api.app.inject({ method: 'GET', url: '/api/positions?snapshot=2026-01-16' })).json() as unknown[]).length, 4);
      const bad = await api.app.inject({ method: 'GET', url: '/api/orders?status=lost' });
      assert.equal(bad.statusCode, 400);
      assert.equal((bad.json() as { parameter: string }).parameter, 'status');
    } finally {
      await api.app.close();
      await store.close();
    }
  });
});
