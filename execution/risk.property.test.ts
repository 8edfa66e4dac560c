// Thousands of random signals thrown at the example strategies through the desk's own pure
// path (decide → placeOrders → fills → valuate): risk limits are never breached, positions equal
// the sum of fills, and a replayed signal never creates a second order.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import type { Observation } from '../shared/observation.ts';
import { placeOrders, type DeskClock } from './desk.ts';
import { fillDayAhead, fillIntraday, type PricePoint } from './fills.ts';
import { deskDay, energyMwh, signedMw, type Fill, type Order } from './order.ts';
import { baseReversionDayAhead, residualLoadDayAhead, shapeIntraday } from './strategies/index.ts';
import type { RiskLimits, Strategy } from './strategy.ts';
import { valuate } from './valuation.ts';

const ZONES = ['DE-LU', 'FR', 'DK1'];
// Local midnights (Brussels) of a normal day and both DST days of 2026.
const DAYS = [{ start: '2026-01-14T23:00:00Z', hours: 24 }, { start: '2026-03-28T23:00:00Z', hours: 23 }, { start: '2026-10-24T22:00:00Z', hours: 25 }];
// 150 runs (> 2 500 random signals) keep CI's share under half a minute; EXECUTION_PROPERTY_RUNS=2000 for a long hunt.
const RUNS = Number(process.env.EXECUTION_PROPERTY_RUNS ?? 150);

const limitsArb = fc.record({
  markets: fc.subarray(['day_ahead', 'intraday'] as const, { minLength: 1 }),
  zones: fc.subarray(ZONES, { minLength: 1 }),
  maxNetMw: fc.integer({ min: 1, max: 30 }),
  maxDailyMwh: fc.integer({ min: 5, max: 300 }),
  maxDailyLoss: fc.constant(1e12),
}) as fc.Arbitrary<RiskLimits>;

/** One batch of signals: residual-load hours for some zone-days (sometimes incomplete) and daily price stats. */
const batchArb = fc.record({
  residual: fc.array(fc.record({ zone: fc.constantFrom(...ZONES), day: fc.integer({ min: 0, max: 2 }), values: fc.array(fc.double({ min: -5000, max: 80000, noNaN: true }), { minLength: 23, maxLength: 25 }) }), { maxLength: 3 }),
  stats: fc.array(fc.record({ zone: fc.constantFrom(...ZONES), day: fc.integer({ min: 0, max: 2 }), base: fc.double({ min: -50, max: 400, noNaN: true }), offpeak: fc.double({ min: -50, max: 400, noNaN: true }) }), { maxLength: 3 }),
});

type Batch = { residual: { zone: string; day: number; values: number[] }[]; stats: { zone: string; day: number; base: number; offpeak: number }[] };

function signals(b: Batch) {
  const residual: Observation[] = b.residual.flatMap((r) =>
    r.values.slice(0, DAYS[r.day]!.hours).map((value, h) => ({ dataset: 'signals.residual_load_forecast', series: { zone: r.zone }, ts: new Date(new Date(DAYS[r.day]!.start).getTime() + h * 3_600_000), resolution: 'PT60M', value, unit: 'MW' })),
  );
  const stats: Observation[] = b.stats.flatMap((s) => (['base', 'offpeak'] as const).map((stat) => ({ dataset: 'signals.daily_price_stats', series: { zone: s.zone, stat }, ts: new Date(DAYS[s.day]!.start), resolution: 'P1D', value: s[stat], unit: 'EUR/MWh' })));
  return { residual, stats };
}

function assertWithinLimits(strategy: Strategy, orders: readonly Order[]): void {
  const live = orders.filter((o) => o.book === strategy.book && (o.status === 'open' || o.status === 'filled'));
  for (const o of live) {
    assert.ok(strategy.limits.markets.includes(o.market) && strategy.limits.zones.includes(o.zone), `market/zone not allowed: ${o.market} ${o.zone}`);
    // Worst case at the order's start: filled net plus every open order on one side.
    const t = o.deliveryStart.getTime();
    const here = live.filter((x) => x.zone === o.zone && x.deliveryStart.getTime() <= t && t < x.deliveryEnd.getTime());
    const filled = here.filter((x) => x.status === 'filled').reduce((a, x) => a + signedMw(x), 0);
    const buys = here.filter((x) => x.status === 'open' && x.side === 'buy').reduce((a, x) => a + x.quantityMw, 0);
    const sells = here.filter((x) => x.status === 'open' && x.side === 'sell').reduce((a, x) => a + x.quantityMw, 0);
    assert.ok(filled + buys <= strategy.limits.maxNetMw + 1e-6 && filled - sells >= -strategy.limits.maxNetMw - 1e-6, `net limit breached in ${o.zone} at ${o.deliveryStart.toISOString()}`);
  }
  const perDay = new Map<string, number>();
  for (const o of live) perDay.set(deskDay(o.deliveryStart), (perDay.get(deskDay(o.deliveryStart)) ?? 0) + energyMwh(o));
  for (const [day, mwh] of perDay) assert.ok(mwh <= strategy.limits.maxDailyMwh + 1e-6, `daily volume ${mwh} on ${day}`);
}

