import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Observation } from '../shared/observation.ts';
import { residualLoadActual, residualLoadForecast } from './residual-load.ts';
import { TEST_DATASETS, feed, rows, testContext } from './test-kit.ts';

const actual = residualLoadActual(TEST_DATASETS);
const run = (...inputs: Observation[][]) => actual.compute(feed(actual, inputs.flat()), testContext);
const load = (from: string, n: number, v: (k: number) => number | null, resolution?: string) => rows('alpha.load', { zone: 'DE-LU', resolution: resolution ?? 'PT60M' }, from, n, v, { resolution });
const gen = (psr_type: string, from: string, n: number, v: (k: number) => number | null, resolution?: string) =>
  rows('alpha.generation', { zone: 'DE-LU', psr_type, resolution: resolution ?? 'PT60M' }, from, n, v, { resolution });
const pairs = (out: Observation[]) => out.map((o) => [o.ts.toISOString(), o.value]);

test('inputs are chosen by quantity: every dataset carrying load, solar or wind, none named', () => {
  assert.deepEqual(actual.inputs.map((i) => `${i.dataset}:${i.quantity}`), [
    'alpha.load:load', 'beta.system:load', 'alpha.generation:generation.solar', 'beta.system:generation.solar',
    'alpha.generation:generation.wind_onshore', 'beta.system:generation.wind_onshore', 'alpha.generation:generation.wind_offshore',
    'beta.offshore_regions:generation.wind_offshore',
  ]);
  assert.deepEqual(residualLoadForecast(TEST_DATASETS).inputs.map((i) => i.dataset), ['alpha.load_forecast', 'alpha.wind_solar_forecast', 'alpha.wind_solar_forecast']);
});

test('over the 23 hours of the spring-forward day, load − solar − offshore − onshore per hour', () => {
  const from = '2025-03-29T23:00:00Z';
  const out = run(load(from, 23, (k) => 50_000 + k), gen('B16', from, 23, (k) => 10 * k), gen('B18', from, 23, () => 3_000), gen('B19', from, 23, () => 7_000));
  assert.equal(out.length, 23);
  // Hour 5 (2025-03-30T04:00Z): 50 005 − 50 − 3 000 − 7 000 = 39 955.
  assert.deepEqual(out[5], { dataset: 'signals.residual_load', series: { zone: 'DE-LU', source: 'alpha' }, ts: new Date('2025-03-30T04:00:00Z'), resolution: 'PT60M', value: 39_955, unit: 'MW' });
  assert.equal(out[22]!.ts.toISOString(), '2025-03-30T21:00:00.000Z');
});

test('across the 25-hour fall-back day every UTC hour has its own value', () => {
  const from = '2025-10-25T22:00:00Z';
  const out = run(load(from, 25, (k) => 1_000 + k), gen('B16', from, 25, () => 100));
  assert.equal(out.length, 25);
  // The repeated local 02:00 is 00:00Z and 01:00Z: 1 002 − 100 and 1 003 − 100.
  assert.deepEqual(pairs(out).slice(2, 4), [['2025-10-26T00:00:00.000Z', 902], ['2025-10-26T01:00:00.000Z', 903]]);
});

test('a missing or null input hour yields no value for that hour, never a partial difference', () => {
  const from = '2025-03-30T00:00:00Z';
  const out = run(
    load(from, 4, () => 40_000),
    gen('B16', from, 4, (k) => (k === 1 ? null : 100)),
    gen('B18', from, 4, () => 1_000).filter((_, k) => k !== 2),
    gen('B19', from, 4, () => 2_000),
  );
  assert.deepEqual(pairs(out), [['2025-03-30T00:00:00.000Z', 36_900], ['2025-03-30T03:00:00.000Z', 36_900]]);
});

test('quarter-hour load is averaged into complete hours only; a zone without offshore series counts none', () => {
  const from = '2025-06-02T10:00:00Z';
  // Four quarter-hours 100, 200, 300, 400 → 250; the next hour lacks its last quarter.
  const out = run(load(from, 7, (k) => 100 * ((k % 4) + 1), 'PT15M'), gen('B16', from, 2, () => 50), gen('B19', from, 2, () => 20));
  assert.deepEqual(pairs(out), [['2025-06-02T10:00:00.000Z', 180]]);
});

test('no wind or solar series at all: no residual load (the inputs are missing, not zero)', () => {
  assert.deepEqual(run(load('2025-06-02T10:00:00Z', 2, () => 1)), []);
});

test('two providers covering one zone give two series (source dimension), never mixed; MWh per hour read as MW', () => {
  const from = '2025-06-02T10:00:00Z';
  const beta = (metric: string, v: number) => rows('beta.system', { zone: 'BE', metric }, from, 2, () => v, { unit: 'MWh' });
  const out = run(
    rows('alpha.load', { zone: 'BE' }, from, 2, () => 9_000), rows('alpha.generation', { zone: 'BE', psr_type: 'B16' }, from, 2, () => 1_000),
    beta('load', 9_500), beta('solar', 1_200), beta('wind', 300),
  );
  assert.deepEqual(out.map((o) => [o.series['source'], o.ts.toISOString(), o.value]), [
    ['alpha', '2025-06-02T10:00:00.000Z', 8_000], ['alpha', '2025-06-02T11:00:00.000Z', 8_000],
    ['beta', '2025-06-02T10:00:00.000Z', 8_000], ['beta', '2025-06-02T11:00:00.000Z', 8_000],
  ]);
  // Beta's quarter-hourly MWh would be four times its MW: 250 MWh in 15 minutes is 1 000 MW.
  const quarter = run(
    rows('beta.system', { zone: 'BE', metric: 'load' }, from, 4, () => 250, { unit: 'MWh', resolution: 'PT15M' }),
    rows('beta.system', { zone: 'BE', metric: 'solar' }, from, 4, () => 25, { unit: 'MWh', resolution: 'PT15M' }),
  );
  assert.deepEqual(pairs(quarter), [['2025-06-02T10:00:00.000Z', 900]]);
});

test('a summed input adds its parts (regions) per hour, and a part missing the hour leaves the hour out', () => {
  const from = '2025-06-02T10:00:00Z';
  const region = (r: string, n: number, v: number) => rows('beta.offshore_regions', { zone: 'BE', region: r }, from, n, () => v);
  const out = run(
    rows('beta.system', { zone: 'BE', metric: 'load' }, from, 2, () => 9_000),
    region('north', 2, 100), region('south', 1, 200),
  );
  // 10:00Z: 9 000 − (100 + 200); 11:00Z: the south region has no value, so no hour (not 9 000 − 100).
  assert.deepEqual(pairs(out), [['2025-06-02T10:00:00.000Z', 8_700]]);
});
