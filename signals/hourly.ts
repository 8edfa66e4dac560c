// Averages of MW series over whole hours, for signals that combine inputs of mixed resolutions
// (ENTSO-E zones publish PT15M and PT60M side by side, and switched MTU on 2025-10-01).
import type { Observation } from '../shared/observation.ts';
import { fixedDurationMs, isCalendarDuration } from '../shared/time.ts';

const HOUR = 3_600_000;

/**
 * The hourly mean of one series' values, keyed by hour start (ms). An hour appears only when every
 * step of it is present and non-null: a partial or null hour has no value (never a partial mean).
 * Steps longer than an hour (or calendar steps) are not hourly data and are left out.
 */
export function hourlyMeans(series: readonly Observation[]): Map<number, number> {
  const sums = new Map<number, { sum: number; n: number; need: number; bad: boolean }>();
  for (const o of series) {
    if (isCalendarDuration(o.resolution)) continue;
    const step = fixedDurationMs(o.resolution);
    if (step > HOUR || HOUR % step !== 0) continue;
    const hour = Math.floor(o.ts.getTime() / HOUR) * HOUR;
    const s = sums.get(hour) ?? { sum: 0, n: 0, need: HOUR / step, bad: false };
    if (o.value === null) s.bad = true;
    else s.sum += o.value;
    s.n++;
    sums.set(hour, s);
  }
  const out = new Map<number, number>();
  for (const [hour, s] of sums) if (!s.bad && s.n === s.need) out.set(hour, s.sum / s.need);
  return out;
}
