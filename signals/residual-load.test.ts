import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Observation } from '../shared/observation.ts';
import { residualLoadActual } from './residual-load.ts';
import { signalContext } from './index.ts';

const DE_LU = '10Y1001A1001A82H';
const HOUR = 3_600_000;

function series(dataset: string, extra: Record<string, string>, from: string, n: number, value: (k: number) => number | null, resolution = 'PT60M'): Observation[] {
  const step = resolution === 'PT15M' ? HOUR / 4 : HOUR;
  return Array.from({ length: n }, (_, k) => ({
    dataset, series: { area: DE_LU, ...extra, resolution }, ts: new Date(Date.parse(from) + k * step), resolution, value: value(k), unit: 'MW',
  }));
}

const gen = (psr_type: string, from: string, n: number, value: (k: number) => number | null, resolution?: string) =>
  series('entsoe.generation_actual', { psr_type, direction: 'generation' }, from, n, value, resolution);

// Inputs in descriptor order: load, B16, B18, B19.
const run = (load: Observation[], b16: Observation[], b18: Observation[], b19: Observation[]) => residualLoadActual.compute([load, b16, b18, b19], signalContext);

test('over the 23 hours of the spring-forward day, load − solar − offshore − onshore per hour', () => {
  const from = '2025-03-29T23:00:00Z';
  const out = run(
    series('entsoe.load_actual', {}, from, 23, (k) => 50_000 + k),
    gen('B16', from, 23, (k) => 10 * k),
    gen('B18', from, 23, () => 3_000),
    gen('B19', from, 23, () => 7_000),
  );
  assert.equal(out.length, 23);
  // Hour 5 (2025-03-30T04:00Z): 50 005 − 50 − 3 000 − 7 000 = 39 955.
  assert.deepEqual(out[5], { dataset: 'signals.residual_load', series: { zone: 'DE-LU' }, ts: new Date('2025-03-30T04:00:00Z'), resolution: 'PT60M', value: 39_955, unit: 'MW' });
  assert.equal(out[22]!.ts.toISOString(), '2025-03-30T21:00:00.000Z');
});

test('a missing or null input hour yields no value for that hour, never a partial difference', () => {
  const from = '2025-03-30T00:00:00Z';
  const out = run(
    series('entsoe.load_actual', {}, from, 4, () => 40_000),
    gen('B16', from, 4, (k) => (k === 1 ? null : 100)),
    gen('B18', from, 4, () => 1_000).filter((_, k) => k !== 2),
    gen('B19', from, 4, () => 2_000),
  );
  assert.deepEqual(out.map((o) => [o.ts.toISOString(), o.value]), [['2025-03-30T00:00:00.000Z', 36_900], ['2025-03-30T03:00:00.000Z', 36_900]]);
});

test('quarter-hour load is averaged into complete hours only; a zone without offshore series counts none', () => {
  const from = '2025-06-02T10:00:00Z';
  // Four quarter-hours 100, 200, 300, 400 → 250; the next hour lacks its last quarter.
  const load = series('entsoe.load_actual', {}, from, 7, (k) => 100 * ((k % 4) + 1), 'PT15M');
  const out = run(load, gen('B16', from, 2, () => 50), [], gen('B19', from, 2, () => 20));
  assert.deepEqual(out.map((o) => [o.ts.toISOString(), o.value]), [['2025-06-02T10:00:00.000Z', 180]]);
});

test('no wind or solar series at all: no residual load (the inputs are missing, not zero)', () => {
  assert.deepEqual(run(series('entsoe.load_actual', {}, '2025-06-02T10:00:00Z', 2, () => 1), [], [], []), []);
});
