// Test-only: stub dataset descriptors carrying measures (two made-up providers), a signal context
// over a few zones, and a row builder. Signals must work from these exactly as from the real registry.
import type { Dataset, Measure } from '../shared/dataset.ts';
import type { Observation } from '../shared/observation.ts';
import type { SignalContext } from './signal.ts';

export const HOUR = 3_600_000;

export function stubDataset(id: string, measures: readonly Measure[], extra: Partial<Dataset> = {}): Dataset {
  return { id, provider: id.split('.')[0]!, partitions: ['all'], measures, ...extra } as unknown as Dataset;
}

/** `alpha` publishes everywhere (a transparency platform), `beta` one zone's own series in MWh per hour. */
export const TEST_DATASETS: readonly Dataset[] = [
  stubDataset('alpha.load', [{ quantity: 'load', kind: 'actual' }]),
  stubDataset('alpha.load_forecast', [{ quantity: 'load', kind: 'forecast', horizon: 'day_ahead', where: { horizon: 'day_ahead' } }]),
  stubDataset('alpha.generation', [
    { quantity: 'generation.solar', kind: 'actual', where: { psr_type: 'B16' } },
    { quantity: 'generation.wind_offshore', kind: 'actual', where: { psr_type: 'B18' } },
    { quantity: 'generation.wind_onshore', kind: 'actual', where: { psr_type: 'B19' } },
  ]),
  stubDataset('alpha.wind_solar_forecast', [
    { quantity: 'generation.solar', kind: 'forecast', horizon: 'day_ahead', where: { psr_type: 'B16' } },
    { quantity: 'generation.wind_onshore', kind: 'forecast', horizon: 'day_ahead', where: { psr_type: 'B19' } },
  ]),
  stubDataset('alpha.day_ahead_prices', [{ quantity: 'price.day_ahead', kind: 'actual' }]),
  stubDataset('alpha.imbalance_prices', [{ quantity: 'price.imbalance', kind: 'actual' }]),
  stubDataset('alpha.flows', [{ quantity: 'flow.physical', kind: 'actual' }], { partitions: ['DE-LU>FR', 'FR>DE-LU'] }),
  stubDataset('alpha.capacity', [{ quantity: 'capacity.offered', kind: 'forecast', horizon: 'day_ahead' }], { partitions: ['DE-LU>FR', 'FR>DE-LU'] }),
  stubDataset('beta.system', [
    { quantity: 'load', kind: 'actual', where: { metric: 'load' } },
    { quantity: 'generation.solar', kind: 'actual', where: { metric: 'solar' } },
    { quantity: 'generation.wind_onshore', kind: 'actual', where: { metric: 'wind' } },
  ]),
  stubDataset('beta.offshore_regions', [{ quantity: 'generation.wind_offshore', kind: 'actual', aggregate: 'sum' }]),
  stubDataset('gamma.trades', [{ quantity: 'trades.intraday', kind: 'actual' }], {
    // Contract ids of the form X_QH_yyyyMMddHHmm / X_PH_yyyyMMddHHmm (UTC delivery start).
    deliveryOf: (contract: string) => {
      const m = /^X_(QH|PH)_(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(contract);
      return m ? { start: new Date(`${m[2]}-${m[3]}-${m[4]}T${m[5]}:${m[6]}:00Z`), resolution: m[1] === 'QH' ? 'PT15M' : 'PT60M' } : undefined;
    },
  }),
];

const ZONE_TZ: Readonly<Record<string, string>> = { 'DE-LU': 'Europe/Berlin', FR: 'Europe/Paris', BE: 'Europe/Brussels', DK1: 'Europe/Copenhagen' };

export const testContext: SignalContext = { timeZoneOf: (z) => ZONE_TZ[z], borders: [['DE-LU', 'FR'], ['FR', 'DE-LU']] };

/** `n` rows of one series from `from`, one per `resolution` step. */
export function rows(dataset: string, series: Record<string, string>, from: string, n: number, value: (k: number) => number | null, o: { resolution?: string; unit?: string } = {}): Observation[] {
  const resolution = o.resolution ?? 'PT60M';
  const step = { PT15M: HOUR / 4, PT30M: HOUR / 2, PT60M: HOUR, PT5M: HOUR / 12 }[resolution] ?? HOUR;
  return Array.from({ length: n }, (_, k) => ({ dataset, series, ts: new Date(Date.parse(from) + k * step), resolution, value: value(k), unit: o.unit ?? 'MW' }));
}

/** What the store hands a signal: per input, the rows of its dataset carrying its `where` values. */
export function feed(signal: { inputs: readonly { dataset: string; where?: Readonly<Record<string, string>> }[] }, all: readonly Observation[]): Observation[][] {
  return signal.inputs.map((i) => all.filter((o) => o.dataset === i.dataset && Object.entries(i.where ?? {}).every(([k, v]) => o.series[k] === v)));
}
