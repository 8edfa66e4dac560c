// Pure windowing: which interval a dataset's next run fetches, from its watermark and the clock.
import type { Cadence, WindowPolicy } from '../shared/dataset.ts';
import { Cron } from 'croner';
import { addDuration, ceilTo, fixedDurationMs, floorTo, maxDate, minDate, type Interval } from '../shared/time.ts';

/** The end of what a run should have covered at `now`: now + horizon, aligned, capped at the dataset's end. */
export function targetEnd(policy: WindowPolicy, now: Date): Date {
  const end = floorTo(addDuration(now, policy.horizon, policy.tz), policy.align, policy.tz);
  return policy.availableUntil ? minDate(end, policy.availableUntil) : end;
}

/**
 * The next window to fetch, or null when there is nothing to fetch. A dataset behind its target
 * continues from the watermark (no lookback, nothing fetched twice); one that has caught up re-reads
 * the lookback so late revisions overwrite. `backfill` overrides the policy's first-run depth.
 */
export function nextWindow(policy: WindowPolicy, watermark: Date | null, now: Date, backfill = policy.backfill): Interval | null {
  const { align, tz } = policy;
  const target = targetEnd(policy, now);
  let start =
    watermark === null
      ? addDuration(target, backfill, tz, -1)
      : minDate(watermark, addDuration(target, policy.lookback, tz, -1));
  start = floorTo(start, align, tz);
  if (policy.availableFrom) start = maxDate(start, policy.availableFrom);
  const end = minDate(addDuration(start, policy.maxSpan, tz), target);
  return end > start ? { from: start, to: end } : null;
}

/** True while the watermark is behind the target: the scheduler then runs again without waiting for the cadence. */
export function isBehind(policy: WindowPolicy, watermark: Date | null, now: Date): boolean {
  const target = targetEnd(policy, now);
  const start = policy.availableFrom ?? new Date(0);
  if (target <= start) return false;
  return watermark === null || watermark < target;
}

/** Windows covering [from, to) in steps of at most maxSpan, aligned like the dataset's own windows (for backfills). */
export function splitRange(policy: WindowPolicy, range: Interval): Interval[] {
  const { align, tz } = policy;
  let start = floorTo(range.from, align, tz);
  if (policy.availableFrom) start = maxDate(start, policy.availableFrom);
  let end = ceilTo(range.to, align, tz);
  if (policy.availableUntil) end = minDate(end, policy.availableUntil);
  const out: Interval[] = [];
  while (start < end) {
    const to = minDate(addDuration(start, policy.maxSpan, tz), end);
    out.push({ from: start, to });
    start = to;
  }
  return out;
}

/** The first run time of a cadence strictly after `after`. */
export function nextRunAt(cadence: Cadence, after: Date): Date {
  if ('every' in cadence) return new Date(after.getTime() + fixedDurationMs(cadence.every));
  const next = new Cron(cadence.cron, { timezone: cadence.tz }).nextRun(after);
  if (!next) throw new RangeError(`cron ${cadence.cron} never runs again`);
  return next;
}
