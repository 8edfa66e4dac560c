// Imbalance prices per quarter-hour and per minute. Three ids per theme: the pre-MARI history
// (up to 22/05/2024, dual prices `positiveimbalanceprice`/`negativeimbalanceprice`), the history
// as of 22/05/2024 (refreshed daily) and the near-real-time set (single `imbalanceprice`).
import { eliaDataset, MINUTE_WINDOW, QUARTER_HOUR_WINDOW } from '../descriptor.ts';
import { ELIA_SPLIT, imbalanceUnit, type Family } from '../family.ts';

const PRICE_FIELDS = ['imbalanceprice', 'positiveimbalanceprice', 'negativeimbalanceprice', 'marginalincrementalprice', 'marginaldecrementalprice'];

const METRICS = [
  'ace',
  'systemimbalance',
  'netregulationvolume',
  'alpha',
  'alpha_prime',
  'marginalincrementalprice',
  'marginaldecrementalprice',
  'imbalanceprice',
  'positiveimbalanceprice',
  'negativeimbalanceprice',
];

export const hasPriceField = (fields: ReadonlySet<string>): boolean => PRICE_FIELDS.some((f) => fields.has(f));

/** A per-minute record says PT1M and names the quarter-hour it belongs to. */
const isMinute = (fields: ReadonlySet<string>, code: unknown): boolean => (code === undefined ? fields.has('quarterhour') : code === 'PT1M');

export const imbalancePricesQhFamily: Family = {
  datasetId: 'elia.imbalance_prices_qh',
  title: 'Imbalance prices per quarter-hour',
  eras: [
    { ods: 'ods047', until: ELIA_SPLIT },
    { ods: 'ods134', from: ELIA_SPLIT, historical: true },
    { ods: 'ods162', from: ELIA_SPLIT, recent: true },
  ],
  keys: [],
  descriptive: ['quarterhour'],
  metrics: METRICS,
  unitOf: imbalanceUnit,
  resolution: 'PT15M',
  rowsPerStep: 1,
  claims: (fields, code) => hasPriceField(fields) && !isMinute(fields, code),
  servesAhead: 'none',
};

export const imbalancePricesMinuteFamily: Family = {
  ...imbalancePricesQhFamily,
  datasetId: 'elia.imbalance_prices_minute',
  title: 'Imbalance prices per minute',
  eras: [
    { ods: 'ods046', until: ELIA_SPLIT },
    { ods: 'ods133', from: ELIA_SPLIT, historical: true },
    { ods: 'ods161', from: ELIA_SPLIT, recent: true },
  ],
  resolution: 'PT1M',
  claims: (fields, code) => hasPriceField(fields) && isMinute(fields, code),
};

export const imbalancePricesQh = eliaDataset(imbalancePricesQhFamily, {
  // Published within minutes of each quarter-hour.
  cadence: { every: 'PT15M' },
  window: QUARTER_HOUR_WINDOW,
  maxLead: 'PT1H',
  // Every quarter-hour has its price within minutes; dual prices before the 22/05/2024 single-price switch.
  expected: {
    resolutions: [{ resolution: 'PT15M' }],
    series: (_all, day) => (day.start < ELIA_SPLIT ? [{ metric: 'positiveimbalanceprice' }, { metric: 'negativeimbalanceprice' }] : [{ metric: 'imbalanceprice' }]),
    due: { afterSlot: 'PT1H' },
  },
  measures: [
    // Before the single price: the price of a positive (long) imbalance, as ENTSO-E's A85 A04 stands for a zone.
    { quantity: 'price.imbalance', kind: 'actual', where: { metric: 'positiveimbalanceprice' } },
    { quantity: 'price.imbalance', kind: 'actual', where: { metric: 'imbalanceprice' } },
  ],
  workers: {
    // Yesterday too: from Brussels midnight, today alone is a few quarter-hours for hours.
    development: { enabled: true, backfill: 'P2D' },
    production: { enabled: true, backfill: 'P90D' },
  },
  fixtures: [
    { file: 'ods162_imbalance_prices_qh_2024-10-27_fall_back.json', source: 'documented-shape' },
    { file: 'ods047_imbalance_prices_qh_2024-03-31_export.json', source: 'documented-shape' },
  ],
});

export const imbalancePricesMinute = eliaDataset(imbalancePricesMinuteFamily, {
  cadence: { every: 'PT5M' },
  window: MINUTE_WINDOW,
  maxLead: 'PT1H',
  workers: {
    development: { enabled: false, backfill: 'PT6H' },
    production: { enabled: true, backfill: 'P7D' },
  },
  fixtures: [{ file: 'ods161_imbalance_prices_minute_records.json', source: 'documented-shape' }],
});
