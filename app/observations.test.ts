import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParameterError } from '../shared/errors.ts';
import { csvWriter, observationQuery } from './observations.ts';

const fails = (f: () => unknown, parameter: string) =>
  assert.throws(f, (e: unknown) => e instanceof ParameterError && e.parameter === parameter && e.message.startsWith(`${parameter}: `));

describe('observationQuery', () => {
  it('parses instants, a limit and key=value filters, normalising zone names through the provider', () => {
    const q = observationQuery({ dataset: 'entsoe.day_ahead_prices', from: '2025-11-05', to: '2025-11-06T12:00:00+01:00', where: ['area=FR', 'resolution=PT15M'], limit: '10' });
    assert.deepEqual(q, {
      dataset: 'entsoe.day_ahead_prices',
      from: new Date('2025-11-05T00:00:00Z'),
      to: new Date('2025-11-06T11:00:00Z'),
      where: { area: '10YFR-RTE------C', resolution: 'PT15M' },
      limit: 10,
    });
  });

  it('vintages: takes asOf and issued as exact instants, whatever offset they are written in', () => {
    const q = observationQuery({ dataset: 'energinet.day_ahead_prices', asOf: '2025-10-26T02:30:00+01:00', issued: '2025-10-26T02:30:00+02:00' });
    assert.deepEqual([q.asOf?.toISOString(), q.issuedAt?.toISOString()], ['2025-10-26T01:30:00.000Z', '2025-10-26T00:30:00.000Z']);
  });

  it('names the parameter that is wrong', () => {
    fails(() => observationQuery({}), 'dataset');
    fails(() => observationQuery({ dataset: 'energinet.nope' }), 'dataset');
    fails(() => observationQuery({ dataset: 'energinet.day_ahead_prices', from: '2025-02-30' }), 'from');
    fails(() => observationQuery({ dataset: 'energinet.day_ahead_prices', to: '1730851200' }), 'to');
    fails(() => observationQuery({ dataset: 'energinet.day_ahead_prices', from: '2025-11-06', to: '2025-11-06' }), 'to');
    fails(() => observationQuery({ dataset: 'energinet.day_ahead_prices', limit: '1e3' }), 'limit');
    fails(() => observationQuery({ dataset: 'energinet.day_ahead_prices', limit: -1 }), 'limit');
    fails(() => observationQuery({ dataset: 'energinet.day_ahead_prices', where: ['=DK1'] }), 'where');
    fails(() => observationQuery({ dataset: 'energinet.day_ahead_prices', asOf: '2025-11-06T25:00:00Z' }), 'asOf');
    fails(() => observationQuery({ dataset: 'energinet.day_ahead_prices', issued: 'tomorrow' }), 'issued');
  });
});

describe('csvWriter', () => {
  it('fixes the columns from the dimensions before any row, leaves a null value empty and quotes what needs it', () => {
    const w = csvWriter(['currency', 'area', 'area']);
    assert.equal(w.header, 'dataset,area,currency,ts,resolution,value,unit,issued,quality\n');
    const line = w.line({ dataset: 'd', series: { area: 'DK1', currency: 'EUR' }, ts: new Date('2025-11-06T00:15:00Z'), resolution: 'PT15M', value: null, unit: 'EUR/MWh', quality: 'a,b' });
    assert.equal(line, 'd,DK1,EUR,2025-11-06T00:15:00Z,PT15M,,EUR/MWh,,"a,b"\n');
  });
});
