import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Observation } from './observation.ts';
import { zoneAnnotator, type UnknownZoneCode, type Zone, type ZoneMapping } from './zones.ts';

const split = new Date('2018-09-30T22:00:00Z');
const zones: Zone[] = [
  { code: 'DK1', eic: '10YDK-1--------W', name: 'Denmark West', country: 'DK', timeZone: 'Europe/Copenhagen' },
  { code: 'DE-LU', eic: '10Y1001A1001A82H', name: 'Germany-Luxembourg', country: 'DE', timeZone: 'Europe/Berlin', validFrom: split },
  { code: 'DE-AT-LU', eic: '10Y1001A1001A63L', name: 'Germany-Austria-Luxembourg', country: 'DE', timeZone: 'Europe/Berlin', validTo: split },
  { code: 'BE', eic: '10YBE----------2', name: 'Belgium', country: 'BE', timeZone: 'Europe/Brussels' },
];
const mappings: Record<string, ZoneMapping> = {
  px: { dimensions: { area: 'zone', to_area: 'to_zone' }, codes: { 'DK-West': 'DK1', GER: ['DE-LU', 'DE-AT-LU'], Region: null } },
  tso: { dimensions: {}, codes: {}, fixed: 'BE' },
};
const obs = (dataset: string, series: Record<string, string>, ts = '2025-01-01T00:00:00Z'): Observation =>
  ({ dataset, series, ts: new Date(ts), resolution: 'PT60M', value: 1, unit: 'EUR/MWh' });

describe('zone annotation at ingestion', () => {
  const run = (dataset: string, provider: string, o: Observation[]) => {
    const unknown: UnknownZoneCode[] = [];
    return { out: zoneAnnotator(zones, mappings, (u) => unknown.push(u))({ id: dataset, provider }, o), unknown };
  };

  it('adds the canonical zone beside the provider code, for each area dimension', () => {
    const { out } = run('px.flows', 'px', [obs('px.flows', { area: 'DK-West', to_area: 'GER', currency: 'EUR' })]);
    assert.deepEqual(out[0]!.series, { area: 'DK-West', to_area: 'GER', currency: 'EUR', zone: 'DK1', to_zone: 'DE-LU' });
  });

  it('picks the zone valid at the instant when a code spans a split', () => {
    const { out } = run('px.prices', 'px', [obs('px.prices', { area: 'GER' }, '2018-09-30T21:00:00Z'), obs('px.prices', { area: 'GER' }, '2018-09-30T22:00:00Z')]);
    assert.deepEqual(out.map((o) => o.series.zone), ['DE-AT-LU', 'DE-LU']);
  });

  it('keeps an unknown code\'s rows (without a zone) and reports it once per dataset and code', () => {
    const input = [obs('px.prices', { area: 'XX' }), obs('px.prices', { area: 'XX' }, '2025-01-01T01:00:00Z'), obs('px.prices', { area: 'Region' })];
    const { out, unknown } = run('px.prices', 'px', input);
    assert.equal(out.length, 3);
    assert.deepEqual(out.map((o) => o.series), [{ area: 'XX' }, { area: 'XX' }, { area: 'Region' }]);
    assert.deepEqual(unknown, [{ dataset: 'px.prices', dimension: 'area', code: 'XX' }], 'a known non-zone (Region) is no warning');
  });

  it('keeps one series object per source series and zone: a parser\'s shared series stays shared, split only where the zone changes', () => {
    const ger = { area: 'GER' };
    const { out } = run('px.prices', 'px', ['2018-09-30T20:00:00Z', '2018-09-30T21:00:00Z', '2018-09-30T22:00:00Z', '2018-09-30T23:00:00Z'].map((t) => obs('px.prices', ger, t)));
    assert.equal(out[0]!.series, out[1]!.series);
    assert.equal(out[2]!.series, out[3]!.series);
    assert.notEqual(out[1]!.series, out[2]!.series);
    assert.deepEqual(out.map((o) => o.series.zone), ['DE-AT-LU', 'DE-AT-LU', 'DE-LU', 'DE-LU']);
    assert.deepEqual(ger, { area: 'GER' }, 'the parsed series is left as it was');
  });

  it('gives a single-zone provider\'s series its fixed zone, and leaves providers without a mapping alone', () => {
    assert.equal(run('tso.load', 'tso', [obs('tso.load', { metric: 'measured' })]).out[0]!.series.zone, 'BE');
    const input = [obs('other.x', { area: 'DK-West' })];
    assert.equal(run('other.x', 'other', input).out[0], input[0]);
  });
});
