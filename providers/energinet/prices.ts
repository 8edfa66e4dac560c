// Day-ahead prices. The 2025 switch: Elspotprices (hourly) is frozen after delivery day 2025-09-30;
// DayAheadPrices (15-minute, the SDAC 15-minute MTU) starts at 2025-10-01. Each descriptor carries
// its side of the switch (`availableUntil`/`availableFrom`), so a backfill across it uses both.
import type { PlausibilityRule, ValidationRules } from '../../shared/dataset.ts';
import type { Observation } from '../../shared/observation.ts';
import { SIMULATED_DKK_PER_EUR, simulatedDayAheadPrice } from '../../shared/simulated-prices.ts';
import { ENERGINET_TZ } from './client.ts';
import { PRICE_AREAS, dayAheadFrom, energinetDataset } from './descriptor.ts';
import { parseRecords, type RecordLayout } from './records.ts';

/** One price dataset of Energi Data Service and how its columns map to observations. */
export type PriceColumns = {
  datasetId: string;
  apiName: string;
  timeField: string;
  resolution: string;
  /** Value column per currency. */
  valueFields: Readonly<Record<'EUR' | 'DKK', string>>;
};

export const DAY_AHEAD_COLUMNS: PriceColumns = {
  datasetId: 'energinet.day_ahead_prices',
  apiName: 'DayAheadPrices',
  timeField: 'TimeUTC',
  resolution: 'PT15M',
  valueFields: { EUR: 'DayAheadPriceEUR', DKK: 'DayAheadPriceDKK' },
};

export const ELSPOT_COLUMNS: PriceColumns = {
  datasetId: 'energinet.elspot_prices',
  apiName: 'Elspotprices',
  timeField: 'HourUTC',
  resolution: 'PT60M',
  valueFields: { EUR: 'SpotPriceEUR', DKK: 'SpotPriceDKK' },
};

/** One series per area and currency, EUR first; a null price (SpotPriceDKK on some early weekend rows) stays null. */
function priceLayout(c: PriceColumns): RecordLayout {
  return {
    datasetId: c.datasetId,
    apiName: c.apiName,
    timeField: c.timeField,
    resolution: c.resolution,
    keys: { PriceArea: 'area' },
    values: {
      columns: (['EUR', 'DKK'] as const).map((currency) => ({ field: c.valueFields[currency], series: { currency }, unit: `${currency}/MWh` })),
    },
  };
}

const DAY_AHEAD_LAYOUT = priceLayout(DAY_AHEAD_COLUMNS);
const ELSPOT_LAYOUT = priceLayout(ELSPOT_COLUMNS);

export const parseDayAheadPrices = (body: Uint8Array | string): Observation[] => parseRecords(DAY_AHEAD_LAYOUT, body);
export const parseElspotPrices = (body: Uint8Array | string): Observation[] => parseRecords(ELSPOT_LAYOUT, body);

// SDAC's harmonised clearing price limits are -500 and +4000 EUR/MWh (raised automatically when
// prices approach the cap); DKK follows the EUR peg (~7.46). A little margin above both.
const PRICE_RULES: ValidationRules = {
  plausible: { 'EUR/MWh': [-600, 6000], 'DKK/MWh': [-4500, 45_000] },
  // Day-ahead results cover tomorrow: an interval may start up to two days after the fetch.
  maxLead: 'P2D',
};

// --- quality: flagged, not rejected (README "Plausibility"); DKK values follow EUR at the peg ---
const PRICE_PLAUSIBILITY: readonly PlausibilityRule[] = [
  { rule: 'range', unit: 'EUR/MWh', min: -200, max: 1500 },
  { rule: 'range', unit: 'DKK/MWh', min: -1500, max: 11_200 },
  { rule: 'jump', history: 'P1D', spreads: 10, minSpread: 5, where: { currency: 'EUR' } },
  { rule: 'jump', history: 'P1D', spreads: 10, minSpread: 37, where: { currency: 'DKK' } },
];
// --- end quality ---

const SWITCH = new Date('2025-09-30T22:00:00Z'); // delivery day 2025-10-01, Danish time

/** The simulator's prices: the curve every simulator shares, in EUR and DKK (Energinet publishes both). */
function simulatedPrices(r: Readonly<Record<string, unknown>>, at: Date, prefix: string): Record<string, number> {
  const eur = simulatedDayAheadPrice(String(r.PriceArea), at);
  return { [`${prefix}EUR`]: eur, [`${prefix}DKK`]: Math.round(eur * SIMULATED_DKK_PER_EUR * 1e6) / 1e6 };
}

