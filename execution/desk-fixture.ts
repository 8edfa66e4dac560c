// A small desk for tests: one zone (DK1), a day of auction prices, two imbalance hours and a
// base-reversion strategy reading a test signal. Used by the role, API and CLI tests.
import type { Dataset } from '../shared/dataset.ts';
import { silentLogger } from '../shared/log.ts';
import { seriesKey } from '../shared/observation.ts';
import type { Store, StoredObservation } from '../shared/store/index.ts';
import { Desk, priceSources, type DeskDeps } from './desk.ts';
import { baseReversionDayAhead } from './strategies/index.ts';

export const HOUR = 3_600_000;
/** Thursday 2026-01-15 in Brussels starts at 23:00 UTC the day before. */
export const D = Date.parse('2026-01-14T23:00:00Z');

export const fixtureDatasets = [
  { id: 'test.day_ahead', measures: [{ quantity: 'price.day_ahead', kind: 'actual' }] },
  { id: 'test.imbalance', measures: [{ quantity: 'price.imbalance', kind: 'actual' }] },
] as unknown as Dataset[];

export function observations(dataset: string, series: Record<string, string>, start: number, stepMs: number, values: number[], resolution: string, unit: string): StoredObservation[] {
  return values.map((value, i) => ({ dataset, series, seriesKey: seriesKey(series), ts: new Date(start + i * stepMs), resolution, value, unit, payloadSha256: 'a'.repeat(64) }));
}

/** Day D's auction: 40 in the first hour, 60 in the second, 50 after; imbalance prices for the first two hours. */
export async function seedPrices(store: Store, imbalance: [number, number]): Promise<void> {
  await store.upsertObservations([
    ...observations('test.day_ahead', { zone: 'DK1' }, D, HOUR, [40, 60, ...Array<number>(22).fill(50)], 'PT60M', 'EUR/MWh'),
    ...observations('test.imbalance', { zone: 'DK1' }, D, HOUR / 4, [...Array<number>(4).fill(imbalance[0]), ...Array<number>(4).fill(imbalance[1])], 'PT15M', 'EUR/MWh'),
  ]);
}

/** The day's base price as `signals.test_stats` would hold it. */
export const baseStat = (dayStart: number, base: number) => observations('signals.test_stats', { zone: 'DK1', stat: 'base' }, dayStart, 0, [base], 'P1D', 'EUR/MWh');

export const fixtureStrategy = (maxDailyLoss: number) =>
  baseReversionDayAhead({ input: 'signals.test_stats', band: 3, quantityMw: 5, currency: 'EUR', limits: { markets: ['day_ahead'], zones: ['DK1'], maxNetMw: 10, maxDailyMwh: 1000, maxDailyLoss } });

export const fixtureDeps = (store: Store, maxDailyLoss = 1e9): DeskDeps => ({
  store, log: silentLogger, strategies: [fixtureStrategy(maxDailyLoss)], prices: priceSources(fixtureDatasets), clock: 'replay', now: () => new Date('2026-01-16T12:00:00Z'),
});

/** Prices, day D−1's base of 50 and one desk step: 48 orders, 2 fills (+150 and −100 after settlement). */
export async function seedDesk(store: Store): Promise<void> {
  await seedPrices(store, [70, 80]);
  const signal = baseStat(D - 24 * HOUR, 50);
  await store.upsertObservations(signal);
  await new Desk(fixtureDeps(store)).step({ schema: 'scalar.landed/v1', datasets: [{ dataset: 'signals.test_stats', seriesKeys: [signal[0]!.seriesKey], from: signal[0]!.ts, to: new Date(signal[0]!.ts.getTime() + 1) }], payloads: [] });
}
