// `scalar reconcile`, `scalar gaps`, `scalar quality` and `scalar query --as-of` through the CLI, on
// DuckDB and on MariaDB (SCALAR_STORE_URL). DK1 day-ahead prices are fetched from the Energinet,
// ENTSO-E and Nord Pool simulators (one shared price curve; ENTSO-E's 17:00 hour 12.50 high) and
// stored as ingestion would. Energinet alone has a third day, with a hole of one hour, an
// implausible 2400 EUR/MWh at noon and a corrected first quarter-hour.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import mysql from 'mysql2/promise';
import { findDataset } from '../providers/index.ts';
import { fetchFromSimulators } from '../providers/simulated-fetch.ts';
import { evaluateStretch } from '../quality/evaluate.ts';
import { openStore, type StoredObservation } from '../shared/store/index.ts';

const bin = fileURLToPath(new URL('../bin/scalar.js', import.meta.url));
const MYSQL = process.env.SCALAR_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const ENERGINET = 'energinet.day_ahead_prices';
const SOURCES = [ENERGINET, 'entsoe.day_ahead_prices', 'nordpool.day_ahead_prices'];
// Danish delivery days 2025-11-19 and -20 (CET, UTC+1) from every source; 2025-11-21 from Energinet only.
const FROM = new Date('2025-11-18T23:00:00Z');
const TO = new Date('2025-11-20T23:00:00Z');
const THIRD = { from: TO, to: new Date('2025-11-21T23:00:00Z') };
const HOLE = { from: new Date('2025-11-21T09:00:00Z'), to: new Date('2025-11-21T10:00:00Z') }; // 10:00–11:00 in Copenhagen
const NOON = new Date('2025-11-21T11:00:00Z');

const dir = mkdtempSync(join(tmpdir(), 'scalar-truth-'));
const databases: string[] = [];
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  const u = new URL(MYSQL);
  const c = await mysql.createConnection({ host: u.hostname, port: Number(u.port), user: u.username || 'root', password: decodeURIComponent(u.password) }).catch(() => null);
  for (const db of databases) await c?.query(`DROP DATABASE IF EXISTS \`${db}\``);
  await c?.end();
});

/** What each source served, parsed and zone-annotated as ingestion stores it. */
let served: Map<string, StoredObservation[]>;
before(async () => {
  served = await fetchFromSimulators('DK1', SOURCES.map((dataset) => ({ dataset, from: FROM, to: dataset === ENERGINET ? THIRD.to : TO })));
});

