import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WindowPolicy } from '../shared/dataset.ts';
import { isBehind, nextRunAt, nextWindow, splitRange, targetEnd } from './window.ts';

const d = (s: string) => new Date(s);
const iso = (i: { from: Date; to: Date } | null) => (i ? `${i.from.toISOString()}/${i.to.toISOString()}` : null);

const dayAhead: WindowPolicy = {
  align: 'P1D', tz: 'Europe/Copenhagen', maxSpan: 'P7D', lookback: 'P2D', horizon: 'P2D', backfill: 'P3D',
  availableFrom: d('2025-09-30T22:00:00Z'),
};
const history: WindowPolicy = { ...dayAhead, availableFrom: undefined, availableUntil: d('2025-09-30T22:00:00Z'), maxSpan: 'P31D', lookback: 'P1D' };

describe('windows', () => {
  const now = d('2025-11-05T10:00:00Z');

  it('aims at the end of tomorrow in local time', () => {
    assert.equal(targetEnd(dayAhead, now).toISOString(), '2025-11-06T23:00:00.000Z');
  });

  it('starts a first run a backfill before the target', () => {
    assert.equal(iso(nextWindow(dayAhead, null, now)), '2025-11-03T23:00:00.000Z/2025-11-06T23:00:00.000Z');
    assert.equal(iso(nextWindow(dayAhead, null, now, 'P1D')), '2025-11-05T23:00:00.000Z/2025-11-06T23:00:00.000Z');
  });

  it('continues from the watermark while behind, at most maxSpan at a time', () => {
    const w = nextWindow(dayAhead, d('2025-10-01T22:00:00Z'), now);
    assert.equal(iso(w), '2025-10-01T22:00:00.000Z/2025-10-08T22:00:00.000Z');
    assert.ok(isBehind(dayAhead, d('2025-10-08T22:00:00Z'), now));
  });

  it('re-reads the lookback once caught up, and is then no longer behind', () => {
    const caughtUp = d('2025-11-06T23:00:00Z');
    assert.equal(iso(nextWindow(dayAhead, caughtUp, now)), '2025-11-04T23:00:00.000Z/2025-11-06T23:00:00.000Z');
    assert.equal(isBehind(dayAhead, caughtUp, now), false);
  });

  it('never reaches before availableFrom or after availableUntil', () => {
    assert.equal(iso(nextWindow(dayAhead, null, d('2025-10-01T10:00:00Z'), 'P30D')), '2025-09-30T22:00:00.000Z/2025-10-02T22:00:00.000Z');
    assert.equal(iso(nextWindow(history, null, now)), '2025-09-27T22:00:00.000Z/2025-09-30T22:00:00.000Z');
    assert.equal(isBehind(history, d('2025-09-30T22:00:00Z'), now), false);
  });

  it('splits a backfill across the 2025-10-01 switch between the two datasets', () => {
    const range = { from: d('2025-09-28T00:00:00Z'), to: d('2025-10-03T00:00:00Z') };
    assert.deepEqual(splitRange(history, range).map(iso), ['2025-09-27T22:00:00.000Z/2025-09-30T22:00:00.000Z']);
    assert.deepEqual(splitRange(dayAhead, range).map(iso), ['2025-09-30T22:00:00.000Z/2025-10-03T22:00:00.000Z']);
    assert.deepEqual(
      splitRange({ ...dayAhead, maxSpan: 'P1D' }, { from: d('2025-10-25T22:00:00Z'), to: d('2025-10-27T23:00:00Z') }).map(iso),
      ['2025-10-25T22:00:00.000Z/2025-10-26T23:00:00.000Z', '2025-10-26T23:00:00.000Z/2025-10-27T23:00:00.000Z'],
    );
  });

  it('computes the next cadence run from a cron in local time or a fixed period', () => {
    assert.equal(nextRunAt({ cron: '10 * * * *', tz: 'Europe/Copenhagen' }, d('2025-11-05T10:00:00Z')).toISOString(), '2025-11-05T10:10:00.000Z');
    assert.equal(nextRunAt({ cron: '30 4 * * *', tz: 'Europe/Copenhagen' }, d('2025-11-05T10:00:00Z')).toISOString(), '2025-11-06T03:30:00.000Z');
    assert.equal(nextRunAt({ every: 'PT10S' }, d('2025-11-05T10:00:00Z')).toISOString(), '2025-11-05T10:00:10.000Z');
  });
});
