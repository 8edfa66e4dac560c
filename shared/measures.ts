// Picks the series that carry a quantity from whichever datasets declare it, so signals and
// reconciliation are written against quantities and zones, never against a provider.
import type { Dataset, Measure, Quantity } from './dataset.ts';

export type MeasureSource = { dataset: Dataset; measure: Measure };

/** Every (dataset, measure) carrying `quantity` of `kind` (and `horizon` when given), in registry order. */
export function sourcesOf(
  datasets: readonly Dataset[],
  quantity: Quantity,
  kind: Measure['kind'],
  horizon?: Measure['horizon'],
): MeasureSource[] {
  const found: MeasureSource[] = [];
  for (const dataset of datasets) {
    for (const measure of dataset.measures ?? []) {
      if (measure.quantity !== quantity || measure.kind !== kind) continue;
      if (horizon !== undefined && measure.horizon !== horizon) continue;
      found.push({ dataset, measure });
    }
  }
  return found;
}

/** Does a stored series carry the measure (all of its `where` dimension values)? */
export function seriesCarries(measure: Measure, series: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(measure.where ?? {})) if (series[k] !== v) return false;
  return true;
}
