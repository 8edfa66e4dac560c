// Pure: which (series, ts) slots a delivery day of a dataset must hold, when they are due, and the
// holes a set of present instants leaves. Delivery days are local calendar days in the dataset's
// time zone, so DST days have 92/100 quarter-hours, 46/50 half-hours and 23/25 hours.
import { DateTime } from 'luxon';
import type { ExpectedSlots } from '../shared/dataset.ts';
import type { Series } from '../shared/observation.ts';
import { addDuration, fixedDurationMs, isCalendarDuration, type Interval, type IsoDuration } from '../shared/time.ts';

/** A contiguous run of missing slots of one required series: [from, to). */
export type Hole = { series: Series; from: Date; to: Date };

export type DaySlots = {
  day: string;
  resolution: IsoDuration;
  series: readonly Series[];
  slots: readonly Date[];
  /** Due instant of each slot, same order as `slots`. */
  dueAt: readonly Date[];
};

/** The local start of a `YYYY-MM-DD` delivery day in `tz`, and the next day's. */
export function deliveryDay(day: string, tz: string): Interval {
  const start = DateTime.fromISO(day, { zone: tz });
  if (!start.isValid || !/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new RangeError(`not a delivery day: ${day}`);
  return { from: start.toJSDate(), to: start.plus({ days: 1 }).toJSDate() };
}

/** The local delivery days (`YYYY-MM-DD`) an interval touches, in order. */
export function deliveryDaysIn(interval: Interval, tz: string): string[] {
  const out: string[] = [];
  if (interval.to <= interval.from) return out;
  let d = DateTime.fromJSDate(interval.from, { zone: tz }).startOf('day');
  const end = interval.to.getTime();
  // Bounded by the interval: one step per local day.
  while (d.toMillis() < end) {
    out.push(d.toISODate()!);
    d = d.plus({ days: 1 });
  }
  return out;
}

export function resolutionOn(expected: ExpectedSlots, dayStart: Date): IsoDuration {
  let chosen: IsoDuration | undefined;
  for (const r of expected.resolutions) if (!r.from || r.from <= dayStart) chosen = r.resolution;
  if (chosen === undefined) throw new RangeError(`no resolution applies to the day starting ${dayStart.toISOString()}`);
  return chosen;
}

/** Every slot start of a delivery day: fixed steps from local midnight, or one slot for P1D. */
export function slotsOf(day: Interval, resolution: IsoDuration, tz: string): Date[] {
  const out: Date[] = [];
  if (!isCalendarDuration(resolution) && fixedDurationMs(resolution) <= 0) throw new RangeError(`resolution ${resolution} has no length`);
  for (let t = day.from; t < day.to; t = addDuration(t, resolution, tz)) out.push(t);
  return out;
}

function dueTimes(expected: ExpectedSlots, dayName: string, slots: readonly Date[], resolution: IsoDuration, tz: string): Date[] {
  const due = expected.due;
  if ('dayBefore' in due) {
    const m = /^(\d{2}):(\d{2})$/.exec(due.dayBefore);
    if (!m) throw new RangeError(`dayBefore must be HH:mm, got ${due.dayBefore}`);
    const at = DateTime.fromISO(dayName, { zone: tz }).minus({ days: 1 }).set({ hour: Number(m[1]), minute: Number(m[2]) }).toJSDate();
    return slots.map(() => at);
  }
  return slots.map((s) => addDuration(addDuration(s, resolution, tz), due.afterSlot, tz));
}

/** The slots a delivery day of one partition must hold. */
export function expectedSlots(expected: ExpectedSlots, tz: string, partition: string, day: string): DaySlots {
  const range = deliveryDay(day, tz);
  const resolution = resolutionOn(expected, range.from);
  const slots = slotsOf(range, resolution, tz);
  return { day, resolution, series: expected.series(partition, { start: range.from, resolution }), slots, dueAt: dueTimes(expected, day, slots, resolution, tz) };
}

export type DayCount = {
  expected: number;
  present: number;
  /** Due and absent. */
  missing: number;
  /** Not due yet and absent. */
  pending: number;
  holes: Hole[];
};

/**
 * Counts a day against what is present: `present[i]` holds the instants (ms) stored for
 * `day.series[i]`. Holes are the runs of missing (due, absent) slots, one per contiguous run.
 */
export function countDay(day: DaySlots, present: readonly ReadonlySet<number>[], now: Date, tz: string): DayCount {
  let have = 0;
  let missing = 0;
  let pending = 0;
  const holes: Hole[] = [];
  day.series.forEach((series, i) => {
    const got = present[i] ?? new Set<number>();
    let run: Hole | null = null;
    day.slots.forEach((slot, j) => {
      const end = addDuration(slot, day.resolution, tz);
      if (got.has(slot.getTime())) {
        have++;
        run = null;
      } else if (day.dueAt[j]! <= now) {
        missing++;
        if (run && run.to.getTime() === slot.getTime()) run.to = end;
        else holes.push((run = { series, from: slot, to: end }));
      } else {
        pending++;
        run = null;
      }
    });
  });
  return { expected: day.series.length * day.slots.length, present: have, missing, pending, holes };
}

/** The slot instants (ms) inside holes, per series key string: what "was missing" before an update. */
export function holeInstants(holes: readonly Hole[], resolution: IsoDuration, tz: string, keyOf: (s: Series) => string): Set<string> {
  const out = new Set<string>();
  for (const h of holes) for (let t = h.from; t < h.to; t = addDuration(t, resolution, tz)) out.add(`${keyOf(h.series)}\u0000${t.getTime()}`);
  return out;
}
