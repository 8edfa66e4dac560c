// Every signal, and the zone table its inputs' area codes resolve through.
import { findArea } from '../providers/entsoe/areas.ts';
import { UnknownDatasetError } from '../shared/errors.ts';
import { dailyPriceStatsSignal } from './daily-price-stats.ts';
import { residualLoadActual, residualLoadForecast } from './residual-load.ts';
import type { Signal, SignalContext } from './signal.ts';

export type { Signal, SignalContext } from './signal.ts';

export const signals: readonly Signal[] = [residualLoadActual, residualLoadForecast, dailyPriceStatsSignal];

/** Input series name zones by EIC code (the area dimension); outputs by the short code (`DE-LU`). */
export const signalContext: SignalContext = {
  zoneOf(area) {
    const a = findArea(area);
    return a ? { zone: a.code, tz: a.tz } : undefined;
  },
};

export function isSignalDataset(id: string): boolean {
  return signals.some((s) => s.id === id);
}

export function findSignal(id: string): Signal {
  const s = signals.find((x) => x.id === id);
  if (!s) throw new UnknownDatasetError(`unknown signal dataset ${id}; known: ${signals.map((x) => x.id).join(', ')}`);
  return s;
}
