import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fillDayAhead, fillIntraday, periodPrice, type PricePoint } from './fills.ts';
import { gateClosure, type Order } from './order.ts';

const t = (s: string) => new Date(s);
const slot = (start: string, minutes: number, price: number | null, extra: Partial<PricePoint> = {}): PricePoint => ({
  dataset: 'test.da', zone: 'DE-LU', start: t(start), end: new Date(t(start).getTime() + minutes * 60_000), price, currency: 'EUR', ...extra,
});
const order = (o: Partial<Order> = {}): Order => {
  const deliveryStart = o.deliveryStart ?? t('2026-01-15T10:00:00Z');
  const market = o.market ?? 'day_ahead';
  return {
    id: 'o1', strategy: 's', book: 's', trader: 'paper', desk: 'power', market, zone: 'DE-LU', deliveryStart,
    deliveryEnd: o.deliveryEnd ?? new Date(deliveryStart.getTime() + 3_600_000), side: 'buy', quantityMw: 5, limitPrice: 30, currency: 'EUR',
    status: 'open', reason: null, placedAt: t('2026-01-14T09:00:00Z'), gateClosure: gateClosure(market, deliveryStart), source: 'test', updatedAt: t('2026-01-14T09:00:00Z'),
    ...o,
  };
};

describe('gate closure', () => {
  it('closes the day-ahead auction at 12:00 Brussels time the day before the local delivery day', () => {
    assert.equal(gateClosure('day_ahead', t('2026-01-15T10:00:00Z')).toISOString(), '2026-01-14T11:00:00.000Z');
    // Local midnight (23:00 UTC the day before) belongs to the next local day.
    assert.equal(gateClosure('day_ahead', t('2026-01-14T23:00:00Z')).toISOString(), '2026-01-14T11:00:00.000Z');
    assert.equal(gateClosure('day_ahead', t('2026-07-15T10:00:00Z')).toISOString(), '2026-07-14T10:00:00.000Z');
  });

  it('takes the offset of the gate day, not of delivery, across both DST switches', () => {
    // Spring forward on 2026-03-29: the gate on the 28th is still CET (11:00 UTC), the one on the 29th CEST (10:00 UTC).
    assert.equal(gateClosure('day_ahead', t('2026-03-29T10:00:00Z')).toISOString(), '2026-03-28T11:00:00.000Z');
    assert.equal(gateClosure('day_ahead', t('2026-03-30T08:00:00Z')).toISOString(), '2026-03-29T10:00:00.000Z');
    // Fall back on 2026-10-25: its first local hour starts at 22:00 UTC on the 24th, gate 12:00 CEST on the 24th.
    assert.equal(gateClosure('day_ahead', t('2026-10-24T22:00:00Z')).toISOString(), '2026-10-24T10:00:00.000Z');
    assert.equal(gateClosure('day_ahead', t('2026-10-25T23:30:00Z')).toISOString(), '2026-10-25T11:00:00.000Z');
  });

  it('closes intraday a declared lead before delivery', () => {
    assert.equal(gateClosure('intraday', t('2026-10-25T01:15:00Z')).toISOString(), '2026-10-25T00:15:00.000Z');
    assert.equal(gateClosure('intraday', t('2026-10-25T01:15:00Z'), 5 * 60_000).toISOString(), '2026-10-25T01:10:00.000Z');
  });
});

describe('period price', () => {
  it('is the mean of quarter-hours that tile the hour, and nothing when one is missing or null', () => {
    const q = [slot('2026-01-15T10:00:00Z', 15, 10), slot('2026-01-15T10:15:00Z', 15, 20), slot('2026-01-15T10:30:00Z', 15, 30), slot('2026-01-15T10:45:00Z', 15, 40)];
    assert.equal(periodPrice([q], t('2026-01-15T10:00:00Z'), t('2026-01-15T11:00:00Z'))?.price, 25);
    assert.equal(periodPrice([q.filter((_, i) => i !== 2)], t('2026-01-15T10:00:00Z'), t('2026-01-15T11:00:00Z')), null);
    assert.equal(periodPrice([q.map((p, i) => (i === 1 ? { ...p, price: null } : p))], t('2026-01-15T10:00:00Z'), t('2026-01-15T11:00:00Z')), null);
  });

  it('prefers the series whose step is the period', () => {
    const q = [0, 15, 30, 45].map((m) => slot(`2026-01-15T10:${String(m).padStart(2, '0')}:00Z`, 15, 10));
    assert.equal(periodPrice([q, [slot('2026-01-15T10:00:00Z', 60, 99)]], t('2026-01-15T10:00:00Z'), t('2026-01-15T11:00:00Z'))?.price, 99);
  });
});

