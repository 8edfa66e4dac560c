// Total load on the Belgian grid, measured and forecast. The history (ods001) names the measurement
// `totalload`, the near-real-time set (ods002) `measured`: both are kept under Elia's own names.
import { eliaDataset, FORECAST_WINDOW } from '../descriptor.ts';
import { ELIA_SPLIT, type Family } from '../family.ts';
import { FORECAST_METRICS } from './renewables.ts';

export const totalLoadFamily: Family = {
  datasetId: 'elia.total_load',
  title: 'Total load on the Belgian grid, measured and forecast',
  eras: [
    { ods: 'ods001', until: ELIA_SPLIT },
    { ods: 'ods002', from: ELIA_SPLIT },
  ],
  keys: [],
  descriptive: [],
  metrics: ['totalload', ...FORECAST_METRICS],
  unitOf: () => 'MW',
  resolution: 'PT15M',
  rowsPerStep: 1,
  claims: (fields) =>
    (fields.has('totalload') || (fields.has('measured') && fields.has('mostrecentforecast'))) && !fields.has('region') && !fields.has('fueltypeentsoe'),
  servesAhead: 'tomorrow',
};

export const totalLoad = eliaDataset(totalLoadFamily, {
  cadence: { every: 'PT15M' },
  window: FORECAST_WINDOW,
  maxLead: 'P3D',
  // The measurement of every quarter-hour, within the hour (forecasts are tracked by their own runs),
  // under the name of the set that serves the day.
  expected: {
    resolutions: [{ resolution: 'PT15M' }],
    series: (_partition, day) => [{ metric: day.start < ELIA_SPLIT ? 'totalload' : 'measured' }],
    due: { afterSlot: 'PT1H' },
  },
  measures: [
    // The same measurement under the history's name (ods001) and the near-real-time set's (ods002).
    { quantity: 'load', kind: 'actual', where: { metric: 'totalload' } },
    { quantity: 'load', kind: 'actual', where: { metric: 'measured' } },
    { quantity: 'load', kind: 'forecast', horizon: 'day_ahead', where: { metric: 'dayaheadforecast' } },
    { quantity: 'load', kind: 'forecast', horizon: 'week_ahead', where: { metric: 'weekaheadforecast' } },
  ],
  workers: {
    // P2D: today's measurements and tomorrow's forecasts (the window ends at the end of tomorrow).
    development: { enabled: true, backfill: 'P2D' },
    production: { enabled: true, backfill: 'P90D' },
  },
  fixtures: [{ file: 'ods002_total_load_2024-10-27_fall_back_export.json', source: 'documented-shape' }],
});
