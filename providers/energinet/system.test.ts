import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParseError } from '../../shared/errors.ts';
import { powerSystemRightNow } from './system.ts';
import { find, fixture, instants } from './test-fixtures.ts';

describe('energinet PowerSystemRightNow', () => {
  const obs = powerSystemRightNow.parse(fixture('PowerSystemRightNow_2025-10-26T00-50_fall_back.json'));

  it('reads 20 minutes across the repeated 02:00 hour from Minutes1UTC, 22 metrics each', () => {
    assert.equal(obs.length, 20 * 22);
    const times = instants(obs);
    assert.equal(times.length, 20);
    assert.equal(times[0], '2025-10-26T00:50:00.000Z');
    assert.equal(times.at(-1), '2025-10-26T01:09:00.000Z');
    // Minutes1DK jumps back from 02:59 to 02:00 here; UTC runs on.
    assert.equal(find(obs, { metric: 'OffshoreWindPower' }, '2025-10-26T01:00:00.000Z')?.value, 1002.339478);
    assert.ok(obs.every((o) => Object.keys(o.series).join() === 'metric' && o.resolution === 'PT1M'));
  });

  it('uses g/kWh for CO2Emission and MW for the rest, and keeps zeros and nulls apart', () => {
    const at = '2025-10-26T01:09:00.000Z';
    assert.equal(find(obs, { metric: 'CO2Emission' }, at)?.unit, 'g/kWh');
    assert.equal(find(obs, { metric: 'Exchange_DK1_DE' }, at)?.unit, 'MW');
    assert.equal(find(obs, { metric: 'mFRR_ActivatedDK1' }, at)?.value, 0);
    assert.equal(find(obs, { metric: 'ImbalanceDK2' }, at)?.value, null);
    assert.equal(find(obs, { metric: 'ImbalanceDK1' }, at)?.value, 103.91433);
    assert.equal(obs.filter((o) => o.value === null).length, 2);
  });

  it('rejects a record without a valid Minutes1UTC', () => {
    const body = new TextEncoder().encode(JSON.stringify({ total: 1, dataset: 'PowerSystemRightNow', records: [{ Minutes1DK: '2025-10-26T02:00:00', CO2Emission: 90 }] }));
    assert.throws(() => powerSystemRightNow.parse(body), (e: unknown) => e instanceof ParseError && /PowerSystemRightNow record 0: Minutes1UTC is not a timestamp: undefined/.test(e.message));
  });
});
