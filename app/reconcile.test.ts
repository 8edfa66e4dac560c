// Reconciliation end to end on DuckDB: DK1 day-ahead prices fetched from the Energinet, ENTSO-E and
// Nord Pool simulators (one shared price curve; ENTSO-E's 17:00 hour deliberately 12.50 high),
// parsed, zone-annotated and stored as ingestion would, then compared and the result stored.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fetchFromSimulators } from '../providers/simulated-fetch.ts';
import { ParameterError } from '../shared/errors.ts';
import { seriesKey } from '../shared/observation.ts';
import { openStore, type Store } from '../shared/store/index.ts';
import { agreementObservations, reconcile, reconcileParameters, RECONCILIATION_DATASET } from './reconcile.ts';

// Two Danish delivery days (CET, UTC+1 in November).
const FROM = new Date('2025-11-18T23:00:00Z');
const TO = new Date('2025-11-20T23:00:00Z');
const SOURCES = ['energinet.day_ahead_prices', 'entsoe.day_ahead_prices', 'nordpool.day_ahead_prices'];

describe('reconcile (DK1 day-ahead prices from three simulators, DuckDB)', () => {
  let store: Store;

  before(async () => {
    store = await openStore('duckdb::memory:');
    await store.migrate();
    const served = await fetchFromSimulators('DK1', SOURCES.map((dataset) => ({ dataset, from: FROM, to: TO })));
    for (const rows of served.values()) await store.upsertObservations(rows);
  });

  after(async () => {
    await store?.close();
  });

  it('finds ENTSO-E off at the 17:00 hour (four quarter-hours a day) and the other two in agreement', async () => {
    const [dk1, dk2] = await reconcile(store, { check: 'day_ahead_price_dk', from: FROM, to: TO });
    assert.equal(dk1!.zone, 'DK1');
    assert.equal(dk1!.resolution, 'PT15M');
    assert.equal(dk1!.compared, 192);
    assert.equal(dk1!.agreement, 95.8); // 184 of 192
    const by = Object.fromEntries(dk1!.sources.map((s) => [s.source, s]));
    assert.deepEqual(SOURCES.map((s) => [by[s]!.slots, by[s]!.agreeing, by[s]!.status]), [[192, 192, 'ok'], [192, 184, 'disagrees'], [192, 192, 'ok']]);
    assert.equal(dk1!.largest.length, 5);
    for (const d of dk1!.largest) {
      assert.equal(d.source, 'entsoe.day_ahead_prices');
      assert.ok(Math.abs(d.difference - 12.5) < 0.011, `${d.difference}`);
      assert.equal(d.ts.getUTCHours(), 16, 'the 17:00 hour in Copenhagen is 16:00 UTC in November');
    }
    assert.deepEqual(dk2!.sources.map((s) => s.status), ['no data', 'no data', 'no data']);
  });

  it('stores one agreement row per compared dataset and delivery day at the local midnight, in %', async () => {
    await reconcile(store, { check: 'day_ahead_price_dk', from: FROM, to: TO, persist: true });
    const rows = await store.queryObservations({ dataset: RECONCILIATION_DATASET, where: { check: 'day_ahead_price_dk', zone: 'DK1' } });
    const line = (o: (typeof rows)[number]) => `${o.series.source} ${o.ts.toISOString()} ${o.resolution} ${o.value} ${o.unit}`;
    assert.deepEqual(rows.map(line).sort(), [
      'energinet.day_ahead_prices 2025-11-18T23:00:00.000Z P1D 100 %',
      'energinet.day_ahead_prices 2025-11-19T23:00:00.000Z P1D 100 %',
      'entsoe.day_ahead_prices 2025-11-18T23:00:00.000Z P1D 95.8 %',
      'entsoe.day_ahead_prices 2025-11-19T23:00:00.000Z P1D 95.8 %',
      'nordpool.day_ahead_prices 2025-11-18T23:00:00.000Z P1D 100 %',
      'nordpool.day_ahead_prices 2025-11-19T23:00:00.000Z P1D 100 %',
    ]);
    assert.deepEqual(Object.keys(rows[0]!.series).sort(), ['check', 'source', 'zone']);
  });

  it('reports a source that stops early as late, with its last slot', async () => {
    const cut = new Date('2025-11-20T11:00:00Z');
    const [dk1] = await reconcile(store, { check: 'day_ahead_price_dk', from: FROM, to: TO });
    assert.ok(dk1);
    // Remove Nord Pool's afternoon of the second day: it then trails the others.
    const nordpool = await store.queryObservations({ dataset: 'nordpool.day_ahead_prices', from: FROM, to: cut, where: { zone: 'DK1' } });
    const trimmed = await openStore('duckdb::memory:');
    try {
      await trimmed.migrate();
      for (const id of SOURCES.slice(0, 2)) {
        const rows = await store.queryObservations({ dataset: id, from: FROM, to: TO, where: { zone: 'DK1' } });
        await trimmed.upsertObservations(rows.map((o) => ({ ...o, seriesKey: seriesKey(o.series), payloadSha256: 'test' })));
      }
      await trimmed.upsertObservations(nordpool.map((o) => ({ ...o, seriesKey: seriesKey(o.series), payloadSha256: 'test' })));
      const [late] = await reconcile(trimmed, { check: 'day_ahead_price_dk', from: FROM, to: TO });
      const np = late!.sources.find((s) => s.source === 'nordpool.day_ahead_prices')!;
      assert.equal(np.status, 'late');
      assert.equal(np.late, (TO.getTime() - cut.getTime()) / 900_000);
      assert.equal(np.lastTs?.toISOString(), '2025-11-20T10:45:00.000Z');
    } finally {
      await trimmed.close();
    }
  });

  it('keeps the stored shape a quality score reads: dataset, P1D, %, series { check, zone, source }', () => {
    const [row] = agreementObservations({
      check: 'c', title: '', zone: 'DK1', timeZone: 'Europe/Copenhagen', unit: 'EUR/MWh', tolerance: { absolute: 0 }, resolution: 'PT15M',
      compared: 1, agreement: 100, sources: [], largest: [], days: [{ day: '2026-03-29', source: 'x.y', agreement: 50, compared: 2 }],
    });
    assert.deepEqual(row, { dataset: 'reconciliation.agreement', series: { check: 'c', zone: 'DK1', source: 'x.y' }, ts: new Date('2026-03-28T23:00:00Z'), resolution: 'P1D', value: 50, unit: '%' });
  });

  it('names a wrong API parameter', () => {
    assert.throws(() => reconcileParameters({ check: 'nope' }), (e: unknown) => e instanceof ParameterError && e.parameter === 'check');
    assert.throws(() => reconcileParameters({ from: '2025-11-20', to: '2025-11-19' }), (e: unknown) => e instanceof ParameterError && e.parameter === 'to');
    assert.throws(() => reconcileParameters({ from: 'yesterday' }), (e: unknown) => e instanceof ParameterError && e.parameter === 'from');
  });
});
