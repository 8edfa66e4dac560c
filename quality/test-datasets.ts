// Dataset descriptors the quality tests judge: only what evaluation reads.
import type { Dataset } from '../shared/dataset.ts';

/** Hourly prices with a range rule (−200…1500 EUR/MWh) and a jump rule over a day's history, days cut in `tz`. */
export const pricesWithRules = (tz: string): Dataset => ({
  id: 'test.prices',
  provider: 'test',
  window: { align: 'P1D', tz, maxSpan: 'P7D', lookback: 'P1D', horizon: 'P2D', backfill: 'P3D' },
  plausibility: [
    { rule: 'range', unit: 'EUR/MWh', min: -200, max: 1500 },
    { rule: 'jump', history: 'P1D', spreads: 10, minSpread: 5 },
  ],
}) as unknown as Dataset;