it('never breaches a risk limit, keeps positions equal to fills, and never orders twice on a replay', () => {
  let signalsThrown = 0;
  fc.assert(
    fc.property(
      limitsArb, limitsArb, fc.array(batchArb, { minLength: 1, maxLength: 4 }), fc.constantFrom<DeskClock>('replay', 'wall'),
      fc.integer({ min: 0, max: 4 * 86_400_000 }), fc.array(fc.double({ min: -100, max: 500, noNaN: true }), { minLength: 1, maxLength: 50 }), fc.double({ min: 0.1, max: 20, noNaN: true }),
      (daLimits, idLimits, batches, clock, nowOffset, pricePool, qty) => {
        const strategies = [
          residualLoadDayAhead({ band: 0.02, quantityMw: qty, buyLimit: 200, sellLimit: 0, currency: 'EUR', limits: daLimits }),
          shapeIntraday({ premium: 1, quantityMw: qty, currency: 'EUR', limits: idLimits }),
          baseReversionDayAhead({ band: 2, quantityMw: qty, currency: 'EUR', limits: daLimits }),
        ];
        const now = new Date(new Date('2026-01-12T00:00:00Z').getTime() + nowOffset);
        let orders: Order[] = [];
        const fills: Fill[] = [];
        let p = 0;
        const price = () => pricePool[p++ % pricePool.length]!;
        for (const batch of batches) {
          const { residual, stats } = signals(batch);
          signalsThrown += residual.length + stats.length;
          for (const [i, s] of strategies.entries()) {
            const intents = s.decide([i === 0 ? residual : stats]);
            const book = { orders, state: null, dailyPnl: new Map<string, number>() };
            const placed = placeOrders(s, intents, book, now, clock);
            orders = [...orders, ...placed];
            assertWithinLimits(s, orders);
            // The same signals again: every intent already has its order.
            assert.deepEqual(placeOrders(s, s.decide([i === 0 ? residual : stats]), { ...book, orders }, now, clock), []);
          }
          // The market answers: some orders fill at random prices, others expire or stay open.
          orders = orders.map((o) => {
            if (o.status !== 'open') return o;
            const point: PricePoint = { dataset: 'test', zone: o.zone, start: o.deliveryStart, end: o.deliveryEnd, price: price(), currency: 'EUR', at: new Date(o.placedAt.getTime() + 60_000) };
            const r = o.market === 'day_ahead' ? fillDayAhead(o, [[point]], o.gateClosure) : fillIntraday(o, [point], o.gateClosure);
            if (!r) return o;
            if (r.fill) fills.push(r.fill);
            return r.order;
          });
          for (const s of strategies) assertWithinLimits(s, orders);
        }
        // Positions are the sum of fills, per book, zone, period, product and side.
        const { positions } = valuate(fills, { imbalance: () => null, latest: () => null });
        const key = (x: { book: string; zone: string; deliveryStart: Date; side: string }, product: string) => `${x.book} ${x.zone} ${x.deliveryStart.toISOString()} ${product} ${x.side}`;
        const fromFills = new Map<string, number>();
        for (const f of fills) fromFills.set(key(f, f.market), (fromFills.get(key(f, f.market)) ?? 0) + energyMwh(f));
        assert.equal(positions.length, fromFills.size);
        for (const pos of positions) assert.ok(Math.abs(pos.energyMwh - fromFills.get(key(pos, pos.product))!) < 1e-6);
        // Every filled order has exactly one fill, and no fill without a filled order.
        assert.deepEqual(new Set(fills.map((f) => f.orderId)), new Set(orders.filter((o) => o.status === 'filled').map((o) => o.id)));
      },
    ),
    { numRuns: RUNS },
  );
  assert.ok(signalsThrown > 5_000, `only ${signalsThrown} signals thrown`);
});
