// The in-memory capture StarRocks uses (its store contract runs only with STARROCKS_URL): which rows
// of a batch become revisions, which load, which are exact repeats.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredObservation } from './types.ts';
import { captureAgainstStored, type StoredRow } from './vintages.ts';

const at = (h: number) => new Date(Date.UTC(2025, 10, 5, h));
const incoming = (h: number, value: number | null, extra: Partial<StoredObservation> = {}): StoredObservation => ({
  dataset: 'd', series: { area: 'DK1' }, seriesKey: 'area=DK1', ts: at(h), resolution: 'PT60M', value, unit: 'EUR/MWh', payloadSha256: 'b'.repeat(64), ...extra,
});
const stored = (h: number, value: number | null, extra: Partial<StoredRow> = {}): StoredRow => ({
  dataset: 'd', seriesKey: 'area=DK1', ts: at(h), value, issued: null, quality: null, payloadSha256: 'a'.repeat(64), ingestedAt: at(20), ...extra,
});
const now = at(23);

describe('captureAgainstStored', () => {
  it('keeps a changed value as a revision replaced now, drops an exact repeat, loads what is new', () => {
    const { load, revisions } = captureAgainstStored([incoming(0, 10), incoming(1, 11), incoming(2, 12)], [stored(0, 10), stored(1, 99)], now);
    assert.deepEqual(load.map((r) => r.ts.getUTCHours()), [1, 2]);
    assert.deepEqual(revisions, [{ ...stored(1, 99), replacedAt: now }]);
  });

  it('counts a null becoming a value, a value becoming null, and a change of issued or quality alone as changes', () => {
    const { load, revisions } = captureAgainstStored(
      [incoming(0, 5), incoming(1, null), incoming(2, 7, { issued: at(12) }), incoming(3, 8, { quality: 'provisional' }), incoming(4, null)],
      [stored(0, null), stored(1, 6), stored(2, 7, { issued: at(11) }), stored(3, 8), stored(4, null)],
      now,
    );
    assert.deepEqual(load.map((r) => r.ts.getUTCHours()), [0, 1, 2, 3]);
    assert.deepEqual(revisions.map((r) => [r.ts.getUTCHours(), r.value]), [[0, null], [1, 6], [2, 7], [3, 8]]);
  });

  it('matches on dataset, series and instant only', () => {
    const { load, revisions } = captureAgainstStored([incoming(0, 1), incoming(0, 1, { seriesKey: 'area=DK2' })], [stored(0, 2, { dataset: 'other' })], now);
    assert.equal(load.length, 2);
    assert.equal(revisions.length, 0);
  });
});
