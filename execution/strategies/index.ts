// The strategies the desk runs by default (and the demo enables). Input ids are options: after the
// imbalance-forecast and intraday-premium signals land, point `input` at them.
import type { Strategy } from '../strategy.ts';
import { peakShapeIntraday } from './peak-shape-intraday.ts';
import { residualLoadDayAhead } from './residual-load-day-ahead.ts';

export { peakShapeIntraday, peakShapeIntents } from './peak-shape-intraday.ts';
export { residualLoadDayAhead, residualLoadIntents } from './residual-load-day-ahead.ts';

export const defaultStrategies: readonly Strategy[] = [
  residualLoadDayAhead({
    input: 'signals.residual_load_forecast',
    band: 0.05,
    quantityMw: 5,
    buyLimit: 500,
    sellLimit: -100,
    currency: 'EUR',
    limits: { markets: ['day_ahead'], zones: ['DE-LU', 'FR'], maxNetMw: 10, maxDailyMwh: 60, maxDailyLoss: 5_000 },
  }),
  peakShapeIntraday({
    input: 'signals.daily_price_stats',
    thresholdSpread: 5,
    premium: 2,
    quantityMw: 2,
    currency: 'EUR',
    limits: { markets: ['intraday'], zones: ['DE-LU', 'FR', 'DK1'], maxNetMw: 4, maxDailyMwh: 30, maxDailyLoss: 2_000 },
  }),
];
