import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParseError } from './errors.ts';
import { assertOnGrid, isEic, parseStrictInstant, parseStrictInteger, parseStrictNumber } from './strict.ts';

const parseError = (message: RegExp) => (e: unknown) => e instanceof ParseError && message.test(e.message);

describe('parseStrictNumber', () => {
  it('reads plain decimals, signs and exponents', () => {
    assert.deepEqual(['12', '-5.5', '+0.25', '.5', '1.', '1e3', '-2.5E-2'].map((s) => parseStrictNumber(s, 'v')), [12, -5.5, 0.25, 0.5, 1, 1000, -0.025]);
    assert.equal(parseStrictNumber(7.5, 'v'), 7.5);
  });
  for (const bad of ['0x1A', '', ' ', ' 12', '12 ', 'Infinity', '-Infinity', 'NaN', '1e999', '1,5', '0b11', '0o7', '1_000', '١٢']) {
    it(`refuses ${JSON.stringify(bad)}, naming it`, () => {
      assert.throws(() => parseStrictNumber(bad, 'price'), (e: unknown) => e instanceof ParseError && /^price: not a (decimal|finite) number: /.test(e.message) && e.message.endsWith(JSON.stringify(bad)));
    });
  }
  it('refuses non-finite numbers and non-strings', () => {
    assert.throws(() => parseStrictNumber(Number.NaN, 'v'), ParseError);
    assert.throws(() => parseStrictNumber(undefined, 'v'), ParseError);
    assert.throws(() => parseStrictNumber(null, 'v'), ParseError);
  });
});

describe('parseStrictInteger', () => {
  it('reads digits only', () => {
    assert.equal(parseStrictInteger('42', 'p'), 42);
    for (const bad of ['0x2', '-1', '1.0', '', '1e2', ' 1']) assert.throws(() => parseStrictInteger(bad, 'p'), ParseError, bad);
  });
});

describe('parseStrictInstant', () => {
  it('reads instants with Z or an offset, with or without seconds and fractions', () => {
    assert.equal(parseStrictInstant('2025-10-26T01:15Z', 't').toISOString(), '2025-10-26T01:15:00.000Z');
    assert.equal(parseStrictInstant('2025-10-26T03:15:00+02:00', 't').toISOString(), '2025-10-26T01:15:00.000Z');
    assert.equal(parseStrictInstant('2025-10-26T01:15:59.5Z', 't').toISOString(), '2025-10-26T01:15:59.500Z');
    assert.equal(parseStrictInstant('2024-02-29T00:00:00', 't', { naiveUtc: true }).toISOString(), '2024-02-29T00:00:00.000Z');
  });
  const bad: [string, RegExp][] = [
    ['2023-02-30T00:00Z', /no such date or time/],
    ['2023-02-29T00:00Z', /no such date or time/],
    ['2023-01-01T24:00Z', /no such date or time/],
    ['2023-01-01T12:60Z', /no such date or time/],
    ['0099-01-01T00:00Z', /year 0099 is out of range/],
    ['99-01-01T00:00Z', /not an ISO 8601 instant/],
    ['2023-01-01T00:00', /has no zone/],
    ['2023-01-01T00:00+25:00', /no such UTC offset/],
    ['2023-01-01', /not an ISO 8601 instant/],
    ['', /not an ISO 8601 instant/],
  ];
  for (const [text, message] of bad) {
    it(`refuses ${JSON.stringify(text)}`, () => assert.throws(() => parseStrictInstant(text, 't'), parseError(message)));
  }
  it('years 0–99 are never read as 1900–1999', () => {
    assert.throws(() => parseStrictInstant('0099-12-31T00:00:00', 't', { naiveUtc: true }), parseError(/year 0099/));
  });
});

describe('assertOnGrid', () => {
  it('accepts slot starts and refuses instants off the resolution grid', () => {
    assertOnGrid(new Date('2025-10-26T23:15:00Z'), 'PT15M', 'x');
    assertOnGrid(new Date('2025-10-26T22:00:00Z'), 'P1D', 'x');
    assert.throws(() => assertOnGrid(new Date('2025-10-26T23:15:59.999Z'), 'PT15M', 'x'), parseError(/x: 2025-10-26T23:15:59.999Z is not on the PT15M grid/));
    assert.throws(() => assertOnGrid(new Date('2025-10-26T23:15:00Z'), 'PT60M', 'x'), ParseError);
    assert.throws(() => assertOnGrid(new Date('2025-10-26T22:05:00Z'), 'P1D', 'x'), ParseError);
  });
});

describe('isEic', () => {
  it('accepts real area codes and refuses a wrong check character, lower case or control characters', () => {
    for (const code of ['10YFR-RTE------C', '10Y1001A1001A82H', '10YDK-1--------W', '10YLV-1001A00074']) assert.equal(isEic(code), true, code);
    for (const code of ['10YFR-RTE------D', '10yfr-rte------c', '10YFR-RTE\u0001-----C', '10YFR-RTE-----C', 'DK1', '']) assert.equal(isEic(code), false, JSON.stringify(code));
  });
});
