// `scalar query --as-of` and `scalar revisions` on a store holding a revised DST day (Energinet
// day-ahead prices of 2025-10-26, 100 quarter-hours in Danish time).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { DateTime } from 'luxon';
import { toStoredRows } from '../ingestion/consumer.ts';
import { findDataset } from '../providers/index.ts';
import { sha256Hex } from '../shared/raw-message.ts';
import { DuckDbStore } from '../shared/store/duckdb.ts';

const bin = fileURLToPath(new URL('../bin/scalar.js', import.meta.url));
const scalar = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, SCALAR_LOG_LEVEL: 'error' }, timeout: 60_000 });
const DATASET = 'energinet.day_ahead_prices';
const dir = mkdtempSync(join(tmpdir(), 'scalar-vintages-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const rowsOf = (text: string) => {
  const bytes = new TextEncoder().encode(text);
  return toStoredRows(findDataset(DATASET).parse(bytes), sha256Hex(bytes));
};

let between: Date;
before(async () => {
  const recorded = readFileSync(new URL('../providers/energinet/fixtures/DayAheadPrices_DK1-DK2_2025-10-26_fall_back.json', import.meta.url), 'utf8');
  // The provider corrects the first DK1 quarter-hour of the day by +10 EUR/MWh (and its DKK price).
  const doc = JSON.parse(recorded) as { records: { TimeUTC: string; PriceArea: string; DayAheadPriceEUR: number; DayAheadPriceDKK: number }[] };
  const first = doc.records.find((r) => r.PriceArea === 'DK1' && r.TimeUTC === '2025-10-25T22:00:00')!;
  first.DayAheadPriceEUR = Number((first.DayAheadPriceEUR + 10).toFixed(6));
  first.DayAheadPriceDKK = Number((first.DayAheadPriceDKK + 74.6).toFixed(6));
  const store = await DuckDbStore.open(join(dir, 'scalar.duckdb'));
  await store.upsertObservations(rowsOf(recorded));
  await new Promise((r) => setTimeout(r, 20));
  between = new Date();
  await new Promise((r) => setTimeout(r, 20));
  await store.upsertObservations(rowsOf(JSON.stringify(doc)));
  await store.close();
});

describe('scalar query --as-of and scalar revisions', () => {
  it('reads the day as it was known before the correction, the instant given in Danish time', () => {
    const copenhagen = DateTime.fromJSDate(between, { zone: 'Europe/Copenhagen' }).toISO()!;
    const args = ['--data-dir', dir, '--where', 'area=DK1', '--where', 'currency=EUR'];
    const then = scalar('query', DATASET, ...args, '--as-of', copenhagen);
    assert.equal(then.status, 0, then.stderr);
    const old = then.stdout.trim().split('\n').map((l) => JSON.parse(l) as { ts: string; value: number });
    assert.equal(old.length, 100, 'the autumn day has 100 quarter-hours');
    assert.deepEqual(old[0], { ...old[0], ts: '2025-10-25T22:00:00Z', value: 53.369999 });
    const now = scalar('query', DATASET, ...args).stdout.trim().split('\n').map((l) => JSON.parse(l) as { value: number });
    assert.equal(now[0]!.value, 63.369999);
    assert.deepEqual(now.slice(1), old.slice(1));
    const before = scalar('query', DATASET, ...args, '--as-of', '2025-10-26T02:30:00+02:00');
    assert.deepEqual([before.status, before.stdout], [0, ''], 'nothing was known before it landed');
    assert.match(scalar('query', DATASET, ...args, '--as-of', 'yesterday').stderr, /asOf: not an ISO 8601 instant/);
  });

  it('lists each change: old → new with its unit, when the old value was ingested and replaced, and its payload', () => {
    const table = scalar('revisions', DATASET, '--data-dir', dir);
    assert.equal(table.status, 0, table.stderr);
    const lines = table.stdout.trim().split('\n');
    assert.match(lines[0]!, /^area\s+currency\s+ts\s+change\s+unit\s+ingested\s+replaced\s+payload$/);
    assert.equal(lines.length, 4, table.stdout);
    assert.match(lines[2]!, /^DK1\s+DKK\s+2025-10-25T22:00:00Z\s+398\.156189 → 472\.756189 \(\+74\.6\)\s+DKK\/MWh\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+[0-9a-f]{12}$/);
    assert.match(lines[3]!, /^DK1\s+EUR\s+2025-10-25T22:00:00Z\s+53\.369999 → 63\.369999 \(\+10\)\s+EUR\/MWh\s/);
    const json = JSON.parse(scalar('revisions', DATASET, '--data-dir', dir, '--where', 'currency=EUR', '--format', 'json').stdout) as { old: number; new: number; ingestedAt: string; replacedAt: string; payloadSha256: string }[];
    assert.equal(json.length, 1);
    assert.deepEqual([json[0]!.old, json[0]!.new, json[0]!.payloadSha256.length], [53.369999, 63.369999, 64]);
    assert.ok(Date.parse(json[0]!.ingestedAt) < between.getTime() && Date.parse(json[0]!.replacedAt) > between.getTime());
    const csv = scalar('revisions', DATASET, '--data-dir', dir, '--format', 'csv', '--from', '2025-10-26T00:00:00+02:00', '--to', '2025-10-26T01:00:00+02:00').stdout.split('\n');
    assert.equal(csv[0], 'area,currency,ts,old,new,unit,old_issued,new_issued,old_quality,new_quality,ingested_at,replaced_at,payload_sha256');
    assert.match(csv[2]!, /^DK1,EUR,2025-10-25T22:00:00Z,53\.369999,63\.369999,EUR\/MWh,,,,,/);
    assert.match(scalar('revisions', DATASET, '--data-dir', dir, '--from', '2025-10-27').stdout, /no revisions of energinet\.day_ahead_prices in that range/);
  });
});
