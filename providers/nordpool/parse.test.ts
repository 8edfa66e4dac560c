import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ParseError } from '../../shared/errors.ts';
import type { Observation } from '../../shared/observation.ts';
import { isoUtc } from '../../shared/time.ts';
import { parseAuctionPrices, parseCapacities, parseExchanges } from './data-api-parse.ts';
import { parseIntradayTrades } from './intraday-parse.ts';
import { cetMidnight, isUnpublished, parseAggregatePrices, parseDayAheadPriceIndices, parseDayAheadPrices, parseUtcInstant } from './portal-parse.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const at = (obs: Observation[], area: string, ts: string) => obs.find((o) => o.series.area === area && isoUtc(o.ts) === ts);
const values = (obs: Observation[], area: string) => obs.filter((o) => o.series.area === area).map((o) => o.value);

describe('Nord Pool data portal: DayAheadPrices', () => {
  it('SE3 2024-11-05 (recorded): 24 hourly EUR prices from 00:00 CET, Final, issued at updatedAt', () => {
    const obs = parseDayAheadPrices(fixture('dataportal_DayAheadPrices_SE3_2024-11-05.json'));
    assert.equal(obs.length, 24);
    assert.deepEqual(obs[0], {
      dataset: 'nordpool.day_ahead_prices',
      series: { area: 'SE3', currency: 'EUR' },
      ts: new Date('2024-11-04T23:00:00Z'),
      resolution: 'PT60M',
      value: 21.54,
      unit: 'EUR/MWh',
      issued: new Date('2024-11-04T12:15:03.883Z'),
      quality: 'Final',
    });
    assert.equal(at(obs, 'SE3', '2024-11-05T22:00:00Z')?.value, 24.84);
    const v = values(obs, 'SE3') as number[];
    assert.equal(Math.min(...v), 5.3);
    assert.equal(Math.max(...v), 215.86);
    // The area average the answer states is the mean of the rows (77.38): nothing lost or doubled.
    assert.equal(Math.round((v.reduce((a, b) => a + b, 0) / v.length) * 100) / 100, 77.38);
  });

  it('fall-back day in SEK: 100 quarter-hours per area, unit SEK/MWh, per-area state, a null price kept', () => {
    const obs = parseDayAheadPrices(fixture('documented-shape_DayAheadPrices_SE3-SE4_SEK_2025-10-26_fall-back.json'));
    for (const area of ['SE3', 'SE4']) {
      const rows = obs.filter((o) => o.series.area === area);
      assert.equal(rows.length, 100);
      assert.equal(isoUtc(rows[0]!.ts), '2025-10-25T22:00:00Z'); // 00:00 CEST
      assert.equal(isoUtc(rows.at(-1)!.ts), '2025-10-26T22:45:00Z'); // 23:45 CET
      assert.ok(rows.every((o) => o.unit === 'SEK/MWh' && o.series.currency === 'SEK' && o.resolution === 'PT15M'));
    }
    assert.ok(obs.filter((o) => o.series.area === 'SE3').every((o) => o.quality === 'Final'));
    assert.ok(obs.filter((o) => o.series.area === 'SE4').every((o) => o.quality === 'Preliminary'));
    assert.equal(at(obs, 'SE4', '2025-10-25T23:15:00Z')?.value, null);
    assert.equal(new Set(obs.map((o) => `${o.series.area}${o.ts.getTime()}`)).size, 200);
  });

  it('an empty body (HTTP 204) and a version-0 answer parse to no rows', () => {
    assert.deepEqual(parseDayAheadPrices(new Uint8Array()), []);
    const empty = fixture('dataportal_DayAheadPriceIndices_FI_empty_2025-05-10.json');
    assert.deepEqual(parseDayAheadPriceIndices(60, empty), []);
    assert.equal(isUnpublished(JSON.parse(String(empty))), true);
  });

  it('refuses a price given as a string, a naive instant, a 45-minute entry and broken JSON', () => {
    const base = JSON.parse(String(fixture('dataportal_DayAheadPrices_SE3_2024-11-05.json')));
    const bad = (mutate: (d: typeof base) => void) => {
      const d = structuredClone(base);
      mutate(d);
      return JSON.stringify(d);
    };
    assert.throws(() => parseDayAheadPrices(bad((d) => (d.multiAreaEntries[0].entryPerArea.SE3 = '21,54'))), ParseError);
    assert.throws(() => parseDayAheadPrices(bad((d) => (d.multiAreaEntries[0].deliveryStart = '2024-11-04T23:00:00'))), /not UTC instants/);
    assert.throws(() => parseDayAheadPrices(bad((d) => (d.multiAreaEntries[0].deliveryEnd = '2024-11-04T23:45:00Z'))), /45 minutes/);
    assert.throws(() => parseDayAheadPrices('{"deliveryDateCET":'), ParseError);
    assert.throws(() => parseDayAheadPrices(bad((d) => (d.currency = 'eur'))), ParseError);
  });

  it('reads instants strictly: no rolled-over dates, fractions beyond milliseconds truncated', () => {
    assert.equal(parseUtcInstant('2025-02-30T00:00:00Z'), null);
    assert.equal(parseUtcInstant('2025-05-06T11:22:09.2205745Z')?.toISOString(), '2025-05-06T11:22:09.220Z');
    assert.equal(cetMidnight('2025-02-29'), null);
  });
});

