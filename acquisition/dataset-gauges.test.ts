import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Dataset } from '../shared/dataset.ts';
import type { Store } from '../shared/store/index.ts';
import { cadencePeriodMs, datasetGaugeReader, datasetGaugeValues, freshnessLimitSeconds } from './dataset-gauges.ts';

/** An hourly dataset published every hour, nothing ahead of now. */
const hourly: Dataset = {
  id: 'test.hourly',
  provider: 'test',
  title: 'hourly',
  resolution: 'PT60M',
  unit: 'MW',
  dimensions: ['area'],
  cadence: { every: 'PT1H' },
  window: { align: 'PT1H', tz: 'UTC', maxSpan: 'P1D', lookback: 'PT0S', horizon: 'PT0S', backfill: 'P1D' },
  partitions: ['A', 'B'],
  validation: { plausible: {}, maxLead: 'PT0S' },
  fetch: () => Promise.reject(new Error('not used')),
  parse: () => [],
  detect: () => false,
  workers: {},
  fixtures: [],
};
const daily: Dataset = { ...hourly, id: 'test.daily', cadence: { cron: '0 13 * * *', tz: 'Europe/Copenhagen' }, window: { ...hourly.window, align: 'P1D', tz: 'Europe/Copenhagen', horizon: 'P2D' } };

const now = new Date('2025-03-10T12:30:00Z');

describe('dataset lag and freshness', () => {
  it('takes a cadence step from a period or from the gap between two cron runs', () => {
    assert.equal(cadencePeriodMs(hourly.cadence, now), 3_600_000);
    assert.equal(cadencePeriodMs(daily.cadence, now), 86_400_000);
  });

  it('allows an hourly dataset to hold data up to the hour that started one cadence before the last complete hour', () => {
    // Target one cadence ago (11:30) is 11:00; the last step it should hold starts at 10:00.
    assert.equal(freshnessLimitSeconds(hourly, now), 2.5 * 3600);
  });

  it('reports lag from the oldest partition watermark and freshness from the newest observation', () => {
    const v = datasetGaugeValues(
      [hourly, daily],
      [
        { dataset: 'test.hourly', watermark: new Date('2025-03-10T11:00:00Z') },
        { dataset: 'test.hourly', watermark: new Date('2025-03-10T09:00:00Z') },
      ],
      [{ dataset: 'test.hourly', newest: new Date('2025-03-10T09:00:00Z') }],
      now,
    );
    const attributes = { provider: 'test', dataset: 'test.hourly' };
    assert.deepEqual(v.lag, [{ attributes, value: 3.5 * 3600 }]);
    assert.deepEqual(v.freshness, [{ attributes, value: 3.5 * 3600 }]);
    // 3.5 h old against a 2.5 h limit: late, which is what the dashboards and the alert compare.
    assert.ok(v.freshness[0]!.value > v.freshnessLimit[0]!.value);
    // Nothing stored for the daily dataset: nothing reported, rather than a made-up zero.
    assert.equal(v.lag.length + v.freshness.length + v.freshnessLimit.length, 3);
  });

  it('reads the store at most once per interval and forgets a failed read', async () => {
    let reads = 0;
    let fail = true;
    const store = {
      listWatermarks: async () => {
        reads += 1;
        if (fail) throw new Error('store down');
        return [];
      },
      newestObservations: async () => [],
    } as unknown as Store;
    const read = datasetGaugeReader(store, [hourly], 60_000, () => now);
    await assert.rejects(read(), /store down/);
    fail = false;
    await read();
    await read();
    assert.equal(reads, 2);
  });
});
