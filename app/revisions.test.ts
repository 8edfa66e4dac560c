// Vintages on a real forecast payload (Energinet Forecasts_5Min, providers/energinet/fixtures/), on
// DuckDB and MariaDB: each issue is kept and read back by issue time and by what was known when;
// and the API's asOf / revisions routes go through the same use cases.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { buildApi } from '../api/server.ts';
import { toStoredRows } from '../ingestion/consumer.ts';
import { findDataset } from '../providers/index.ts';
import { MemoryCache } from '../shared/cache/memory.ts';
import { sha256Hex } from '../shared/raw-message.ts';
import { envSecrets } from '../shared/secrets/index.ts';
import { DuckDbStore } from '../shared/store/duckdb.ts';
import { realStores } from '../shared/store/test-stores.ts';
import { collectObservations, observationQuery } from './observations.ts';
import { changeText, valueChanges } from './revisions.ts';

const DATASET = 'energinet.wind_solar_forecast_5min';
const recorded = readFileSync(new URL('../providers/energinet/fixtures/Forecasts_5Min_DK1-DK2_2025-11-05T10-12.json', import.meta.url), 'utf8');
type ForecastRecord = Record<string, string | number | null>;

/**
 * An earlier issue of the same window: every record issued at 08:30 UTC, the short-horizon
 * forecasts 5 % lower. The recorded payload is the later issue (each record issued 5 minutes
 * before its value time).
 */
function earlierIssue(): string {
  const doc = JSON.parse(recorded) as { records: ForecastRecord[] };
  for (const r of doc.records) {
    r.TimestampUTC = '2025-11-05T08:30:00';
    r.TimestampDK = '2025-11-05T09:30:00';
    for (const h of ['ForecastCurrent', 'Forecast1Hour', 'Forecast5Hour']) if (typeof r[h] === 'number') r[h] = Number(((r[h] as number) * 0.95).toFixed(6));
  }
  return JSON.stringify(doc);
}

const rowsOf = (text: string) => {
  const bytes = new TextEncoder().encode(text);
  return toStoredRows(findDataset(DATASET).parse(bytes), sha256Hex(bytes));
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const [engine, open] of realStores()) {
  describe(`vintages of a forecast dataset (${engine})`, () => {
    it('keeps each issue of Forecasts_5Min and reads the issue current at an instant, and what was known when', async () => {
      const store = await open();
      try {
        const early = rowsOf(earlierIssue());
        const late = rowsOf(recorded);
        assert.equal(early.length, 720);
        await store.upsertObservations(early);
        await sleep(15);
        const knownEarly = new Date();
        await sleep(15);
        await store.upsertObservations(late);
        const read = async (p: { issued?: string; asOf?: string; where?: string[] }) =>
          collectObservations(store, observationQuery({ dataset: DATASET, where: ['area=DK1', 'forecast_type=Offshore Wind', 'horizon=ForecastCurrent'], ...p }));

        assert.deepEqual(await read({ issued: '2025-11-05T08:00:00Z' }), [], 'nothing was issued yet');
        const first = await read({ issued: '2025-11-05T09:45:00+01:00' }); // 08:45 UTC, in Danish winter time
        assert.equal(first.length, 24);
        assert.ok(first.every((o) => o.issued?.toISOString() === '2025-11-05T08:30:00.000Z'));
        assert.equal(first[0]!.value, Number((1241.619263 * 0.95).toFixed(6)));
        // At 09:30 UTC the recorded issue had replaced the value times up to 09:35 (issued 5 minutes before each).
        const mixed = await read({ issued: '2025-11-05T09:30:00Z' });
        const recordedIssue = (ts: Date) => new Date(ts.getTime() - 300_000);
        assert.deepEqual(mixed.map((o) => o.issued!.toISOString()), mixed.map((o) => (recordedIssue(o.ts) <= new Date('2025-11-05T09:30:00Z') ? recordedIssue(o.ts) : new Date('2025-11-05T08:30:00Z')).toISOString()));
        assert.equal(mixed.filter((o) => o.issued!.getTime() !== Date.parse('2025-11-05T08:30:00Z')).length, 8);
        assert.equal(mixed[0]!.value, 1241.619263);
        const latest = await read({});
        assert.deepEqual(await read({ issued: '2025-11-06T00:00:00Z' }), latest);
        // What the platform knew between the two deliveries: the earlier issue only, whatever its issue time says.
        assert.deepEqual((await read({ asOf: knownEarly.toISOString() })).map((o) => o.value), first.map((o) => o.value));
        assert.deepEqual(await read({ asOf: knownEarly.toISOString(), issued: '2025-11-06T00:00:00Z' }), first);

        const changes = await valueChanges(store, { dataset: DATASET, where: ['area=DK1', 'forecast_type=Offshore Wind'], from: '2025-11-05T09:00:00Z', to: '2025-11-05T09:05:00Z' });
        assert.deepEqual(changes.map((c) => [c.series.horizon, changeText(c), c.oldIssued?.toISOString(), c.newIssued?.toISOString()]), [
          ['Forecast1Hour', '1177.284948 → 1239.247314 (+61.962366)', '2025-11-05T08:30:00.000Z', '2025-11-05T08:55:00.000Z'],
          ['Forecast5Hour', '1128.871014 → 1188.285278 (+59.414264)', '2025-11-05T08:30:00.000Z', '2025-11-05T08:55:00.000Z'],
          ['ForecastCurrent', '1179.5383 → 1241.619263 (+62.080963)', '2025-11-05T08:30:00.000Z', '2025-11-05T08:55:00.000Z'],
          ['ForecastDayAhead', '1107.678833 → 1107.678833', '2025-11-05T08:30:00.000Z', '2025-11-05T08:55:00.000Z'],
          ['ForecastIntraday', '1131.633057 → 1131.633057', '2025-11-05T08:30:00.000Z', '2025-11-05T08:55:00.000Z'],
        ]);
        assert.ok(changes.every((c) => c.payloadSha256 === early[0]!.payloadSha256 && c.unit === 'MW'));
        // The same window delivered again changes nothing.
        await store.upsertObservations(rowsOf(recorded));
        assert.equal((await store.listRevisions({ dataset: DATASET })).length, 720);
      } finally {
        await store.close();
      }
    });
  });
}

