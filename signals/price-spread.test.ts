import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Observation } from '../shared/observation.ts';
import { signalContext } from './index.ts';
import { atCapacity, priceSpreadSignal } from './price-spread.ts';
import { TEST_DATASETS, feed, rows, testContext } from './test-kit.ts';

const spread = priceSpreadSignal(TEST_DATASETS);
const run = (...inputs: Observation[][]) => spread.compute(feed(spread, inputs.flat()), testContext);
const table = (out: Observation[], metric: string, from = 'DE-LU') =>
  out.filter((o) => o.series['metric'] === metric && o.series['from_zone'] === from).map((o) => [o.ts.toISOString().slice(11, 16), o.resolution, o.value]);

// Spring-forward night 2025-03-30: 00:00Z is 01:00 CET, 01:00Z is 03:00 CEST (local 02:00 never happens).
const DAY = '2025-03-30T00:00:00Z';
const deHourly = rows('alpha.day_ahead_prices', { zone: 'DE-LU' }, DAY, 3, () => 50, { unit: 'EUR/MWh' });
const frQuarters = rows('alpha.day_ahead_prices', { zone: 'FR' }, DAY, 8, (k) => 60 + k, { resolution: 'PT15M', unit: 'EUR/MWh' });

test('spread = price(to) − price(from) at the finer resolution; an hourly price covers its quarters; a missing price gives no spread', () => {
  const out = run(deHourly, frQuarters);
  assert.deepEqual(table(out, 'spread'), [
    ['00:00', 'PT15M', 10], ['00:15', 'PT15M', 11], ['00:30', 'PT15M', 12], ['00:45', 'PT15M', 13],
    ['01:00', 'PT15M', 14], ['01:15', 'PT15M', 15], ['01:30', 'PT15M', 16], ['01:45', 'PT15M', 17],
    // 02:00Z: France has no price, so no spread (DE-LU's hour alone is no spread).
  ]);
  assert.deepEqual(table(out, 'spread', 'FR')[0], ['00:00', 'PT15M', -10]);
  assert.deepEqual(table(out, 'congested'), [], 'no flow and no capacity: no congestion flag at all (not 0)');
});

test('congested where the flow sits at the offered capacity within max(1 MW, 1 %); no flag where the flow is missing', () => {
  const capacity = rows('alpha.capacity', { from_zone: 'DE-LU', to_zone: 'FR' }, DAY, 2, () => 1_000);
  // Hour 0: 995 (within 10 MW), 1 000, 980 (20 MW short), 1 200 (above: at capacity); hour 1: no flow.
  const flow = rows('alpha.flows', { from_zone: 'DE-LU', to_zone: 'FR' }, DAY, 4, (k) => [995, 1_000, 980, 1_200][k]!, { resolution: 'PT15M' });
  assert.deepEqual(table(run(deHourly, frQuarters, capacity, flow), 'congested'), [
    ['00:00', 'PT15M', 1], ['00:15', 'PT15M', 1], ['00:30', 'PT15M', 0], ['00:45', 'PT15M', 1],
  ]);
  assert.equal(atCapacity(0.5, 1), true);
  assert.equal(atCapacity(99, 100), true);
  assert.equal(atCapacity(98.9, 100), false);
  assert.equal(atCapacity(4_950, 5_000), true, '1 % of 5 000 MW is 50 MW');
});

test('an hourly slot of two hourly zones is flagged from the mean of its quarter-hour flows, all present', () => {
  const fr = rows('alpha.day_ahead_prices', { zone: 'FR' }, DAY, 2, () => 70, { unit: 'EUR/MWh' });
  const capacity = rows('alpha.capacity', { from_zone: 'DE-LU', to_zone: 'FR' }, DAY, 2, () => 1_000);
  const flow = rows('alpha.flows', { from_zone: 'DE-LU', to_zone: 'FR' }, DAY, 7, () => 1_000, { resolution: 'PT15M' });
  // Hour 1 lacks its last quarter-hour flow: spread yes, congestion flag no.
  assert.deepEqual(table(run(deHourly, fr, capacity, flow), 'spread'), [['00:00', 'PT60M', 20], ['01:00', 'PT60M', 20]]);
  assert.deepEqual(table(run(deHourly, fr, capacity, flow), 'congested'), [['00:00', 'PT60M', 1]]);
});

test('prices in another currency are not spread against euro prices', () => {
  const sek = frQuarters.map((o) => ({ ...o, unit: 'SEK/MWh' }));
  assert.deepEqual(run(deHourly, sek), []);
});

test('neighbours come from the flow and capacity datasets\' partitions whose ends are zones', () => {
  const zones = ['DE-LU', 'FR'].map((code) => ({ code, eic: code, name: code, country: code.slice(0, 2), timeZone: 'Europe/Paris' }));
  assert.deepEqual(signalContext(zones, TEST_DATASETS).borders, [['DE-LU', 'FR'], ['FR', 'DE-LU']]);
  assert.equal(signalContext(zones, TEST_DATASETS).timeZoneOf('FR'), 'Europe/Paris');
  assert.equal(signalContext(zones, TEST_DATASETS).timeZoneOf('XX'), undefined);
});
