import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParseError } from '../../shared/errors.ts';
import { co2Emission, co2EmissionForecast } from './emissions.ts';
import { energinet } from './index.ts';
import { identifyDataset } from '../../shared/identify-dataset.ts';
import { find, fixture, instants } from './test-fixtures.ts';

describe('energinet CO2Emis', () => {
  const obs = co2Emission.parse(fixture('CO2Emis_DK1-DK2_2025-11-05T10-12.json'));

  it('parses 24 five-minute values per area in g/kWh, keeping a null', () => {
    assert.equal(obs.length, 48);
    assert.deepEqual(obs[0], {
      dataset: 'energinet.co2_emission', series: { area: 'DK1', metric: 'CO2Emission' },
      ts: new Date('2025-11-05T09:00:00Z'), resolution: 'PT5M', value: 123.184799, unit: 'g/kWh',
    });
    assert.equal(instants(obs, { area: 'DK2' }).at(-1), '2025-11-05T10:55:00.000Z');
    assert.equal(find(obs, { area: 'DK2' }, '2025-11-05T10:55:00.000Z')?.value, 115.957581);
    assert.equal(find(obs, { area: 'DK2' }, '2025-11-05T09:35:00.000Z')?.value, null);
  });

  it('refuses the prognosis payload', () => {
    assert.throws(() => co2Emission.parse(fixture('CO2EmisProg_DK1-DK2_2025-10-26_fall_back.json')),
      (e: unknown) => e instanceof ParseError && /expected dataset CO2Emis, the response holds CO2EmisProg/.test(e.message));
  });
});

describe('energinet CO2EmisProg', () => {
  const obs = co2EmissionForecast.parse(fixture('CO2EmisProg_DK1-DK2_2025-10-26_fall_back.json'));

  it('has 300 five-minute values per area on the fall-back day', () => {
    const times = instants(obs, { area: 'DK1' });
    assert.equal(times.length, 300);
    assert.equal(times[0], '2025-10-25T22:00:00.000Z');
    assert.equal(times.at(-1), '2025-10-26T22:55:00.000Z');
    // Minutes5DK 02:00 twice: 00:00Z and 01:00Z
    assert.equal(find(obs, { area: 'DK1' }, '2025-10-26T00:00:00.000Z')?.value, 152.995407);
    assert.equal(find(obs, { area: 'DK1' }, '2025-10-26T01:00:00.000Z')?.value, 140.41478);
  });

  it('cannot be told from CO2Emis as a bare record array: identify says so', () => {
    const body = new TextEncoder().encode(JSON.stringify([{ Minutes5UTC: '2025-10-26T00:00:00', Minutes5DK: '2025-10-26T02:00:00', PriceArea: 'DK1', CO2Emission: 152.9 }]));
    assert.throws(() => identifyDataset(energinet, body),
      (e: unknown) => e instanceof ParseError && /several datasets claim this payload \(energinet\.co2_emission, energinet\.co2_emission_forecast;.*--dataset/.test(e.message));
    assert.equal(co2EmissionForecast.parse(body)[0]?.value, 152.9);
  });
});