const engines: [string, () => string][] = [
  ['duckdb', () => `duckdb:${join(dir, 'scalar.duckdb')}`],
  ['mariadb', () => {
    const db = `scalar_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    databases.push(db);
    return `${MYSQL}/${db}`;
  }],
];

for (const [engine, urlOf] of engines) {
  describe(`the completeness and truth commands on ${engine}`, () => {
    const url = urlOf();
    const env: NodeJS.ProcessEnv = { ...process.env, SCALAR_LOG_LEVEL: 'error', SCALAR_STORE_URL: url };
    delete env.SCALAR_CONTROL_STORE_URL;
    const scalar = (...args: string[]) => {
      const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env, timeout: 120_000 });
      assert.equal(r.status, 0, `scalar ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    let first: StoredObservation;
    let between: Date;

    before(async () => {
      const store = await openStore(url);
      try {
        await store.migrate();
        for (const id of SOURCES.slice(1)) await store.upsertObservations(served.get(id)!);
        const isDk1Eur = (o: StoredObservation) => o.series.area === 'DK1' && o.series.currency === 'EUR';
        const energinet = served.get(ENERGINET)!
          .filter((o) => o.ts < HOLE.from || o.ts >= HOLE.to)
          .map((o) => (isDk1Eur(o) && o.ts.getTime() === NOON.getTime() ? { ...o, value: 2400 } : o));
        await store.upsertObservations(energinet);
        await evaluateStretch(store, findDataset(ENERGINET), THIRD, new Date());
        // Energinet corrects the first quarter-hour of its third day by +10 EUR/MWh.
        first = energinet.find((o) => isDk1Eur(o) && o.ts.getTime() === THIRD.from.getTime())!;
        await new Promise((r) => setTimeout(r, 20));
        between = new Date();
        await new Promise((r) => setTimeout(r, 20));
        await store.upsertObservations([{ ...first, value: first.value! + 10 }]);
      } finally {
        await store.close();
      }
    });

    it('scalar reconcile: DK1 day-ahead prices of Energinet, ENTSO-E and Nord Pool, ENTSO-E off at 17:00', () => {
      const results = JSON.parse(scalar('reconcile', 'day_ahead_price_dk', '--from', FROM.toISOString(), '--to', TO.toISOString(), '--format', 'json')) as {
        zone: string; compared: number; agreement: number; sources: { source: string; slots: number; agreeing: number; status: string }[]; largest: { source: string; local: string }[];
      }[];
      const dk1 = results.find((r) => r.zone === 'DK1')!;
      assert.deepEqual([dk1.compared, dk1.agreement], [192, 95.8]); // 184 of 192 quarter-hours
      assert.deepEqual(dk1.sources.map((s) => [s.source, s.slots, s.agreeing, s.status]), [
        [ENERGINET, 192, 192, 'ok'], ['entsoe.day_ahead_prices', 192, 184, 'disagrees'], ['nordpool.day_ahead_prices', 192, 192, 'ok'],
      ]);
      assert.ok(dk1.largest.every((d) => d.source === 'entsoe.day_ahead_prices' && / 17:(00|15|30|45) \+01:00$/.test(d.local)), JSON.stringify(dk1.largest));
      // The table says the same.
      const table = scalar('reconcile', 'day_ahead_price_dk', '--from', FROM.toISOString(), '--to', TO.toISOString());
      assert.match(table, /192 slots compared at PT15M in EUR\/MWh \(tolerance [^)]*\): 95\.8 % agree/);
    });

    it('scalar gaps --recount: the hour missing from both currencies, and completeness per day', () => {
      const report = JSON.parse(scalar('gaps', ENERGINET, '--from', '2025-11-19', '--to', '2025-11-21', '--recount', '--format', 'json')) as {
        holes: { partition: string; day: string; series: string; from: string; to: string; status: string }[];
        days: { partition: string; day: string; expected: number; present: number; missing: number; completeness: number }[];
      };
      assert.deepEqual(report.holes.filter((h) => h.partition === 'DK1').map((h) => [h.day, h.series, h.from, h.to, h.status]), [
        ['2025-11-21', 'area=DK1,currency=EUR', '2025-11-21T09:00:00Z', '2025-11-21T10:00:00Z', 'missing'],
        ['2025-11-21', 'area=DK1,currency=DKK', '2025-11-21T09:00:00Z', '2025-11-21T10:00:00Z', 'missing'],
      ]);
      assert.deepEqual(report.days.filter((d) => d.partition === 'DK1').map((d) => [d.day, d.expected, d.present, d.missing, d.completeness]), [
        ['2025-11-19', 192, 192, 0, 100], ['2025-11-20', 192, 192, 0, 100], ['2025-11-21', 192, 184, 8, 95.8],
      ]);
      // DK2 was never fetched: every slot of its days is a hole.
      assert.ok(report.days.filter((d) => d.partition === 'DK2').every((d) => d.present === 0 && d.missing === 192));
    });

    it('scalar quality: completeness from the ledger, agreement from the stored reconciliation, the flagged noon', () => {
      const report = JSON.parse(scalar('quality', ENERGINET, '--from', '2025-11-19', '--to', '2025-11-21', '--format', 'json')) as {
        days: { day: string; completeness: number; plausibility: number; agreement: number | null; absent: string[]; basis: { values: number; flagged: number } }[];
      };
      const [d1, d2, d3] = report.days;
      // DK1 and DK2 share the ledger: DK2's empty days halve completeness.
      assert.deepEqual([d1, d2].map((d) => [d!.day, d!.completeness, d!.plausibility, d!.agreement]), [['2025-11-19', 50, 100, 100], ['2025-11-20', 50, 100, 100]]);
      assert.deepEqual([d3!.day, d3!.completeness, d3!.basis.values, d3!.basis.flagged, d3!.agreement, d3!.absent], ['2025-11-21', 47.9, 184, 1, null, ['agreement']]);
      assert.equal(d3!.plausibility, Math.round((1 - 1 / 184) * 1000) / 10);
      const flags = scalar('quality', ENERGINET, '--flags', '--rule', 'range', '--from', '2025-11-21', '--to', '2025-11-21');
      assert.match(flags, /energinet\.day_ahead_prices\s+area=DK1,currency=EUR,zone=DK1\s+2025-11-21T11:00:00Z\s+2400\s+range\s/);
    });

    it('scalar query --as-of: the value known before the correction, and the corrected one after', () => {
      const args = [ENERGINET, '--where', 'area=DK1', '--where', 'currency=EUR', '--from', THIRD.from.toISOString(), '--to', new Date(THIRD.from.getTime() + 900_000).toISOString()];
      const read = (out: string) => out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { ts: string; value: number });
      assert.deepEqual(read(scalar('query', ...args, '--as-of', between.toISOString())).map((o) => [o.ts, o.value]), [['2025-11-20T23:00:00Z', first.value]]);
      assert.deepEqual(read(scalar('query', ...args)).map((o) => [o.ts, o.value]), [['2025-11-20T23:00:00Z', first.value! + 10]]);
      assert.equal(scalar('query', ...args, '--as-of', '2025-11-01T00:00:00Z'), '', 'nothing was known before it landed');
    });
  });
}
