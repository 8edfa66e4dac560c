// Every signal, built from the dataset descriptors it is given (inputs chosen by quantity), and the
// context its functions read zones through (the zone vocabulary, the borders of flow/capacity datasets).
import type { Dataset } from '../shared/dataset.ts';
import { UnknownDatasetError } from '../shared/errors.ts';
import type { Zone } from '../shared/zones.ts';
import { dailyPriceStatsSignal } from './daily-price-stats.ts';
import { FORECAST_ID, imbalanceForecastSignals } from './imbalance-forecast.ts';
import { BARS_ID, DELIVERY_BARS_ID, PREMIUM_ID, intradayBarsSignal, intradayDeliveryBarsSignal, intradayPremiumSignal } from './intraday.ts';
import { SPREAD_ID, priceSpreadSignal } from './price-spread.ts';
import { residualLoadActual, residualLoadForecast } from './residual-load.ts';
import type { Signal, SignalContext } from './signal.ts';

export type { Signal, SignalContext } from './signal.ts';

/** Every signal's output dataset id, known without the dataset list (query, API, CLI). */
export const SIGNAL_IDS: readonly string[] = [
  'signals.residual_load',
  'signals.residual_load_forecast',
  'signals.daily_price_stats',
  SPREAD_ID,
  BARS_ID,
  DELIVERY_BARS_ID,
  PREMIUM_ID,
  FORECAST_ID,
];

/** Every signal, reading whichever of `datasets` carry its quantities (the forecast: one descriptor per zone). */
export function buildSignals(datasets: readonly Dataset[]): Signal[] {
  return [
    residualLoadActual(datasets),
    residualLoadForecast(datasets),
    dailyPriceStatsSignal(datasets),
    priceSpreadSignal(datasets),
    intradayBarsSignal(datasets),
    intradayDeliveryBarsSignal(datasets),
    intradayPremiumSignal(datasets),
    ...imbalanceForecastSignals(datasets),
  ];
}

const FLOW_QUANTITIES = new Set(['flow.physical', 'flow.scheduled', 'capacity.offered']);

/**
 * Time zones from the vocabulary; borders from the partitions (`FROM>TO`) of the datasets that carry
 * flows or capacities, where both ends are zones of the vocabulary.
 */
export function signalContext(zones: readonly Zone[], datasets: readonly Dataset[]): SignalContext {
  const tz = new Map(zones.map((z) => [z.code, z.timeZone]));
  const borders = new Map<string, readonly [string, string]>();
  for (const d of datasets) {
    if (!(d.measures ?? []).some((m) => FLOW_QUANTITIES.has(m.quantity))) continue;
    for (const p of d.partitions) {
      const [from, to, extra] = p.split('>');
      if (from && to && extra === undefined && tz.has(from) && tz.has(to)) borders.set(p, [from, to]);
    }
  }
  return { timeZoneOf: (zone) => tz.get(zone), borders: [...borders.values()] };
}

export function isSignalDataset(id: string): boolean {
  return SIGNAL_IDS.includes(id);
}

export function findSignal(signals: readonly Signal[], id: string): Signal {
  const s = signals.find((x) => x.id === id);
  if (!s) throw new UnknownDatasetError(`unknown signal dataset ${id}; known: ${signals.map((x) => x.id).join(', ')}`);
  return s;
}
