// Signals choose their inputs by quantity over the dataset list they are given (shared/measures.ts),
// and read the zone from the `zone` dimension ingestion adds: no provider is named here.
import type { Dataset, Measure, Quantity } from '../shared/dataset.ts';
import { sourcesOf } from '../shared/measures.ts';
import type { Observation } from '../shared/observation.ts';
import { fixedDurationMs, isCalendarDuration } from '../shared/time.ts';
import type { SignalInput } from './signal.ts';

const KINDS: readonly Measure['kind'][] = ['actual', 'scheduled', 'forecast'];

/** Every input carrying `quantity` of `kind` (any kind when unset; `horizon` for forecasts), in registry order. */
export function inputsOf(datasets: readonly Dataset[], quantity: Quantity, kind?: Measure['kind'], horizon?: Measure['horizon']): SignalInput[] {
  return (kind ? [kind] : KINDS).flatMap((k) =>
    sourcesOf(datasets, quantity, k, horizon).map(({ dataset, measure }): SignalInput => ({
      dataset: dataset.id,
      quantity,
      kind: k,
      source: dataset.provider,
      ...(measure.where ? { where: measure.where } : {}),
      ...(measure.unit ? { unit: measure.unit } : {}),
      ...(measure.aggregate ? { aggregate: measure.aggregate } : {}),
    })),
  );
}

/** The rows of each input beside the input that read them. */
export function labelled(inputs: readonly SignalInput[], rows: readonly (readonly Observation[])[]): { input: SignalInput; rows: readonly Observation[] }[] {
  return inputs.map((input, i) => ({ input, rows: rows[i] ?? [] }));
}

const steps = new Map<string, number | undefined>();

/** Milliseconds of a fixed resolution (PT15M), undefined for calendar ones (P1D) and PT0S; memoised, it runs per row. */
export function stepOf(resolution: string): number | undefined {
  if (steps.has(resolution)) return steps.get(resolution);
  const ms = isCalendarDuration(resolution) ? undefined : fixedDurationMs(resolution) || undefined;
  steps.set(resolution, ms);
  return ms;
}

/**
 * A power value in MW: MW as is, MWh over a fixed step as its mean power (an hourly MWh is a MW
 * average). Other units (kWh, GWh, ...) and calendar steps: undefined, the row is not used.
 */
export function megawatts(o: Observation): number | null | undefined {
  if (o.value === null) return null;
  if (o.unit === 'MW') return o.value;
  const step = o.unit === 'MWh' ? stepOf(o.resolution) : undefined;
  if (step !== undefined) return o.value / (step / 3_600_000);
  return undefined;
}

/** Slot values of one series: slot start (ms) → value, with the series' step. */
export type Steps = { stepMs: number; values: Map<number, number | null> };

/**
 * The mean of a series over [t, t + stepMs): the one coarser-or-equal slot covering it, or every finer
 * slot inside it (all present, none null). Undefined when the series does not cover it completely.
 */
export function meanOver(s: Steps, t: number, stepMs: number): number | undefined {
  if (s.stepMs >= stepMs) {
    const start = t - (((t % s.stepMs) + s.stepMs) % s.stepMs);
    const v = s.values.get(start);
    return v === null || v === undefined ? undefined : v;
  }
  if (stepMs % s.stepMs !== 0) return undefined;
  let sum = 0;
  for (let u = t; u < t + stepMs; u += s.stepMs) {
    const v = s.values.get(u);
    if (v === null || v === undefined) return undefined;
    sum += v;
  }
  return sum / (stepMs / s.stepMs);
}

/** The first series (in the order given) that covers [t, t + stepMs) completely, and its mean there. */
export function firstCovering(series: readonly Steps[], t: number, stepMs: number): number | undefined {
  for (const s of series) {
    const v = meanOver(s, t, stepMs);
    if (v !== undefined) return v;
  }
  return undefined;
}