/** DayAheadPrices: 15-minute day-ahead prices from delivery day 2025-10-01 (the SDAC 15-minute MTU go-live). */
export const dayAheadPrices = energinetDataset({
  id: DAY_AHEAD_COLUMNS.datasetId,
  title: 'Day-ahead prices per price area (DayAheadPrices)',
  unit: 'EUR/MWh, DKK/MWh',
  dimensions: ['area', 'currency'],
  // The auction result is published around 12:45-13:00 Danish time; hourly runs pick it up within
  // the hour and re-read today and tomorrow for corrections.
  cadence: { cron: '10 * * * *', tz: ENERGINET_TZ },
  window: { align: 'P1D', tz: ENERGINET_TZ, maxSpan: 'P7D', lookback: 'P2D', horizon: 'P2D', backfill: 'P7D', availableFrom: SWITCH },
  partitions: PRICE_AREAS,
  validation: PRICE_RULES,
  plausibility: PRICE_PLAUSIBILITY,
  // Every quarter-hour in EUR and DKK per area, published with the auction around 13:00 Danish time.
  expected: {
    resolutions: [{ resolution: 'PT15M' }],
    series: (area) => [{ area, currency: 'EUR' }, { area, currency: 'DKK' }],
    due: { dayBefore: '13:30' },
  },
  measures: [
    { quantity: 'price.day_ahead', kind: 'actual', where: { currency: 'EUR' }, unit: 'EUR/MWh' },
    { quantity: 'price.day_ahead', kind: 'actual', where: { currency: 'DKK' }, unit: 'DKK/MWh' },
  ],
  // A week in development: the demo's imbalance-price backtest (scalar backtest imbalance --zone DK1) trains on it.
  workers: { development: { enabled: true, backfill: 'P7D' }, production: { enabled: true, backfill: 'P60D' } },
  fixtures: [
    { file: 'DayAheadPrices_DK1-DK2_2025-11-05.json', source: 'constructed' },
    { file: 'DayAheadPrices_DK1-DK2_2025-10-26_fall_back.json', source: 'constructed' },
    { file: 'DayAheadPrices_DK1-DK2_2026-03-29_spring_forward.json', source: 'constructed' },
  ],
  layout: DAY_AHEAD_LAYOUT,
  signature: ['TimeUTC', 'DayAheadPriceEUR'],
  partitionField: 'PriceArea',
  simulation: {
    profiles: [
      'DayAheadPrices_DK1-DK2_2025-11-05.json',
      'DayAheadPrices_DK1-DK2_2025-10-26_fall_back.json',
      'DayAheadPrices_DK1-DK2_2026-03-29_spring_forward.json',
    ],
    publishedUntil: dayAheadFrom(13),
    values: (r, at) => simulatedPrices(r, at, 'DayAheadPrice'),
  },
});

/** Elspotprices: hourly spot prices, the history before 2025-10-01 (frozen since). */
export const elspotPrices = energinetDataset({
  id: ELSPOT_COLUMNS.datasetId,
  title: 'Hourly spot prices per price area, history up to 2025-09-30 (Elspotprices)',
  unit: 'EUR/MWh, DKK/MWh',
  dimensions: ['area', 'currency'],
  // Frozen after 2025-09-30 ("no longer updated"): a daily look is plenty.
  cadence: { cron: '30 4 * * *', tz: ENERGINET_TZ },
  window: { align: 'P1D', tz: ENERGINET_TZ, maxSpan: 'P31D', lookback: 'P1D', horizon: 'P2D', backfill: 'P31D', availableUntil: SWITCH },
  partitions: PRICE_AREAS,
  validation: PRICE_RULES,
  // History only: production runs it on demand (`scalar backfill`).
  measures: [
    { quantity: 'price.day_ahead', kind: 'actual', where: { currency: 'EUR' }, unit: 'EUR/MWh' },
    { quantity: 'price.day_ahead', kind: 'actual', where: { currency: 'DKK' }, unit: 'DKK/MWh' },
  ],
  workers: { development: { enabled: true, backfill: 'P3D' }, production: { enabled: false } },
  fixtures: [
    { file: 'Elspotprices_DK1-DK2_2025-09-30.json', source: 'constructed' },
    { file: 'Elspotprices_DK1-DK2_2024-10-27_fall_back.json', source: 'constructed' },
    { file: 'Elspotprices_DK1-DK2_2025-03-30_spring_forward.json', source: 'constructed' },
  ],
  layout: ELSPOT_LAYOUT,
  signature: ['HourUTC', 'SpotPriceEUR'],
  partitionField: 'PriceArea',
  simulation: {
    profiles: [
      'Elspotprices_DK1-DK2_2025-09-30.json',
      'Elspotprices_DK1-DK2_2024-10-27_fall_back.json',
      'Elspotprices_DK1-DK2_2025-03-30_spring_forward.json',
    ],
    publishedUntil: dayAheadFrom(13),
    values: (r, at) => simulatedPrices(r, at, 'SpotPrice'),
  },
});
