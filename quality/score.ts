// Pure: the quality score of one dataset and delivery day, 0–100, from four components in [0, 1].
// A component that cannot be measured (no ledger, no rules, no reconciliation) is left out and the
// remaining weights are renormalised, so a dataset is never punished for what nobody checks.
import type { LedgerRow } from '../shared/store/index.ts';

export const COMPONENTS = ['completeness', 'timeliness', 'plausibility', 'agreement'] as const;
export type Component = (typeof COMPONENTS)[number];

/** Weights of the components (README "Quality score"). */
export const WEIGHTS: Readonly<Record<Component, number>> = { completeness: 40, timeliness: 15, plausibility: 30, agreement: 15 };

/** Each component in [0, 1]; null when it is not measured for this dataset and day. */
export type Components = Record<Component, number | null>;

export type Score = { score: number | null; components: Components; /** Components left out (weights renormalised over the rest). */ absent: Component[] };

/** 100 × Σ wᵢ·cᵢ / Σ wᵢ over the measured components, one decimal; null when none is measured. */
export function qualityScore(components: Components): Score {
  let weighted = 0;
  let weights = 0;
  const absent: Component[] = [];
  for (const c of COMPONENTS) {
    const v = components[c];
    if (v === null) {
      absent.push(c);
      continue;
    }
    weighted += WEIGHTS[c] * Math.min(1, Math.max(0, v));
    weights += WEIGHTS[c];
  }
  return { score: weights === 0 ? null : Math.round((1000 * weighted) / weights) / 10, components, absent };
}

/**
 * Present over the slots that are due or present (present + missing), summed over the day's
 * partitions: a day still running is not marked down for slots not due yet. Null without ledger rows.
 */
export function completenessOf(rows: readonly Pick<LedgerRow, 'present' | 'missing'>[]): number | null {
  const present = rows.reduce((n, r) => n + r.present, 0);
  const due = present + rows.reduce((n, r) => n + r.missing, 0);
  return due === 0 ? null : present / due;
}

/** Share of the present slots that arrived on time (not missing first and late later); null when none is present. */
export function timelinessOf(rows: readonly Pick<LedgerRow, 'present' | 'late'>[]): number | null {
  const present = rows.reduce((n, r) => n + r.present, 0);
  if (present === 0) return null;
  return Math.max(0, (present - rows.reduce((n, r) => n + r.late, 0)) / present);
}

/** Share of the day's (non-null) values no rule flagged; null when the dataset has no rules or no values. */
export function plausibilityOf(values: number, flaggedValues: number, hasRules: boolean): number | null {
  if (!hasRules || values === 0) return null;
  return Math.max(0, (values - flaggedValues) / values);
}

/** Mean agreement over the day's reconciliation checks of the dataset (each in %); null when none. */
export function agreementOf(percents: readonly number[]): number | null {
  return percents.length === 0 ? null : percents.reduce((a, b) => a + b, 0) / percents.length / 100;
}