describe('GET /api/observations?asOf and /api/revisions', () => {
  it('answers with what was known at an instant, and with how values changed, through the use cases the CLI runs', async () => {
    const store = await DuckDbStore.open(':memory:');
    const api = await buildApi({ store, cache: new MemoryCache(), secrets: envSecrets({}), environment: 'test', seedWorkers: async () => 0 });
    try {
      await store.upsertObservations(rowsOf(earlierIssue()));
      await sleep(15);
      const between = new Date();
      await sleep(15);
      await store.upsertObservations(rowsOf(recorded));
      const where = 'where=area=DK2&where=forecast_type=Solar&where=horizon=Forecast1Hour';
      const get = async (url: string) => api.app.inject({ method: 'GET', url });
      const then = (await get(`/api/observations?dataset=${DATASET}&${where}&asOf=${encodeURIComponent(between.toISOString())}`)).json() as { issued: string }[];
      assert.equal(then.length, 24);
      assert.ok(then.every((o) => o.issued === '2025-11-05T08:30:00Z'));
      const issued = (await get(`/api/observations?dataset=${DATASET}&${where}&issued=2025-11-05T09:00:00Z`)).json() as { issued: string }[];
      assert.deepEqual(issued.slice(0, 3).map((o) => o.issued), ['2025-11-05T08:55:00Z', '2025-11-05T09:00:00Z', '2025-11-05T08:30:00Z']);
      const bad = await get(`/api/observations?dataset=${DATASET}&asOf=yesterday`);
      assert.deepEqual([bad.statusCode, (bad.json() as { parameter: string }).parameter], [400, 'asOf']);
      const changes = (await get(`/api/revisions?dataset=${DATASET}&${where}&limit=2`)).json() as { ts: string; old: number; new: number; replacedAt: string }[];
      assert.deepEqual(changes.map((c) => [c.ts, c.new]), [['2025-11-05T09:00:00Z', changes[0]!.new], ['2025-11-05T09:05:00Z', changes[1]!.new]]);
      assert.ok(changes.every((c) => c.old < c.new && Date.parse(c.replacedAt) > between.getTime()));
    } finally {
      await api.app.close();
      await store.close();
    }
  });
});
