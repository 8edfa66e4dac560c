import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Fill } from './order.ts';
import { valuate, type Marks } from './valuation.ts';

const t = (s: string) => new Date(s);
let n = 0;
const fill = (f: Partial<Fill> & Pick<Fill, 'market' | 'side' | 'quantityMw' | 'price'>): Fill => ({
  id: `f${++n}`, orderId: `o${n}`, book: 'b', trader: 'paper', desk: 'power', zone: 'DE-LU',
  deliveryStart: t('2026-01-15T10:00:00Z'), deliveryEnd: t('2026-01-15T11:00:00Z'), currency: 'EUR', filledAt: t('2026-01-14T12:00:00Z'), priceSource: 'test', ...f,
});
const marks = (imbalance: Record<string, number[]>, latest: Record<string, { price: number; kind: 'intraday' | 'day_ahead' }>): Marks => ({
  imbalance: (zone, start, _end, direction) => {
    const xs = imbalance[`${zone} ${start.toISOString()}`];
    if (!xs) return null;
    return direction > 0 ? Math.min(...xs) : Math.max(...xs);
  },
  latest: (zone, start) => latest[`${zone} ${start.toISOString()}`] ?? null,
});

describe('positions and P&L (hand-computed)', () => {
  it('settles a day-ahead long and an intraday short against the imbalance price, with an imbalance leg closing the net', () => {
    // Bought 5 MW DA at 40, sold 2 MW ID at 55 for one hour; imbalance price 70.
    // Net +3 MWh settled at 70. DA: −200 + 5·70 = 150. ID: +110 − 2·70 = −30. Total 120 = cash −90 + 3·70.
    const v = valuate([fill({ market: 'day_ahead', side: 'buy', quantityMw: 5, price: 40 }), fill({ market: 'intraday', side: 'sell', quantityMw: 2, price: 55 })],
      marks({ 'DE-LU 2026-01-15T10:00:00.000Z': [70] }, {}));
    const pnl = Object.fromEntries(v.pnl.map((r) => [r.product, r]));
    assert.deepEqual([pnl.day_ahead!.cash, pnl.day_ahead!.realised, pnl.day_ahead!.unrealised, pnl.day_ahead!.total], [-200, 150, 0, 150]);
    assert.deepEqual([pnl.intraday!.cash, pnl.intraday!.total, pnl.intraday!.markKind, pnl.intraday!.markPrice], [110, -30, 'imbalance', 70]);
    assert.deepEqual(
      v.positions.map((p) => [p.product, p.side, p.quantityMw, p.energyMwh, p.avgPrice]),
      [['day_ahead', 'buy', 5, 5, 40], ['intraday', 'sell', 2, 2, 55], ['imbalance', 'sell', 3, 3, 70]],
    );
  });

  it('marks an open position to the latest price: realised on the matched energy, unrealised on the rest (30-minute period)', () => {
    // Buy 10 MW at 50 and sell 4 MW at 60 over 30 minutes: 5 MWh bought, 2 MWh sold, net 3 MWh, cash 120 − 250 = −130.
    // Realised 2·(60 − 50) = 20; unrealised 3·(52 − 50) = 6; total 26 = −130 + 3·52.
    const period = { zone: 'FR', deliveryStart: t('2026-01-15T12:00:00Z'), deliveryEnd: t('2026-01-15T12:30:00Z') };
    const v = valuate([fill({ ...period, market: 'day_ahead', side: 'buy', quantityMw: 10, price: 50 }), fill({ ...period, market: 'day_ahead', side: 'sell', quantityMw: 4, price: 60 })],
      marks({}, { 'FR 2026-01-15T12:00:00.000Z': { price: 52, kind: 'day_ahead' } }));
    assert.equal(v.pnl.length, 1);
    const r = v.pnl[0]!;
    assert.deepEqual([r.netMwh, r.cash, r.realised, r.unrealised, r.total, r.markKind], [3, -130, 20, 6, 26, 'day_ahead']);
    assert.deepEqual(v.positions.map((p) => [p.side, p.quantityMw, p.energyMwh, p.avgPrice]), [['buy', 10, 5, 50], ['sell', 4, 2, 60]]);
  });

  it('settles a short at the higher of two imbalance prices (the one against it)', () => {
    const v = valuate([fill({ market: 'day_ahead', side: 'sell', quantityMw: 1, price: 100 })], marks({ 'DE-LU 2026-01-15T10:00:00.000Z': [80, 120] }, {}));
    assert.equal(v.pnl[0]!.total, -20);
    assert.deepEqual(v.positions.at(-1), { ...v.positions.at(-1)!, product: 'imbalance', side: 'buy', avgPrice: 120 });
  });

  it('leaves an unmarked open position unvalued rather than guessing', () => {
    const v = valuate([fill({ market: 'intraday', side: 'buy', quantityMw: 1, price: 30 })], marks({}, {}));
    assert.deepEqual([v.pnl[0]!.markPrice, v.pnl[0]!.unrealised, v.pnl[0]!.total], [null, null, 0]);
  });

  it('keeps books apart', () => {
    const v = valuate([fill({ market: 'day_ahead', side: 'buy', quantityMw: 1, price: 30, book: 'a' }), fill({ market: 'day_ahead', side: 'buy', quantityMw: 2, price: 30, book: 'c' })],
      marks({}, { 'DE-LU 2026-01-15T10:00:00.000Z': { price: 40, kind: 'intraday' } }));
    assert.deepEqual(v.pnl.map((r) => [r.book, r.total]), [['a', 10], ['c', 20]]);
  });
});
