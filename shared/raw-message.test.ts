import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ValidationError } from './errors.ts';
import { rawProperties, readRawMessage, sha256Hex } from './raw-message.ts';

const body = new TextEncoder().encode('{"records":[]}');
const good = rawProperties({
  provider: 'energinet',
  dataset: 'energinet.day_ahead_prices',
  partition: 'DK1',
  window: { from: new Date('2025-11-04T23:00:00Z'), to: new Date('2025-11-05T23:00:00Z') },
  runId: 'run-1',
  fetchedAt: new Date('2025-11-05T14:00:00Z'),
  contentType: 'application/json',
  sha256: sha256Hex(body),
}) as Record<string, string>;

describe('raw message validation', () => {
  it('reads a well-formed message back', () => {
    const raw = readRawMessage(good, body);
    assert.equal(raw.window.from.toISOString(), '2025-11-04T23:00:00.000Z');
  });

  const bad: [string, Record<string, string>, RegExp][] = [
    ['a rolled-over instant', { ...good, 'window-to': '2025-02-30T00:00:00.000Z' }, /window-to: an ISO instant in UTC/],
    ['an instant with an offset', { ...good, 'window-from': '2025-11-04T23:00:00+01:00' }, /window-from: an ISO instant in UTC/],
    ['a reversed window', { ...good, 'window-from': good['window-to']!, 'window-to': good['window-from']! }, /window .* is empty or reversed/],
    ['a missing property', Object.fromEntries(Object.entries(good).filter(([k]) => k !== 'dataset')), /dataset:/],
    ['another body', { ...good, sha256: sha256Hex(new Uint8Array([1])) }, /sha256 mismatch/],
  ];
  for (const [what, properties, message] of bad) {
    it(`refuses ${what} with a ValidationError`, () => {
      assert.throws(() => readRawMessage(properties, body), (e: unknown) => e instanceof ValidationError && message.test(e.message));
    });
  }

  it('fuzz: arbitrary properties and bodies give a payload or a ValidationError, never another error', () => {
    const value = fc.oneof(fc.string(), fc.constantFrom(...Object.values(good)), fc.constant('2023-02-30T00:00:00Z'));
    const properties = fc.oneof(
      fc.dictionary(fc.oneof(fc.constantFrom(...Object.keys(good)), fc.string()), value),
      fc.record(Object.fromEntries(Object.keys(good).map((k) => [k, fc.oneof(fc.constant(good[k]!), value)]))),
    );
    fc.assert(
      fc.property(properties, fc.oneof(fc.constant(body), fc.uint8Array({ maxLength: 64 })), (p, b) => {
        try {
          const raw = readRawMessage(p as Record<string, string>, b);
          assert.ok(raw.window.from < raw.window.to && !Number.isNaN(raw.fetchedAt.getTime()));
        } catch (e) {
          if (!(e instanceof ValidationError)) throw e;
        }
      }),
      { numRuns: 500 },
    );
  });
});
