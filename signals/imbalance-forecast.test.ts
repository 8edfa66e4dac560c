import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Observation } from '../shared/observation.ts';
import { seriesKey } from '../shared/observation.ts';
import { DuckDbStore } from '../shared/store/duckdb.ts';
import { backtestImbalance, scoreBacktest } from './backtest.ts';
import { forecastZone, imbalanceForecastSignals, ridge, zoneInputs } from './imbalance-forecast.ts';
import { labelled } from './inputs.ts';
import { HOUR, TEST_DATASETS, feed, rows, testContext } from './test-kit.ts';

const START = '2025-03-01T00:00:00Z';
const DAYS = 40;
/** Hourly day-ahead price with a daily shape and a day-to-day level; the imbalance price is it + 20. */
const daPrice = (h: number) => 60 + 25 * Math.sin((2 * Math.PI * (h % 24)) / 24) + 10 * ((Math.floor(h / 24) * 7) % 5);
const dayAhead = rows('alpha.day_ahead_prices', { zone: 'BE' }, START, DAYS * 24, daPrice, { unit: 'EUR/MWh' });
const imbalance = (shift = (_k: number) => 20) =>
  rows('alpha.imbalance_prices', { zone: 'BE' }, START, DAYS * 96, (k) => daPrice(Math.floor(k / 4)) + shift(k), { resolution: 'PT15M', unit: 'EUR/MWh' });

const [forecastBE] = imbalanceForecastSignals(TEST_DATASETS, ['BE']);
const run = (all: Observation[]) => forecastBE!.compute(feed(forecastBE!, all), testContext);
const byTs = (out: Observation[], metric: string) => new Map(out.filter((o) => o.series['metric'] === metric).map((o) => [o.ts.toISOString(), o.value]));

test('ridge without penalty recovers an exact linear relation', () => {
  const x = [0, 1, 2, 3, 4].map((v) => [1, v]);
  const beta = ridge(x, [3, 5, 7, 9, 11], 0);
  assert.ok(Math.abs(beta[0]! - 3) < 1e-9 && Math.abs(beta[1]! - 2) < 1e-9, String(beta));
});

test('learns a steady +20 premium of the imbalance over the day-ahead price: level ≈ day-ahead + 20, direction +1', () => {
  const out = run([...dayAhead, ...imbalance()]);
  const level = byTs(out, 'level');
  const direction = byTs(out, 'direction');
  // The 30th day, across the spring-forward switch (2025-03-30: 23 local hours).
  const t = '2025-03-30T10:15:00.000Z';
  assert.ok(level.has(t), 'a forecast for a slot with 28 days of history');
  assert.ok(Math.abs(level.get(t)! - (daPrice(Math.floor((Date.parse(t) - Date.parse(START)) / HOUR)) + 20)) < 0.5, `level ${level.get(t)}`);
  assert.equal(direction.get(t), 1);
  assert.ok(out.every((o) => o.series['zone'] === 'BE' && o.resolution === 'PT15M'));
  // Fewer than 48 training slots: no forecast on the first day of history.
  assert.ok(![...level.keys()].some((k) => k < '2025-03-02'), 'no forecast without history');
});

test('no look-ahead: the outcome of the forecast day itself does not move its forecast', () => {
  const base = byTs(run([...dayAhead, ...imbalance()]), 'level');
  // Replace the imbalance prices of local day 2025-03-20 (23:00Z the day before … 23:00Z) by 9 999.
  const from = Date.parse('2025-03-19T23:00:00Z');
  const shocked = imbalance((k) => (Date.parse(START) + k * HOUR / 4 >= from && Date.parse(START) + k * HOUR / 4 < from + 24 * HOUR ? 9_999 : 20));
  const after = byTs(run([...dayAhead, ...shocked]), 'level');
  const day = [...base.keys()].filter((k) => k >= '2025-03-19T23:00' && k < '2025-03-20T23:00');
  assert.equal(day.length, 96);
  for (const k of day) assert.equal(after.get(k), base.get(k), k);
  // The day after does see it (through the recent-imbalance feature and its training set).
  assert.notEqual(after.get('2025-03-21T12:00:00.000Z'), base.get('2025-03-21T12:00:00.000Z'));
});

test('a slot without its day-ahead price has no forecast (never a guess from partial features)', () => {
  const gap = dayAhead.filter((o) => o.ts.toISOString() !== '2025-03-25T10:00:00.000Z');
  const level = byTs(run([...gap, ...imbalance()]), 'level');
  assert.equal(level.has('2025-03-25T10:15:00.000Z'), false);
  assert.equal(level.has('2025-03-25T11:15:00.000Z'), true);
});

test('the backtest scores model and baselines on the same slots: MAE, RMSE, hit rate (hand-computed)', () => {
  const s = (actual: number, level: number, persistence?: number) => ({ ts: new Date(0), stepMs: 900_000, dayAhead: 100, actual, level, climatology: 100, ...(persistence !== undefined ? { persistence } : {}) });
  const { slots, scores } = scoreBacktest([s(110, 105, 90), s(80, 95, 85), s(70, 70)]);
  assert.equal(slots, 2, 'the slot without a persistence value is scored for nobody');
  const r = Object.fromEntries(scores.map((x) => [x.model, [x.mae, Math.round(x.rmse * 1e4) / 1e4, x.hitRate]]));
  assert.deepEqual(r, {
    ridge: [10, 11.1803, 1], // errors −5, +15; both sides right
    persistence: [12.5, 14.5774, 0.5], // errors −20, +5; 90 is below 100 where the outcome is above
    climatology: [15, 15.8114, 0], // errors −10, +20; "equal to day-ahead" is never a side
  });
});

test('scalar backtest imbalance reads the zone from the store and beats persistence on a steady premium', async () => {
  const store = await DuckDbStore.open(':memory:');
  await store.migrate();
  try {
    // A noisy premium (20 ± 15, deterministic) so that no baseline is exact.
    const noisy = imbalance((k) => 20 + 15 * Math.sin(k * 1.7));
    const stored = [...dayAhead, ...noisy].map((o) => ({ ...o, seriesKey: seriesKey(o.series), payloadSha256: 'a'.repeat(64) }));
    await store.upsertObservations(stored);
    const report = await backtestImbalance({ store, datasets: TEST_DATASETS, ctx: testContext }, { zone: 'BE', from: new Date('2025-04-01T00:00:00Z'), to: new Date('2025-04-10T00:00:00Z') });
    assert.equal(report.days, 9);
    assert.equal(report.slots, 9 * 96);
    const mae = Object.fromEntries(report.scores.map((x) => [x.model, x.mae]));
    assert.ok(mae['ridge']! < mae['persistence']!, JSON.stringify(report.scores));
    await assert.rejects(backtestImbalance({ store, datasets: TEST_DATASETS, ctx: testContext }, { zone: 'XX', from: new Date(0), to: new Date(1) }), /XX is not a zone/);
  } finally {
    await store.close();
  }
});

test('zone inputs keep only euro prices of the zone asked for', () => {
  const sek = dayAhead.map((o) => ({ ...o, unit: 'SEK/MWh' }));
  const inputs = labelled(forecastBE!.inputs, feed(forecastBE!, [...sek, ...imbalance()]));
  assert.equal(zoneInputs(inputs, ['BE']).size, 0);
  assert.deepEqual(forecastZone({ imbalance: [], dayAhead: [] }, 'Europe/Brussels', new Date(0), new Date(1)), []);
});
