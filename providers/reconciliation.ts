// Cross-provider reconciliation checks, as data: which quantity, in which zones (or directed
// borders), from which datasets, compared in which unit with which tolerance. The sources are
// found through the datasets' `measures` (shared/measures.ts); a zone is read through the `zone`
// dimensions ingestion adds. The comparison itself is generic (completeness/reconcile.ts).
import type { Tolerance } from '../completeness/reconcile.ts';
import type { Dataset, Measure, Quantity } from '../shared/dataset.ts';
import { UnknownDatasetError } from '../shared/errors.ts';
import { sourcesOf } from '../shared/measures.ts';
import type { ZoneMapping } from '../shared/zones.ts';
import { datasets as registry } from './index.ts';
import { ZONES, ZONE_MAPPINGS } from './zones.ts';

export type ReconciliationCheck = {
  id: string;
  title: string;
  quantity: Quantity;
  kind: Measure['kind'];
  horizon?: Measure['horizon'];
  /** Zone codes, or directed borders `FROM>TO` for flows and capacities. */
  zones: readonly string[];
  /** The datasets compared; every dataset carrying the measure when unset. */
  sources?: readonly string[];
  /** The unit values are compared in; sources in another one are converted or reported. */
  unit: string;
  tolerance: Tolerance;
};

// Core borders both ENTSO-E and JAO publish day-ahead schedules for (a sample: the ones with Belgium and France).
const CORE_BORDERS = ['BE>FR', 'FR>BE', 'BE>NL', 'NL>BE', 'BE>DE-LU', 'DE-LU>BE', 'DE-LU>FR', 'FR>DE-LU', 'DE-LU>NL', 'NL>DE-LU'];

export const RECONCILIATION_CHECKS: readonly ReconciliationCheck[] = [
  {
    id: 'day_ahead_price_dk',
    title: 'Danish day-ahead prices: Energinet, ENTSO-E and Nord Pool',
    quantity: 'price.day_ahead',
    kind: 'actual',
    zones: ['DK1', 'DK2'],
    sources: ['energinet.day_ahead_prices', 'entsoe.day_ahead_prices', 'nordpool.day_ahead_prices'],
    unit: 'EUR/MWh',
    // One auction result: the sources differ only by rounding (Energinet keeps six decimals).
    tolerance: { absolute: 0.05 },
  },
  {
    id: 'load_be',
    title: 'Belgian total load, measured: Elia and ENTSO-E',
    quantity: 'load',
    kind: 'actual',
    zones: ['BE'],
    sources: ['elia.total_load', 'entsoe.load_actual'],
    unit: 'MW',
    // The same TSO measurement, but ENTSO-E's is revised later and scoped slightly differently.
    tolerance: { absolute: 50, relative: 0.03 },
  },
  {
    id: 'imbalance_price_be',
    title: 'Belgian imbalance price: Elia and ENTSO-E',
    quantity: 'price.imbalance',
    kind: 'actual',
    zones: ['BE'],
    sources: ['elia.imbalance_prices_qh', 'entsoe.imbalance_prices'],
    unit: 'EUR/MWh',
    tolerance: { absolute: 0.5 },
  },
  ...(['solar', 'wind_onshore', 'wind_offshore'] as const).map((kind): ReconciliationCheck => ({
    id: `${kind}_be`,
    title: `Belgian ${kind.replace('_', ' ')} generation, measured: Elia and ENTSO-E`,
    quantity: `generation.${kind}`,
    kind: 'actual',
    zones: ['BE'],
    sources: [kind === 'solar' ? 'elia.solar' : 'elia.wind', 'entsoe.generation_actual'],
    unit: 'MW',
    // Elia's estimate includes embedded units ENTSO-E's aggregate may lag: a few percent apart is normal.
    tolerance: { absolute: 20, relative: 0.05 },
  })),
  {
    id: 'schedules_core',
    title: 'Core day-ahead scheduled exchanges: JAO and ENTSO-E',
    quantity: 'flow.scheduled',
    kind: 'scheduled',
    horizon: 'day_ahead',
    zones: CORE_BORDERS,
    // Every dataset carrying day-ahead schedules: JAO today; ENTSO-E's scheduled exchanges (A09)
    // join by declaring the same measure once the dataset exists.
    unit: 'MW',
    tolerance: { absolute: 1 },
  },
];

export function findCheck(id: string): ReconciliationCheck {
  const c = RECONCILIATION_CHECKS.find((x) => x.id === id);
  if (!c) throw new UnknownDatasetError(`unknown reconciliation check ${id} (known: ${RECONCILIATION_CHECKS.map((x) => x.id).join(', ')})`);
  return c;
}

/** One dataset feeding a check in one zone: the store filter for the zone, and the measures its rows must carry. */
export type CheckSource = { dataset: Dataset; measures: readonly Measure[]; where: Readonly<Record<string, string>> };

/** The provider's own code for a zone (`DE` for DE-LU at JAO), from its zone mapping. */
function providerCode(mapping: ZoneMapping, zone: string): string | undefined {
  return Object.entries(mapping.codes).find(([, target]) => target === zone || (Array.isArray(target) && target[0] === zone))?.[0];
}

/** How a dataset's rows are filtered to a zone or a directed border, or undefined when they cannot be. */
function zoneWhere(ds: Dataset, zone: string): Record<string, string> | undefined {
  const [from, to] = zone.split('>');
  if (to === undefined) return { zone };
  const mapping = ZONE_MAPPINGS[ds.provider];
  if (!mapping) return undefined;
  const zoneDims = Object.values(mapping.dimensions);
  if (zoneDims.includes('from_zone') && zoneDims.includes('to_zone') && ds.dimensions.includes('from_area')) return { from_zone: from!, to_zone: to };
  // Per-border tables keyed `XX>YY` in the provider's own codes.
  if (ds.dimensions.includes('border')) {
    const a = providerCode(mapping, from!);
    const b = providerCode(mapping, to);
    return a && b ? { border: `${a}>${b}` } : undefined;
  }
  return undefined;
}

/** The datasets a check compares in one zone (registry order; those that cannot address the zone left out). */
export function checkSources(check: ReconciliationCheck, zone: string, datasets: readonly Dataset[] = registry): CheckSource[] {
  const found = sourcesOf(datasets, check.quantity, check.kind, check.horizon).filter((s) => !check.sources || check.sources.includes(s.dataset.id));
  const byDataset = new Map<string, CheckSource>();
  for (const { dataset, measure } of found) {
    const where = zoneWhere(dataset, zone);
    if (!where) continue;
    const entry = byDataset.get(dataset.id);
    if (entry) byDataset.set(dataset.id, { ...entry, measures: [...entry.measures, measure] });
    else byDataset.set(dataset.id, { dataset, measures: [measure], where });
  }
  return [...byDataset.values()];
}

/** The time zone delivery days of a zone (a border: of its first zone) are counted in. */
export function zoneTimeZone(zone: string): string {
  const code = zone.split('>')[0]!;
  return ZONES.find((z) => z.code === code)?.timeZone ?? 'UTC';
}
