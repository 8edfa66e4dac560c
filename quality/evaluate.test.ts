// Plausibility evaluation against a real store (DuckDB in memory and MariaDB): flags are written
// beside the stored values, follow revisions, and a failed evaluation never fails the batch.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Dataset } from '../shared/dataset.ts';
import { createLogger, type Logger } from '../shared/log.ts';
import { seriesKey } from '../shared/observation.ts';
import { DuckDbStore } from '../shared/store/duckdb.ts';
import { realStores } from '../shared/store/test-stores.ts';
import type { Store, StoredObservation } from '../shared/store/index.ts';
import { pricesWithRules } from './test-datasets.ts';
import { evaluateStretch, qualityAfterCommit } from './evaluate.ts';

const log = createLogger('error');
const NOW = new Date('2025-11-06T12:00:00Z');

const prices = pricesWithRules('Europe/Copenhagen');

/** Load checked against generation and flows of the same zone. */
const load = {
  id: 'test.load',
  provider: 'test',
  window: { align: 'PT1H', tz: 'UTC', maxSpan: 'P7D', lookback: 'PT6H', horizon: 'PT0S', backfill: 'P3D' },
  plausibility: [{
    rule: 'balance', zone: 'zone', tolerance: 0.1,
    terms: [{ dataset: 'test.gen', zone: 'zone', sign: 1 }, { dataset: 'test.flows', zone: 'to_zone', sign: 1 }, { dataset: 'test.flows', zone: 'from_zone', sign: -1 }],
  }],
} as unknown as Dataset;
const gen = { id: 'test.gen', provider: 'test', window: load.window } as unknown as Dataset;
const flows = { id: 'test.flows', provider: 'test', window: load.window } as unknown as Dataset;

const row = (dataset: string, series: Record<string, string>, ts: Date, value: number | null, unit: string): StoredObservation =>
  ({ dataset, series, seriesKey: seriesKey(series), ts, resolution: 'PT60M', value, unit, payloadSha256: 'a'.repeat(64) });
const hourly = (start: string, values: readonly (number | null)[], area = 'DK1') =>
  values.map((v, i) => row('test.prices', { area }, new Date(new Date(start).getTime() + i * 3_600_000), v, 'EUR/MWh'));
const DAY_OF_PRICES = [50, 52, 55, 53, 51, 49, 56, 60, 58, 57, 54, 52, 50, 53, 55, 57, 61, 63, 59, 56, 54, 52, 51, 50];

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const stores = realStores();

