// Property-based fuzzing of a payload parser (fast-check): on arbitrary bytes and on mutations of
// real fixtures, a parser either returns valid observations (value a finite number or null, ts a
// valid instant that prints with `Z`, a known resolution) or throws a typed error (ParseError,
// ValidationError) — never a TypeError or RangeError, never more than a second per MB.
// `fuzzParser` registers node:test cases, so a provider gets fuzzed by one call in its test.
import { it } from 'node:test';
import fc from 'fast-check';
import { ParseError, ValidationError } from './errors.ts';
import type { Observation } from './observation.ts';
import { isoUtc } from './time.ts';

// PT0S: an instant without duration (intraday trades and tick statistics).
export const KNOWN_RESOLUTIONS: ReadonlySet<string> = new Set(['PT0S', 'PT1M', 'PT5M', 'PT15M', 'PT30M', 'PT60M', 'PT3H', 'PT6H', 'PT12H', 'P1D', 'P7D', 'P1W', 'P1M', 'P3M', 'P1Y']);

export type FuzzTarget = {
  name: string;
  /** Bytes in, observations out; throws a typed error for bad input. */
  parse: (body: Uint8Array) => readonly Observation[];
  /** Real payloads to mutate. */
  fixtures: readonly Uint8Array[];
  /** Errors that count as a proper refusal (default: ParseError, ValidationError). */
  accepts?: (e: unknown) => boolean;
  /** Runs per property (FUZZ_RUNS in the environment multiplies them, for a long local run). */
  runs?: number;
};

const typed = (e: unknown) => e instanceof ParseError || e instanceof ValidationError;

/** Text that parsers must refuse or read exactly: hex, empty, non-finite, rolled-over or far dates. */
const HOSTILE = ['0x1A', '', ' ', '-', 'NaN', 'Infinity', '1e999', '-0', '1,5', '٣', '9999-12-31T23:00Z', '0099-01-01T00:00Z', '2023-02-30T00:00Z', '2023-02-30T00:00:00', '\u0000', '<', '&amp;', '"', 'null', '[]', '{}', '999999999999999999999'];

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'delete'; at: number; len: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'duplicate'; at: number; len: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'number'; at: number; text: string }
  | { kind: 'digit'; at: number; digit: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 2048 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  // The most telling mutations: a number or date in the payload replaced by hostile text, or one
  // of its digits changed (a year 2023 that becomes 9023 asks for millions of slots).
  fc.record({ kind: fc.constant('number' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 8 })) }),
  fc.record({ kind: fc.constant('digit' as const), at: fc.nat(), digit: fc.integer({ min: 0, max: 9 }) }),
  fc.record({ kind: fc.constant('digit' as const), at: fc.nat(), digit: fc.integer({ min: 0, max: 9 }) }),
);

const encoder = new TextEncoder();

function mutate(body: Uint8Array, m: Mutation): Uint8Array {
  if (body.length === 0) return m.kind === 'insert' ? m.bytes : body;
  const at = m.at % body.length;
  const join = (...parts: Uint8Array[]) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  };
  switch (m.kind) {
    case 'flip': {
      const out = body.slice();
      out[at] = out[at]! ^ (1 << m.bit);
      return out;
    }
    case 'delete':
      return join(body.subarray(0, at), body.subarray(at + m.len));
    case 'insert':
      return join(body.subarray(0, at), m.bytes, body.subarray(at));
    case 'duplicate':
      return join(body.subarray(0, at + m.len), body.subarray(at, at + m.len), body.subarray(at + m.len));
    case 'truncate':
      return body.subarray(0, at);
    case 'digit': {
      let i = at;
      while (i < body.length && !(body[i]! >= 0x30 && body[i]! <= 0x39)) i++;
      if (i === body.length) return body;
      const out = body.slice();
      out[i] = 0x30 + m.digit;
      return out;
    }
    case 'number': {
      // The next run of digits (with sign, dot, exponent, date punctuation) from `at`.
      let start = at;
      while (start < body.length && !(body[start]! >= 0x30 && body[start]! <= 0x39)) start++;
      if (start === body.length) return body;
      let end = start;
      while (end < body.length && /[0-9.eE:TZ+-]/.test(String.fromCharCode(body[end]!))) end++;
      return join(body.subarray(0, start), encoder.encode(m.text), body.subarray(end));
    }
  }
}

/** Throws unless `parse(body)` gave valid observations or a typed error, in bounded time. */
export function checkParse(target: Pick<FuzzTarget, 'name' | 'parse' | 'accepts'>, body: Uint8Array): void {
  const accepts = target.accepts ?? typed;
  // CPU time, not wall time: what a parse costs, whatever else the machine runs meanwhile (a
  // starved process once took 1.2 s of wall time on a small input that parses in milliseconds).
  const started = process.cpuUsage();
  let observations: readonly Observation[] | undefined;
  try {
    observations = target.parse(body);
  } catch (e) {
    if (!accepts(e)) {
      const err = e as Error;
      throw new Error(`${target.name}: untyped ${err?.name ?? typeof e} on a ${body.length}-byte input: ${err?.message ?? String(e)}\n${err?.stack ?? ''}`);
    }
  }
  const spent = process.cpuUsage(started);
  const ms = (spent.user + spent.system) / 1000;
  // A second per MB, with a floor of a second for small inputs (startup, JIT, garbage collection).
  const budget = Math.max(1000, (body.length / 1e6) * 1000);
  if (ms > budget) throw new Error(`${target.name}: ${body.length} bytes took ${Math.round(ms)} ms of CPU (budget ${Math.round(budget)} ms)`);
  for (const o of observations ?? []) {
    const where = `${target.name}: observation ${JSON.stringify({ ...o, ts: String(o.ts) })}`;
    if (!(o.value === null || (typeof o.value === 'number' && Number.isFinite(o.value)))) throw new Error(`${where}: value is not a finite number or null`);
    if (!(o.ts instanceof Date) || Number.isNaN(o.ts.getTime())) throw new Error(`${where}: ts is not a valid instant`);
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/.test(isoUtc(o.ts))) throw new Error(`${where}: ts does not print as a UTC instant with Z`);
    if (!KNOWN_RESOLUTIONS.has(o.resolution)) throw new Error(`${where}: unknown resolution ${o.resolution}`);
    if (Object.values(o.series).some((v) => typeof v !== 'string' || v === '')) throw new Error(`${where}: a series dimension is empty or not text`);
  }
}

/** Registers the fuzz properties of one parser as node:test cases. */
export function fuzzParser(target: FuzzTarget): void {
  const scale = Math.max(1, Number(process.env.FUZZ_RUNS ?? 1) || 1);
  const runs = Math.round((target.runs ?? 150) * scale);
  it(`${target.name}: arbitrary bytes give observations or a typed error`, () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => checkParse(target, bytes)), { numRuns: runs });
  });
  if (target.fixtures.length === 0) return;
  it(`${target.name}: mutated real payloads give valid observations or a typed error`, () => {
    const fixture = fc.integer({ min: 0, max: target.fixtures.length - 1 }).map((i) => target.fixtures[i]!);
    fc.assert(
      fc.property(fixture, fc.array(mutation, { minLength: 1, maxLength: 4 }), (body, ms) => checkParse(target, ms.reduce(mutate, body))),
      { numRuns: runs * 2 },
    );
  });
  it(`${target.name}: every fixture itself parses to valid observations`, () => {
    for (const f of target.fixtures) checkParse(target, f);
  });
}
