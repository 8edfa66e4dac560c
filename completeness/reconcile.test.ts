import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Observation } from '../shared/observation.ts';
import { compareSources, largestDifferences, type ComparedSource } from './reconcile.ts';

const H = 3_600_000;
const T0 = Date.parse('2025-11-20T00:00:00Z');
const from = new Date(T0);
const to = new Date(T0 + 24 * H);

/** Rows of one series: value(i) at T0 + i·step, for i in `at` (null: skipped). */
function rows(dataset: string, series: Record<string, string>, unit: string, resolution: 'PT15M' | 'PT60M', values: readonly (number | null)[]): Observation[] {
  const step = resolution === 'PT15M' ? H / 4 : H;
  return values.flatMap((v, i) => (v === null ? [] : [{ dataset, series, ts: new Date(T0 + i * step), resolution, value: v, unit }]));
}
const hourly = (n: number, f: (i: number) => number | null) => Array.from({ length: n }, (_, i) => f(i));
const src = (id: string, r: Observation[], aggregate?: 'sum'): ComparedSource => ({ id, rows: r, ...(aggregate ? { aggregate } : {}) });
const eur = { absolute: 0.05 };

describe('compareSources', () => {
  it('with three sources, one off by 12.5 at one hour: that source disagrees there, the other two agree', () => {
    const price = (i: number) => 50 + i;
    const c = compareSources({
      unit: 'EUR/MWh', tolerance: eur, from, to,
      sources: [
        src('a', rows('a', { zone: 'DK1' }, 'EUR/MWh', 'PT60M', hourly(24, price))),
        src('b', rows('b', { zone: 'DK1' }, 'EUR/MWh', 'PT60M', hourly(24, (i) => price(i) + (i === 17 ? 12.5 : 0.01)))),
        src('c', rows('c', { zone: 'DK1' }, 'EUR/MWh', 'PT60M', hourly(24, price))),
      ],
    });
    assert.equal(c.compared, 24);
    assert.equal(c.agreement, 95.8); // 23 of 24 slots: every source agrees
    assert.deepEqual(c.sources.map((s) => [s.source, s.agreeing, s.agreement]), [['a', 24, 100], ['b', 23, 95.8], ['c', 24, 100]]);
    const [top] = largestDifferences(c, 3);
    assert.deepEqual(top && { ts: top.ts.toISOString(), source: top.source, difference: top.difference }, { ts: '2025-11-20T17:00:00.000Z', source: 'b', difference: 12.5 });
    assert.equal(largestDifferences(c, 3).length, 1);
  });

  it('averages quarter-hours to the hourly grid, and leaves out an hour missing one of its quarters', () => {
    const quarters = Array.from({ length: 96 }, (_, q) => (q === 9 ? null : 40 + (q % 4))); // hour 2 lacks its second quarter
    const c = compareSources({
      unit: 'EUR/MWh', tolerance: eur, from, to,
      sources: [src('fine', rows('fine', {}, 'EUR/MWh', 'PT15M', quarters)), src('coarse', rows('coarse', {}, 'EUR/MWh', 'PT60M', hourly(24, () => 41.5)))],
    });
    assert.equal(c.resolution, 'PT60M');
    assert.equal(c.compared, 23);
    assert.equal(c.agreement, 100);
    assert.equal(c.sources[0]!.slots, 23);
    assert.equal(c.sources[0]!.missing, 1, 'the incomplete hour is a hole of the fine source');
  });

  it('converts DKK through the rate the data gives at that slot, and never without one', () => {
    // `both` publishes EUR and DKK side by side (rate 7.46 at hours 0-11, none after); `dkk` only DKK.
    const both = [
      ...rows('both', { currency: 'EUR' }, 'EUR/MWh', 'PT60M', hourly(24, () => 60)),
      ...rows('both', { currency: 'DKK' }, 'DKK/MWh', 'PT60M', hourly(24, (i) => (i < 12 ? 447.6 : null))),
    ];
    const c = compareSources({
      unit: 'EUR/MWh', tolerance: eur, from, to,
      sources: [src('both', both), src('dkk', rows('dkk', { currency: 'DKK' }, 'DKK/MWh', 'PT60M', hourly(24, () => 447.6)))],
    });
    const dkk = c.sources[1]!;
    assert.equal(dkk.slots, 12);
    assert.equal(dkk.agreement, 100);
    assert.deepEqual(dkk.unconverted, ['DKK/MWh → EUR/MWh: no rate in the data']);
    assert.equal(dkk.late, 12, 'the hours it could not be read in count as not (yet) there');
  });

  it('reads MWh per hour as MW', () => {
    const c = compareSources({
      unit: 'MW', tolerance: { absolute: 1 }, from, to,
      sources: [src('energy', rows('energy', {}, 'MWh', 'PT60M', hourly(24, () => 300))), src('power', rows('power', {}, 'MW', 'PT15M', Array(96).fill(300)))],
    });
    assert.equal(c.compared, 24);
    assert.equal(c.agreement, 100);
  });

  it('tells a hole (missing) from a source that stops early (late), and a source with nothing at all', () => {
    const full = rows('full', {}, 'MW', 'PT60M', hourly(24, () => 100));
    const c = compareSources({
      unit: 'MW', tolerance: { absolute: 1 }, from, to,
      sources: [
        src('full', full),
        src('holey', rows('holey', {}, 'MW', 'PT60M', hourly(24, (i) => (i === 5 || i === 6 ? null : 100)))),
        src('behind', rows('behind', {}, 'MW', 'PT60M', hourly(20, () => 100)))
        , src('absent', []),
      ],
    });
    const by = Object.fromEntries(c.sources.map((s) => [s.source, s]));
    assert.deepEqual([by.holey!.missing, by.holey!.late], [2, 0]);
    assert.deepEqual([by.behind!.missing, by.behind!.late, by.behind!.lastTs?.toISOString()], [0, 4, '2025-11-20T19:00:00.000Z']);
    assert.deepEqual([by.absent!.slots, by.absent!.missing, by.absent!.late], [0, 24, 0]);
  });

  it('adds up parts of a zone (regions) only where every part is present', () => {
    const parts = [
      ...rows('parts', { region: 'north' }, 'MW', 'PT60M', hourly(24, () => 30)),
      ...rows('parts', { region: 'south' }, 'MW', 'PT60M', hourly(24, (i) => (i === 3 ? null : 70))),
    ];
    const c = compareSources({
      unit: 'MW', tolerance: { absolute: 0, relative: 0.01 }, from, to,
      sources: [src('parts', parts, 'sum'), src('total', rows('total', {}, 'MW', 'PT60M', hourly(24, () => 100.5)))],
    });
    assert.equal(c.sources[0]!.slots, 23);
    assert.equal(c.agreement, 100, '100 vs 100.5 is within 1 %');
  });

  it('with two sources a difference beyond tolerance is a disagreement of both', () => {
    const c = compareSources({
      unit: 'MW', tolerance: { absolute: 10 }, from, to,
      sources: [src('x', rows('x', {}, 'MW', 'PT60M', hourly(24, () => 100))), src('y', rows('y', {}, 'MW', 'PT60M', hourly(24, (i) => (i < 6 ? 120 : 105))))],
    });
    assert.equal(c.agreement, 75);
    assert.deepEqual(c.sources.map((s) => s.agreement), [75, 75]);
  });
});
