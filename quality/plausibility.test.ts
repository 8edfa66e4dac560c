import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PlausibilityRule } from '../shared/dataset.ts';
import type { Observation } from '../shared/observation.ts';
import { evaluatePlausibility, robustSpread } from './plausibility.ts';

const obs = (dataset: string, series: Record<string, string>, ts: string, value: number | null, unit = 'MW', resolution = 'PT60M'): Observation =>
  ({ dataset, series, ts: new Date(ts), resolution, value, unit });
const hours = (start: string, values: readonly (number | null)[], series: Record<string, string> = { area: 'X' }, unit = 'EUR/MWh') =>
  values.map((v, i) => obs('t.prices', series, new Date(new Date(start).getTime() + i * 3_600_000).toISOString(), v, unit));
const flagged = (findings: ReturnType<typeof evaluatePlausibility>) => findings.map((f) => [f.rule, f.observation.ts.toISOString(), f.observation.value]);

describe('robust spread', () => {
  it('is 1.4826 × the median absolute deviation, unmoved by one outlier', () => {
    // median 3; deviations 2, 1, 0, 1, 97 → median 1
    assert.equal(robustSpread([1, 2, 3, 4, 100]), 1.4826);
    // median 50.5; every deviation 0.5
    assert.equal(robustSpread([50, 51, 50, 51]), 0.7413);
    assert.equal(robustSpread([]), 0);
  });
});

describe('range rule', () => {
  const rules: PlausibilityRule[] = [{ rule: 'range', unit: 'EUR/MWh', min: -200, max: 1500 }];

  it('flags values of its unit outside [min, max] with a readable detail, and never a null', () => {
    const f = evaluatePlausibility(rules, { values: hours('2025-11-05T00:00:00Z', [50, 1600, null, -250, 1500, -200]) });
    assert.deepEqual(flagged(f), [['range', '2025-11-05T01:00:00.000Z', 1600], ['range', '2025-11-05T03:00:00.000Z', -250]]);
    assert.equal(f[0]!.detail, '1600 EUR/MWh above the plausible maximum 1500 EUR/MWh');
    assert.equal(f[1]!.detail, '-250 EUR/MWh below the plausible minimum -200 EUR/MWh');
  });

  it('leaves values of other units and series outside its filter alone', () => {
    const f = evaluatePlausibility([{ ...rules[0]!, where: { area: 'Y' } }], { values: [...hours('2025-11-05T00:00:00Z', [5000]), ...hours('2025-11-05T00:00:00Z', [5000], { area: 'Z' }, 'DKK/MWh')] });
    assert.deepEqual(f, []);
  });
});

describe('jump rule', () => {
  const rule: PlausibilityRule = { rule: 'jump', history: 'PT12H', spreads: 10, minHistory: 8 };
  // With the 50 that follows: median 50, absolute deviations 0,2,1,1,3,0,2,1,2,0,0 → median 1, spread 1.4826.
  const calm = [50, 52, 49, 51, 53, 50, 48, 51, 52, 50];

  it('flags a step beyond k × the robust spread of recent steps, and not the return from the spike', () => {
    const history = hours('2025-11-05T00:00:00Z', calm);
    const values = hours('2025-11-05T10:00:00Z', [50, 120, 51, 52]);
    const f = evaluatePlausibility([rule], { values, history });
    assert.deepEqual(flagged(f), [['jump', '2025-11-05T11:00:00.000Z', 120]]);
    assert.equal(f[0]!.detail, 'step of 70 EUR/MWh from 50 is 47.21 × the recent spread 1.48 EUR/MWh (limit 10 ×, 11 values over PT12H)');
  });

  it('needs enough history before judging by spread, but a declared max step applies at once', () => {
    const values = hours('2025-11-05T00:00:00Z', [50, 51, 400]);
    assert.deepEqual(evaluatePlausibility([rule], { values }), []);
    assert.deepEqual(flagged(evaluatePlausibility([{ ...rule, maxStep: 300 }], { values })), [['jump', '2025-11-05T02:00:00.000Z', 400]]);
  });

  it('skips nulls: the step is measured from the last value, and a null is never flagged', () => {
    const history = hours('2025-11-05T00:00:00Z', calm);
    const values = hours('2025-11-05T10:00:00Z', [null, null, 51, null]);
    assert.deepEqual(evaluatePlausibility([rule], { values, history }), []);
  });

  it('takes a value close to a flagged jump as a new level: one flag, not one per value after it', () => {
    const history = hours('2025-11-05T00:00:00Z', calm);
    const f = evaluatePlausibility([rule], { values: hours('2025-11-05T10:00:00Z', [50, 200, 201, 200, 201]), history });
    assert.deepEqual(flagged(f), [['jump', '2025-11-05T11:00:00.000Z', 200]]);
  });

  it('only judges the values given, not the history it learns from', () => {
    const history = hours('2025-11-05T00:00:00Z', [...calm.slice(0, 9), 500]);
    const values = hours('2025-11-05T10:00:00Z', [500]);
    assert.deepEqual(evaluatePlausibility([rule], { values, history }), []);
  });

  it('measures history in instants, so the 25-hour autumn day is one continuous series', () => {
    // CET fall-back 2025-10-26: 25 hourly values from local midnight (22:00Z the day before).
    const day = Array.from({ length: 25 }, (_, i) => 50 + (i % 2));
    day[2] = 300; // local 02:00 (first pass), 00:00Z
    const f = evaluatePlausibility([{ ...rule, history: 'P1D' }], { values: hours('2025-10-25T22:00:00Z', day), history: hours('2025-10-25T12:00:00Z', calm) });
    assert.deepEqual(flagged(f), [['jump', '2025-10-26T00:00:00.000Z', 300]]);
  });
});

