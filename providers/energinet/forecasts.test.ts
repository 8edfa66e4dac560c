import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParseError } from '../../shared/errors.ts';
import { windSolarForecast5Min, windSolarForecastHour } from './forecasts.ts';
import { energinet } from './index.ts';
import { identifyDataset } from '../../shared/identify-dataset.ts';
import { find, fixture, instants } from './test-fixtures.ts';

const HORIZONS = ['ForecastDayAhead', 'ForecastIntraday', 'Forecast5Hour', 'Forecast1Hour', 'ForecastCurrent'];

describe('energinet Forecasts_5Min', () => {
  const obs = windSolarForecast5Min.parse(fixture('Forecasts_5Min_DK1-DK2_2025-11-05T10-12.json'));

  it('makes each horizon column its own series, per area and forecast type', () => {
    // 24 five-minute value times × 2 areas × 3 forecast types × 5 horizons
    assert.equal(obs.length, 24 * 2 * 3 * 5);
    const series = new Set(obs.map((o) => `${o.series.area}|${o.series.forecast_type}|${o.series.horizon}`));
    assert.equal(series.size, 2 * 3 * 5);
    assert.deepEqual([...new Set(obs.map((o) => o.series.horizon))], HORIZONS);
    assert.deepEqual([...new Set(obs.map((o) => o.series.forecast_type))], ['Offshore Wind', 'Onshore Wind', 'Solar']);
  });

  it('reads the value time from Minutes5UTC and the issue time from TimestampUTC', () => {
    const first = find(obs, { area: 'DK1', forecast_type: 'Offshore Wind', horizon: 'ForecastDayAhead' }, '2025-11-05T09:00:00.000Z')!;
    assert.deepEqual(first, {
      dataset: 'energinet.wind_solar_forecast_5min',
      series: { area: 'DK1', forecast_type: 'Offshore Wind', horizon: 'ForecastDayAhead' },
      ts: new Date('2025-11-05T09:00:00Z'), resolution: 'PT5M', value: 1107.678833, unit: 'MW',
      issued: new Date('2025-11-05T08:55:00Z'),
    });
    assert.equal(find(obs, { area: 'DK1', forecast_type: 'Offshore Wind', horizon: 'ForecastCurrent' }, '2025-11-05T09:00:00.000Z')?.value, 1241.619263);
    const times = instants(obs);
    assert.equal(times[0], '2025-11-05T09:00:00.000Z');
    assert.equal(times.at(-1), '2025-11-05T10:55:00.000Z');
    assert.ok(obs.every((o) => o.issued !== undefined && o.issued < o.ts));
  });

  it('keeps a missing horizon as null, never 0', () => {
    const intraday = find(obs, { area: 'DK2', forecast_type: 'Offshore Wind', horizon: 'ForecastIntraday' }, '2025-11-05T09:05:00.000Z')!;
    assert.equal(intraday.value, null);
    assert.equal(obs.filter((o) => o.value === null).length, 3);
  });

  it('rejects a horizon value that is a string, naming dataset, record and field', () => {
    const body = JSON.stringify({ total: 1, dataset: 'Forecasts_5Min', records: [
      { Minutes5UTC: '2025-11-05T09:00:00', PriceArea: 'DK1', ForecastType: 'Solar', ForecastDayAhead: 1, Forecast1Hour: '0x1A', TimestampUTC: '2025-11-05T08:55:00' },
    ] });
    assert.throws(() => windSolarForecast5Min.parse(new TextEncoder().encode(body)),
      (e: unknown) => e instanceof ParseError && /Forecasts_5Min record 0: Forecast1Hour is not a number: "0x1A"/.test(e.message));
  });
});

describe('energinet Forecasts_Hour', () => {
  const obs = windSolarForecastHour.parse(fixture('Forecasts_Hour_DK1-DK2_2025-10-26_fall_back.json'));

  it('has 25 hourly value times on the fall-back day, both 02:00 hours apart', () => {
    const times = instants(obs, { area: 'DK1', forecast_type: 'Solar', horizon: 'ForecastDayAhead' });
    assert.equal(times.length, 25);
    assert.equal(times[0], '2025-10-25T22:00:00.000Z');
    assert.equal(times.at(-1), '2025-10-26T22:00:00.000Z');
    assert.equal(obs.length, 25 * 2 * 3 * 5);
    // HourDK says 02:00 twice: 00:00Z (CEST) and 01:00Z (CET), each with its own issue time.
    const a = find(obs, { area: 'DK1', forecast_type: 'Onshore Wind', horizon: 'ForecastDayAhead' }, '2025-10-26T00:00:00.000Z')!;
    const b = find(obs, { area: 'DK1', forecast_type: 'Onshore Wind', horizon: 'ForecastDayAhead' }, '2025-10-26T01:00:00.000Z')!;
    assert.notEqual(a.value, b.value);
    assert.equal(a.issued?.toISOString(), '2025-10-25T23:45:00.000Z');
    assert.equal(b.issued?.toISOString(), '2025-10-26T00:45:00.000Z');
    assert.equal(a.resolution, 'PT60M');
    assert.equal(a.unit, 'MWh');
  });

  it('keeps solar at night as 0 and a missing intraday forecast as null', () => {
    assert.equal(find(obs, { area: 'DK2', forecast_type: 'Solar', horizon: 'ForecastDayAhead' }, '2025-10-26T01:00:00.000Z')?.value, 0);
    assert.equal(find(obs, { area: 'DK2', forecast_type: 'Offshore Wind', horizon: 'ForecastIntraday' }, '2025-10-26T00:00:00.000Z')?.value, null);
  });

  it('is told apart from Forecasts_5Min without an envelope, by its fields', () => {
    const records = JSON.stringify([{ HourUTC: '2025-10-26T00:00:00', HourDK: '2025-10-26T02:00:00', PriceArea: 'DK1', ForecastType: 'Solar', ForecastDayAhead: 0, TimestampUTC: '2025-10-25T23:45:00' }]);
    const body = new TextEncoder().encode(records);
    assert.equal(identifyDataset(energinet, body), windSolarForecastHour);
    assert.equal(windSolarForecastHour.parse(body)[0]?.issued?.toISOString(), '2025-10-25T23:45:00.000Z');
  });
});
