import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Observation } from '../shared/observation.ts';
import { dailyPriceStats } from './daily-price-stats.ts';
import { testContext as signalContext } from './test-kit.ts';

const HOUR = 3_600_000;

/** `n` slots of `stepMs` from `from`, the k-th priced `price(k)`. */
function prices(from: string, n: number, price: (k: number) => number | null, stepMs = HOUR, resolution = 'PT60M'): Observation[] {
  return Array.from({ length: n }, (_, k) => ({
    dataset: 'alpha.day_ahead_prices',
    series: { zone: 'DE-LU', resolution },
    ts: new Date(Date.parse(from) + k * stepMs),
    resolution,
    value: price(k),
    unit: 'EUR/MWh',
  }));
}

const values = (out: Observation[]) => Object.fromEntries(out.map((o) => [`${o.ts.toISOString()} ${o.series['stat']}`, o.value]));

test('spring-forward Sunday 2025-03-30 in DE-LU: a 23-hour local day starting 23:00Z, no peak at weekends', () => {
  // Local midnight 2025-03-30 is 2025-03-29T23:00Z; the day ends at 2025-03-30T22:00Z (23 hours). Prices 0..22.
  const out = dailyPriceStats([prices('2025-03-29T23:00:00Z', 23, (k) => k)], signalContext);
  assert.deepEqual(values(out), { '2025-03-29T23:00:00.000Z base': 11, '2025-03-29T23:00:00.000Z offpeak': 11 });
  assert.ok(out.every((o) => o.resolution === 'P1D' && o.series['zone'] === 'DE-LU'));
});

test('a weekday after the switch (Monday 2025-03-31, CEST): peak 08–20 local is 06:00Z–18:00Z', () => {
  // Price = local hour: base mean(0..23) = 11.5, peak mean(8..19) = 13.5, off-peak (0..7 + 20..23) / 12 = 9.5.
  const out = dailyPriceStats([prices('2025-03-30T22:00:00Z', 24, (k) => k)], signalContext);
  assert.deepEqual(values(out), { '2025-03-30T22:00:00.000Z base': 11.5, '2025-03-30T22:00:00.000Z peak': 13.5, '2025-03-30T22:00:00.000Z offpeak': 9.5 });
});

test('fall-back Sunday 2025-10-26: 25 hours all count towards base', () => {
  // 25 slots valued 0..24: mean 12.
  const out = dailyPriceStats([prices('2025-10-25T22:00:00Z', 25, (k) => k)], signalContext);
  assert.deepEqual(values(out), { '2025-10-25T22:00:00.000Z base': 12, '2025-10-25T22:00:00.000Z offpeak': 12 });
});

test('a missing or null price leaves only the statistics whose hours are complete', () => {
  // Monday 2025-03-31 without the 10:00 local hour: no base, no peak; off-peak is intact (9.5).
  const gap = prices('2025-03-30T22:00:00Z', 24, (k) => k).filter((_, k) => k !== 10);
  assert.deepEqual(values(dailyPriceStats([gap], signalContext)), { '2025-03-30T22:00:00.000Z offpeak': 9.5 });
  const nulled = prices('2025-03-30T22:00:00Z', 24, (k) => (k === 3 ? null : k));
  assert.deepEqual(values(dailyPriceStats([nulled], signalContext)), { '2025-03-30T22:00:00.000Z peak': 13.5 });
});

test('quarter-hour prices are time-weighted like hourly ones', () => {
  // 96 quarter-hours of Monday 2025-03-31 priced by their local hour: same figures as hourly.
  const out = dailyPriceStats([prices('2025-03-30T22:00:00Z', 96, (k) => Math.floor(k / 4), HOUR / 4, 'PT15M')], signalContext);
  assert.deepEqual(values(out), { '2025-03-30T22:00:00.000Z base': 11.5, '2025-03-30T22:00:00.000Z peak': 13.5, '2025-03-30T22:00:00.000Z offpeak': 9.5 });
});

test('a second source fills a day the first lacks; other currencies are not averaged in', () => {
  const first = prices('2025-03-30T22:00:00Z', 24, (k) => k).filter((_, k) => k !== 10);
  const second = prices('2025-03-30T22:00:00Z', 24, () => 7).map((o) => ({ ...o, dataset: 'beta.prices' }));
  const sek = prices('2025-03-30T22:00:00Z', 24, () => 1000).map((o) => ({ ...o, unit: 'SEK/MWh' }));
  // Off-peak is complete in the first source (9.5); base and peak come from the second (7).
  assert.deepEqual(values(dailyPriceStats([[...sek, ...first], second], signalContext)), {
    '2025-03-30T22:00:00.000Z base': 7, '2025-03-30T22:00:00.000Z peak': 7, '2025-03-30T22:00:00.000Z offpeak': 9.5,
  });
});
