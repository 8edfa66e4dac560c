import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addDuration, ceilTo, floorTo, fromLocalNaive, parseDuration, parseInstant, parseNaiveUtc, stepsIn, toLocalNaive } from './time.ts';

const d = (s: string) => new Date(s);
const CPH = 'Europe/Copenhagen';

describe('time', () => {
  it('parses ISO durations and rejects garbage', () => {
    assert.deepEqual(parseDuration('PT15M'), { years: 0, months: 0, weeks: 0, days: 0, hours: 0, minutes: 15, seconds: 0 });
    assert.equal(parseDuration('P1Y').years, 1);
    for (const bad of ['P', 'PT', '15M', 'P1H', 'PT1.5H']) assert.throws(() => parseDuration(bad), RangeError, bad);
  });

  it('counts a day step in local time: 23, 24 and 25 hours around the Danish DST changes', () => {
    const hours = (from: string) => (addDuration(d(from), 'P1D', CPH).getTime() - d(from).getTime()) / 3_600_000;
    assert.equal(hours('2026-03-28T23:00:00Z'), 23); // 2026-03-29 local
    assert.equal(hours('2025-10-25T22:00:00Z'), 25); // 2025-10-26 local
    assert.equal(hours('2025-11-04T23:00:00Z'), 24);
  });

  it('has 92, 96 and 100 quarter-hours in the local days around DST', () => {
    const q = (from: string) => stepsIn({ from: d(from), to: addDuration(d(from), 'P1D', CPH) }, 'PT15M').length;
    assert.equal(q('2026-03-28T23:00:00Z'), 92);
    assert.equal(q('2025-11-04T23:00:00Z'), 96);
    assert.equal(q('2025-10-25T22:00:00Z'), 100);
  });

  it('floors and ceils to local midnight and to quarter-hours', () => {
    assert.equal(floorTo(d('2025-10-26T12:34:00Z'), 'P1D', CPH).toISOString(), '2025-10-25T22:00:00.000Z');
    assert.equal(floorTo(d('2025-10-27T12:34:00Z'), 'P1D', CPH).toISOString(), '2025-10-26T23:00:00.000Z');
    assert.equal(floorTo(d('2025-10-27T12:34:56Z'), 'PT15M').toISOString(), '2025-10-27T12:30:00.000Z');
    assert.equal(ceilTo(d('2025-10-27T12:30:00Z'), 'PT15M').toISOString(), '2025-10-27T12:30:00.000Z');
    assert.equal(ceilTo(d('2025-10-27T12:30:01Z'), 'PT15M').toISOString(), '2025-10-27T12:45:00.000Z');
  });

  it('converts to and from Danish wall-clock time', () => {
    assert.equal(toLocalNaive(d('2025-10-25T22:00:00Z'), CPH), '2025-10-26T00:00');
    assert.equal(toLocalNaive(d('2026-03-29T01:00:00Z'), CPH), '2026-03-29T03:00');
    assert.equal(fromLocalNaive('2025-10-26T00:00', CPH).toISOString(), '2025-10-25T22:00:00.000Z');
  });

  it('reads naive UTC strings strictly', () => {
    assert.equal(parseNaiveUtc('2025-10-26T01:15:00')?.toISOString(), '2025-10-26T01:15:00.000Z');
    assert.equal(parseNaiveUtc('2025-02-30T00:00:00'), null);
    assert.equal(parseNaiveUtc('2025-10-26 01:15'), null);
    assert.equal(parseNaiveUtc('2025-10-26T01:15:00Z'), null);
  });

  it('takes CLI instants only with a zone (a bare date is UTC midnight)', () => {
    assert.equal(parseInstant('2025-10-01').toISOString(), '2025-10-01T00:00:00.000Z');
    assert.equal(parseInstant('2025-10-01T02:00:00+02:00').toISOString(), '2025-10-01T00:00:00.000Z');
    assert.throws(() => parseInstant('2025-10-01T02:00:00'), RangeError);
    assert.throws(() => parseInstant('2023-02-30'), /2023-02-30.*no such date/);
    assert.throws(() => parseInstant('0099-01-01'), RangeError);
    assert.equal(parseNaiveUtc('0099-10-26T01:15:00'), null);
  });
});