describe('Nord Pool data portal: DayAheadPriceIndices', () => {
  it('FI 15-minute indices before the 15-minute MTU (recorded): 96 quarters repeating each hourly price 4×', () => {
    const obs = parseDayAheadPriceIndices(15, fixture('dataportal_DayAheadPriceIndices_FI_15min_2025-05-07.json'));
    assert.equal(obs.length, 96);
    assert.equal(isoUtc(obs[0]!.ts), '2025-05-06T22:00:00Z');
    assert.deepEqual(obs.slice(0, 8).map((o) => o.value), [22.34, 22.34, 22.34, 22.34, 14.26, 14.26, 14.26, 14.26]);
    assert.equal(at(obs, 'FI', '2025-05-07T21:45:00Z')?.value, 94.16);
    assert.ok(obs.every((o) => o.resolution === 'PT15M' && o.quality === 'Final' && o.issued?.toISOString() === '2025-05-06T11:22:09.220Z'));
    const v = obs.map((o) => o.value as number);
    assert.equal(Math.min(...v), 12.59);
    assert.equal(Math.max(...v), 158.78);
  });

  it('SE1-SE4 hourly (recorded): 24 × 4 rows, exact first and last values', () => {
    const obs = parseDayAheadPriceIndices(60, fixture('dataportal_DayAheadPriceIndices_SE1-4_60min_2025-05-07.json'));
    assert.equal(obs.length, 96);
    assert.deepEqual(
      ['SE1', 'SE2', 'SE3', 'SE4'].map((a) => at(obs, a, '2025-05-06T22:00:00Z')?.value),
      [22.34, 21.24, 56.85, 90.32],
    );
    assert.equal(at(obs, 'SE4', '2025-05-07T21:00:00Z')?.value, 94.29);
    assert.equal(Math.max(...(values(obs, 'SE4') as number[])), 149.02);
    assert.equal(Math.min(...(values(obs, 'SE1') as number[])), 12.58);
  });

  it('the system price, which the indices call SYSTEM (recorded), is stored as area SYS, as day-ahead prices store it', () => {
    const obs = parseDayAheadPriceIndices(60, fixture('dataportal_DayAheadPriceIndices_SYSTEM_60min_2025-05-07.json'));
    assert.equal(obs.length, 24);
    assert.ok(obs.every((o) => o.series.area === 'SYS' && o.quality === 'Final' && o.unit === 'EUR/MWh'));
    assert.equal(at(obs, 'SYS', '2025-05-06T22:00:00Z')?.value, 74.2);
    assert.equal(at(obs, 'SYS', '2025-05-07T21:00:00Z')?.value, 86.46);
  });

  it('each index dataset accepts only its own resolution', () => {
    assert.throws(() => parseDayAheadPriceIndices(60, fixture('dataportal_DayAheadPriceIndices_FI_15min_2025-05-07.json')), /resolutionInMinutes is 15/);
  });

  it('spring-forward day in NOK: 23 hours; fall-back day in DKK at 30 minutes: 50 half-hours', () => {
    const no = parseDayAheadPriceIndices(60, fixture('documented-shape_DayAheadPriceIndices_NO1-NO2_NOK_60min_2025-03-30_spring-forward.json'));
    assert.equal(no.filter((o) => o.series.area === 'NO1').length, 23);
    assert.equal(isoUtc(no.at(-1)!.ts), '2025-03-30T21:00:00Z');
    assert.ok(no.every((o) => o.unit === 'NOK/MWh'));
    const dk = parseDayAheadPriceIndices(30, fixture('documented-shape_DayAheadPriceIndices_DK1_DKK_30min_2025-10-26_fall-back.json'));
    assert.equal(dk.length, 50);
    assert.ok(dk.every((o) => o.unit === 'DKK/MWh' && o.resolution === 'PT30M'));
    assert.equal(isoUtc(dk.at(-1)!.ts), '2025-10-26T22:30:00Z');
  });
});

