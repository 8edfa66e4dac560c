// `scalar quality` on a DuckDB data directory seeded with a ledger day, values and flags.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { seriesKey } from '../shared/observation.ts';
import { DuckDbStore } from '../shared/store/duckdb.ts';

const bin = fileURLToPath(new URL('../bin/scalar.js', import.meta.url));
const scalar = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, SCALAR_LOG_LEVEL: 'error' }, timeout: 60_000 });
const DATASET = 'energinet.day_ahead_prices';
const dir = mkdtempSync(join(tmpdir(), 'scalar-quality-'));
after(() => rmSync(dir, { recursive: true, force: true }));

before(async () => {
  const store = await DuckDbStore.open(join(dir, 'scalar.duckdb'));
  // 2025-11-05 in Denmark: 96 quarter-hours from 2025-11-04T23:00Z, DK1 in EUR, one value flagged.
  const series = { area: 'DK1', currency: 'EUR' };
  const start = Date.parse('2025-11-04T23:00:00Z');
  await store.upsertObservations(Array.from({ length: 96 }, (_, i) => ({
    dataset: DATASET, series, seriesKey: seriesKey(series), ts: new Date(start + i * 900_000), resolution: 'PT15M', value: i === 40 ? 2400 : 80, unit: 'EUR/MWh', payloadSha256: 'c'.repeat(64),
  })));
  await store.upsertLedger([{ dataset: DATASET, partition: 'DK1', day: '2025-11-05', expected: 192, present: 96, missing: 96, late: 0, holes: [], repairAttempts: 0, repairNextAt: null, gaveUp: null, updatedAt: new Date() }]);
  await store.replaceQualityFlags({ dataset: DATASET, seriesKeys: [seriesKey(series)], from: new Date(start), to: new Date(start + 86_400_000) }, [
    { dataset: DATASET, seriesKey: seriesKey(series), series, ts: new Date(start + 40 * 900_000), rule: 'range', value: 2400, detail: '2400 EUR/MWh above the plausible maximum 1500 EUR/MWh', flaggedAt: new Date() },
  ]);
  await store.close();
});

describe('scalar quality', () => {
  it('prints components and score per dataset and day, saying which components were left out', () => {
    const r = scalar('quality', DATASET, '--from', '2025-11-05', '--to', '2025-11-05', '--data-dir', dir);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines[0]!, /^dataset\s+day\s+score\s+complete %\s+on time %\s+plausible %\s+agree %\s+left out \(weights renormalised\)$/);
    // completeness 96/192, on time 1, plausible 95/96: (40 × 0.5 + 15 × 1 + 30 × 0.98958) / 85 = 76.1
    assert.match(lines[2]!, /^energinet\.day_ahead_prices\s+2025-11-05\s+76\.1\s+50\.0\s+100\.0\s+99\.0\s+-\s+agreement$/);
    assert.match(r.stdout, /weights completeness 40, timeliness 15, plausibility 30, agreement 15/);
  });

  it('gives the same numbers as JSON', () => {
    const r = scalar('quality', DATASET, '--from', '2025-11-05', '--to', '2025-11-05', '--format', 'json', '--data-dir', dir);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { days: Record<string, unknown>[] };
    assert.deepEqual(report.days.map((d) => [d.day, d.score, d.completeness, d.timeliness, d.plausibility, d.agreement, d.absent]), [['2025-11-05', 76.1, 50, 100, 99, null, ['agreement']]]);
  });

  it('lists flagged values with the rule and its detail', () => {
    const r = scalar('quality', DATASET, '--flags', '--from', '2025-11-05', '--to', '2025-11-05', '--data-dir', dir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /energinet\.day_ahead_prices\s+area=DK1,currency=EUR\s+2025-11-05T09:00:00Z\s+2400\s+range\s+2400 EUR\/MWh above the plausible maximum 1500 EUR\/MWh/);
    assert.match(scalar('quality', DATASET, '--flags', '--rule', 'jump', '--from', '2025-11-05', '--to', '2025-11-05', '--data-dir', dir).stdout, /^no flagged values$/m);
  });

  it('names an unknown dataset', () => {
    const r = scalar('quality', 'nope.nothing', '--data-dir', dir);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /nope\.nothing/);
  });
});
