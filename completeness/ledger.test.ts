// The ledger and the gap-repair bookkeeping against a real store: DuckDB in memory and MariaDB.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Dataset } from '../shared/dataset.ts';
import { createLogger } from '../shared/log.ts';
import { seriesKey } from '../shared/observation.ts';
import { DuckDbStore } from '../shared/store/duckdb.ts';
import { countingCalls, realStores } from '../shared/store/test-stores.ts';
import type { Store, StoredObservation } from '../shared/store/index.ts';
import { deliveryDay, slotsOf } from './expected-slots.ts';
import { ledgerAfterCommit, recountDays } from './ledger.ts';
import { gapRepairs, repairWindows } from './repair.ts';

const TZ = 'Europe/Copenhagen';
const log = createLogger('error');

/** A day-ahead dataset in Danish time: EUR quarter-hours per area, due at 13:00 the day before. */
const ds = {
  id: 'test.day_ahead',
  window: { align: 'P1D', tz: TZ, maxSpan: 'P7D', lookback: 'P1D', horizon: 'P2D', backfill: 'P3D' },
  expected: { resolutions: [{ resolution: 'PT15M' }], series: (area: string) => [{ area }], due: { dayBefore: '13:00' } },
} as unknown as Dataset;

const rowsOf = (day: string, keep: (i: number) => boolean): StoredObservation[] =>
  slotsOf(deliveryDay(day, TZ), 'PT15M', TZ)
    .filter((_, i) => keep(i))
    .map((ts) => ({ dataset: ds.id, series: { area: 'DK1' }, seriesKey: seriesKey({ area: 'DK1' }), ts, resolution: 'PT15M', value: null, unit: 'EUR/MWh', payloadSha256: 'a'.repeat(64) }));

const counting = (store: Store) => countingCalls(store, ['listLedger', 'upsertLedger', 'queryObservations'] as const);

const stores = realStores();

