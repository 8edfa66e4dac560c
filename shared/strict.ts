// Strict reading of the values and instants every parser takes from a payload. `Number()` and
// `new Date()` accept far too much: hex (`0x1A` → 26), the empty string (→ 0), `Infinity`,
// rolled-over dates (`2023-02-30` → 2 March) and two-digit years (`Date.UTC(99, …)` → 1999).
// Each function here either returns exactly what the text says or throws a ParseError naming
// `where` and the offending text.
import { ParseError } from './errors.ts';
import { fixedDurationMs, isCalendarDuration } from './time.ts';

// Plain decimal notation with an optional exponent; nothing else is a number in a payload.
const DECIMAL_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

const shown = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v) : String(v));

/** A finite number written in decimal (a number already typed as one passes if finite); anything else is a ParseError. */
export function parseStrictNumber(text: unknown, where: string): number {
  if (typeof text === 'number') {
    if (Number.isFinite(text)) return text;
    throw new ParseError(`${where}: not a finite number: ${shown(text)}`);
  }
  if (typeof text !== 'string' || !DECIMAL_RE.test(text)) throw new ParseError(`${where}: not a decimal number: ${shown(text)}`);
  const n = Number(text);
  // 1e999 is decimal but not finite.
  if (!Number.isFinite(n)) throw new ParseError(`${where}: not a finite number: ${shown(text)}`);
  return n;
}

/** A non-negative integer in plain digits (positions, counts). */
export function parseStrictInteger(text: unknown, where: string): number {
  const s = typeof text === 'number' ? String(text) : text;
  if (typeof s !== 'string' || !/^\d{1,15}$/.test(s)) throw new ParseError(`${where}: not a whole number: ${shown(text)}`);
  return Number(s);
}

// yyyy-MM-ddTHH:mm[:ss[.fff]] followed by Z or ±HH:MM (zone required unless `naiveUtc`).
const INSTANT_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysInMonth = (year: number, month: number) =>
  month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : DAYS_IN_MONTH[month - 1]!;

/** The earliest year accepted: no market data is older, and it keeps `0099` from meaning anything. */
export const MIN_YEAR = 1900;

export type InstantOptions = {
  /** The text has no zone and the source documents it as UTC. */
  naiveUtc?: boolean;
};

/**
 * An ISO 8601 instant, read exactly: four-digit year from 1900, a real calendar date and clock
 * time (no 24:00, no 2023-02-30), a zone `Z` or `±HH:MM` (unless `naiveUtc`).
 */
export function parseStrictInstant(text: unknown, where: string, options: InstantOptions = {}): Date {
  const m = typeof text === 'string' ? INSTANT_RE.exec(text) : null;
  if (!m) throw new ParseError(`${where}: not an ISO 8601 instant: ${shown(text)}`);
  const zone = m[8];
  if (!zone && !options.naiveUtc) throw new ParseError(`${where}: instant has no zone: ${shown(text)}`);
  if (zone && options.naiveUtc) throw new ParseError(`${where}: expected a naive UTC instant: ${shown(text)}`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0').slice(0, 3));
  if (year < MIN_YEAR) throw new ParseError(`${where}: year ${m[1]} is out of range: ${shown(text)}`);
  // Checked field by field rather than by rolling a Date and reading it back (a parse's hot path):
  // no 2023-02-30, no 24:00, no second 60.
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    throw new ParseError(`${where}: no such date or time: ${shown(text)}`);
  }
  // Years from MIN_YEAR: Date.UTC's mapping of 0–99 to 1900–1999 cannot apply.
  const d = new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
  if (zone && zone !== 'Z') {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 14 || om > 59) throw new ParseError(`${where}: no such UTC offset: ${shown(text)}`);
    const sign = zone[0] === '+' ? 1 : -1;
    d.setTime(d.getTime() - sign * (oh * 60 + om) * 60_000);
  }
  return d;
}

/**
 * Throws unless `at` starts a step of `resolution`: fixed resolutions on the UTC epoch grid (every
 * zone Scalar covers is a whole number of hours from UTC, so a quarter-hour starts at :00/:15/:30/:45
 * everywhere); calendar ones (P1D and longer) at least on the quarter-hour grid, since their local
 * midnight depends on a zone the payload may not name.
 */
export function assertOnGrid(at: Date, resolution: string, where: string): void {
  const step = isCalendarDuration(resolution) ? 900_000 : fixedDurationMs(resolution);
  if (step > 0 && at.getTime() % step !== 0) {
    throw new ParseError(`${where}: ${at.toISOString()} is not on the ${resolution} grid`);
  }
}

// EIC: 2-digit issuing office, object type letter, 12 characters, check character.
const EIC_RE = /^\d{2}[A-Z][A-Z0-9-]{12}[A-Z0-9-]$/;
const eicValue = (c: string) => (c === '-' ? 36 : c <= '9' ? c.charCodeAt(0) - 48 : c.charCodeAt(0) - 55);

/** True when `code` is a well-formed Energy Identification Code whose check character is right. */
export function isEic(code: string): boolean {
  if (!EIC_RE.test(code)) return false;
  let sum = 0;
  for (let i = 0; i < 15; i++) sum += eicValue(code[i]!) * (16 - i);
  const r = 36 - ((sum - 1) % 37);
  const check = r === 36 ? '-' : r < 10 ? String(r) : String.fromCharCode(55 + r);
  return check === code[15];
}

/** `code` if it is a valid EIC; otherwise a ParseError naming it. */
export function parseEic(code: string, where: string): string {
  if (!isEic(code)) throw new ParseError(`${where}: not a valid EIC area code: ${shown(code)}`);
  return code;
}
