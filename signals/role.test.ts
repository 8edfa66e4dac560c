import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus } from '../shared/bus/index.ts';
import { MemoryCache } from '../shared/cache/memory.ts';
import { EVENTS_TOPIC, buildLandedEvent, encodeLandedEvent } from '../shared/landed-events.ts';
import { silentLogger } from '../shared/log.ts';
import { seriesKey, type Observation } from '../shared/observation.ts';
import { DuckDbStore } from '../shared/store/duckdb.ts';
import type { StoredObservation } from '../shared/store/index.ts';
import { buildSignals } from './index.ts';
import { TEST_DATASETS, testContext } from './test-kit.ts';
import { startSignals, type SignalsEvent } from './role.ts';

const signals = buildSignals(TEST_DATASETS);
const HOUR = 3_600_000;
const FROM = Date.parse('2025-06-02T10:00:00Z');

function rows(dataset: string, extra: Record<string, string>, values: number[], payload: string): StoredObservation[] {
  return values.map((value, k) => {
    const series = { zone: 'DE-LU', ...extra, resolution: 'PT60M' };
    return { dataset, series, seriesKey: seriesKey(series), ts: new Date(FROM + k * HOUR), resolution: 'PT60M', value, unit: 'MW', payloadSha256: payload.repeat(64) };
  });
}

test('a landed batch recomputes the residual load it touches; a revised load forecast hour revises it', async () => {
  const store = await DuckDbStore.open(':memory:');
  await store.migrate();
  const bus = new MemoryBus();
  const cache = new MemoryCache();
  const seen: SignalsEvent[] = [];
  let next: (() => void) | undefined;
  const sub = await startSignals({ bus, store, cache, log: silentLogger, signals, ctx: testContext }, {}, (e) => { seen.push(e); if (e.type === 'recomputed' && e.signal === 'signals.residual_load_forecast') next?.(); });
  const land = async (batch: StoredObservation[]) => {
    await store.upsertObservations(batch);
    const done = new Promise<void>((r) => (next = r));
    await bus.publish(EVENTS_TOPIC, { data: encodeLandedEvent(buildLandedEvent(batch)!), properties: {} });
    await done;
  };
  try {
    await land([
      ...rows('alpha.load_forecast', { horizon: 'day_ahead' }, [50_000, 51_000, 52_000], 'a'),
      ...rows('alpha.wind_solar_forecast', { psr_type: 'B16' }, [5_000, 6_000, 7_000], 'b'),
      ...rows('alpha.wind_solar_forecast', { psr_type: 'B19' }, [10_000, 10_000, 10_000], 'b'),
    ]);
    const query = () => store.queryObservations({ dataset: 'signals.residual_load_forecast', where: { zone: 'DE-LU' } });
    assert.deepEqual((await query()).map((o: Observation) => o.value), [35_000, 35_000, 35_000]);

    // The 11:00Z load forecast is revised to 53 000: only that hour is recomputed and rewritten.
    await land(rows('alpha.load_forecast', { horizon: 'day_ahead' }, [50_000, 53_000], 'c').slice(1));
    assert.deepEqual((await query()).map((o: Observation) => o.value), [35_000, 37_000, 35_000]);
    const last = seen.filter((e) => e.type === 'recomputed' && e.signal === 'signals.residual_load_forecast').at(-1);
    assert.deepEqual(last, { type: 'recomputed', signal: 'signals.residual_load_forecast', window: { from: new Date(FROM + HOUR), to: new Date(FROM + HOUR + 1) }, rows: 1 });
    // Signals that read none of the landed datasets were not touched.
    assert.ok(!seen.some((e) => e.type === 'recomputed' && e.signal === 'signals.daily_price_stats'));
    const cached = await cache.latest('signals.residual_load_forecast');
    assert.equal(cached[0]?.value, 35_000);
  } finally {
    await sub.close();
    await bus.close();
    await store.close();
  }
});

test('a revised flow revises the congestion flag; a revised price revises the spread', async () => {
  const store = await DuckDbStore.open(':memory:');
  await store.migrate();
  const bus = new MemoryBus();
  const cache = new MemoryCache();
  let next: (() => void) | undefined;
  const sub = await startSignals({ bus, store, cache, log: silentLogger, signals, ctx: testContext }, {}, (e) => { if (e.type === 'recomputed' && e.signal === 'signals.price_spread') next?.(); });
  const stored = (dataset: string, series: Record<string, string>, values: number[], unit: string, payload: string): StoredObservation[] =>
    values.map((value, k) => ({ dataset, series, seriesKey: seriesKey(series), ts: new Date(FROM + k * HOUR), resolution: 'PT60M', value, unit, payloadSha256: payload.repeat(64) }));
  const land = async (batch: StoredObservation[]) => {
    await store.upsertObservations(batch);
    const done = new Promise<void>((r) => (next = r));
    await bus.publish(EVENTS_TOPIC, { data: encodeLandedEvent(buildLandedEvent(batch)!), properties: {} });
    await done;
  };
  const border = { from_zone: 'DE-LU', to_zone: 'FR' };
  const metric = async (m: string) => (await store.queryObservations({ dataset: 'signals.price_spread', where: { ...border, metric: m } })).map((o: Observation) => o.value);
  try {
    await land([
      ...stored('alpha.day_ahead_prices', { zone: 'DE-LU' }, [50, 60], 'EUR/MWh', 'a'),
      ...stored('alpha.day_ahead_prices', { zone: 'FR' }, [80, 61], 'EUR/MWh', 'a'),
      ...stored('alpha.capacity', border, [1_000, 1_000], 'MW', 'a'),
      ...stored('alpha.flows', border, [1_000, 400], 'MW', 'a'),
    ]);
    assert.deepEqual(await metric('spread'), [30, 1]);
    assert.deepEqual(await metric('congested'), [1, 0]);
    // The first hour's flow is revised down to 700 MW: no longer at the capacity.
    await land(stored('alpha.flows', border, [700], 'MW', 'b'));
    assert.deepEqual(await metric('congested'), [0, 0]);
    // France's second hour is revised to 75: the spread follows.
    await land(stored('alpha.day_ahead_prices', { zone: 'FR' }, [80, 75], 'EUR/MWh', 'c').slice(1));
    assert.deepEqual(await metric('spread'), [30, 15]);
    const rows = await store.queryObservations({ dataset: 'signals.price_spread', where: { ...border, metric: 'spread' } });
    assert.equal(rows.length, 2, 'revisions overwrite, never duplicate');
  } finally {
    await sub.close();
    await bus.close();
    await store.close();
  }
});
