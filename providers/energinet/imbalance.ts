// ImbalancePrice: the 15-minute imbalance settlement price per price area (from 2025-03-04, the
// Danish 15-minute imbalance settlement), with the aFRR/mFRR prices and volumes it is built from.
import { ENERGINET_TZ } from './client.ts';
import { PRICE_AREAS, completedIntervals, energinetDataset } from './descriptor.ts';

/** The unit a column carries, from its name: `…EUR`/`…DKK` are prices per MWh, `DominatingDirection` is -1/0/+1, the rest volumes in MW. */
export function imbalanceUnit(field: string): string {
  if (field.endsWith('EUR')) return 'EUR/MWh';
  if (field.endsWith('DKK')) return 'DKK/MWh';
  if (field === 'DominatingDirection') return '1';
  return 'MW';
}

export const imbalancePrices = energinetDataset({
  id: 'energinet.imbalance_prices',
  title: 'Imbalance prices, aFRR/mFRR prices and volumes per price area, 15-minute (ImbalancePrice)',
  unit: 'EUR/MWh, DKK/MWh, MW, 1',
  dimensions: ['area', 'metric'],
  cadence: { every: 'PT15M' },
  // The latest quarter-hours come with null prices and are filled in later: re-read two days. A week
  // per request (~1 000 records per area) lets a development backfill land in one window.
  window: {
    align: 'P1D', tz: ENERGINET_TZ, maxSpan: 'P8D', lookback: 'P2D', horizon: 'P1D', backfill: 'P7D',
    availableFrom: new Date('2025-03-03T23:00:00Z'),
  },
  partitions: PRICE_AREAS,
  // Balancing energy prices are capped at ±15 000 EUR/MWh on the European platforms (PICASSO, MARI).
  validation: {
    plausible: { 'EUR/MWh': [-16_000, 16_000], 'DKK/MWh': [-120_000, 120_000], MW: [-10_000, 10_000], '1': [-1, 1] },
    maxLead: 'PT1H',
  },
  // Every quarter-hour's price per area within the hour (a null price still counts: the source said so).
  expected: { resolutions: [{ resolution: 'PT15M' }], series: (area) => [{ area, metric: 'ImbalancePriceEUR' }], due: { afterSlot: 'PT1H' } },
  measures: [
    { quantity: 'price.imbalance', kind: 'actual', where: { metric: 'ImbalancePriceEUR' }, unit: 'EUR/MWh' },
    { quantity: 'price.imbalance', kind: 'actual', where: { metric: 'ImbalancePriceDKK' }, unit: 'DKK/MWh' },
  ],
  // A week in development, like day-ahead prices: what the demo's imbalance-price backtest trains on.
  workers: { development: { enabled: true, backfill: 'P7D' }, production: { enabled: true, backfill: 'P60D' } },
  fixtures: [{ file: 'ImbalancePrice_DK1-DK2_2025-10-26T00-06_fall_back.json', source: 'documented-shape' }],
  layout: {
    datasetId: 'energinet.imbalance_prices',
    apiName: 'ImbalancePrice',
    timeField: 'TimeUTC',
    resolution: 'PT15M',
    keys: { PriceArea: 'area' },
    values: { wide: { dimension: 'metric', unitOf: imbalanceUnit } },
  },
  signature: ['TimeUTC', 'ImbalancePriceEUR'],
  partitionField: 'PriceArea',
  simulation: { profiles: ['ImbalancePrice_DK1-DK2_2025-10-26T00-06_fall_back.json'], publishedUntil: completedIntervals('PT15M') },
});