describe('day-ahead fills', () => {
  const prices = [[slot('2026-01-15T10:00:00Z', 60, 25)]];
  const after = t('2026-01-14T12:00:00Z');

  it('waits for the auction: nothing before gate closure, even with a price in the store', () => {
    assert.equal(fillDayAhead(order(), prices, t('2026-01-14T10:59:00Z')), null);
  });

  it('waits for the clearing price once the gate closed', () => {
    assert.equal(fillDayAhead(order(), [], after), null);
  });

  it('fills a buy at the clearing price when it is at or below the limit, the whole quantity', () => {
    const r = fillDayAhead(order({ limitPrice: 30 }), prices, after)!;
    assert.equal(r.order.status, 'filled');
    assert.deepEqual([r.fill!.price, r.fill!.quantityMw, r.fill!.side, r.fill!.priceSource], [25, 5, 'buy', 'test.da']);
    assert.equal(fillDayAhead(order({ limitPrice: 25 }), prices, after)!.order.status, 'filled');
  });

  it('expires a buy whose limit is below the clearing price, and a sell whose limit is above it', () => {
    const buy = fillDayAhead(order({ limitPrice: 24.99 }), prices, after)!;
    assert.equal(buy.order.status, 'expired');
    assert.equal(buy.fill, null);
    assert.match(buy.order.reason!, /clearing price 25 EUR\/MWh above limit 24.99/);
    assert.equal(fillDayAhead(order({ side: 'sell', limitPrice: 26 }), prices, after)!.order.status, 'expired');
    assert.equal(fillDayAhead(order({ side: 'sell', limitPrice: 25 }), prices, after)!.fill!.price, 25);
  });

  it('gives the same fill id on a re-run', () => {
    assert.equal(fillDayAhead(order(), prices, after)!.fill!.id, fillDayAhead(order(), prices, t('2026-01-15T00:00:00Z'))!.fill!.id);
  });
});

describe('intraday fills', () => {
  const o = order({ market: 'intraday', placedAt: t('2026-01-15T06:00:00Z'), side: 'sell', limitPrice: 50 });
  const print = (at: string, price: number) => slot('2026-01-15T10:00:00Z', 60, price, { dataset: 'test.id', at: t(at) });

  it('fills against the first later print within the limit, at the print price and time', () => {
    const r = fillIntraday(o, [print('2026-01-15T05:00:00Z', 80), print('2026-01-15T07:00:00Z', 45), print('2026-01-15T07:30:00Z', 52), print('2026-01-15T08:00:00Z', 60)], t('2026-01-15T09:00:00Z'))!;
    assert.equal(r.order.status, 'filled');
    assert.equal(r.fill!.price, 52);
    assert.equal(r.fill!.filledAt.toISOString(), '2026-01-15T07:30:00.000Z');
  });

  it('ignores prints before the order, after gate closure, or for another period', () => {
    const other = { ...print('2026-01-15T07:00:00Z', 90), start: t('2026-01-15T11:00:00Z'), end: t('2026-01-15T12:00:00Z') };
    assert.equal(fillIntraday(o, [print('2026-01-15T05:59:59Z', 90), print('2026-01-15T09:00:01Z', 90), other], t('2026-01-15T08:00:00Z')), null);
  });

  it('expires at gate closure (delivery start − 1 h) when nothing filled it', () => {
    assert.equal(fillIntraday(o, [print('2026-01-15T07:00:00Z', 40)], t('2026-01-15T08:59:59Z')), null);
    const r = fillIntraday(o, [print('2026-01-15T07:00:00Z', 40)], t('2026-01-15T09:00:00Z'))!;
    assert.equal(r.order.status, 'expired');
    assert.match(r.order.reason!, /gate closure 2026-01-15T09:00:00.000Z/);
  });

  it('expires at a DST night\'s gate: the 02:00 CET hour on fall-back day is two UTC hours', () => {
    // 2026-10-25: 02:00–03:00 CEST is 00:00Z, 02:00–03:00 CET is 01:00Z; each has its own gate an hour earlier.
    const first = order({ market: 'intraday', deliveryStart: t('2026-10-25T00:00:00Z'), placedAt: t('2026-10-24T20:00:00Z') });
    const second = order({ market: 'intraday', deliveryStart: t('2026-10-25T01:00:00Z'), placedAt: t('2026-10-24T20:00:00Z') });
    assert.equal(fillIntraday(first, [], t('2026-10-24T23:00:00Z'))!.order.status, 'expired');
    assert.equal(fillIntraday(second, [], t('2026-10-24T23:00:00Z')), null);
    assert.equal(fillIntraday(second, [], t('2026-10-25T00:00:00Z'))!.order.status, 'expired');
  });
});
