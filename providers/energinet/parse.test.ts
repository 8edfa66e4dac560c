import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ParseError } from '../../shared/errors.ts';
import type { Observation } from '../../shared/observation.ts';
import { energinet } from './index.ts';
import { identifyDataset } from '../../shared/identify-dataset.ts';
import { parseDayAheadPrices, parseElspotPrices, readEnvelope } from './parse.ts';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
const pick = (obs: Observation[], area: string, currency: string, ts: string) =>
  obs.find((o) => o.series.area === area && o.series.currency === currency && o.ts.toISOString() === ts)?.value;
const instants = (obs: Observation[], area: string) =>
  [...new Set(obs.filter((o) => o.series.area === area).map((o) => o.ts.toISOString()))].sort();

describe('energinet DayAheadPrices', () => {
  it('parses a normal day: 96 quarter-hours × 2 areas × 2 currencies, UTC instants', () => {
    const obs = parseDayAheadPrices(fixture('DayAheadPrices_DK1-DK2_2025-11-05.json'));
    assert.equal(obs.length, 384);
    const dk1 = instants(obs, 'DK1');
    assert.equal(dk1.length, 96);
    assert.equal(dk1[0], '2025-11-04T23:00:00.000Z');
    assert.equal(dk1.at(-1), '2025-11-05T22:45:00.000Z');
    assert.equal(pick(obs, 'DK1', 'EUR', '2025-11-04T23:00:00.000Z'), 59.869999);
    assert.equal(pick(obs, 'DK1', 'DKK', '2025-11-04T23:00:00.000Z'), 446.648163);
    assert.equal(pick(obs, 'DK2', 'DKK', '2025-11-05T22:45:00.000Z'), 580.993225);
    assert.deepEqual(obs[0], {
      dataset: 'energinet.day_ahead_prices', series: { area: 'DK1', currency: 'EUR' }, ts: new Date('2025-11-04T23:00:00Z'),
      resolution: 'PT15M', value: 59.869999, unit: 'EUR/MWh',
    });
  });

  it('keeps both 02:00 hours of the fall-back day apart (100 quarter-hours, read from TimeUTC)', () => {
    const obs = parseDayAheadPrices(fixture('DayAheadPrices_DK1-DK2_2025-10-26_fall_back.json'));
    const dk1 = instants(obs, 'DK1');
    assert.equal(dk1.length, 100);
    assert.equal(dk1[0], '2025-10-25T22:00:00.000Z');
    assert.equal(dk1.at(-1), '2025-10-26T22:45:00.000Z');
    // TimeDK says 02:00 twice; the first is 00:00Z (CEST), the second 01:00Z (CET).
    assert.equal(pick(obs, 'DK1', 'EUR', '2025-10-26T00:00:00.000Z'), 46.369999);
    assert.equal(pick(obs, 'DK1', 'EUR', '2025-10-26T01:00:00.000Z'), 49.869999);
    assert.equal(pick(obs, 'DK2', 'DKK', '2025-10-26T01:00:00.000Z'), 401.468567);
  });

  it('has 92 quarter-hours on the spring-forward day, and keeps negative prices', () => {
    const obs = parseDayAheadPrices(fixture('DayAheadPrices_DK1-DK2_2026-03-29_spring_forward.json'));
    const dk1 = instants(obs, 'DK1');
    assert.equal(dk1.length, 92);
    // 01:45 local (00:45Z) is followed by 03:00 local (01:00Z): no gap in UTC.
    assert.equal(pick(obs, 'DK1', 'EUR', '2026-03-29T00:45:00.000Z'), 49.09);
    assert.equal(pick(obs, 'DK1', 'EUR', '2026-03-29T01:00:00.000Z'), 39.869999);
    assert.equal(pick(obs, 'DK1', 'EUR', '2026-03-29T11:00:00.000Z'), -3.3435);
    assert.equal(obs.filter((o) => o.value !== null && o.value < 0).length, 16);
  });
});

