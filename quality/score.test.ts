import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agreementOf, completenessOf, plausibilityOf, qualityScore, timelinessOf } from './score.ts';

describe('quality score', () => {
  it('weights the four components 40/15/30/15', () => {
    // 100 × (40 × 0.9 + 15 × 0.8 + 30 × 0.99 + 15 × 0.5) / 100 = 36 + 12 + 29.7 + 7.5 = 85.2
    const s = qualityScore({ completeness: 0.9, timeliness: 0.8, plausibility: 0.99, agreement: 0.5 });
    assert.equal(s.score, 85.2);
    assert.deepEqual(s.absent, []);
  });

  it('leaves an unmeasured component out and renormalises the rest', () => {
    // No reconciliation: (40 × 0.9 + 15 × 0.8 + 30 × 0.99) / 85 = 77.7 / 85 = 91.41… → 91.4
    const s = qualityScore({ completeness: 0.9, timeliness: 0.8, plausibility: 0.99, agreement: null });
    assert.equal(s.score, 91.4);
    assert.deepEqual(s.absent, ['agreement']);
    // Only plausibility measured (a dataset without a ledger nobody reconciles): the score is its share.
    assert.equal(qualityScore({ completeness: null, timeliness: null, plausibility: 0.975, agreement: null }).score, 97.5);
  });

  it('is null when nothing is measured, 100 when everything is perfect', () => {
    assert.equal(qualityScore({ completeness: null, timeliness: null, plausibility: null, agreement: null }).score, null);
    assert.equal(qualityScore({ completeness: 1, timeliness: 1, plausibility: 1, agreement: 1 }).score, 100);
  });
});

describe('score components', () => {
  it('completeness sums the partitions of the day: an autumn DST day expects 100 quarter-hours per series', () => {
    // DK1 and DK2, EUR and DKK each: 4 × 100 slots, all due; DK2 lacks 10 → 390 / 400
    assert.equal(completenessOf([{ present: 200, missing: 0 }, { present: 190, missing: 10 }]), 0.975);
    assert.equal(completenessOf([]), null);
  });

  it('completeness of a day still running counts only the slots due so far (or already there)', () => {
    // 96 quarter-hours expected; 40 due, 36 of them present, and 2 day-ahead values already there
    assert.equal(completenessOf([{ present: 38, missing: 4 }]), 38 / 42);
    assert.equal(completenessOf([{ present: 0, missing: 0 }]), null);
  });

  it('timeliness is the share of present slots that were not late', () => {
    assert.equal(timelinessOf([{ present: 92, late: 0 }, { present: 92, late: 23 }]), 0.875);
    assert.equal(timelinessOf([{ present: 0, late: 0 }]), null);
  });

  it('plausibility is the share of unflagged values, only for datasets with rules', () => {
    assert.equal(plausibilityOf(400, 4, true), 0.99);
    assert.equal(plausibilityOf(400, 0, false), null);
    assert.equal(plausibilityOf(0, 0, true), null);
  });

  it('agreement averages the day\'s checks', () => {
    assert.equal(agreementOf([100, 90]), 0.95);
    assert.equal(agreementOf([]), null);
  });
});
