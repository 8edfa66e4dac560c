import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryBus } from '../shared/bus/index.ts';
import { EVENTS_TOPIC, buildLandedEvent, encodeLandedEvent } from '../shared/landed-events.ts';
import { silentLogger } from '../shared/log.ts';
import { DuckDbStore } from '../shared/store/duckdb.ts';
import type { StoredObservation } from '../shared/store/index.ts';
import { Desk, priceSources } from './desk.ts';
import { D, HOUR, baseStat, fixtureDatasets as datasets, fixtureStrategy, seedPrices } from './desk-fixture.ts';
import { startExecution, type ExecutionEvent } from './role.ts';

const strategy = fixtureStrategy;
const stats = baseStat;
const seed = seedPrices;
const now = () => new Date('2026-01-16T12:00:00Z');

test('a landed signal places risk-checked orders that fill at the clearing price and settle at the imbalance price; a replay orders nothing', async () => {
  const store = await DuckDbStore.open(':memory:');
  const bus = new MemoryBus();
  const steps: ExecutionEvent[] = [];
  let wake: (() => void) | undefined;
  const role = await startExecution(
    { bus, store, log: silentLogger, strategies: [strategy(1e9)], prices: priceSources(datasets), clock: 'replay', now },
    { tickMs: 3_600_000 },
    (e) => { steps.push(e); wake?.(); },
  );
  const land = async (rows: StoredObservation[]) => {
    const done = new Promise<void>((r) => (wake = r));
    await bus.publish(EVENTS_TOPIC, { data: encodeLandedEvent(buildLandedEvent(rows)!), properties: {} });
    await done;
  };
  try {
    await seed(store, [70, 80]);
    // Day D−1's base of 50: a bid at 47 and an offer at 53 for each of D's 24 hours.
    const signal = stats(D - 24 * HOUR, 50);
    await store.upsertObservations(signal);
    await land(signal);
    assert.deepEqual(steps.at(-1), { type: 'step', report: { placed: 48, rejected: 0, filled: 2, expired: 46, stopped: [] } });
    const orders = await store.listOrders();
    assert.equal(orders.length, 48);
    // Placed at the strategy's decision time: 10:00 Brussels (09:00 UTC) the day before delivery, two hours before the gate.
    assert.ok(orders.every((o) => o.placedAt.toISOString() === '2026-01-14T09:00:00.000Z' && o.gateClosure.toISOString() === '2026-01-14T11:00:00.000Z'));
    const fills = await store.listFills();
    assert.deepEqual(fills.map((f) => [f.deliveryStart.toISOString(), f.side, f.price]), [['2026-01-14T23:00:00.000Z', 'buy', 40], ['2026-01-15T00:00:00.000Z', 'sell', 60]]);
    // Long 5 MWh bought at 40, settled at 70: +150. Short 5 MWh sold at 60, settled at 80: −100.
    assert.deepEqual((await store.listPnl()).map((r) => [r.deliveryStart.toISOString(), r.markKind, r.total]), [['2026-01-14T23:00:00.000Z', 'imbalance', 150], ['2026-01-15T00:00:00.000Z', 'imbalance', -100]]);
    assert.deepEqual((await store.listPositions()).map((p) => [p.product, p.side, p.energyMwh, p.avgPrice]), [['day_ahead', 'buy', 5, 40], ['imbalance', 'sell', 5, 70], ['day_ahead', 'sell', 5, 60], ['imbalance', 'buy', 5, 80]]);
    assert.equal((await store.listPnl({ snapshot: '2026-01-16' })).length, 2);

    // The same signal event again (a redelivery, a replay): no new order, no second fill.
    await land(signal);
    assert.deepEqual(steps.at(-1), { type: 'step', report: { placed: 0, rejected: 0, filled: 0, expired: 0, stopped: [] } });
    assert.equal((await store.listOrders()).length, 48);
    assert.equal((await store.listFills()).length, 2);
  } finally {
    await role.close();
    await bus.close();
    await store.close();
  }
});

test('the kill switch stops a book past its daily loss, cancels nothing filled, and still holds after a restart', async () => {
  const store = await DuckDbStore.open(':memory:');
  const deps = { store, log: silentLogger, strategies: [strategy(100)], prices: priceSources(datasets), clock: 'replay' as const, now };
  try {
    // Long at 40 settled at 10 (−150), short at 60 settled at 80 (−100): −250 on the day, beyond −100.
    await seed(store, [10, 80]);
    const signal = stats(D - 24 * HOUR, 50);
    await store.upsertObservations(signal);
    const report = await new Desk(deps).step(buildLandedEvent(signal));
    assert.deepEqual(report.stopped, [strategy(100).book]);
    const [state] = await store.listBookStates();
    assert.equal(state?.stopped, true);
    assert.match(state!.reason!, /daily loss -250.00 on 2026-01-15 beyond −100/);

    // A restarted desk reads the state back: the next day's signal is refused, with the reason stored.
    const next = stats(D, 55);
    await store.upsertObservations(next);
    const after = await new Desk(deps).step(buildLandedEvent(next));
    assert.deepEqual([after.placed, after.rejected], [0, 48]);
    const rejected = await store.listOrders({ status: 'rejected' });
    assert.equal(rejected.length, 48);
    assert.match(rejected[0]!.reason!, /^book base_reversion_day_ahead stopped: daily loss/);
  } finally {
    await store.close();
  }
});
