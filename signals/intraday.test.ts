import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Observation } from '../shared/observation.ts';
import { intradayBarsSignal, intradayDeliveryBarsSignal, intradayPremiumSignal } from './intraday.ts';
import { TEST_DATASETS, feed, rows, testContext } from './test-kit.ts';

/** One trade as the stream lands it: a price and a volume row at the trade time (null: withdrawn). */
function trade(at: string, contract: string, price: number | null, mw: number | null, area = '3', zone: string | null = 'DK1'): Observation[] {
  const base = { dataset: 'gamma.trades', ts: new Date(at), resolution: 'PT0S' };
  const series = { area, contract, ...(zone ? { zone } : {}) };
  return [
    { ...base, series: { ...series, metric: 'price' }, value: price, unit: 'EUR/MWh' },
    { ...base, series: { ...series, metric: 'volume' }, value: mw, unit: 'MW' },
  ];
}

// Delivery in the night of the fall-back day 2025-10-26 (00:00Z = 02:00 CEST, the first of the two local 02:00s).
const TRADES = [
  ...trade('2025-10-25T20:00:00Z', 'X_PH_202510260000', 100, 2),
  ...trade('2025-10-25T20:05:00Z', 'X_PH_202510260000', 110, 4),
  ...trade('2025-10-25T20:10:00Z', 'X_QH_202510260015', 90, 4),
  ...trade('2025-10-25T20:12:00Z', 'X_QH_202510260015', null, null), // withdrawn: counts nowhere
  ...trade('2025-10-25T20:20:00Z', 'X_QH_202510260015', 500, 1, '7', null), // another area, zone unknown
];

function compute(make: typeof intradayBarsSignal, extra: Observation[] = []) {
  const s = make(TEST_DATASETS);
  return s.compute(feed(s, [...TRADES, ...extra]), testContext);
}
const pick = (out: Observation[], where: Record<string, string>) =>
  Object.fromEntries(out.filter((o) => Object.entries(where).every(([k, v]) => o.series[k] === v)).map((o) => [`${o.ts.toISOString().slice(11, 16)} ${o.series['metric'] ?? o.series['bucket']}`, o.value]));

test('per contract: OHLC by trade time, VWAP and volume (MWh) at the contract\'s delivery start and length', () => {
  const out = compute(intradayBarsSignal);
  assert.deepEqual(pick(out, { area: '3', contract: 'X_PH_202510260000' }), {
    '00:00 open': 100, '00:00 high': 110, '00:00 low': 100, '00:00 close': 110,
    // (100·2 + 110·4) / 6
    '00:00 vwap': 106.666667, '00:00 volume': 6, '00:00 trades': 2,
  });
  // 4 MW for a quarter-hour is 1 MWh; the withdrawn trade is not there.
  assert.deepEqual(pick(out, { area: '3', contract: 'X_QH_202510260015' }), {
    '00:15 open': 90, '00:15 high': 90, '00:15 low': 90, '00:15 close': 90, '00:15 vwap': 90, '00:15 volume': 1, '00:15 trades': 1,
  });
  const row = out.find((o) => o.series['contract'] === 'X_QH_202510260015' && o.series['metric'] === 'vwap' && o.series['area'] === '3')!;
  assert.deepEqual([row.resolution, row.unit, row.series['zone']], ['PT15M', 'EUR/MWh', 'DK1']);
});

test('per delivery bucket: every trade delivering in the bucket, weighted by the energy it delivers there', () => {
  const out = compute(intradayDeliveryBarsSignal);
  // 00:15 quarter: the hourly trades deliver 0.5 and 1 MWh in it, the quarter-hour trade 1 MWh.
  assert.deepEqual(pick(out, { area: '3', bucket: 'PT15M' })['00:15 vwap'], 100); // (50 + 110 + 90) / 2.5
  assert.deepEqual(pick(out, { area: '3', bucket: 'PT15M' })['00:15 volume'], 2.5);
  assert.deepEqual(pick(out, { area: '3', bucket: 'PT15M' })['00:00 vwap'], 106.666667); // (50 + 110) / 1.5
  assert.deepEqual(pick(out, { area: '3', bucket: 'PT60M' }), {
    '00:00 open': 100, '00:00 high': 110, '00:00 low': 90, '00:00 close': 90,
    '00:00 vwap': 104.285714, // (200 + 440 + 90) / 7
    '00:00 volume': 7, '00:00 trades': 3,
  });
  assert.deepEqual(pick(out, { area: '7', bucket: 'PT15M' }), {
    '00:15 open': 500, '00:15 high': 500, '00:15 low': 500, '00:15 close': 500, '00:15 vwap': 500, '00:15 volume': 0.25, '00:15 trades': 1,
  });
});

test('premium = bucket VWAP − the zone\'s day-ahead price over the bucket; nothing where the day-ahead price is missing or the zone unknown', () => {
  const da = rows('alpha.day_ahead_prices', { zone: 'DK1' }, '2025-10-26T00:00:00Z', 4, (k) => [100, 96, 98, 102][k]!, { resolution: 'PT15M', unit: 'EUR/MWh' });
  const out = compute(intradayPremiumSignal, da);
  assert.deepEqual(pick(out, { zone: 'DK1' }), {
    '00:00 PT15M': 6.666667, '00:15 PT15M': 4, '00:30 PT15M': 8.666667, '00:45 PT15M': 4.666667,
    // Hourly: 104.285714 − mean(100, 96, 98, 102) = 104.285714 − 99.
    '00:00 PT60M': 5.285714,
  });
  assert.ok(out.every((o) => o.series['zone'] === 'DK1'), 'area 7 has no zone: no premium');
  // Without the 00:45 day-ahead price: no 00:45 premium and no hourly one (never a partial mean).
  const partial = compute(intradayPremiumSignal, da.slice(0, 3));
  assert.deepEqual(Object.keys(pick(partial, { zone: 'DK1' })), ['00:00 PT15M', '00:15 PT15M', '00:30 PT15M']);
});

test('a contract the dataset cannot place in time is left out', () => {
  const s = intradayBarsSignal(TEST_DATASETS);
  assert.deepEqual(s.compute(feed(s, trade('2025-10-25T20:00:00Z', 'opaque-42', 100, 1)), testContext), []);
});
