// Averages of MW series over whole hours, for signals that combine inputs of mixed resolutions
// (ENTSO-E zones publish PT15M and PT60M side by side, and switched MTU on 2025-10-01).
import type { Observation } from '../shared/observation.ts';
import { stepOf } from './inputs.ts';

const HOUR = 3_600_000;

/**
 * The hourly mean of one series' values, keyed by hour start (ms). An hour appears only when every
 * step of it is present and non-null: a partial or null hour has no value (never a partial mean).
 * Steps longer than an hour (or calendar steps) are not hourly data and are left out.
 */
export function hourlyMeans(series: readonly Observation[]): Map<number, number> {
  const sums = new Map<number, { sum: number; n: number; need: number; bad: boolean }>();
  let last: { hour: number; s: { sum: number; n: number; need: number; bad: boolean } } | undefined;
  for (const o of series) {
    const step = stepOf(o.resolution);
    if (step === undefined || step > HOUR || HOUR % step !== 0) continue;
    const t = o.ts.getTime();
    const hour = t - (t % HOUR);
    // Rows come ordered by time: the hour of the previous row is the likely one.
    let s = last !== undefined && last.hour === hour ? last.s : sums.get(hour);
    if (!s) sums.set(hour, (s = { sum: 0, n: 0, need: HOUR / step, bad: false }));
    last = { hour, s };
    if (o.value === null) s.bad = true;
    else s.sum += o.value;
    s.n++;
  }
  const out = new Map<number, number>();
  for (const [hour, s] of sums) if (!s.bad && s.n === s.need) out.set(hour, s.sum / s.need);
  return out;
}