describe('capacity rule', () => {
  const rule: PlausibilityRule = { rule: 'capacity', capacity: { dataset: 't.capacity' }, match: ['area', 'type'], tolerance: 0.1, where: { direction: 'generation' } };
  const cap = (type: string, year: string, v: number) => obs('t.capacity', { area: 'X', type }, `${year}-12-31T23:00:00Z`, v, 'MW', 'P1Y');
  const gen = (type: string, ts: string, v: number | null, direction = 'generation') => obs('t.gen', { area: 'X', type, direction }, ts, v);

  it('flags generation above the newest installed capacity at or before it, plus tolerance', () => {
    const others = new Map([['t.capacity', [cap('wind', '2022', 1000), cap('wind', '2023', 2000), cap('solar', '2024', 500)]]]);
    const values = [
      gen('wind', '2024-06-01T12:00:00Z', 2199), // ≤ 2000 × 1.1
      gen('wind', '2024-06-01T13:00:00Z', 2201),
      gen('wind', '2024-06-01T14:00:00Z', null),
      gen('solar', '2024-06-01T12:00:00Z', 900), // the 2024 capacity starts 2024-12-31T23:00Z: none applies yet
      gen('wind', '2024-06-01T12:00:00Z', 9000, 'consumption'),
      gen('hydro', '2024-06-01T12:00:00Z', 9000), // no capacity declared for it
    ];
    const f = evaluatePlausibility([rule], { values, others });
    assert.deepEqual(flagged(f), [['capacity', '2024-06-01T13:00:00.000Z', 2201]]);
    assert.equal(f[0]!.detail, '2201 MW above the installed capacity 2000 MW (t.capacity from 2023-12-31T23:00:00.000Z, tolerance 10 %)');
  });
});

describe('balance rule', () => {
  const rule: PlausibilityRule = {
    rule: 'balance', zone: 'zone', tolerance: 0.1,
    terms: [
      { dataset: 't.gen', zone: 'zone', sign: 1 },
      { dataset: 't.storage', zone: 'zone', sign: -1, required: false },
      { dataset: 't.flows', zone: 'to_zone', sign: 1 },
      { dataset: 't.flows', zone: 'from_zone', sign: -1 },
    ],
  };
  const load = (ts: string, v: number | null, res = 'PT15M') => obs('t.load', { zone: 'A' }, ts, v, 'MW', res);
  const gen = (type: string, ts: string, v: number) => obs('t.gen', { zone: 'A', type }, ts, v);
  const flow = (from: string, to: string, ts: string, v: number) => obs('t.flows', { from_zone: from, to_zone: to }, ts, v);
  const others = new Map([
    ['t.gen', [gen('wind', '2025-03-30T00:00:00Z', 600), gen('gas', '2025-03-30T00:00:00Z', 400), gen('wind', '2025-03-30T01:00:00Z', 600), gen('gas', '2025-03-30T01:00:00Z', 400)]],
    ['t.flows', [flow('B', 'A', '2025-03-30T00:00:00Z', 200), flow('A', 'C', '2025-03-30T00:00:00Z', 100), flow('B', 'A', '2025-03-30T01:00:00Z', 200), flow('A', 'C', '2025-03-30T01:00:00Z', 100)]],
  ]);

  it('compares the hourly mean of quarter-hours with generation + imports − exports of the zone', () => {
    // 00:00 hour: mean 1050 vs 1100 (4.5 % apart) → fine; 01:00 hour: mean 1300 vs 1100 (15.4 %) → all four flagged.
    const values = [
      load('2025-03-30T00:00:00Z', 1000), load('2025-03-30T00:15:00Z', 1100), load('2025-03-30T00:30:00Z', 1000), load('2025-03-30T00:45:00Z', 1100),
      load('2025-03-30T01:00:00Z', 1300), load('2025-03-30T01:15:00Z', 1300), load('2025-03-30T01:30:00Z', null), load('2025-03-30T01:45:00Z', 1300),
    ];
    const f = evaluatePlausibility([rule], { values, others });
    assert.deepEqual(flagged(f), [['balance', '2025-03-30T01:00:00.000Z', 1300], ['balance', '2025-03-30T01:15:00.000Z', 1300], ['balance', '2025-03-30T01:45:00.000Z', 1300]]);
    assert.equal(f[0]!.detail, '1300 MW; hourly mean 1300 vs 1100 from +t.gen[zone] −t.storage[zone] +t.flows[to_zone] −t.flows[from_zone]: 15.38 % apart (tolerance 10 %)');
  });

  it('skips an hour a required term has no values for: missing data is not implausible', () => {
    const noFlows = new Map([['t.gen', others.get('t.gen')!]]);
    assert.deepEqual(evaluatePlausibility([rule], { values: [load('2025-03-30T01:00:00Z', 5000)], others: noFlows }), []);
  });
});
