import type { Dataset, ValidationRules } from '../../shared/dataset.ts';
import { ENERGINET_TZ, fetchPrices } from './client.ts';
import { DAY_AHEAD_COLUMNS, ELSPOT_COLUMNS, parseDayAheadPrices, parseElspotPrices, readEnvelope, type PriceColumns } from './parse.ts';

/** The response names its dataset (`dataset` key); an unnamed one is recognised by its time field. */
const detectPrices = (columns: PriceColumns) => (body: Uint8Array): boolean => {
  try {
    const env = readEnvelope(body);
    return env.dataset !== undefined ? env.dataset === columns.apiName : columns.timeField in (env.records[0] ?? {});
  } catch {
    return false;
  }
};

// SDAC's harmonised clearing price limits are -500 and +4000 EUR/MWh (raised automatically when
// prices approach the cap); DKK follows the EUR peg (~7.46). A little margin above both.
const PRICE_RULES: ValidationRules = {
  plausible: { 'EUR/MWh': [-600, 6000], 'DKK/MWh': [-4500, 45_000] },
  // Day-ahead results cover tomorrow: an interval may start up to two days after the fetch.
  maxLead: 'P2D',
};

const AREAS = ['DK1', 'DK2'] as const;

/** DayAheadPrices: 15-minute day-ahead prices from delivery day 2025-10-01 (the SDAC 15-minute MTU go-live). */
export const dayAheadPrices: Dataset = {
  id: DAY_AHEAD_COLUMNS.datasetId,
  provider: 'energinet',
  title: 'Day-ahead prices per price area (DayAheadPrices)',
  resolution: 'PT15M',
  unit: 'EUR/MWh, DKK/MWh',
  dimensions: ['area', 'currency'],
  // The auction result is published around 12:45-13:00 Danish time; hourly runs pick it up within
  // the hour and re-read today and tomorrow for corrections.
  cadence: { cron: '10 * * * *', tz: ENERGINET_TZ },
  window: {
    align: 'P1D',
    tz: ENERGINET_TZ,
    maxSpan: 'P7D',
    lookback: 'P2D',
    horizon: 'P2D',
    backfill: 'P7D',
    availableFrom: new Date('2025-09-30T22:00:00Z'),
  },
  partitions: AREAS,
  validation: PRICE_RULES,
  fetch: (window, area, ctx) => fetchPrices(DAY_AHEAD_COLUMNS, window, area, ctx),
  parse: parseDayAheadPrices,
  detect: detectPrices(DAY_AHEAD_COLUMNS),
  workers: { development: { enabled: true, backfill: 'P3D' }, production: { enabled: true, backfill: 'P60D' } },
  fixtures: [
    { file: 'DayAheadPrices_DK1-DK2_2025-11-05.json', source: 'constructed' },
    { file: 'DayAheadPrices_DK1-DK2_2025-10-26_fall_back.json', source: 'constructed' },
    { file: 'DayAheadPrices_DK1-DK2_2026-03-29_spring_forward.json', source: 'constructed' },
  ],
};

/** Elspotprices: hourly spot prices, the history before 2025-10-01 (frozen since). */
export const elspotPrices: Dataset = {
  id: ELSPOT_COLUMNS.datasetId,
  provider: 'energinet',
  title: 'Hourly spot prices per price area, history up to 2025-09-30 (Elspotprices)',
  resolution: 'PT60M',
  unit: 'EUR/MWh, DKK/MWh',
  dimensions: ['area', 'currency'],
  // Frozen after 2025-09-30 ("no longer updated"): a daily look is plenty.
  cadence: { cron: '30 4 * * *', tz: ENERGINET_TZ },
  window: {
    align: 'P1D',
    tz: ENERGINET_TZ,
    maxSpan: 'P31D',
    lookback: 'P1D',
    horizon: 'P2D',
    backfill: 'P31D',
    availableUntil: new Date('2025-09-30T22:00:00Z'),
  },
  partitions: AREAS,
  validation: PRICE_RULES,
  fetch: (window, area, ctx) => fetchPrices(ELSPOT_COLUMNS, window, area, ctx),
  parse: parseElspotPrices,
  detect: detectPrices(ELSPOT_COLUMNS),
  // History only (frozen after 2025-09-30): production runs it on demand with `scalar backfill`.
  workers: { development: { enabled: true, backfill: 'P3D' }, production: { enabled: false } },
  fixtures: [
    { file: 'Elspotprices_DK1-DK2_2025-09-30.json', source: 'constructed' },
    { file: 'Elspotprices_DK1-DK2_2024-10-27_fall_back.json', source: 'constructed' },
    { file: 'Elspotprices_DK1-DK2_2025-03-30_spring_forward.json', source: 'constructed' },
  ],
};
