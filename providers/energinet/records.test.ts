import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParseError } from '../../shared/errors.ts';
import { parseRecords, type RecordLayout } from './records.ts';

const WIDE: RecordLayout = {
  datasetId: 'energinet.test_wide',
  apiName: 'TestWide',
  timeField: 'Minutes5UTC',
  issuedField: 'TimestampUTC',
  resolution: 'PT5M',
  keys: { PriceArea: 'area' },
  values: { wide: { dimension: 'metric', unitOf: () => 'MW' } },
};
const body = (records: unknown) => new TextEncoder().encode(JSON.stringify({ total: 1, dataset: 'TestWide', records }));
const record = (extra: Record<string, unknown>) => ({ Minutes5UTC: '2025-10-26T01:05:00', Minutes5DK: '2025-10-26T02:05:00', PriceArea: 'DK1', TimestampUTC: null, ...extra });

describe('energinet record parser', () => {
  it('turns every non-time, non-key field into a series, in record order; *DK and *UTC fields are never values', () => {
    const obs = parseRecords(WIDE, body([record({ A: 1.5, B: null, C: 0, OtherUTC: '2025-10-26T01:05:00', ValueDK: 'x' })]));
    assert.deepEqual(obs.map((o) => [o.series, o.ts.toISOString(), o.value]), [
      [{ area: 'DK1', metric: 'A' }, '2025-10-26T01:05:00.000Z', 1.5],
      [{ area: 'DK1', metric: 'B' }, '2025-10-26T01:05:00.000Z', null],
      [{ area: 'DK1', metric: 'C' }, '2025-10-26T01:05:00.000Z', 0],
    ]);
    assert.ok(obs.every((o) => !('issued' in o)), 'a null TimestampUTC leaves issued unset');
  });

  const bad: [string, unknown, RegExp][] = [
    ['a numeric string', '12', /TestWide record 0: A is not a number: "12"/],
    ['an empty string', '', /TestWide record 0: A is not a number: ""/],
    ['the string NaN', 'NaN', /TestWide record 0: A is not a number: "NaN"/],
    ['a hex string', '0x1F', /TestWide record 0: A is not a number: "0x1F"/],
    ['a boolean', true, /TestWide record 0: A is not a number: true/],
    ['an object', { v: 1 }, /TestWide record 0: A is not a number: \{"v":1\}/],
  ];
  for (const [what, v, message] of bad) {
    it(`rejects ${what} as a value, naming dataset, record and field`, () => {
      assert.throws(() => parseRecords(WIDE, body([record({ A: v })])), (e: unknown) => e instanceof ParseError && message.test(e.message));
    });
  }

  it('rejects a bare NaN token (not JSON), a missing key, a bad issue time, a record that is not an object', () => {
    const cases: [Uint8Array, RegExp][] = [
      [new TextEncoder().encode('{"total":1,"dataset":"TestWide","records":[{"Minutes5UTC":"2025-10-26T01:05:00","PriceArea":"DK1","A":NaN}]}'), /not a JSON document/],
      [body([record({ PriceArea: null, A: 1 })]), /TestWide record 0: PriceArea is missing or not a string: null/],
      [body([record({ TimestampUTC: '2025-10-26 01:05', A: 1 })]), /TestWide record 0: TimestampUTC is not a timestamp: "2025-10-26 01:05"/],
      [body([record({ A: 1 }), 7]), /records\.1: expected a record object, got 7/],
      [new TextEncoder().encode(JSON.stringify({ total: 0, dataset: 'Other', records: [] })), /expected dataset TestWide, the response holds Other/],
    ];
    for (const [b, message] of cases) assert.throws(() => parseRecords(WIDE, b), (e: unknown) => e instanceof ParseError && message.test(e.message), String(message));
  });

  it('accepts a bare record array and an empty window', () => {
    assert.equal(parseRecords(WIDE, JSON.stringify([record({ A: 2 })]))[0]?.value, 2);
    assert.deepEqual(parseRecords(WIDE, body([])), []);
  });
});
