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

// Time-zone arithmetic is the ledger's main CPU cost (luxon asks Intl for each offset), and the same
// days are counted after every batch: day bounds and publication instants are remembered (bounded).
const CACHE_LIMIT = 20_000;
const instants = new Map<string, number>();
function remembered(key: string, compute: () => number): number {
  let v = instants.get(key);
  if (v === undefined) {
    if (instants.size >= CACHE_LIMIT) instants.clear();
    instants.set(key, (v = compute()));
  }
  return v;
}

/** The local start of a `YYYY-MM-DD` delivery day in `tz`, and the next day's. */
export function deliveryDay(day: string, tz: string): Interval {
  const start = (d: string) =>
    remembered(`${tz}\u0000${d}`, () => {
      const at = DateTime.fromISO(d, { zone: tz });
      if (!at.isValid || !/^\d{4}-\d{2}-\d{2}$/.test(d)) throw new RangeError(`not a delivery day: ${d}`);
      return at.toMillis();
    });
  const from = start(day);
  // The next local midnight, by the calendar (a DST day is 23 or 25 hours long).
  const to = remembered(`${tz}\u0000${day}\u0000next`, () => DateTime.fromMillis(from, { zone: tz }).plus({ days: 1 }).toMillis());
  return { from: new Date(from), to: new Date(to) };
}

/** The local delivery days (`YYYY-MM-DD`) an interval touches, in order. */
export function deliveryDaysIn(interval: Interval, tz: string): string[] {
  const out: string[] = [];
  if (interval.to <= interval.from) return out;
  let day = DateTime.fromJSDate(interval.from, { zone: tz }).toISODate()!;
  const end = interval.to.getTime();
  // Bounded by the interval: one step per local day (the day bounds are remembered).
  while (deliveryDay(day, tz).from.getTime() < end) {
    out.push(day);
    day = nextDay(day);
  }
  return out;
}

/** The calendar day after `YYYY-MM-DD` (no time zone involved). */
function nextDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
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
  if (!isCalendarDuration(resolution)) {
    // Fixed steps in plain milliseconds: the ledger recounts days after every batch.
    const step = fixedDurationMs(resolution);
    if (step <= 0) throw new RangeError(`resolution ${resolution} has no length`);
    for (let t = day.from.getTime(); t < day.to.getTime(); t += step) out.push(new Date(t));
    return out;
  }
  for (let t = day.from; t < day.to; t = addDuration(t, resolution, tz)) out.push(t);
  return out;
}

function dueTimes(expected: ExpectedSlots, dayName: string, slots: readonly Date[], resolution: IsoDuration, tz: string): Date[] {
  const due = expected.due;
  if ('dayBefore' in due) {
    const m = /^(\d{2}):(\d{2})$/.exec(due.dayBefore);
    if (!m) throw new RangeError(`dayBefore must be HH:mm, got ${due.dayBefore}`);
    const at = new Date(
      remembered(`${tz}\u0000${dayName}\u0000${due.dayBefore}`, () =>
        DateTime.fromISO(dayName, { zone: tz }).minus({ days: 1 }).set({ hour: Number(m[1]), minute: Number(m[2]) }).toMillis()),
    );
    return slots.map(() => at);
  }
  if (!isCalendarDuration(resolution) && !isCalendarDuration(due.afterSlot)) {
    const after = fixedDurationMs(resolution) + fixedDurationMs(due.afterSlot);
    return slots.map((s) => new Date(s.getTime() + after));
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
  // Slots are contiguous: each ends where the next starts, the last one step on.
  const last = day.slots.at(-1);
  const lastEnd = last ? addDuration(last, day.resolution, tz) : undefined;
  day.series.forEach((series, i) => {
    const got = present[i] ?? new Set<number>();
    let run: Hole | null = null;
    day.slots.forEach((slot, j) => {
      const end = day.slots[j + 1] ?? lastEnd!;
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
