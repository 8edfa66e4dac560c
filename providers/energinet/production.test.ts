import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParseError } from '../../shared/errors.ts';
import { productionConsumptionSettlement, productionExchange5Min } from './production.ts';
import { find, fixture, instants } from './test-fixtures.ts';

describe('energinet ElectricityProdex5MinRealtime (recorded response)', () => {
  const obs = productionExchange5Min.parse(fixture('ElectricityProdex5MinRealtime_limit100.json'));

  it('makes one series per area and value field, *DK and *UTC fields excluded', () => {
    // 100 records × 12 value fields (Minutes5UTC, Minutes5DK and PriceArea are not values)
    assert.equal(obs.length, 1200);
    const metrics = [...new Set(obs.map((o) => o.series.metric))];
    assert.equal(metrics.length, 12);
    assert.ok(!metrics.some((m) => m!.endsWith('DK') || m!.endsWith('UTC') || m === 'PriceArea'));
    assert.ok(obs.every((o) => o.unit === 'MW' && o.resolution === 'PT5M'));
  });

  it('covers 15:05Z-19:10Z in 50 five-minute steps per area, read from Minutes5UTC', () => {
    for (const area of ['DK1', 'DK2']) {
      const times = instants(obs, { area });
      assert.equal(times.length, 50);
      assert.equal(times[0], '2025-02-21T15:05:00.000Z');
      assert.equal(times.at(-1), '2025-02-21T19:10:00.000Z');
    }
    // newest first in the payload: the first observation is the newest DK1 record's first field
    assert.deepEqual(obs[0], {
      dataset: 'energinet.production_exchange_5min', series: { area: 'DK1', metric: 'ProductionLt100MW' },
      ts: new Date('2025-02-21T19:10:00Z'), resolution: 'PT5M', value: 347.149994, unit: 'MW',
    });
  });

  it('keeps the exchange signs per area and the nulls of links an area does not have', () => {
    const at = '2025-02-21T19:10:00.000Z';
    assert.equal(find(obs, { area: 'DK1', metric: 'OffshoreWindPower' }, at)?.value, 1502.01001);
    assert.equal(find(obs, { area: 'DK2', metric: 'OffshoreWindPower' }, at)?.value, 878.02002);
    assert.equal(find(obs, { area: 'DK1', metric: 'ExchangeGreatBelt' }, at)?.value, -302.589996);
    assert.equal(find(obs, { area: 'DK2', metric: 'ExchangeGreatBelt' }, at)?.value, 302.589996);
    assert.equal(find(obs, { area: 'DK1', metric: 'BornholmSE4' }, at)?.value, null);
    for (const m of ['ExchangeNetherlands', 'ExchangeGreatBritain', 'ExchangeNorway']) {
      assert.equal(find(obs, { area: 'DK2', metric: m }, at)?.value, null, m);
    }
  });

  it('rejects a numeric string, naming dataset, record and field', () => {
    const body = JSON.stringify({ total: 2, dataset: 'ElectricityProdex5MinRealtime', records: [
      { Minutes5UTC: '2025-02-21T19:10:00', Minutes5DK: '2025-02-21T20:10:00', PriceArea: 'DK1', SolarPower: 7.38 },
      { Minutes5UTC: '2025-02-21T19:15:00', Minutes5DK: '2025-02-21T20:15:00', PriceArea: 'DK1', SolarPower: '' },
    ] });
    assert.throws(() => productionExchange5Min.parse(new TextEncoder().encode(body)),
      (e: unknown) => e instanceof ParseError && /ElectricityProdex5MinRealtime record 1: SolarPower is not a number: ""/.test(e.message));
  });

  it('rejects a rolled-over date', () => {
    const body = JSON.stringify({ total: 1, dataset: 'ElectricityProdex5MinRealtime', records: [{ Minutes5UTC: '2025-02-30T19:10:00', PriceArea: 'DK1', SolarPower: 1 }] });
    assert.throws(() => productionExchange5Min.parse(new TextEncoder().encode(body)), /record 0: Minutes5UTC is not a timestamp/);
  });
});

describe('energinet ProductionConsumptionSettlement', () => {
  const obs = productionConsumptionSettlement.parse(fixture('ProductionConsumptionSettlement_DK1-DK2_2025-10-26_fall_back.json'));

  it('has 25 hours per area on the fall-back day, 25 MWh columns each', () => {
    assert.equal(obs.length, 25 * 2 * 25);
    const times = instants(obs, { area: 'DK2', metric: 'GrossConsumptionMWh' });
    assert.equal(times.length, 25);
    assert.equal(times[0], '2025-10-25T22:00:00.000Z');
    assert.equal(times.at(-1), '2025-10-26T22:00:00.000Z');
    assert.ok(obs.every((o) => o.unit === 'MWh' && o.resolution === 'PT60M'));
  });

  it('reads exact values and keeps the nulls of DK2 links', () => {
    assert.equal(find(obs, { area: 'DK1', metric: 'GrossConsumptionMWh' }, '2025-10-25T22:00:00.000Z')?.value, 1860.33374);
    // HourDK 02:00 twice: the CEST hour at 00:00Z, the CET hour at 01:00Z
    assert.equal(find(obs, { area: 'DK1', metric: 'GrossConsumptionMWh' }, '2025-10-26T00:00:00.000Z')?.value, 1927.494141);
    assert.equal(find(obs, { area: 'DK1', metric: 'GrossConsumptionMWh' }, '2025-10-26T01:00:00.000Z')?.value, 1978.598022);
    assert.equal(find(obs, { area: 'DK2', metric: 'ExchangeNL_MWh' }, '2025-10-26T01:00:00.000Z')?.value, null);
    assert.equal(obs.filter((o) => o.value === null).length, 25 * 3);
  });
});
