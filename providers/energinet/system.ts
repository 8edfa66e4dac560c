// PowerSystemRightNow: the Danish power system minute by minute, one record per minute for the whole
// country (no PriceArea: areas and borders are in the field names, e.g. Exchange_DK1_DE,
// ImbalanceDK2). One request covers everything, so the dataset has a single partition.
import { ENERGINET_TZ } from './client.ts';
import { completedIntervals, energinetDataset } from './descriptor.ts';

export const powerSystemRightNow = energinetDataset({
  id: 'energinet.power_system_right_now',
  title: 'The Danish power system right now: production, exchange, balancing, CO2, 1-minute (PowerSystemRightNow)',
  unit: 'MW, g/kWh',
  dimensions: ['metric'],
  cadence: { every: 'PT5M' },
  window: { align: 'P1D', tz: ENERGINET_TZ, maxSpan: 'P1D', lookback: 'P2D', horizon: 'P1D', backfill: 'P2D' },
  partitions: ['all'],
  validation: { plausible: { MW: [-20_000, 20_000], 'g/kWh': [0, 1500] }, maxLead: 'PT1H' },
  // Every run re-reads two days of minutes (~63 000 rows): off in development, where the demo runs
  // every worker every few seconds; `scalar workers enable` turns it on.
  workers: { development: { enabled: false, backfill: 'PT6H' }, production: { enabled: true, backfill: 'P7D' } },
  fixtures: [{ file: 'PowerSystemRightNow_2025-10-26T00-50_fall_back.json', source: 'documented-shape' }],
  layout: {
    datasetId: 'energinet.power_system_right_now',
    apiName: 'PowerSystemRightNow',
    timeField: 'Minutes1UTC',
    resolution: 'PT1M',
    keys: {},
    values: { wide: { dimension: 'metric', unitOf: (field) => (field === 'CO2Emission' ? 'g/kWh' : 'MW') } },
  },
  signature: ['Minutes1UTC'],
  simulation: { profiles: ['PowerSystemRightNow_2025-10-26T00-50_fall_back.json'], publishedUntil: completedIntervals('PT1M') },
});
