import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { energinetDatasets } from './datasets.ts';
import { readEnvelope } from './envelope.ts';
import { windSolarForecastHour } from './forecasts.ts';
import { simulatedRecords, startEnerginetSimulator, type EnerginetSimulator } from './simulator.ts';

const NOW = new Date('2025-11-05T14:00:00Z');

describe('energinet simulator', () => {
  let sim: EnerginetSimulator;
  before(async () => (sim = await startEnerginetSimulator({ now: () => NOW })));
  after(() => sim.close());
  const get = async (path: string) => {
    const res = await fetch(`${sim.url}${path}`);
    return { status: res.status, body: new Uint8Array(await res.arrayBuffer()) };
  };

  it('serves every descriptor under its API name, and nothing else', async () => {
    for (const ds of energinetDatasets) {
      const r = await get(`/dataset/${ds.source.layout.apiName}?start=2025-10-30&end=2025-10-31&limit=1`);
      assert.equal(r.status, 200, ds.id);
      assert.equal(readEnvelope(r.body).dataset, ds.source.layout.apiName);
    }
    assert.equal((await get('/dataset/Nope?start=2025-10-30&end=2025-10-31')).status, 404);
  });

  it('serves a 25-hour fall-back day of Forecasts_Hour from the fixture day of that length, issue times shifted alike', () => {
    const rs = simulatedRecords('Forecasts_Hour', 'DK1', new Date('2025-10-25T22:00:00Z'), new Date('2025-10-26T23:00:00Z'), NOW);
    assert.equal(rs.length, 25 * 3);
    const obs = windSolarForecastHour.parse(new TextEncoder().encode(JSON.stringify(rs)));
    assert.ok(obs.every((o) => o.issued!.getTime() === o.ts.getTime() - 15 * 60_000));
    // local 02:00 twice (CEST, then CET) × 3 forecast types
    assert.equal(rs.filter((r) => r.HourDK === '2025-10-26T02:00:00').length, 6);
  });

  it('serves a normal 24-hour day from the same fixture by local time of day', () => {
    const rs = simulatedRecords('Forecasts_Hour', 'DK2', new Date('2025-11-03T23:00:00Z'), new Date('2025-11-04T23:00:00Z'), NOW);
    assert.equal(rs.length, 24 * 3);
    assert.equal(rs[0]!.HourDK, '2025-11-04T00:00:00');
    assert.equal(rs.at(-1)!.HourUTC, '2025-11-04T22:00:00');
  });

  it('never issues a forecast after now', () => {
    const rs = simulatedRecords('Forecasts_Hour', 'DK1', new Date('2025-11-05T13:00:00Z'), new Date('2025-11-05T16:00:00Z'), NOW);
    // 15 minutes before each value time, as in the fixture, except the 15:00Z one: now (14:00Z) at the latest
    assert.deepEqual(rs.map((r) => r.TimestampUTC), [
      ...Array(3).fill('2025-11-05T12:45:00'), ...Array(3).fill('2025-11-05T13:45:00'), ...Array(3).fill('2025-11-05T14:00:00'),
    ]);
    assert.equal(rs[6]!.TimestampDK, '2025-11-05T15:00:00');
  });

  it('stops at what is published: measured 5-minute data up to now, day-ahead data up to tomorrow', () => {
    const prodex = simulatedRecords('ElectricityProdex5MinRealtime', 'DK1', new Date('2025-11-04T23:00:00Z'), new Date('2025-11-05T23:00:00Z'), NOW);
    assert.equal(prodex.at(-1)!.Minutes5UTC, '2025-11-05T13:55:00');
    const dayAhead = simulatedRecords('DayAheadPrices', 'DK1', new Date('2025-11-04T23:00:00Z'), new Date('2025-11-07T23:00:00Z'), NOW);
    assert.equal(dayAhead.at(-1)!.TimeUTC, '2025-11-06T22:45:00');
  });

  it('filters by the key columns the descriptor declares and refuses others', async () => {
    const q = (filter: object) => `/dataset/Forecasts_5Min?start=2025-11-05T10:00&end=2025-11-05T11:00&limit=0&filter=${encodeURIComponent(JSON.stringify(filter))}`;
    const solar = readEnvelope((await get(q({ PriceArea: ['DK2'], ForecastType: ['Solar'] }))).body);
    assert.equal(solar.total, 12);
    assert.ok(solar.records.every((r) => r.PriceArea === 'DK2' && r.ForecastType === 'Solar'));
    assert.equal((await get(q({ Minutes5UTC: ['x'] }))).status, 400);
    assert.equal((await get('/dataset/PowerSystemRightNow?start=2025-11-05&end=2025-11-06&filter={"PriceArea":["DK1"]}')).status, 400);
  });
});