for (const [name, open] of stores) {
  describe(`plausibility evaluation on ${name}`, () => {
    it('stores an implausible value and flags it; a revision clears the flag, another bad one replaces it', async (t) => {
      const store = await open();
      t.after(() => store.close().catch(() => undefined));
      const window = { from: new Date('2025-11-05T00:00:00Z'), to: new Date('2025-11-06T00:00:00Z') };
      await store.upsertObservations(hourly('2025-11-04T00:00:00Z', DAY_OF_PRICES));
      const day = [...DAY_OF_PRICES];
      day[10] = 2500; // 10:00Z: a spike beyond the range and a jump
      day[12] = null; // nulls stay null and are never judged
      await store.upsertObservations(hourly('2025-11-05T00:00:00Z', day));
      await store.upsertObservations(hourly('2025-11-05T00:00:00Z', [3000], 'DK2'));
      const first = await evaluateStretch(store, prices, window, NOW);
      assert.equal(first.added, 3);
      const flags = await store.listQualityFlags({ dataset: 'test.prices' });
      assert.deepEqual(flags.map((f) => [f.series.area, f.ts.toISOString(), f.rule, f.value]), [
        ['DK1', '2025-11-05T10:00:00.000Z', 'jump', 2500],
        ['DK1', '2025-11-05T10:00:00.000Z', 'range', 2500],
        ['DK2', '2025-11-05T00:00:00.000Z', 'range', 3000],
      ]);
      assert.equal(flags[1]!.detail, '2500 EUR/MWh above the plausible maximum 1500 EUR/MWh');
      // The value is stored as it came.
      assert.equal((await store.queryObservations({ dataset: 'test.prices', from: new Date('2025-11-05T10:00:00Z'), to: new Date('2025-11-05T11:00:00Z'), where: { area: 'DK1' } }))[0]!.value, 2500);

      // Re-evaluating the same values changes nothing and counts nothing new.
      assert.equal((await evaluateStretch(store, prices, window, NOW)).added, 0);

      // The provider revises DK1 10:00 to a plausible value: its flags go, DK2's stay.
      await store.upsertObservations(hourly('2025-11-05T10:00:00Z', [57]));
      await evaluateStretch(store, prices, { from: new Date('2025-11-05T10:00:00Z'), to: new Date('2025-11-05T11:00:00Z') }, NOW);
      assert.deepEqual((await store.listQualityFlags({ dataset: 'test.prices' })).map((f) => [f.series.area, f.rule]), [['DK2', 'range']]);

      // A later revision to another out-of-range value is flagged with that value.
      await store.upsertObservations(hourly('2025-11-05T10:00:00Z', [-300]));
      await evaluateStretch(store, prices, window, NOW);
      assert.deepEqual((await store.listQualityFlags({ dataset: 'test.prices', rule: 'range' })).map((f) => [f.series.area, f.value, f.detail]), [
        ['DK1', -300, '-300 EUR/MWh below the plausible minimum -200 EUR/MWh'],
        ['DK2', 3000, '3000 EUR/MWh above the plausible maximum 1500 EUR/MWh'],
      ]);
    });

    it('judges landed windows after commit, and again when a balance term lands later', async (t) => {
      const store = await open();
      t.after(() => store.close().catch(() => undefined));
      const hook = qualityAfterCommit({ store, datasets: [prices, load, gen, flows], log, now: () => NOW });
      const at = new Date('2025-11-05T10:00:00Z');
      const window = { from: at, to: new Date('2025-11-05T11:00:00Z') };
      await store.upsertObservations([row('test.load', { zone: 'A' }, at, 1500, 'MW'), row('test.gen', { zone: 'A', type: 'wind' }, at, 1000, 'MW')]);
      await hook([{ dataset: 'test.load', partition: 'A', window }, { dataset: 'test.gen', partition: 'A', window }]);
      // No flows yet: a required term is missing, so the hour is not judged.
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(await store.listQualityFlags({ dataset: 'test.load' }), []);
      // Flows land (imports 300, exports 100): 1500 vs 1200 is 20 % apart → load is flagged by the flows' batch.
      await store.upsertObservations([row('test.flows', { from_zone: 'B', to_zone: 'A' }, at, 300, 'MW'), row('test.flows', { from_zone: 'A', to_zone: 'C' }, at, 100, 'MW')]);
      await hook([{ dataset: 'test.flows', partition: 'B>A', window }]);
      const flagged = await until(() => store.listQualityFlags({ dataset: 'test.load' }), (f) => f.length === 1, 'the balance flag');
      assert.match(flagged[0]!.detail, /^1500 MW; hourly mean 1500 vs 1200 from \+test\.gen\[zone\] \+test\.flows\[to_zone\] −test\.flows\[from_zone\]: 20 % apart \(tolerance 10 %\)$/);
      // Load is revised to 1250: the flag follows the value and goes.
      await store.upsertObservations([row('test.load', { zone: 'A' }, at, 1250, 'MW')]);
      await hook([{ dataset: 'test.load', partition: 'A', window }]);
      await until(() => store.listQualityFlags({ dataset: 'test.load' }), (f) => f.length === 0, 'the flag to clear');
    });
  });
}

describe('plausibility after commit, when the store fails', () => {
  it('logs the failure and never rejects: the batch is already stored', async () => {
    const store = await DuckDbStore.open(':memory:');
    const warnings: string[] = [];
    const failing = new Proxy(store, {
      get(target, key) {
        if (key === 'queryObservations') return () => Promise.reject(new Error('store down'));
        const v = Reflect.get(target, key, target) as unknown;
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const warnLog = { warn: (o: { dataset: string }, msg: string) => void warnings.push(`${o.dataset}: ${msg}`) } as unknown as Logger;
    const hook = qualityAfterCommit({ store: failing, datasets: [prices], log: warnLog, now: () => NOW });
    await hook([{ dataset: 'test.prices', partition: 'DK1', window: { from: new Date('2025-11-05T00:00:00Z'), to: new Date('2025-11-06T00:00:00Z') } }]);
    await until(async () => warnings, (w) => w.length === 1, 'the warning');
    assert.match(warnings[0]!, /^test\.prices: plausibility evaluation failed/);
    await store.close();
  });
});