describe('Nord Pool data portal: AggregatePrices', () => {
  const obs = parseAggregatePrices(fixture('documented-shape_AggregatePrices_FI-SYS_EUR_2025.json'));
  const find = (res: string, ts: string, area = 'FI') => obs.find((o) => o.resolution === res && o.series.area === area && isoUtc(o.ts) === ts);

  it('daily aggregates sit at CET/CEST midnight of their delivery date, across the spring-forward', () => {
    assert.equal(find('P1D', '2025-03-28T23:00:00Z')?.value, 31.2); // 2025-03-29 00:00 CET
    assert.equal(find('P1D', '2025-03-29T23:00:00Z')?.value, 12.05); // 2025-03-30 00:00 CET (the short day)
    assert.equal(find('P1D', '2025-03-30T22:00:00Z')?.value, 44.87); // 2025-03-31 00:00 CEST
    assert.equal(find('P1D', '2025-03-30T22:00:00Z', 'SYS')?.value, null);
  });

  it('weeks, months and the year start at their first delivery day, with P1W/P1M/P1Y', () => {
    assert.equal(find('P1W', '2025-03-23T23:00:00Z')?.value, 35.5);
    assert.equal(find('P1M', '2025-09-30T22:00:00Z')?.value, 40.02);
    assert.equal(find('P1Y', '2024-12-31T23:00:00Z')?.value, 39.4);
    assert.equal(obs.length, 18);
  });

  // The real answer names no currency (kipe/nordpool tests/vcr/single_area_weekly.yaml): the values
  // are in the currency the request asked for, which the partition says.
  const real = fixture('documented-shape_AggregatePrices_FI_2024_no-currency.json');

  it('an answer without currency takes the one its partition asked for: FI is EUR, AREA@CUR that currency', () => {
    const fi = parseAggregatePrices(real, 'FI');
    assert.equal(fi.length, 3 + 2 + 2 + 1);
    assert.ok(fi.every((o) => o.unit === 'EUR/MWh' && o.series.currency === 'EUR'));
    assert.equal(fi.find((o) => o.resolution === 'P1D' && isoUtc(o.ts) === '2024-10-15T22:00:00Z')?.value, 12.19);
    assert.equal(fi.find((o) => o.resolution === 'P1Y')?.value, 47.97);
    assert.ok(parseAggregatePrices(real, 'FI@SEK').every((o) => o.unit === 'SEK/MWh' && o.series.currency === 'SEK'));
  });

  it('a currency the answer states wins over the partition\'s', () => {
    const stated = parseAggregatePrices(fixture('documented-shape_AggregatePrices_FI-SYS_EUR_2025.json'), 'FI@SEK');
    assert.ok(stated.every((o) => o.unit === 'EUR/MWh'));
  });

  it('without a currency in the answer or a partition, it refuses the payload and names the dataset', () => {
    assert.throws(() => parseAggregatePrices(real), (e: Error) => e instanceof ParseError && /^nordpool\.aggregate_prices: .*no currency/.test(e.message));
    assert.throws(() => parseAggregatePrices(real, 'FI/EUR'), (e: Error) => e instanceof ParseError && /nordpool\.aggregate_prices: .*FI\/EUR/.test(e.message));
  });
});

