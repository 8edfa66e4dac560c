import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildLandedEvent, decodeLandedEvent, encodeLandedEvent } from './landed-events.ts';
import { ValidationError } from './errors.ts';

const sha = (c: string) => c.repeat(64);
const row = (dataset: string, seriesKey: string, ts: string, payload: string) => ({
  dataset, seriesKey, series: {}, ts: new Date(ts), resolution: 'PT60M', value: 1, unit: 'MW', payloadSha256: payload,
});

test('one event per batch: each dataset with its series keys and time range, and every payload', () => {
  const e = buildLandedEvent([
    row('a.x', 'area=1', '2025-03-30T01:00:00Z', sha('a')),
    row('a.x', 'area=2', '2025-03-30T00:00:00Z', sha('b')),
    row('b.y', 'area=1', '2025-03-30T05:00:00Z', sha('a')),
  ])!;
  assert.deepEqual(e.payloads, [sha('a'), sha('b')]);
  assert.deepEqual(e.datasets[0], { dataset: 'a.x', seriesKeys: ['area=1', 'area=2'], from: new Date('2025-03-30T00:00:00Z'), to: new Date('2025-03-30T01:00:00.001Z') });
  assert.equal(e.datasets[1]!.dataset, 'b.y');
  assert.deepEqual(decodeLandedEvent(encodeLandedEvent(e)), e);
});

test('an empty batch has no event; a malformed message is a ValidationError', () => {
  assert.equal(buildLandedEvent([]), null);
  assert.throws(() => decodeLandedEvent(new TextEncoder().encode('{"schema":"scalar.landed/v1","datasets":[],"payloads":[]}')), ValidationError);
  assert.throws(() => decodeLandedEvent(new TextEncoder().encode('nope')), ValidationError);
});
