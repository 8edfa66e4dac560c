import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { imbalancePrices, imbalanceUnit } from './imbalance.ts';
import { find, fixture, instants } from './test-fixtures.ts';

describe('energinet ImbalancePrice', () => {
  const obs = imbalancePrices.parse(fixture('ImbalancePrice_DK1-DK2_2025-10-26T00-06_fall_back.json'));

  it('covers local 00:00-06:00 of the fall-back day: 28 quarter-hours per area, 15 columns each', () => {
    assert.equal(obs.length, 28 * 2 * 15);
    const times = instants(obs, { area: 'DK1', metric: 'ImbalancePriceEUR' });
    assert.equal(times.length, 28);
    assert.equal(times[0], '2025-10-25T22:00:00.000Z');
    assert.equal(times.at(-1), '2025-10-26T04:45:00.000Z');
    // TimeDK 02:00 is 00:00Z and again 01:00Z: both quarter-hours are there
    assert.ok(times.includes('2025-10-26T00:00:00.000Z') && times.includes('2025-10-26T01:00:00.000Z'));
  });

  it('gives each column its unit: EUR and DKK prices, MW volumes, the direction as -1/0/+1', () => {
    const at = '2025-10-25T22:00:00.000Z';
    const row = (metric: string) => find(obs, { area: 'DK1', metric }, at)!;
    assert.deepEqual([row('ImbalancePriceEUR').value, row('ImbalancePriceEUR').unit], [62, 'EUR/MWh']);
    assert.deepEqual([row('ImbalancePriceDKK').value, row('ImbalancePriceDKK').unit], [462.538605, 'DKK/MWh']);
    assert.deepEqual([row('aFRRDownMW').value, row('aFRRDownMW').unit], [-9, 'MW']);
    assert.deepEqual([row('SatisfiedDemand').value, row('SatisfiedDemand').unit], [0, 'MW']);
    assert.deepEqual([row('DominatingDirection').value, row('DominatingDirection').unit], [0, '1']);
    assert.equal(imbalanceUnit('BalancingDemand'), 'MW');
  });

  it('keeps the prices of the newest, unsettled quarter-hour as null', () => {
    const last = obs.filter((o) => o.ts.toISOString() === '2025-10-26T04:45:00.000Z' && o.series.area === 'DK2');
    assert.equal(last.length, 15);
    assert.deepEqual(last.filter((o) => o.value === null).map((o) => o.series.metric),
      ['ImbalancePriceEUR', 'ImbalancePriceDKK', 'mFRRMarginalPriceUpEUR', 'mFRRMarginalPriceUpDKK', 'mFRRMarginalPriceDownEUR', 'mFRRMarginalPriceDownDKK']);
    assert.equal(find(obs, { area: 'DK2', metric: 'SpotPriceEUR' }, '2025-10-26T04:45:00.000Z')?.value, 57.08094);
  });
});