describe('Nord Pool Market Data API v2', () => {
  it('Auction/Prices SE4 2024-07-08 (recorded): 24 hourly prices, status as quality', () => {
    const obs = parseAuctionPrices(fixture('dataapi_v2_Auction_Prices_SE4_2024-07-08.json'));
    assert.equal(obs.length, 24);
    assert.equal(isoUtc(obs[0]!.ts), '2024-07-07T22:00:00Z');
    assert.equal(obs[0]!.value, 79.67);
    assert.equal(isoUtc(obs[23]!.ts), '2024-07-08T21:00:00Z');
    assert.equal(obs[23]!.value, 27.99);
    assert.ok(obs.every((o) => o.quality === 'Final' && o.unit === 'EUR/MWh' && o.issued?.toISOString() === '2024-07-08T07:10:29.997Z'));
    const v = obs.map((o) => o.value as number);
    assert.equal(Math.round((v.reduce((a, b) => a + b, 0) / 24) * 100) / 100, 41.19);
  });

  it('refuses a price whose stated unit disagrees with its currency', () => {
    const doc = JSON.parse(String(fixture('dataapi_v2_Auction_Prices_SE4_2024-07-08.json')));
    doc[0].unit = 'SEK/MWh';
    assert.throws(() => parseAuctionPrices(JSON.stringify(doc)), /unit SEK\/MWh does not match currency EUR/);
  });

  it('exchanges: import/export/net position per connection and the area totals', () => {
    const obs = parseExchanges(fixture('documented-shape_dataapi_v2_PowerSystem_Exchanges_FI_2024-12-01_first-hour.json'));
    assert.equal(obs.length, 4 * (5 + 1) * 3);
    const get = (connection: string, flow: string, ts: string) =>
      obs.find((o) => o.series.connection === connection && o.series.flow === flow && isoUtc(o.ts) === ts)?.value;
    assert.equal(get('SE1', 'import', '2024-11-30T23:00:00Z'), 907);
    assert.equal(get('EE', 'net_position', '2024-11-30T23:00:00Z'), -942);
    assert.equal(get('total', 'net_position', '2024-11-30T23:45:00Z'), -426);
    assert.ok(obs.every((o) => o.resolution === 'PT15M' && o.unit === 'MW'));
  });

  it('capacities (recorded): import and export capacity per connection and in total', () => {
    const obs = parseCapacities(fixture('dataapi_v2_Auction_Capacities_GER_2025-05-10.json'));
    assert.equal(obs.length, 12);
    const e = obs.filter((o) => o.series.connection === 'NO2_NK' && o.series.direction === 'export').map((o) => o.value);
    assert.deepEqual(e, [1100, 1200, 1200]);
  });
});

describe('Nord Pool intraday trades', () => {
  it('a trade is a price and a volume row per area at its trade time; a cancelled revision nulls them', () => {
    const obs = parseIntradayTrades(fixture('documented-shape_intraday_ticker_trades.json'));
    assert.equal(obs.length, 8);
    assert.deepEqual(obs[0], {
      dataset: 'nordpool.intraday_trades',
      series: { area: '3', contract: 'NX_PH_202511051100', metric: 'price' },
      ts: new Date('2025-11-05T09:14:03.120Z'),
      resolution: 'PT0S',
      value: 87.12,
      unit: 'EUR/MWh',
      quality: 'ACTI',
    });
    assert.equal(obs[1]!.value, 2.5); // 2500 kW
    assert.deepEqual(obs.slice(2, 6).map((o) => [o.series.area, o.series.metric, o.value]), [
      ['3', 'price', -12.5], ['3', 'volume', 0.1], ['7', 'price', -12.5], ['7', 'volume', 0.1],
    ]);
    assert.deepEqual(obs.slice(6).map((o) => [o.value, o.quality]), [[null, 'CANC'], [null, 'CANC']]);
  });

  it('refuses a fractional price (prices are integer hundredths)', () => {
    const doc = JSON.parse(String(fixture('documented-shape_intraday_ticker_trades.json')));
    doc[0].legs[0].unitPrice = 87.12;
    assert.throws(() => parseIntradayTrades(JSON.stringify(doc)), ParseError);
  });
});
