// Recomputes one signal's outputs over a changed input range: read the inputs (with the signal's
// margin, so every touched output slot sees complete inputs), compute, keep only the output slots
// that touch the range, and write them as ordinary observations through the store and the cache.
import { createHash } from 'node:crypto';
import type { Cache } from '../shared/cache/index.ts';
import { seriesKey, type Observation } from '../shared/observation.ts';
import type { Store, StoredObservation } from '../shared/store/index.ts';
import { addDuration, nominalDurationMs, type Interval } from '../shared/time.ts';
import { latestPerSeries } from '../ingestion/consumer.ts';
import type { Signal, SignalContext } from './signal.ts';

/** Enough for the longest (25 h) local day or a calendar step's length in nominal terms. */
const SLACK_MS = 3_600_000;

/** Does the output slot starting at `o.ts` overlap [from, to)? Calendar steps get an hour of slack (25-hour days). */
export function touches(o: Observation, changed: Interval): boolean {
  const end = o.ts.getTime() + nominalDurationMs(o.resolution) + (o.resolution.startsWith('P') && !o.resolution.startsWith('PT') ? SLACK_MS : 0);
  return o.ts < changed.to && end > changed.from.getTime();
}

/**
 * The derivation id stored as the outputs' `payloadSha256`: the sha256 of the signal id and every
 * input value it read. The same inputs give the same id; a revised input gives a new one.
 */
export function derivationId(signalId: string, inputs: readonly (readonly Observation[])[]): string {
  const h = createHash('sha256').update(signalId);
  // Stores hand out one series object per series: its key is computed once, not per row.
  const keys = new WeakMap<object, string>();
  const keyOf = (series: Observation['series']) => {
    let k = keys.get(series);
    if (k === undefined) keys.set(series, (k = seriesKey(series)));
    return k;
  };
  inputs.forEach((rows, i) => {
    // One update per input (a year of quarter-hours is 35 040 rows a series): rows joined, then hashed.
    const parts: string[] = [];
    for (const o of rows) parts.push(`${i}\t${o.dataset}\t${keyOf(o.series)}\t${o.ts.getTime()}\t${o.resolution}\t${o.value}`);
    h.update(`\n${parts.join('\n')}`);
  });
  return h.digest('hex');
}

export type RecomputeDeps = { store: Store; cache: Cache; ctx: SignalContext };

/** Returns the output rows written (none when the inputs do not yet make any complete slot). */
export async function recomputeSignal(deps: RecomputeDeps, signal: Signal, changed: Interval): Promise<StoredObservation[]> {
  // A forecast's outputs reach `lead` past the changed inputs; their own inputs reach `margin` further.
  const reach: Interval = { from: changed.from, to: addDuration(changed.to, signal.lead ?? 'PT0S', 'UTC', 1) };
  const read: Interval = { from: addDuration(reach.from, signal.margin, 'UTC', -1), to: addDuration(reach.to, signal.margin, 'UTC', 1) };
  const inputs = await Promise.all(signal.inputs.map((i) => deps.store.queryObservations({ dataset: i.dataset, from: read.from, to: read.to, ...(i.where ? { where: i.where } : {}) })));
  const outputs = signal.compute(inputs, deps.ctx).filter((o) => touches(o, reach));
  if (outputs.length === 0) return [];
  const payloadSha256 = derivationId(signal.id, inputs);
  const rows = outputs.map((o) => ({ ...o, seriesKey: seriesKey(o.series), payloadSha256 }));
  await deps.store.upsertObservations(rows);
  await deps.cache.refresh(latestPerSeries(rows));
  return rows;
}
