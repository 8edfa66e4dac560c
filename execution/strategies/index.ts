// The strategies the desk runs (`scalar start --role execution|all`, `scalar demo`). Input ids are
// options: once the imbalance-forecast and intraday-premium signals exist, point `input` at them.
import type { Strategy } from '../strategy.ts';
import { baseReversionDayAhead } from './base-reversion-day-ahead.ts';
import { residualLoadDayAhead } from './residual-load-day-ahead.ts';
import { shapeIntraday } from './shape-intraday.ts';

export { baseReversionDayAhead, baseReversionIntents } from './base-reversion-day-ahead.ts';
export { residualLoadDayAhead, residualLoadIntents } from './residual-load-day-ahead.ts';
export { shapeIntraday, shapeIntradayIntents } from './shape-intraday.ts';

export const defaultStrategies: readonly Strategy[] = [
  baseReversionDayAhead({
    band: 3,
    quantityMw: 5,
    currency: 'EUR',
    limits: { markets: ['day_ahead'], zones: ['DE-LU', 'FR', 'DK1'], maxNetMw: 10, maxDailyMwh: 500, maxDailyLoss: 5_000 },
  }),
  shapeIntraday({
    premium: 5,
    quantityMw: 2,
    currency: 'EUR',
    limits: { markets: ['intraday'], zones: ['DE-LU', 'FR', 'DK1'], maxNetMw: 4, maxDailyMwh: 30, maxDailyLoss: 2_000 },
  }),
  // Idle until signals.residual_load_forecast has rows (the development workers fetch no load forecast).
  residualLoadDayAhead({
    band: 0.05,
    quantityMw: 5,
    buyLimit: 500,
    sellLimit: -100,
    currency: 'EUR',
    limits: { markets: ['day_ahead'], zones: ['DE-LU', 'FR'], maxNetMw: 10, maxDailyMwh: 60, maxDailyLoss: 5_000 },
  }),
];