describe('energinet Elspotprices', () => {
  it('parses the last day before the switch as hourly PT60M rows', () => {
    const obs = parseElspotPrices(fixture('Elspotprices_DK1-DK2_2025-09-30.json'));
    assert.equal(obs.length, 96);
    assert.ok(obs.every((o) => o.resolution === 'PT60M' && o.dataset === 'energinet.elspot_prices'));
    assert.equal(pick(obs, 'DK1', 'EUR', '2025-09-29T22:00:00.000Z'), 63.07);
    assert.equal(pick(obs, 'DK1', 'DKK', '2025-09-29T22:00:00.000Z'), 470.521118);
    assert.equal(instants(obs, 'DK2').at(-1), '2025-09-30T21:00:00.000Z');
  });

  it('has 25 and 23 hours on the DST days', () => {
    const fall = parseElspotPrices(fixture('Elspotprices_DK1-DK2_2024-10-27_fall_back.json'));
    assert.equal(instants(fall, 'DK1').length, 25);
    assert.equal(pick(fall, 'DK1', 'EUR', '2024-10-27T00:00:00.000Z'), 48.77);
    assert.equal(pick(fall, 'DK1', 'EUR', '2024-10-27T01:00:00.000Z'), 52.27);
    assert.equal(instants(parseElspotPrices(fixture('Elspotprices_DK1-DK2_2025-03-30_spring_forward.json')), 'DK2').length, 23);
  });

  it('keeps a null price as null, never 0', () => {
    const body = JSON.stringify({ total: 1, dataset: 'Elspotprices', records: [
      { HourUTC: '2013-01-05T23:00:00', HourDK: '2013-01-06T00:00:00', PriceArea: 'DK2', SpotPriceDKK: null, SpotPriceEUR: 32.1 },
    ] });
    const obs = parseElspotPrices(body);
    assert.deepEqual(obs.map((o) => [o.series.currency, o.value]), [['EUR', 32.1], ['DKK', null]]);
  });
});

describe('energinet bad input', () => {
  const cases: [string, string, RegExp][] = [
    ['malformed JSON', '{"total": 3, "records": [', /not a JSON document/],
    ['no envelope', '[1,2,3]', /not an Energi Data Service response/],
    ['a price that is not a number', JSON.stringify({ total: 1, dataset: 'DayAheadPrices', records: [{ TimeUTC: '2025-11-04T23:00:00', PriceArea: 'DK1', DayAheadPriceEUR: 'n/a', DayAheadPriceDKK: 1 }] }), /record 0: DayAheadPriceEUR is not a number: "n\/a"/],
    ['a broken timestamp', JSON.stringify({ total: 1, dataset: 'DayAheadPrices', records: [{ TimeUTC: '2025-13-04T23:00:00', PriceArea: 'DK1', DayAheadPriceEUR: 1, DayAheadPriceDKK: 1 }] }), /TimeUTC is not a timestamp/],
    ['the other dataset', readFileSync(new URL('./fixtures/Elspotprices_DK1-DK2_2025-09-30.json', import.meta.url), 'utf8'), /expected dataset DayAheadPrices, the response holds Elspotprices/],
  ];
  for (const [what, body, message] of cases) {
    it(`rejects ${what} with a ParseError`, () => {
      assert.throws(() => parseDayAheadPrices(body), (e: unknown) => e instanceof ParseError && message.test(e.message));
    });
  }

  it('reads the real ElectricityProdex5MinRealtime envelope (total, limit, dataset)', () => {
    const env = readEnvelope(fixture('ElectricityProdex5MinRealtime_limit100.json'));
    assert.equal(env.total, 2133788);
    assert.equal(env.limit, 100);
    assert.equal(env.records.length, 100);
    assert.equal(identifyDataset(energinet, fixture('ElectricityProdex5MinRealtime_limit100.json')).id, 'energinet.production_exchange_5min');
  });

  it('identifies which dataset a payload belongs to', () => {
    assert.equal(identifyDataset(energinet, fixture('DayAheadPrices_DK1-DK2_2025-11-05.json')).id, 'energinet.day_ahead_prices');
    assert.equal(identifyDataset(energinet, fixture('Elspotprices_DK1-DK2_2025-09-30.json')).id, 'energinet.elspot_prices');
  });
});
