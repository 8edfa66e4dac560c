// The behaviour every Store implementation must show; each implementation's test file runs it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seriesKey, type Observation } from '../observation.ts';
import type { RevisionSettings } from './vintages.ts';

/** What a contract test may ask of the store it opens (vintages: a short retention). */
export type ContractStoreOptions = { revisions?: Partial<RevisionSettings> };

import type { FillRecord, OrderRecord, PnlRecord, PositionRecord, Store, StoredObservation } from './types.ts';

const row = (o: Partial<Observation> & { ts: Date; value: number | null }, sha = 'a'.repeat(64)): StoredObservation => {
  const series = o.series ?? { area: 'DK1', currency: 'EUR' };
  return {
    dataset: o.dataset ?? 'test.prices',
    series,
    seriesKey: seriesKey(series),
    ts: o.ts,
    resolution: o.resolution ?? 'PT15M',
    value: o.value,
    unit: o.unit ?? 'EUR/MWh',
    ...(o.issued ? { issued: o.issued } : {}),
    ...(o.quality !== undefined ? { quality: o.quality } : {}),
    payloadSha256: sha,
  };
};

const quarterHours = (from: string, n: number, area = 'DK1') =>
  Array.from({ length: n }, (_, i) => row({ ts: new Date(new Date(from).getTime() + i * 900_000), value: i + 0.25, series: { area, currency: 'EUR' } }));