for (const [name, open] of stores) {
  describe(`completeness ledger on ${name}`, () => {
    it('counts the autumn day (100 quarter-hours), its holes as runs, and slots that arrive late', async (t) => {
      const store = await open();
      t.after(() => store.close().catch(() => undefined));
      const now = new Date('2025-10-27T12:00:00Z');
      // Nulls count as present: the source said there is no value.
      await store.upsertObservations(rowsOf('2025-10-26', (i) => i < 40 || (i >= 48 && i < 98)));
      const [first] = await recountDays(store, ds, 'DK1', ['2025-10-26'], now);
      assert.deepEqual([first!.expected, first!.present, first!.missing, first!.late], [100, 90, 10, 0]);
      assert.deepEqual(first!.holes.map((h) => [h.from.toISOString(), h.to.toISOString()]), [
        ['2025-10-26T08:00:00.000Z', '2025-10-26T10:00:00.000Z'],
        ['2025-10-26T22:30:00.000Z', '2025-10-26T23:00:00.000Z'],
      ]);
      await store.upsertObservations(rowsOf('2025-10-26', (i) => i >= 40 && i < 48));
      await recountDays(store, ds, 'DK1', ['2025-10-26'], now);
      const [second] = await store.listLedger({ dataset: ds.id, fromDay: '2025-10-26', toDay: '2025-10-26' });
      assert.deepEqual([second!.present, second!.missing, second!.late, second!.holes.length], [98, 2, 8, 1]);
    });

    it('counts a day a batch fills from its rows alone, to the row a recount from the store gives (late slots included)', async (t) => {
      const [fast, full] = [await open(), await open()];
      t.after(() => Promise.all([fast, full].map((s) => s.close().catch(() => undefined))));
      const now = new Date('2025-10-27T12:00:00Z');
      const counted = counting(fast);
      const partial = rowsOf('2025-10-26', (i) => i < 40 || i >= 50);
      const whole = rowsOf('2025-10-26', () => true);
      for (const store of [fast, full]) {
        await store.upsertObservations(partial);
        await recountDays(store, ds, 'DK1', ['2025-10-26'], now);
        // The window is fetched again and now holds every quarter-hour of the autumn day.
        await store.upsertObservations(whole);
      }
      const [fromBatch] = await recountDays(counted.store, ds, 'DK1', ['2025-10-26'], now, whole);
      const [fromStore] = await recountDays(full, ds, 'DK1', ['2025-10-26'], now);
      assert.equal(counted.calls.queryObservations, 0, 'the batch filled the day: no read of the observations');
      assert.deepEqual(fromBatch, fromStore);
      assert.deepEqual([fromBatch!.expected, fromBatch!.present, fromBatch!.missing, fromBatch!.late, fromBatch!.holes.length], [100, 100, 0, 10, 0]);
      assert.deepEqual(await fast.listLedger({ dataset: ds.id }), await full.listLedger({ dataset: ds.id }));
    });

    it('reads the store for a day the batch fills only in part, and counts what arrived as late', async (t) => {
      const store = await open();
      t.after(() => store.close().catch(() => undefined));
      const now = new Date('2025-10-27T12:00:00Z');
      await store.upsertObservations(rowsOf('2025-10-26', (i) => i < 40 || (i >= 48 && i < 98)));
      await recountDays(store, ds, 'DK1', ['2025-10-26'], now);
      const counted = counting(store);
      const batch = rowsOf('2025-10-26', (i) => i >= 40 && i < 48);
      await store.upsertObservations(batch);
      const [row] = await recountDays(counted.store, ds, 'DK1', ['2025-10-26'], now, batch);
      assert.equal(counted.calls.queryObservations, 1);
      assert.deepEqual([row!.present, row!.missing, row!.late, row!.holes.length], [98, 2, 8, 1]);
    });

    it('writes nothing when a window lands again with the same rows', async (t) => {
      const store = await open();
      t.after(() => store.close().catch(() => undefined));
      const rows = rowsOf('2025-11-04', () => true);
      await store.upsertObservations(rows);
      const first = new Date('2025-11-05T12:00:00Z');
      await recountDays(store, ds, 'DK1', ['2025-11-04'], first, rows);
      const counted = counting(store);
      const [again] = await recountDays(counted.store, ds, 'DK1', ['2025-11-04'], new Date('2025-11-05T13:00:00Z'), rows);
      assert.equal(counted.calls.upsertLedger, 0);
      assert.equal(again!.updatedAt.getTime(), first.getTime());
      assert.deepEqual((await store.listLedger({ dataset: ds.id })).map((r) => r.updatedAt.getTime()), [first.getTime()]);
    });

    it('after commit, recounts the windows landing within one interval once, and writes what a recount per batch writes', async (t) => {
      const store = await open();
      const perBatch = await open();
      t.after(() => Promise.all([store, perBatch].map((s) => s.close().catch(() => undefined))));
      const now = new Date('2025-11-06T12:00:00Z');
      const counted = counting(store);
      const hook = ledgerAfterCommit({ store: counted.store, findDataset: () => ds, log, now: () => now });
      // Three days in full (the autumn day among them) and one with a hole, each its own batch.
      const batches = [
        { day: '2025-10-26', keep: () => true },
        { day: '2025-11-02', keep: () => true },
        { day: '2025-11-03', keep: (i: number) => i < 40 || i >= 50 },
        { day: '2025-11-04', keep: () => true },
      ].map(({ day, keep }) => ({ day, dataset: ds.id, partition: 'DK1', window: deliveryDay(day, TZ), rows: rowsOf(day, keep) }));
      for (const b of batches) await store.upsertObservations(b.rows);
      // Handed over back to back, so all four land within one interval however slow the machine.
      for (const { day: _, ...b } of batches) await hook([b]);
      assert.deepEqual([counted.calls.listLedger, counted.calls.upsertLedger], [0, 0], 'nothing is recounted before the interval ends');
      await hook.idle();
      // One ledger read and write for the four batches; the day with a hole is read back.
      assert.deepEqual([counted.calls.listLedger, counted.calls.upsertLedger, counted.calls.queryObservations], [1, 1, 1]);
      for (const b of batches) {
        await perBatch.upsertObservations(b.rows);
        await recountDays(perBatch, ds, 'DK1', [b.day], now, b.rows);
      }
      const rows = await store.listLedger({ dataset: ds.id });
      assert.deepEqual(rows.map((r) => [r.day, r.expected, r.present, r.missing]), [['2025-10-26', 100, 100, 0], ['2025-11-02', 96, 96, 0], ['2025-11-03', 96, 86, 10], ['2025-11-04', 96, 96, 0]]);
      assert.deepEqual(rows, await perBatch.listLedger({ dataset: ds.id }));
    });

    it('on shutdown, flush runs the pending recount without waiting out the interval', async (t) => {
      const store = await open();
      t.after(() => store.close().catch(() => undefined));
      const hook = ledgerAfterCommit({ store, findDataset: () => ds, log, now: () => new Date('2025-11-06T12:00:00Z') });
      const rows = rowsOf('2025-11-04', () => true);
      await store.upsertObservations(rows);
      await hook([{ dataset: ds.id, partition: 'DK1', window: deliveryDay('2025-11-04', TZ), rows }]);
      await hook.flush();
      assert.deepEqual((await store.listLedger({ dataset: ds.id })).map((r) => [r.day, r.present, r.missing]), [['2025-11-04', 96, 0]]);
    });

    it('stores every field of a ledger row and updates a day in place', async (t) => {
      const store = await open();
      t.after(() => store.close().catch(() => undefined));
      const row = {
        dataset: ds.id, partition: 'DK1', day: '2025-11-04', expected: 96, present: 90, missing: 6, late: 2, repairAttempts: 3,
        repairNextAt: new Date('2025-11-05T12:34:56Z'), gaveUp: "HTTP 503 from 'upstream'", updatedAt: new Date('2025-11-05T12:00:00Z'),
        holes: [{ series: { area: 'DK1' }, from: new Date('2025-11-04T10:00:00Z'), to: new Date('2025-11-04T11:30:00Z') }],
      };
      const other = { ...row, day: '2025-11-05', repairNextAt: null, gaveUp: null, holes: [] };
      await store.upsertLedger([row, other]);
      assert.deepEqual(await store.listLedger({ dataset: ds.id }), [row, other]);
      const closed = { ...row, present: 96, missing: 0, repairAttempts: 0, repairNextAt: null, gaveUp: null, holes: [], updatedAt: new Date('2025-11-05T13:00:00Z') };
      await store.upsertLedger([closed]);
      assert.deepEqual(await store.listLedger({ dataset: ds.id }), [closed, other]);
    });

    it('does not count a day-ahead day as missing before its publication time', async (t) => {
      const store = await open();
      t.after(() => store.close().catch(() => undefined));
      const [row] = await recountDays(store, ds, 'DK1', ['2025-11-06'], new Date('2025-11-05T11:59:00Z'));
      assert.deepEqual([row!.expected, row!.present, row!.missing], [96, 0, 0]);
      const [later] = await recountDays(store, ds, 'DK1', ['2025-11-06'], new Date('2025-11-05T12:00:00Z'));
      assert.equal(later!.missing, 96);
    });

    it('repairs holes behind the watermark with backoff, gives up after N tries recording why, and skips marked gaps', async (t) => {
      const store = await open();
      t.after(() => store.close().catch(() => undefined));
      const active = [{ ds, partitions: ['DK1'] }];
      const repairs = gapRepairs({ store, log }, { maxAttempts: 2, baseDelayMs: 60_000, maxDelayMs: 600_000, auditEveryMs: 0, auditLookback: 'P2D' });
      await store.upsertObservations([...rowsOf('2025-11-03', (i) => i !== 50), ...rowsOf('2025-11-04', (i) => i < 10), ...rowsOf('2025-11-05', () => true)]);
      let now = new Date('2025-11-05T20:00:00Z');
      // Ingestion opens the rows of the days its windows cover; the audit recounts those.
      await recountDays(store, ds, 'DK1', ['2025-11-03', '2025-11-04', '2025-11-05', '2025-11-06'], now);
      // Before the worker has been there (no watermark), holes are its job, not repair's.
      assert.deepEqual(await repairs.due(active, now), []);
      await store.advanceWatermark(ds.id, 'DK1', new Date('2025-11-05T23:00:00Z'));
      const first = await repairs.due(active, now);
      assert.deepEqual(first.map((w) => [w.day, w.window.from.toISOString(), w.window.to.toISOString()]), [
        ['2025-11-03', '2025-11-02T23:00:00.000Z', '2025-11-03T23:00:00.000Z'],
        ['2025-11-04', '2025-11-03T23:00:00.000Z', '2025-11-04T23:00:00.000Z'],
      ]);
      // Booked: asked again at once, nothing is due (backoff per day).
      assert.deepEqual(await repairs.due(active, now), []);
      for (const w of first) repairs.settled(w, 'HTTP 503 from upstream');
      await store.addKnownGap({ dataset: ds.id, partition: 'DK1', from: new Date('2025-11-03T23:00:00Z'), to: new Date('2025-11-04T23:00:00Z'), reason: 'provider outage', markedAt: now });
      now = new Date(now.getTime() + 60_000);
      assert.deepEqual((await repairs.due(active, now)).map((w) => w.day), ['2025-11-03']);
      now = new Date(now.getTime() + 120_000);
      assert.deepEqual(await repairs.due(active, now), [], 'a third try after two failed ones');
      const [gaveUp] = await store.listLedger({ dataset: ds.id, fromDay: '2025-11-03', toDay: '2025-11-03' });
      assert.equal(gaveUp!.gaveUp, 'HTTP 503 from upstream');
      assert.ok((await store.listKnownGaps(ds.id)).some((g) => g.reason === 'gave up: HTTP 503 from upstream'));
      now = new Date(now.getTime() + 86_400_000);
      assert.deepEqual(await repairs.due(active, now), [], 'a given-up day is never chased again');
    });
  });
}

describe('repair windows', () => {
  it('widen holes to the dataset window steps, merged across series and split at maxSpan', () => {
    const hourly = { ...ds, window: { ...ds.window, align: 'PT1H', tz: 'UTC', maxSpan: 'PT2H' } } as Dataset;
    const row = {
      dataset: ds.id, partition: 'DK1', day: '2025-11-05', expected: 0, present: 0, missing: 0, late: 0, repairAttempts: 0, repairNextAt: null, gaveUp: null, updatedAt: new Date(),
      holes: [
        { series: { area: 'DK1', currency: 'EUR' }, from: new Date('2025-11-05T10:15:00Z'), to: new Date('2025-11-05T10:30:00Z') },
        { series: { area: 'DK1', currency: 'DKK' }, from: new Date('2025-11-05T10:45:00Z'), to: new Date('2025-11-05T13:15:00Z') },
      ],
    };
    assert.deepEqual(repairWindows(hourly, row, []).map((w) => [w.from.toISOString().slice(11, 16), w.to.toISOString().slice(11, 16)]), [['10:00', '12:00'], ['12:00', '14:00']]);
  });
});
