// Time is UTC everywhere; intervals are half-open [from, to). Local calendars appear only where a
// source counts in them (a P1D step in Copenhagen is 23, 24 or 25 hours long).
import { DateTime, Duration } from 'luxon';
import { parseStrictInstant } from './strict.ts';

export type Interval = { from: Date; to: Date };

/** ISO 8601 durations the platform uses for resolutions, window spans, lookbacks and horizons. */
export type IsoDuration = string;

const DURATION_RE = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

export type DurationParts = {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
};

export function parseDuration(iso: IsoDuration): DurationParts {
  const m = DURATION_RE.exec(iso);
  if (!m || iso === 'P' || iso.endsWith('T')) throw new RangeError(`not an ISO 8601 duration: ${iso}`);
  const n = (i: number) => Number(m[i] ?? 0);
  return { years: n(1), months: n(2), weeks: n(3), days: n(4), hours: n(5), minutes: n(6), seconds: n(7) };
}

/** True when the duration has a calendar part (days or longer), whose length depends on the time zone. */
export function isCalendarDuration(iso: IsoDuration): boolean {
  const d = parseDuration(iso);
  return d.years + d.months + d.weeks + d.days > 0;
}

/** Milliseconds of a fixed-length duration (hours, minutes, seconds only). */
export function fixedDurationMs(iso: IsoDuration): number {
  const d = parseDuration(iso);
  if (isCalendarDuration(iso)) throw new RangeError(`${iso} has no fixed length; step it in a time zone`);
  return ((d.hours * 60 + d.minutes) * 60 + d.seconds) * 1000;
}

/** Approximate length of any duration (a day 24 h, a month 30 days, a year 365 days): for bounds, never for stepping. */
export function nominalDurationMs(iso: IsoDuration): number {
  const d = parseDuration(iso);
  return ((((d.years * 365 + d.months * 30 + d.weeks * 7 + d.days) * 24 + d.hours) * 60 + d.minutes) * 60 + d.seconds) * 1000;
}

/** `at` moved by `count` steps of `iso`; calendar steps are counted in `tz` (DST-aware). */
export function addDuration(at: Date, iso: IsoDuration, tz = 'UTC', count = 1): Date {
  if (!isCalendarDuration(iso)) return new Date(at.getTime() + count * fixedDurationMs(iso));
  const d = parseDuration(iso);
  const scaled = Object.fromEntries(Object.entries(d).map(([k, v]) => [k, v * count]));
  return DateTime.fromJSDate(at, { zone: tz }).plus(Duration.fromObject(scaled)).toJSDate();
}

/**
 * The start of the step of length `iso` that contains `at`. Fixed steps are aligned on the epoch in
 * UTC (a quarter-hour starts at :00/:15/:30/:45 in every zone Scalar covers); day steps on local
 * midnight in `tz`; longer steps on the local month/year start.
 */
export function floorTo(at: Date, iso: IsoDuration, tz = 'UTC'): Date {
  if (!isCalendarDuration(iso)) {
    const ms = fixedDurationMs(iso);
    return new Date(Math.floor(at.getTime() / ms) * ms);
  }
  const d = parseDuration(iso);
  const local = DateTime.fromJSDate(at, { zone: tz });
  const unit = d.years ? 'year' : d.months ? 'month' : d.weeks ? 'week' : 'day';
  return local.startOf(unit).toJSDate();
}

/** The start of the step containing `at`, or `at` itself when it is already a step start. */
export function ceilTo(at: Date, iso: IsoDuration, tz = 'UTC'): Date {
  const floor = floorTo(at, iso, tz);
  return floor.getTime() === at.getTime() ? floor : addDuration(floor, iso, tz);
}

/** Every step start in [from, to), stepping `iso` in `tz`. */
export function stepsIn(interval: Interval, iso: IsoDuration, tz = 'UTC'): Date[] {
  const out: Date[] = [];
  for (let t = interval.from; t < interval.to; t = addDuration(t, iso, tz)) out.push(t);
  return out;
}

/** Wall-clock time of `at` in `tz`, formatted as the naive `YYYY-MM-DDTHH:mm` many APIs take. */
export function toLocalNaive(at: Date, tz: string): string {
  return DateTime.fromJSDate(at, { zone: tz }).toFormat("yyyy-MM-dd'T'HH:mm");
}

/** A naive local wall-clock string read in `tz`; ambiguous fall-back times resolve to the earlier instant. */
export function fromLocalNaive(naive: string, tz: string): Date {
  const dt = DateTime.fromISO(naive, { zone: tz });
  if (!dt.isValid) throw new RangeError(`not a local time: ${naive} (${dt.invalidExplanation ?? ''})`);
  return dt.toJSDate();
}

/** A naive timestamp string that a source documents as UTC (`2025-10-26T01:15:00`), as an instant; null when it is not one (rolled-over dates, years before 1900). */
export function parseNaiveUtc(s: string): Date | null {
  try {
    return parseStrictInstant(s, 'timestamp', { naiveUtc: true });
  } catch {
    return null;
  }
}

/** ISO 8601 in UTC with a `Z`, seconds precision (`2025-10-01T22:00:00Z`). */
export function isoUtc(d: Date): string {
  return d.toISOString().replace(/\.000Z$/, 'Z');
}

export function formatInterval(i: Interval): string {
  return `${isoUtc(i.from)}/${isoUtc(i.to)}`;
}

/** Parses a CLI/config instant: a full ISO timestamp with a zone, or a date (UTC midnight); strictly (no 2023-02-30). */
export function parseInstant(s: string): Date {
  const withZone = /^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s;
  try {
    return parseStrictInstant(withZone, 'instant');
  } catch (e) {
    throw new RangeError(`not an ISO 8601 instant with a zone: ${s} (${(e as Error).message.replace(/^instant: /, '')})`);
  }
}

export function maxDate(a: Date, b: Date): Date {
  return a > b ? a : b;
}

export function minDate(a: Date, b: Date): Date {
  return a < b ? a : b;
}
