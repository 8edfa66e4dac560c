// Wind and solar forecasts. Each record is one (value time, price area, forecast type) with one
// column per forecast horizon; every horizon column becomes its own series (`horizon` = the
// provider's column name: ForecastDayAhead, ForecastIntraday, Forecast5Hour, Forecast1Hour,
// ForecastCurrent, ...). `TimestampUTC` is when the record was last updated: the `issued` time,
// not the value time (that is Minutes5UTC / HourUTC).
import type { Measure, ValidationRules } from '../../shared/dataset.ts';
import { ENERGINET_TZ } from './client.ts';
import { PRICE_AREAS, dayAheadFrom, energinetDataset } from './descriptor.ts';

const DIMENSIONS = ['area', 'forecast_type', 'horizon'] as const;
const KEYS = { PriceArea: 'area', ForecastType: 'forecast_type' } as const;

// Forecasts of Danish wind and solar per area stay below ~7 GW; small negatives are tolerated
// (a forecast model's rounding around 0 at night).
const rules = (unit: string): ValidationRules => ({ plausible: { [unit]: [-500, 20_000] }, maxLead: 'P2D' });

// Day-ahead forecasts for tomorrow exist before the noon auction (VERIFY the exact hour).
/** Wind and solar per type, day-ahead and intraday, in both feeds (forecast_type × horizon columns). */
const FORECAST_MEASURES: readonly Measure[] = [
  { quantity: 'generation.solar', kind: 'forecast', horizon: 'day_ahead', where: { forecast_type: 'Solar', horizon: 'ForecastDayAhead' } },
  { quantity: 'generation.wind_onshore', kind: 'forecast', horizon: 'day_ahead', where: { forecast_type: 'Onshore Wind', horizon: 'ForecastDayAhead' } },
  { quantity: 'generation.wind_offshore', kind: 'forecast', horizon: 'day_ahead', where: { forecast_type: 'Offshore Wind', horizon: 'ForecastDayAhead' } },
  { quantity: 'generation.solar', kind: 'forecast', horizon: 'intraday', where: { forecast_type: 'Solar', horizon: 'ForecastIntraday' } },
  { quantity: 'generation.wind_onshore', kind: 'forecast', horizon: 'intraday', where: { forecast_type: 'Onshore Wind', horizon: 'ForecastIntraday' } },
  { quantity: 'generation.wind_offshore', kind: 'forecast', horizon: 'intraday', where: { forecast_type: 'Offshore Wind', horizon: 'ForecastIntraday' } },
];

const publishedUntil = dayAheadFrom(12);

/** Forecasts_5Min: 5-minute wind and solar forecasts per area, MW. */
export const windSolarForecast5Min = energinetDataset({
  id: 'energinet.wind_solar_forecast_5min',
  title: 'Wind and solar forecasts per price area and horizon, 5-minute (Forecasts_5Min)',
  unit: 'MW',
  dimensions: DIMENSIONS,
  cadence: { every: 'PT15M' },
  // Today and tomorrow are re-read every run: the short-horizon columns keep changing until the value time.
  window: { align: 'P1D', tz: ENERGINET_TZ, maxSpan: 'P2D', lookback: 'P2D', horizon: 'P2D', backfill: 'P7D' },
  partitions: PRICE_AREAS,
  validation: rules('MW'),
  // Every run re-reads two days × 3 types × 5 horizons (~17 000 rows per area): off in the demo's
  // development set, where Forecasts_Hour shows the same model; `scalar workers enable` turns it on.
  measures: FORECAST_MEASURES,
  workers: { development: { enabled: false, backfill: 'PT6H' }, production: { enabled: true, backfill: 'P30D' } },
  fixtures: [{ file: 'Forecasts_5Min_DK1-DK2_2025-11-05T10-12.json', source: 'documented-shape' }],
  layout: {
    datasetId: 'energinet.wind_solar_forecast_5min',
    apiName: 'Forecasts_5Min',
    timeField: 'Minutes5UTC',
    issuedField: 'TimestampUTC',
    resolution: 'PT5M',
    keys: KEYS,
    values: { wide: { dimension: 'horizon', unitOf: () => 'MW' } },
  },
  signature: ['Minutes5UTC', 'ForecastType'],
  partitionField: 'PriceArea',
  simulation: { profiles: ['Forecasts_5Min_DK1-DK2_2025-11-05T10-12.json'], publishedUntil },
});

/** Forecasts_Hour: hourly wind and solar forecasts per area, MWh per hour (VERIFY: documented as MWh). */
export const windSolarForecastHour = energinetDataset({
  id: 'energinet.wind_solar_forecast_hour',
  title: 'Wind and solar forecasts per price area and horizon, hourly (Forecasts_Hour)',
  unit: 'MWh',
  dimensions: DIMENSIONS,
  cadence: { cron: '20 * * * *', tz: ENERGINET_TZ },
  window: { align: 'P1D', tz: ENERGINET_TZ, maxSpan: 'P7D', lookback: 'P2D', horizon: 'P2D', backfill: 'P14D' },
  partitions: PRICE_AREAS,
  validation: rules('MWh'),
  measures: FORECAST_MEASURES,
  workers: { development: { enabled: true, backfill: 'P1D' }, production: { enabled: true, backfill: 'P90D' } },
  fixtures: [{ file: 'Forecasts_Hour_DK1-DK2_2025-10-26_fall_back.json', source: 'documented-shape' }],
  layout: {
    datasetId: 'energinet.wind_solar_forecast_hour',
    apiName: 'Forecasts_Hour',
    timeField: 'HourUTC',
    issuedField: 'TimestampUTC',
    resolution: 'PT60M',
    keys: KEYS,
    values: { wide: { dimension: 'horizon', unitOf: () => 'MWh' } },
  },
  signature: ['HourUTC', 'ForecastType'],
  partitionField: 'PriceArea',
  simulation: { profiles: ['Forecasts_Hour_DK1-DK2_2025-10-26_fall_back.json'], publishedUntil },
});
