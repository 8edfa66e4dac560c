// Baltic balancing datasets, one descriptor each. One export holds every area (Baltics, Estonia,
// Latvia, Lithuania), so there are no partitions. The export names its dataset (`data.id`), which
// is how a payload is recognised.
import type { Dataset, Measure, ValidationRules } from '../../shared/dataset.ts';
import { BALTIC_PUBLICATION_LAG, fetchExport } from './client.ts';
import { parseBalticExport, readExport } from './parse.ts';

export type BalticDataset = Dataset & { apiId: string; fixture: string };

type Spec = { id: string; apiId: string; title: string; unit: string; range: readonly [number, number]; fixture: string; development: boolean; dimensions?: readonly string[]; measures?: readonly Measure[] };

function dataset(s: Spec): BalticDataset {
  const validation: ValidationRules = { plausible: { [s.unit]: s.range }, maxLead: 'PT0S' };
  return {
    id: s.id,
    provider: 'baltic',
    title: s.title,
    resolution: 'PT15M',
    unit: s.unit,
    dimensions: s.dimensions ?? ['area', 'direction', 'metric'],
    cadence: { cron: '25 * * * *', tz: 'UTC' },
    // Quarter-hourly balancing data, some of it two days late: each run re-reads the last three days.
    window: { align: 'PT1H', tz: 'UTC', maxSpan: 'P7D', lookback: 'P3D', horizon: 'PT0S', backfill: BALTIC_PUBLICATION_LAG },
    partitions: ['all'],
    validation,
    fetch: (window, _partition, ctx) => fetchExport(s.apiId, window, ctx),
    parse: (body) => parseBalticExport(s.id, body),
    detect: (body) => {
      try {
        return readExport(body).id === s.apiId;
      } catch {
        return false;
      }
    },
    workers: { development: { enabled: s.development, backfill: 'P1D' }, production: { enabled: true, backfill: 'P30D' } },
    fixtures: [{ file: s.fixture, source: 'documented-shape' }],
    ...(s.measures ? { measures: s.measures } : {}),
    apiId: s.apiId,
    fixture: s.fixture,
  };
}

export const balticDatasets: readonly BalticDataset[] = [
  dataset({ id: 'baltic.imbalance_prices', apiId: 'imbalance_prices', title: 'Imbalance prices, final and preliminary', unit: 'EUR/MWh', range: [-100_000, 100_000], fixture: 'baltic_imbalance_prices_2025-10-21.json', development: true,
    // The final price; preliminary values are replaced by it within days.
    measures: [{ quantity: 'price.imbalance', kind: 'actual', where: { metric: 'final' } }] }),
  dataset({ id: 'baltic.imbalance_volumes', apiId: 'imbalance_volumes', title: 'Imbalance volumes', unit: 'MWh', range: [-100_000, 100_000], fixture: 'baltic_imbalance_volumes_2025-10-26_dst.json', development: true }),
  dataset({ id: 'baltic.normal_activations', apiId: 'normal_activations_total', title: 'Normal balancing activations, upward and downward', unit: 'MWh', range: [-100_000, 100_000], fixture: 'baltic_normal_activations_total_2025-10-21.json', development: true }),
  dataset({ id: 'baltic.special_activations', apiId: 'special_activations_total', title: 'Special (system) activations, upward and downward', unit: 'MWh', range: [-100_000, 100_000], fixture: 'baltic_special_activations_total_2025-10-21.json', development: false }),
  dataset({ id: 'baltic.mfrr_marginal_prices', apiId: 'local_marginal_price_mfrr', title: 'mFRR local marginal prices, upward and downward', unit: 'EUR/MWh', range: [-100_000, 100_000], fixture: 'baltic_local_marginal_price_mfrr_2025-10-21.json', development: true }),
  dataset({ id: 'baltic.afrr_bid_prices', apiId: 'afrr_bid_prices', title: 'aFRR energy bid prices (min, max, average)', unit: 'EUR/MWh', range: [-100_000, 100_000], fixture: 'baltic_afrr_bid_prices_2025-10-21.json', development: false }),
  dataset({ id: 'baltic.procured_reserve_prices', apiId: 'price_procured_reserves', title: 'Prices of procured reserve capacity (FCR, aFRR, mFRR)', unit: 'EUR/MW', range: [-100_000, 100_000], fixture: 'baltic_price_procured_reserves_2025-10-21.json', development: false }),
];
