// Solar (PV) and wind: measured (estimated) production and Elia's forecasts — most recent,
// day-ahead at 11h and regular, week-ahead — each with its 10 % / 90 % confidence band, the
// monitored capacity and the load factor, per region (and for wind per offshore/onshore and grid
// connection type). Several rows per timestamp: all kept, told apart by their keys.
import { eliaDataset, FORECAST_WINDOW } from '../descriptor.ts';
import { ELIA_SPLIT, powerUnit, type Family } from '../family.ts';

export const FORECAST_METRICS = [
  'measured',
  'mostrecentforecast',
  'mostrecentconfidence10',
  'mostrecentconfidence90',
  'dayahead11hforecast',
  'dayahead11hconfidence10',
  'dayahead11hconfidence90',
  'dayaheadforecast',
  'dayaheadconfidence10',
  'dayaheadconfidence90',
  'weekaheadforecast',
  'weekaheadconfidence10',
  'weekaheadconfidence90',
];

export const solarFamily: Family = {
  datasetId: 'elia.solar',
  title: 'Photovoltaic production, estimated and forecast, per region',
  eras: [
    { ods: 'ods032', until: ELIA_SPLIT },
    { ods: 'ods087', from: ELIA_SPLIT },
  ],
  keys: ['region'],
  descriptive: [],
  metrics: [...FORECAST_METRICS, 'monitoredcapacity', 'loadfactor'],
  unitOf: powerUnit,
  resolution: 'PT15M',
  // Belgium, its three regions and ten provinces (and a spare).
  rowsPerStep: 15,
  claims: (fields) => fields.has('region') && fields.has('monitoredcapacity') && !fields.has('offshoreonshore') && !fields.has('gridconnectiontype'),
  servesAhead: 'tomorrow',
};

export const windFamily: Family = {
  ...solarFamily,
  datasetId: 'elia.wind',
  title: 'Wind production, estimated and forecast, per region, offshore/onshore and grid connection',
  eras: [
    { ods: 'ods031', until: ELIA_SPLIT },
    { ods: 'ods086', from: ELIA_SPLIT },
  ],
  keys: ['region', 'offshoreonshore', 'gridconnectiontype'],
  // An identifier of the decremental bid instruction that curtailed the farm, not a quantity.
  descriptive: ['decrementalbidid'],
  rowsPerStep: 30,
  claims: (fields) => fields.has('offshoreonshore') || fields.has('gridconnectiontype'),
};

const WORKERS = {
  // P2D: today's measurements and tomorrow's forecasts (the window ends at the end of tomorrow).
  development: { enabled: true, backfill: 'P2D' },
  production: { enabled: true, backfill: 'P90D' },
} as const;

export const solar = eliaDataset(solarFamily, {
  cadence: { every: 'PT15M' },
  window: FORECAST_WINDOW,
  // Forecasts reach the end of tomorrow (Brussels) when fetched.
  maxLead: 'P3D',
  // `Belgium` is the national total beside its regions and provinces.
  measures: [
    { quantity: 'generation.solar', kind: 'actual', where: { region: 'Belgium', metric: 'measured' } },
    { quantity: 'generation.solar', kind: 'forecast', horizon: 'day_ahead', where: { region: 'Belgium', metric: 'dayaheadforecast' } },
    { quantity: 'generation.solar', kind: 'forecast', horizon: 'week_ahead', where: { region: 'Belgium', metric: 'weekaheadforecast' } },
  ],
  workers: WORKERS,
  fixtures: [{ file: 'ods032_solar_belgium_2023-03-26_utcday.json', source: 'recorded' }],
});

export const wind = eliaDataset(windFamily, {
  cadence: { every: 'PT15M' },
  window: FORECAST_WINDOW,
  maxLead: 'P3D',
  // No national row: the zone's wind is the sum over regions and grid connection types.
  measures: [
    { quantity: 'generation.wind_onshore', kind: 'actual', where: { offshoreonshore: 'Onshore', metric: 'measured' }, aggregate: 'sum' },
    { quantity: 'generation.wind_offshore', kind: 'actual', where: { offshoreonshore: 'Offshore', metric: 'measured' }, aggregate: 'sum' },
    { quantity: 'generation.wind_onshore', kind: 'forecast', horizon: 'day_ahead', where: { offshoreonshore: 'Onshore', metric: 'dayaheadforecast' }, aggregate: 'sum' },
    { quantity: 'generation.wind_offshore', kind: 'forecast', horizon: 'day_ahead', where: { offshoreonshore: 'Offshore', metric: 'dayaheadforecast' }, aggregate: 'sum' },
  ],
  workers: WORKERS,
  fixtures: [{ file: 'ods086_wind_records.json', source: 'documented-shape' }],
});
