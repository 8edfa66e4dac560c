// The quality report per dataset and delivery day from a real store (DuckDB and MariaDB): ledger,
// flags and reconciliation's agreement rows in, hand-computed components and scores out.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Dataset } from '../shared/dataset.ts';
import { seriesKey } from '../shared/observation.ts';
import { realStores } from '../shared/store/test-stores.ts';
import type { LedgerRow, QualityFlag, StoredObservation } from '../shared/store/index.ts';
import { AGREEMENT_DATASET, qualityDays, qualityToJson } from './quality.ts';

const TZ = 'Europe/Copenhagen';
const ds = {
  id: 'test.prices',
  provider: 'test',
  window: { align: 'P1D', tz: TZ, maxSpan: 'P7D', lookback: 'P1D', horizon: 'P2D', backfill: 'P3D' },
  expected: { resolutions: [{ resolution: 'PT15M' }], series: (area: string) => [{ area }], due: { dayBefore: '13:00' } },
  plausibility: [{ rule: 'range', unit: 'EUR/MWh', min: -200, max: 1500 }],
} as unknown as Dataset;
const unchecked = { id: 'test.unchecked', provider: 'test', window: ds.window } as unknown as Dataset;

// The autumn day 2025-10-26 in Copenhagen: 100 quarter-hours from 2025-10-25T22:00Z.
const START = Date.parse('2025-10-25T22:00:00Z');
const quarter = (i: number) => new Date(START + i * 900_000);
const row = (dataset: string, series: Record<string, string>, ts: Date, value: number | null, resolution = 'PT15M', unit = 'EUR/MWh'): StoredObservation =>
  ({ dataset, series, seriesKey: seriesKey(series), ts, resolution, value, unit, payloadSha256: 'b'.repeat(64) });
const ledger = (partition: string, expected: number, present: number, late: number): LedgerRow =>
  ({ dataset: ds.id, partition, day: '2025-10-26', expected, present, missing: expected - present, late, holes: [], repairAttempts: 0, repairNextAt: null, gaveUp: null, updatedAt: new Date() });
const flag = (area: string, ts: Date, rule: string): QualityFlag =>
  ({ dataset: ds.id, seriesKey: seriesKey({ area }), series: { area }, ts, rule, value: 2000, detail: rule, flaggedAt: new Date() });
const agreement = (source: string, ts: string, value: number, check = 'day_ahead_price') => row(AGREEMENT_DATASET, { check, zone: 'DK1', source }, new Date(ts), value, 'P1D', '%');

const stores = realStores();

for (const [name, open] of stores) {
  describe(`quality report on ${name}`, () => {
    it('scores the autumn DST day from ledger, flags and agreement, and a day with agreement only', async (t) => {
      const store = await open();
      t.after(() => store.close().catch(() => undefined));
      // DK1: 100 quarter-hours, one null; DK2: the first 90, ten of them late.
      await store.upsertObservations([
        ...Array.from({ length: 100 }, (_, i) => row(ds.id, { area: 'DK1' }, quarter(i), i === 50 ? null : 60)),
        ...Array.from({ length: 90 }, (_, i) => row(ds.id, { area: 'DK2' }, quarter(i), 60)),
      ]);
      await store.upsertLedger([ledger('DK1', 100, 100, 0), ledger('DK2', 100, 90, 10)]);
      // Three flagged values (one by two rules), and one on the local day before, not counted.
      await store.replaceQualityFlags({ dataset: ds.id, seriesKeys: [seriesKey({ area: 'DK1' }), seriesKey({ area: 'DK2' })], from: new Date(START - 3_600_000), to: quarter(100) }, [
        flag('DK1', quarter(3), 'range'), flag('DK1', quarter(3), 'jump'), flag('DK1', quarter(99), 'range'), flag('DK2', quarter(0), 'range'),
        flag('DK1', new Date(START - 900_000), 'range'),
      ]);
      await store.upsertObservations([
        agreement('test.prices', '2025-10-25T22:00:00Z', 100),
        agreement('test.prices', '2025-10-25T22:00:00Z', 90, 'another_check'),
        agreement('test.prices', '2025-10-26T23:00:00Z', 80),
        agreement('other.dataset', '2025-10-25T22:00:00Z', 10),
      ]);
      const days = await qualityDays(store, [ds, unchecked], { from: new Date('2025-10-26T00:00:00Z'), to: new Date('2025-10-27T12:00:00Z') });
      assert.deepEqual(days.map((d) => [d.dataset, d.day]), [['test.prices', '2025-10-26'], ['test.prices', '2025-10-27']]);
      const [dst, next] = days;
      // completeness 190/200; on time (190 − 10)/190; plausible (189 − 3)/189 non-null values; agreement (100 + 90)/2 %
      assert.deepEqual(dst!.basis, { expected: 200, present: 190, late: 10, values: 189, flagged: 3, agreementChecks: 2 });
      assert.equal(dst!.components.completeness, 0.95);
      assert.equal(dst!.components.timeliness, 180 / 190);
      assert.equal(dst!.components.plausibility, 186 / 189);
      assert.equal(dst!.components.agreement, 0.95);
      // (40 × 0.95 + 15 × 0.947368 + 30 × 0.984127 + 15 × 0.95) / 100 = 0.959843 → 96.0
      assert.equal(dst!.score, 96);
      assert.deepEqual(dst!.absent, []);
      // The 27th: only reconciliation's 80 % is measured; the other weights are left out.
      assert.equal(next!.score, 80);
      assert.deepEqual(next!.absent, ['completeness', 'timeliness', 'plausibility']);
      const json = qualityToJson(days);
      assert.deepEqual(json.days[0], {
        dataset: 'test.prices', day: '2025-10-26', score: 96, completeness: 95, timeliness: 94.7, plausibility: 98.4, agreement: 95, absent: [],
        basis: { expected: 200, present: 190, late: 10, values: 189, flagged: 3, agreementChecks: 2 },
      });
    });

    it('reports nothing for a dataset nobody checks, and one dataset when asked', async (t) => {
      const store = await open();
      t.after(() => store.close().catch(() => undefined));
      await store.upsertObservations([row(unchecked.id, { area: 'DK1' }, quarter(0), 1)]);
      assert.deepEqual(await qualityDays(store, [ds, unchecked], { from: quarter(0), to: quarter(0) }), []);
      await store.upsertLedger([ledger('DK1', 100, 50, 0)]);
      const only = await qualityDays(store, [ds, unchecked], { dataset: ds.id, from: quarter(0), to: quarter(0) });
      // completeness 0.5, timeliness 1: (40 × 0.5 + 15 × 1) / 55 = 63.6
      assert.deepEqual(only.map((d) => [d.day, d.score]), [['2025-10-26', 63.6]]);
    });
  });
}
