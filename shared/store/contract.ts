// The behaviour every Store implementation must show; each implementation's test file runs it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seriesKey, type Observation } from '../observation.ts';
import type { Store, StoredObservation } from './types.ts';

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

export function storeContract(name: string, open: () => Promise<Store>): void {
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