export function storeContract(name: string, open: (o?: ContractStoreOptions) => Promise<Store>): void {
  describe(`store contract: ${name}`, () => {
    it('upserts idempotently: the same window twice leaves the same rows', async () => {
      const store = await open();
      const rows = [...quarterHours('2025-10-25T22:00:00Z', 100), ...quarterHours('2025-10-25T22:00:00Z', 100, 'DK2')];
      await store.upsertObservations(rows);
      const first = await store.queryObservations({ dataset: 'test.prices' });
      await store.upsertObservations(rows);
      const second = await store.queryObservations({ dataset: 'test.prices' });
      assert.equal(await store.countObservations('test.prices'), 200);
      assert.deepEqual(second, first);
      assert.equal(first[0]!.ts.toISOString(), '2025-10-25T22:00:00.000Z');
      assert.equal(first[99]!.ts.toISOString(), '2025-10-26T22:45:00.000Z');
      await store.close();
    });

    it('pages observations in the order queryObservations returns them, within filters and limit', async () => {
      const store = await open();
      if (!store.observationPages || !store.listSeries) return void (await store.close());
      await store.upsertObservations([...quarterHours('2025-10-25T22:00:00Z', 100), ...quarterHours('2025-10-25T22:00:00Z', 100, 'DK2')]);
      const q = { dataset: 'test.prices', from: new Date('2025-10-26T00:00:00Z'), to: new Date('2025-10-26T12:00:00Z') };
      const pages: Observation[][] = [];
      for await (const p of store.observationPages(q, 7)) pages.push(p);
      assert.ok(pages.every((p) => p.length <= 7));
      assert.deepEqual(pages.flat(), await store.queryObservations(q));
      const limited: Observation[] = [];
      for await (const p of store.observationPages({ ...q, where: { area: 'DK2' }, limit: 10 }, 4)) limited.push(...p);
      assert.deepEqual(limited, await store.queryObservations({ ...q, where: { area: 'DK2' }, limit: 10 }));
      assert.deepEqual((await store.listSeries('test.prices')).map((s) => [s.series.area, s.lastTs?.toISOString()]), [['DK1', '2025-10-26T22:45:00.000Z'], ['DK2', '2025-10-26T22:45:00.000Z']]);
      await store.close();
    });

    it('lets a revision overwrite a value, and keeps the last of duplicates within one batch', async () => {
      const store = await open();
      const ts = new Date('2025-11-05T12:00:00Z');
      await store.upsertObservations([row({ ts, value: 10 })]);
      await store.upsertObservations([row({ ts, value: 11 }, 'b'.repeat(64)), row({ ts, value: 12 }, 'c'.repeat(64))]);
      const [o] = await store.queryObservations({ dataset: 'test.prices' });
      assert.equal(o!.value, 12);
      assert.equal(await store.countObservations(), 1);
      await store.close();
    });

    it('stores issued and quality, and a later delivery overwrites them with the value', async () => {
      const store = await open();
      const ts = new Date('2025-11-05T12:15:00Z');
      const plain = new Date('2025-11-05T12:30:00Z');
      await store.upsertObservations([
        row({ ts, value: 10, issued: new Date('2025-11-05T12:20:00.000Z'), quality: 'NotValidated' }),
        row({ ts: plain, value: 11 }),
      ]);
      const [first, other] = await store.queryObservations({ dataset: 'test.prices' });
      assert.deepEqual([first!.value, first!.issued?.toISOString(), first!.quality], [10, '2025-11-05T12:20:00.000Z', 'NotValidated']);
      assert.deepEqual([other!.value, 'issued' in other!, 'quality' in other!], [11, false, false]);
      await store.upsertObservations([row({ ts, value: 9.5, issued: new Date('2025-11-06T08:00:00.000Z'), quality: 'Validated' }, 'b'.repeat(64))]);
      const [revised] = await store.queryObservations({ dataset: 'test.prices', to: plain });
      assert.deepEqual([revised!.value, revised!.issued?.toISOString(), revised!.quality], [9.5, '2025-11-06T08:00:00.000Z', 'Validated']);
      // A delivery without them clears them: the stored row is the latest delivery, whole.
      await store.upsertObservations([row({ ts, value: 9.75 }, 'c'.repeat(64))]);
      const [latest] = await store.queryObservations({ dataset: 'test.prices', to: plain });
      assert.deepEqual([latest!.value, 'issued' in latest!, 'quality' in latest!], [9.75, false, false]);
      await store.close();
    });

    it('queries by half-open time range and by series dimensions, keeping nulls and exact instants', async () => {
      const store = await open();
      await store.upsertObservations([
        ...quarterHours('2025-11-05T00:00:00Z', 8),
        ...quarterHours('2025-11-05T00:00:00Z', 8, 'DK2'),
        row({ ts: new Date('2025-11-05T00:00:00.000Z'), value: null, series: { area: 'DK1', currency: 'DKK' }, unit: 'DKK/MWh' }),
      ]);
      const range = await store.queryObservations({ dataset: 'test.prices', from: new Date('2025-11-05T00:30:00Z'), to: new Date('2025-11-05T01:00:00Z'), where: { area: 'DK2' } });
      assert.deepEqual(range.map((o) => [o.series.area, o.ts.toISOString(), o.value]), [
        ['DK2', '2025-11-05T00:30:00.000Z', 2.25],
        ['DK2', '2025-11-05T00:45:00.000Z', 3.25],
      ]);
      const dkk = await store.queryObservations({ dataset: 'test.prices', where: { currency: 'DKK' } });
      assert.deepEqual(dkk.map((o) => [o.value, o.unit, o.resolution]), [[null, 'DKK/MWh', 'PT15M']]);
      assert.equal((await store.queryObservations({ dataset: 'test.prices', limit: 5 })).length, 5);
      assert.equal((await store.queryObservations({ dataset: 'other' })).length, 0);
      await store.close();
    });

    it('answers a ping, and tells the newest observation instant per dataset (health and freshness)', async () => {
      const store = await open();
      await store.ping?.();
      await store.upsertObservations([...quarterHours('2025-10-25T22:00:00Z', 8), ...quarterHours('2025-10-25T22:00:00Z', 4, 'DK2')]);
      if (store.newestObservations) {
        const newest = (await store.newestObservations()).filter((n) => n.dataset === 'test.prices');
        assert.deepEqual(newest.map((n) => n.newest.toISOString()), ['2025-10-25T23:45:00.000Z']);
      }
      await store.close();
    });

    it('moves a watermark forward only', async () => {
      const store = await open();
      assert.equal(await store.getWatermark('d', 'DK1'), null);
      await store.advanceWatermark('d', 'DK1', new Date('2025-11-06T23:00:00Z'));
      await store.advanceWatermark('d', 'DK1', new Date('2025-11-01T23:00:00Z'));
      assert.equal((await store.getWatermark('d', 'DK1'))?.toISOString(), '2025-11-06T23:00:00.000Z');
      assert.equal(await store.getWatermark('d', 'DK2'), null);
      assert.equal((await store.listWatermarks()).length, 1);
      await store.close();
    });

    it('logs requests and adds the landed row count to the successful ones', async () => {
      const store = await open();
      const base = { runId: 'r1', dataset: 'd', partition: 'DK1', windowFrom: new Date('2025-11-05T00:00:00Z'), windowTo: new Date('2025-11-06T00:00:00Z'), url: 'http://x', latencyMs: 12, at: new Date() };
      await store.appendFetchLog([
        { ...base, attempt: 1, status: 503, bytes: 10, error: 'HTTP 503' },
        { ...base, attempt: 2, status: 200, bytes: 1000, error: null },
      ]);
      await store.setFetchRows('r1', 384);
      const log = await store.listFetchLog({ dataset: 'd' });
      assert.deepEqual(log.map((l) => [l.attempt, l.status, l.error, l.rows]).sort(), [[1, 503, 'HTTP 503', null], [2, 200, null, 384]]);
      // a window fetched but never landed, and one that was dead-lettered
      const lost = { ...base, runId: 'r2', windowFrom: new Date('2025-11-06T00:00:00Z'), windowTo: new Date('2025-11-07T00:00:00Z'), attempt: 1, status: 200, bytes: 9, error: null };
      await store.appendFetchLog([lost, { ...lost, runId: 'r3', windowFrom: new Date('2025-11-07T00:00:00Z'), windowTo: new Date('2025-11-08T00:00:00Z') }]);
      await store.recordDeadLetter({ at: new Date(), topic: 'p', reason: 'ParseError', dataset: 'd', runId: 'r3', windowFrom: null, windowTo: null, sha256: null });
      const unlanded = await store.listUnlandedWindows(new Date(Date.now() - 60_000));
      assert.deepEqual(unlanded.map((u) => [u.dataset, u.partition, u.windowFrom.toISOString()]), [['d', 'DK1', '2025-11-06T00:00:00.000Z']]);
      await store.close();
    });

    it('lists the windows of a range that landed (empty ones with 0 rows), for resumed backfills', async () => {
      const store = await open();
      const w = (day: number) => ({ windowFrom: new Date(Date.UTC(2025, 10, day)), windowTo: new Date(Date.UTC(2025, 10, day + 1)) });
      const base = { dataset: 'd', partition: 'DK1', url: 'http://x', attempt: 1, status: 200, latencyMs: 1, bytes: 9, error: null, at: new Date() };
      await store.appendFetchLog([
        { ...base, ...w(5), runId: 'landed' }, { ...base, ...w(6), runId: 'empty', rows: 0 }, { ...base, ...w(7), runId: 'in-flight' },
        { ...base, ...w(8), runId: 'failed', status: 500, error: 'HTTP 500' }, { ...base, ...w(5), runId: 'other', dataset: 'e' },
      ]);
      await store.setFetchRows('landed', 96);
      const landed = await store.listLandedWindows('d', new Date(Date.UTC(2025, 10, 1)), new Date(Date.UTC(2025, 10, 30)));
      assert.deepEqual(landed.map((l) => [l.partition, l.windowFrom.toISOString(), l.rows]), [['DK1', '2025-11-05T00:00:00.000Z', 96], ['DK1', '2025-11-06T00:00:00.000Z', 0]]);
      assert.equal((await store.listLandedWindows('d', new Date(Date.UTC(2025, 10, 6)), new Date(Date.UTC(2025, 10, 30)))).length, 1);
      await store.close();
    });

    it('lists the requests logged since an instant, oldest first', async () => {
      const store = await open();
      const base = { runId: 'r1', dataset: 'd', partition: 'DK1', windowFrom: new Date('2025-11-05T00:00:00Z'), windowTo: new Date('2025-11-06T00:00:00Z'), url: 'http://x', bytes: 0 };
      await store.appendFetchLog([
        { ...base, attempt: 1, status: 200, latencyMs: 5, error: null, at: new Date('2025-11-06T09:59:59.999Z') },
        { ...base, attempt: 1, status: 500, latencyMs: 7, error: 'HTTP 500: oops', at: new Date('2025-11-06T10:30:00Z') },
        { ...base, attempt: 2, status: null, latencyMs: 30000, error: 'timed out', at: new Date('2025-11-06T10:00:00Z') },
      ]);
      const rows = await store.listFetchLogSince(new Date('2025-11-06T10:00:00Z'));
      assert.deepEqual(rows.map((r) => [r.at.toISOString(), r.attempt, r.status, r.latencyMs, r.error]), [
        ['2025-11-06T10:00:00.000Z', 2, null, 30000, 'timed out'],
        ['2025-11-06T10:30:00.000Z', 1, 500, 7, 'HTTP 500: oops'],
      ]);
      await store.close();
    });

    it('seeds workers without undoing run-time toggles', async () => {
      const store = await open();
      const seed = [{ workerId: 'a.b', environment: 'development', enabled: true, parameters: { backfill: 'P3D' } }];
      assert.equal(await store.seedWorkerConfig(seed), 1);
      assert.equal(await store.setWorkerEnabled('development', 'a.b', false), true);
      assert.equal(await store.seedWorkerConfig(seed), 0);
      assert.deepEqual(await store.listWorkerConfig('development'), [{ ...seed[0], enabled: false }]);
      assert.deepEqual(await store.listWorkerConfig('production'), []);
      assert.equal(await store.setWorkerEnabled('development', 'nope', true), false);
      await store.close();
    });

    it('gives a lease to one owner at a time, and to another once it expired or was released', async () => {
      const store = await open();
      assert.equal(await store.acquireLease('w/DK1', 'a', 60_000), true);
      assert.equal(await store.acquireLease('w/DK1', 'b', 60_000), false);
      assert.equal(await store.acquireLease('w/DK1', 'a', 60_000), true); // renewal
      assert.equal(await store.acquireLease('w/DK2', 'b', 60_000), true);
      await store.releaseLease('w/DK1', 'a');
      assert.equal(await store.acquireLease('w/DK1', 'b', 1), true);
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(await store.acquireLease('w/DK1', 'a', 60_000), true); // b's lease expired
      await store.close();
    });

    it('renews a lease only for its holder (heartbeat), and a restarted holder with the same identity takes it back at once', async () => {
      const store = await open();
      assert.equal(await store.acquireLease('w/FR', 'host-a', 300), true);
      assert.equal(await store.renewLease('w/FR', 'host-a', 60_000), true);
      await new Promise((r) => setTimeout(r, 1100));
      assert.equal(await store.acquireLease('w/FR', 'host-b', 60_000), false, 'the renewed lease outlived its first expiry');
      assert.equal(await store.renewLease('w/FR', 'host-b', 60_000), false, 'only the holder renews');
      // The holder was killed; restarted with the same identity it holds its leases again, no waiting.
      assert.equal(await store.acquireLease('w/FR', 'host-a', 60_000), true);
      assert.equal(await store.renewLease('w/NOPE', 'host-a', 60_000), false);
      await store.close();
    });

    it('finds kept raw payloads whose window overlaps a range, and records dead letters', async () => {
      const store = await open();
      const p = { provider: 'p', dataset: 'd', partition: 'DK1', fetchedAt: new Date(), contentType: 'application/json', bytes: 5, runId: 'r' };
      await store.recordRawPayload({ ...p, sha256: '1'.repeat(64), windowFrom: new Date('2025-11-01T00:00:00Z'), windowTo: new Date('2025-11-02T00:00:00Z') });
      await store.recordRawPayload({ ...p, sha256: '2'.repeat(64), windowFrom: new Date('2025-11-02T00:00:00Z'), windowTo: new Date('2025-11-03T00:00:00Z') });
      await store.recordRawPayload({ ...p, sha256: '2'.repeat(64), windowFrom: new Date('2025-11-02T00:00:00Z'), windowTo: new Date('2025-11-03T00:00:00Z') });
      assert.equal((await store.listRawPayloads({ dataset: 'd' })).length, 2);
      const overlap = await store.listRawPayloads({ dataset: 'd', from: new Date('2025-11-02T00:00:00Z') });
      assert.deepEqual(overlap.map((r) => r.sha256[0]), ['2']);
      await store.recordDeadLetter({ at: new Date(), topic: 'p', reason: 'ParseError: x', dataset: 'd', runId: 'r', windowFrom: null, windowTo: null, sha256: null });
      assert.deepEqual((await store.listDeadLetters()).map((d) => d.reason), ['ParseError: x']);
      await store.close();
    });

    it('lists dead letters by dataset and time, and marks one replayed', async () => {
      const store = await open();
      const at = new Date('2025-11-05T10:00:00Z');
      const dead = { topic: 'p', runId: 'r', windowFrom: null, windowTo: null, sha256: 'a'.repeat(64) };
      await store.recordDeadLetter({ ...dead, at, reason: 'ParseError: old', dataset: 'd' });
      await store.recordDeadLetter({ ...dead, at: new Date(at.getTime() + 3_600_000), reason: 'ParseError: new', dataset: 'd' });
      await store.recordDeadLetter({ ...dead, at, reason: 'ValidationError: other', dataset: 'e' });
      assert.deepEqual((await store.listDeadLetters({ dataset: 'd' })).map((d) => d.reason), ['ParseError: new', 'ParseError: old']);
      const recent = await store.listDeadLetters({ dataset: 'd', since: new Date(at.getTime() + 60_000) });
      assert.deepEqual(recent.map((d) => d.reason), ['ParseError: new']);
      await store.markDeadLetterReplayed(recent[0]!.id!, new Date('2025-11-05T12:00:00Z'));
      assert.deepEqual((await store.listDeadLetters({ dataset: 'd', notReplayed: true })).map((d) => d.reason), ['ParseError: old']);
      const [replayed] = await store.listDeadLetters({ dataset: 'd', limit: 1 });
      assert.equal(replayed!.replayedAt?.toISOString(), '2025-11-05T12:00:00.000Z');
      await store.close();
    });

    it('records file drops once per (name, size, mtime), with their content hash', async () => {
      const store = await open();
      const dataset = `files.${Math.random().toString(36).slice(2)}`;
      const f = { dataset, name: 'DE_wind_power_202510250800.csv', size: 10, mtime: new Date('2025-10-25T08:00:01.000Z'), sha256: 'c'.repeat(64), runId: 'r1', landedAt: new Date('2025-10-25T08:01:00.000Z') };
      await store.recordFileDrop!(f);
      await store.recordFileDrop!({ ...f, runId: 'r2' });
      await store.recordFileDrop!({ ...f, mtime: new Date('2025-10-25T09:00:00.000Z'), sha256: 'd'.repeat(64), landedAt: new Date('2025-10-25T09:01:00.000Z') });
      const drops = await store.listFileDrops!(dataset);
      assert.deepEqual(drops.map((d) => [d.name, d.size, d.mtime.toISOString(), d.sha256[0], d.runId]), [
        [f.name, 10, '2025-10-25T08:00:01.000Z', 'c', 'r1'],
        [f.name, 10, '2025-10-25T09:00:00.000Z', 'd', 'r1'],
      ]);
      await store.close();
    });

    it('replaces the zones table on every sync and lists stored series with their dimensions', async () => {
      const store = await open();
      const z = { code: 'DE-AT-LU', eic: '10Y1001A1001A63L', name: 'Germany-Austria-Luxembourg', country: 'DE', timeZone: 'Europe/Berlin', validFrom: null, validTo: new Date('2018-09-30T22:00:00.000Z') };
      await store.syncZones!([z, { ...z, code: 'DK1', eic: '10YDK-1--------W', validTo: null }]);
      await store.syncZones!([z]);
      assert.deepEqual(await store.listZones!(), [z]);
      await store.upsertObservations(quarterHours('2025-11-05T00:00:00Z', 1, 'DK2'));
      assert.ok((await store.listAllSeries!()).some((s) => s.dataset === 'test.prices' && s.series.area === 'DK2'));
      await store.close();
    });

    // --- vintages ---
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    /** An instant strictly between two writes (stores keep milliseconds). */
    const mark = async () => {
      await sleep(15);
      const t = new Date();
      await sleep(15);
      return t;
    };
    const values = (os: readonly Observation[]) => os.map((o) => o.value);

    it('vintages: an overwrite that changes a value keeps the old one with its ingestion and replacement instants and payload; identical re-delivery keeps none', async () => {
      const store = await open();
      const ts = new Date('2025-10-26T01:15:00Z'); // inside the repeated hour of the autumn change in CET
      const before = new Date();
      await store.upsertObservations([row({ ts, value: 10 }, 'a'.repeat(64))]);
      const after = new Date();
      await store.upsertObservations([row({ ts, value: 10 }, 'b'.repeat(64))]);
      assert.deepEqual(await store.listRevisions({ dataset: 'test.prices' }), [], 'identical re-delivery writes no revision');
      await sleep(5);
      // The overwrite shares its batch with a series the store does not hold yet.
      await store.upsertObservations([row({ ts, value: 11 }, 'c'.repeat(64)), ...quarterHours('2025-10-26T00:00:00Z', 8, 'DK2')]);
      const [r, ...more] = await store.listRevisions({ dataset: 'test.prices' });
      assert.equal(more.length, 0);
      assert.deepEqual([r!.series, r!.ts.toISOString(), r!.value, r!.issued, r!.quality, r!.payloadSha256[0], r!.unit], [{ area: 'DK1', currency: 'EUR' }, '2025-10-26T01:15:00.000Z', 10, null, null, 'a', 'EUR/MWh']);
      assert.ok(r!.ingestedAt >= new Date(before.getTime() - 1) && r!.ingestedAt <= after, 'ingested when it first landed, not when re-delivered');
      assert.ok(r!.replacedAt > r!.ingestedAt);
      // A change of issued alone is a revision too; a null value stays null in the history.
      await store.upsertObservations([row({ ts, value: null }, 'd'.repeat(64))]);
      await store.upsertObservations([row({ ts, value: null, issued: new Date('2025-10-26T00:00:00Z') }, 'e'.repeat(64))]);
      const history = await store.listRevisions({ dataset: 'test.prices', where: { area: 'DK1' } });
      assert.deepEqual(history.map((h) => [h.value, h.payloadSha256[0]]), [[10, 'a'], [11, 'c'], [null, 'd']]);
      assert.ok(history[1]!.ingestedAt.getTime() === history[0]!.replacedAt.getTime(), 'a vintage is replaced when the next one is ingested');
      assert.deepEqual(values(await store.queryObservations({ dataset: 'test.prices', where: { area: 'DK1' } })), [null]);
      assert.equal(await store.countObservations('test.prices'), 9);
      await store.close();
    });

    it('vintages: reads what was known before, between and after revisions (asOf), paged alike', async () => {
      const store = await open();
      const day = '2025-10-25T22:00:00Z'; // the CET delivery day of 2025-10-26: 100 quarter-hours
      const t0 = await mark();
      await store.upsertObservations(quarterHours(day, 100));
      const t1 = await mark();
      await store.upsertObservations(quarterHours(day, 4).map((r) => ({ ...r, value: r.value! + 100, payloadSha256: 'b'.repeat(64) })));
      const t2 = await mark();
      await store.upsertObservations([{ ...quarterHours(day, 1)[0]!, value: 500, payloadSha256: 'c'.repeat(64) }, ...quarterHours('2025-10-26T23:00:00Z', 4)]);
      const t3 = await mark();
      const asOf = (t: Date) => store.queryObservations({ dataset: 'test.prices', asOf: t });
      assert.deepEqual(await asOf(t0), [], 'nothing was known before the first delivery');
      const first = await asOf(t1);
      assert.equal(first.length, 100);
      assert.deepEqual(values(first.slice(0, 5)), [0.25, 1.25, 2.25, 3.25, 4.25]);
      assert.equal(first[99]!.ts.toISOString(), '2025-10-26T22:45:00.000Z');
      const second = await asOf(t2);
      assert.deepEqual(values(second.slice(0, 5)), [100.25, 101.25, 102.25, 103.25, 4.25]);
      assert.equal(second.length, 100, 'rows first ingested later are absent');
      const third = await asOf(t3);
      assert.deepEqual(values(third.slice(0, 5)), [500, 101.25, 102.25, 103.25, 4.25]);
      assert.equal(third.length, 104);
      assert.deepEqual(third, await store.queryObservations({ dataset: 'test.prices' }), 'as of now is the current state');
      if (store.observationPages) {
        const q = { dataset: 'test.prices', asOf: t2, from: new Date('2025-10-25T22:15:00Z'), limit: 30 };
        const paged: Observation[] = [];
        for await (const p of store.observationPages(q, 7)) paged.push(...p);
        assert.deepEqual(paged, await store.queryObservations(q));
        assert.deepEqual(values(paged.slice(0, 3)), [101.25, 102.25, 103.25]);
      }
      await store.close();
    });

    it('vintages: keeps each issue of a forecast and reads the one current at an issue instant (issuedAt), optionally as known at asOf', async () => {
      const store = await open();
      const ts = [0, 1, 2].map((i) => new Date(Date.UTC(2025, 10, 5, 10, i * 5)));
      const issue = (at: string, base: number) => ts.map((t, i) => row({ ts: t, value: base + i, issued: new Date(at), resolution: 'PT5M', unit: 'MW' }));
      await store.upsertObservations(issue('2025-11-05T09:55:00Z', 100));
      const known = await mark();
      await store.upsertObservations(issue('2025-11-05T10:00:00Z', 200).slice(1));
      await store.upsertObservations(issue('2025-11-05T10:05:00Z', 300).slice(2));
      const at = (issuedAt: string, asOf?: Date) => store.queryObservations({ dataset: 'test.prices', issuedAt: new Date(issuedAt), asOf });
      assert.deepEqual(await at('2025-11-05T09:50:00Z'), []);
      assert.deepEqual(values(await at('2025-11-05T09:55:00Z')), [100, 101, 102]);
      assert.deepEqual(values(await at('2025-11-05T10:02:00Z')), [100, 201, 202]);
      assert.deepEqual((await at('2025-11-05T11:00:00Z')).map((o) => [o.value, o.issued?.toISOString()]), [[100, '2025-11-05T09:55:00.000Z'], [201, '2025-11-05T10:00:00.000Z'], [302, '2025-11-05T10:05:00.000Z']]);
      assert.deepEqual(values(await at('2025-11-05T11:00:00Z', known)), [100, 101, 102], 'later issues were not known yet');
      assert.deepEqual((await store.listRevisions({ dataset: 'test.prices', from: ts[2] })).map((r) => [r.value, r.issued?.toISOString()]), [[102, '2025-11-05T09:55:00.000Z'], [202, '2025-11-05T10:00:00.000Z']]);
      await store.close();
    });

    it('vintages: prunes revisions past the retention when writing, and on request; retention 0 captures none', async () => {
      const store = await open({ revisions: { retentionMs: 1000, pruneEveryMs: 0 } });
      const ts = new Date('2026-03-29T01:00:00Z'); // the CET spring-forward instant
      await store.upsertObservations([row({ ts, value: 1 })]);
      await store.upsertObservations([row({ ts, value: 2 })]);
      assert.equal((await store.listRevisions({ dataset: 'test.prices' })).length, 1);
      await sleep(1100);
      await store.upsertObservations([row({ ts, value: 3 })]);
      assert.deepEqual((await store.listRevisions({ dataset: 'test.prices' })).map((r) => r.value), [2], 'the revision older than the retention was pruned by the write');
      assert.equal(await store.pruneRevisions(new Date(Date.now() + 1000)), 1);
      assert.deepEqual(await store.listRevisions({ dataset: 'test.prices' }), []);
      await store.close();
      const off = await open({ revisions: { retentionMs: 0 } });
      await off.upsertObservations([row({ ts, value: 1 })]);
      await off.upsertObservations([row({ ts, value: 2 })]);
      assert.deepEqual(await off.listRevisions({ dataset: 'test.prices' }), []);
      assert.deepEqual(values(await off.queryObservations({ dataset: 'test.prices' })), [2]);
      await off.close();
    });
    // --- end vintages ---
    // --- quality ---
    it('replaces the plausibility flags of the series and range a re-evaluation covered, and leaves the others', async () => {
      const store = await open();
      const dk1 = { area: 'DK1', currency: 'EUR' };
      const dk2 = { area: 'DK2', currency: 'EUR' };
      const flag = (series: Record<string, string>, at: string, rule: string, value: number) => ({
        dataset: 'test.prices', seriesKey: seriesKey(series), series, ts: new Date(at), rule, value, detail: `${rule} at ${at}`, flaggedAt: new Date('2025-11-06T00:00:00.000Z'),
      });
      const day = { from: new Date('2025-11-05T00:00:00Z'), to: new Date('2025-11-06T00:00:00Z') };
      await store.replaceQualityFlags({ dataset: 'test.prices', seriesKeys: [seriesKey(dk1), seriesKey(dk2)], ...day }, [
        flag(dk1, '2025-11-05T10:00:00.000Z', 'jump', 900.5),
        flag(dk1, '2025-11-05T10:00:00.000Z', 'range', 900.5),
        flag(dk2, '2025-11-05T11:00:00.000Z', 'range', -450),
        flag(dk1, '2025-11-06T10:00:00.000Z', 'range', 800),
      ].filter((f) => f.ts < day.to));
      await store.replaceQualityFlags({ dataset: 'test.prices', seriesKeys: [seriesKey(dk1)], from: day.to, to: new Date('2025-11-07T00:00:00Z') }, [flag(dk1, '2025-11-06T10:00:00.000Z', 'range', 800)]);
      assert.equal((await store.listQualityFlags({ dataset: 'test.prices' })).length, 4);
      // DK1's value of 10:00 was revised to something plausible: re-evaluating DK1 on that day clears its flags only.
      await store.replaceQualityFlags({ dataset: 'test.prices', seriesKeys: [seriesKey(dk1)], ...day }, []);
      const left = await store.listQualityFlags({ dataset: 'test.prices' });
      assert.deepEqual(left.map((f) => [f.series.area, f.ts.toISOString(), f.rule, f.value, f.detail]), [
        ['DK1', '2025-11-06T10:00:00.000Z', 'range', 800, 'range at 2025-11-06T10:00:00.000Z'],
        ['DK2', '2025-11-05T11:00:00.000Z', 'range', -450, 'range at 2025-11-05T11:00:00.000Z'],
      ]);
      assert.deepEqual((await store.listQualityFlags({ dataset: 'test.prices', ...day, rule: 'range' })).map((f) => f.series.area), ['DK2']);
      assert.deepEqual(await store.listQualityFlags({ dataset: 'other.dataset' }), []);
      assert.equal((await store.listQualityFlags({ limit: 1 })).length, 1);
      await store.close();
    });
    // --- end quality ---
    // --- execution ---
    it('keeps the desk\'s orders, fills, book states and valuation snapshots, upserting by id', async () => {
      const store = await open();
      const at = new Date('2026-01-14T09:00:00.000Z');
      const order: OrderRecord = {
        id: 'a'.repeat(32), strategy: 's1', book: 's1', trader: 'paper', desk: 'power', market: 'day_ahead', zone: 'DE-LU',
        deliveryStart: new Date('2026-01-15T10:00:00.000Z'), deliveryEnd: new Date('2026-01-15T11:00:00.000Z'), side: 'buy', quantityMw: 5,
        limitPrice: 500.5, currency: 'EUR', status: 'open', reason: null, placedAt: at, gateClosure: new Date('2026-01-14T11:00:00.000Z'),
        source: 'signals.x 2026-01-15T10:00:00Z', updatedAt: at,
      };
      const rejected: OrderRecord = { ...order, id: 'b'.repeat(32), zone: 'ES', status: 'rejected', reason: 'zone ES not allowed', deliveryStart: new Date('2026-01-16T10:00:00.000Z'), deliveryEnd: new Date('2026-01-16T11:00:00.000Z') };
      await store.saveOrders([order, rejected]);
      await store.saveOrders([{ ...order, status: 'filled', updatedAt: new Date('2026-01-14T12:00:00.000Z') }]);
      assert.deepEqual(await store.listOrders(), [{ ...order, status: 'filled', updatedAt: new Date('2026-01-14T12:00:00.000Z') }, rejected]);
      assert.deepEqual((await store.listOrders({ status: 'rejected' })).map((o) => o.reason), ['zone ES not allowed']);
      assert.deepEqual((await store.listOrders({ from: new Date('2026-01-16T00:00:00Z'), to: new Date('2026-01-17T00:00:00Z') })).map((o) => o.zone), ['ES']);
      assert.deepEqual((await store.listOrders({ ids: [order.id] })).map((o) => o.id), [order.id]);

      const fill: FillRecord = {
        id: 'f'.repeat(32), orderId: order.id, book: 's1', trader: 'paper', desk: 'power', market: 'day_ahead', zone: 'DE-LU',
        deliveryStart: order.deliveryStart, deliveryEnd: order.deliveryEnd, side: 'buy', quantityMw: 5, price: 41.25, currency: 'EUR',
        filledAt: new Date('2026-01-14T12:00:00.000Z'), priceSource: 'test.day_ahead',
      };
      await store.saveFills([fill]);
      await store.saveFills([fill]);
      assert.deepEqual(await store.listFills({ book: 's1' }), [fill]);

      await store.saveBookState({ book: 's1', stopped: false, reason: null, at });
      await store.saveBookState({ book: 's1', stopped: true, reason: 'daily loss', at: new Date('2026-01-15T12:00:00.000Z') });
      assert.deepEqual(await store.listBookStates(), [{ book: 's1', stopped: true, reason: 'daily loss', at: new Date('2026-01-15T12:00:00.000Z') }]);

      const base = { book: 's1', trader: 'paper', desk: 'power', zone: 'DE-LU', deliveryStart: order.deliveryStart, deliveryEnd: order.deliveryEnd, currency: 'EUR' };
      const position: PositionRecord = { ...base, snapshot: 'live', product: 'day_ahead', side: 'buy', quantityMw: 5, energyMwh: 5, avgPrice: 41.25 };
      const pnl: PnlRecord = { ...base, snapshot: 'live', product: 'day_ahead', netMwh: 5, cash: -206.25, markPrice: null, markKind: null, realised: 0, unrealised: null, total: 0 };
      await store.replaceValuation('live', [position], [pnl]);
      await store.replaceValuation('2026-01-14', [{ ...position, snapshot: '2026-01-14' }], []);
      const settled: PnlRecord = { ...pnl, markPrice: 70, markKind: 'imbalance', realised: 143.75, unrealised: 0, total: 143.75 };
      await store.replaceValuation('live', [position, { ...position, product: 'imbalance', side: 'sell', avgPrice: 70 }], [settled]);
      assert.deepEqual((await store.listPositions()).map((p) => [p.product, p.side, p.avgPrice]), [['day_ahead', 'buy', 41.25], ['imbalance', 'sell', 70]]);
      assert.deepEqual(await store.listPnl({ book: 's1' }), [settled]);
      assert.deepEqual((await store.listPositions({ snapshot: '2026-01-14' })).map((p) => p.snapshot), ['2026-01-14']);
      assert.deepEqual(await store.listPnl({ snapshot: '2026-01-14' }), []);
      await store.close();
    });
    // --- end execution ---
    // --- throughput: batched control writes ---
    it('writes a batch of control rows at once: raw payloads (repeats ignored), fetch-log counts, dead letters', async () => {
      const store = await open();
      const day = (i: number) => new Date(Date.UTC(2025, 0, 1) + i * 86_400_000);
      // More rows than one statement takes (500), so the chunks are exercised.
      const payloads = Array.from({ length: 1200 }, (_, i) => ({
        sha256: i.toString(16).padStart(64, '0'), provider: 'p', dataset: 'd', partition: 'DK1', windowFrom: day(i), windowTo: day(i + 1),
        fetchedAt: new Date('2025-11-05T10:00:00Z'), contentType: 'application/json', bytes: i, runId: `r${i}`,
      }));
      await store.recordRawPayloads(payloads);
      await store.recordRawPayloads(payloads.slice(0, 10));
      await store.recordRawPayloads([]);
      const kept = await store.listRawPayloads({ dataset: 'd' });
      assert.equal(kept.length, 1200);
      assert.deepEqual(kept.find((r) => r.runId === 'r777'), payloads[777]);

      const base = { dataset: 'd', partition: 'DK1', url: 'http://x', latencyMs: 1, bytes: 1, at: new Date() };
      await store.appendFetchLog(payloads.slice(0, 600).flatMap((p, i) => [
        { ...base, runId: p.runId, windowFrom: p.windowFrom, windowTo: p.windowTo, attempt: 1, status: 503, error: 'HTTP 503' },
        { ...base, runId: p.runId, windowFrom: p.windowFrom, windowTo: p.windowTo, attempt: 2, status: 200, error: null, rows: i === 599 ? 7 : null },
      ]));
      await store.setFetchRowsMany([...payloads.slice(0, 550).map((p, i) => ({ runId: p.runId, rows: i })), { runId: 'r3', rows: 96 }]);
      await store.setFetchRowsMany([]);
      const log = await store.listFetchLog({ dataset: 'd', limit: 2000 });
      const rowsOf = (runId: string) => log.filter((l) => l.runId === runId).sort((a, b) => a.attempt - b.attempt).map((l) => [l.error, l.rows]);
      assert.deepEqual(rowsOf('r3'), [['HTTP 503', null], [null, 96]], 'the last count of a run wins; failed requests keep none');
      assert.deepEqual(rowsOf('r549'), [['HTTP 503', null], [null, 549]]);
      assert.deepEqual(rowsOf('r599'), [['HTTP 503', null], [null, 7]], 'a run not named keeps its count');

      const dead = { topic: 'p', dataset: 'd', runId: 'r', windowFrom: day(1), windowTo: null, sha256: null };
      await store.recordDeadLetters(Array.from({ length: 501 }, (_, i) => ({ ...dead, at: new Date(Date.UTC(2025, 10, 5) + i * 1000), reason: `ParseError: ${i}` })));
      await store.recordDeadLetters([]);
      const letters = await store.listDeadLetters({ dataset: 'd', limit: 1000 });
      assert.equal(letters.length, 501);
      assert.deepEqual(letters.filter((l) => l.reason === 'ParseError: 500').map((l) => [l.at.toISOString(), l.windowFrom?.toISOString(), l.windowTo]), [['2025-11-05T00:08:20.000Z', '2025-01-02T00:00:00.000Z', null]]);
      await store.close();
    });
    // --- end throughput ---
  });
}
