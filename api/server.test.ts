import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { seriesKey } from '../shared/observation.ts';
import { MemoryCache } from '../shared/cache/memory.ts';
import { envSecrets } from '../shared/secrets/index.ts';
import { DuckDbStore } from '../shared/store/duckdb.ts';
import type { Store, StoredObservation } from '../shared/store/index.ts';
import { buildApi, serveApi, type Api } from './server.ts';

const DATASET = 'energinet.day_ahead_prices';
const day = (area: string): StoredObservation[] =>
  Array.from({ length: 96 }, (_, i) => ({
    dataset: DATASET, series: { area, currency: 'EUR' }, seriesKey: seriesKey({ area, currency: 'EUR' }),
    ts: new Date(Date.parse('2025-11-05T23:00:00Z') + i * 900_000), resolution: 'PT15M',
    value: i === 5 ? null : 50 + i / 4, unit: 'EUR/MWh', payloadSha256: 'a'.repeat(64),
  }));

let store: Store;
let cache: MemoryCache;
let api: Api;
const TOKEN = 'test-token-1';

before(async () => {
  store = await DuckDbStore.open(':memory:');
  await store.upsertObservations([...day('DK1'), ...day('DK2')]);
  await store.seedWorkerConfig([{ workerId: DATASET, environment: 'test', enabled: true, parameters: {} }]);
  cache = new MemoryCache();
  api = await buildApi({ store, cache, secrets: envSecrets({ API__TOKENS: `other, ${TOKEN}` }), environment: 'test', seedWorkers: async () => 0, heartbeatMs: 50 });
});
after(async () => {
  await api.app.close();
  await store.close();
});

const get = async (url: string) => api.app.inject({ method: 'GET', url });

describe('GET /api/observations', () => {
  it('answers a day of one series in json, jsonl and csv with the same rows, nulls kept', async () => {
    const q = `dataset=${DATASET}&from=2025-11-05T23:00:00Z&to=2025-11-06T23:00:00Z&where=area=DK1`;
    const json = (await get(`/api/observations?${q}`)).json() as { ts: string; value: number | null; series: Record<string, string> }[];
    assert.equal(json.length, 96);
    assert.equal(json[5]!.value, null);
    assert.deepEqual(json[0], { dataset: DATASET, series: { area: 'DK1', currency: 'EUR' }, ts: '2025-11-05T23:00:00Z', resolution: 'PT15M', value: 50, unit: 'EUR/MWh' });
    const jsonl = (await get(`/api/observations?${q}&format=jsonl`)).body.trim().split('\n').map((l) => JSON.parse(l) as unknown);
    assert.deepEqual(jsonl, json);
    const csv = (await get(`/api/observations?${q}&format=csv`)).body.trim().split('\n');
    assert.equal(csv[0], 'dataset,area,currency,ts,resolution,value,unit,issued,quality');
    assert.equal(csv.length, 97);
    assert.equal(csv[6], `${DATASET},DK1,EUR,2025-11-06T00:15:00Z,PT15M,,EUR/MWh,,`);
  });

  it('streams every series when unfiltered, and an empty array when nothing matches', async () => {
    assert.equal(((await get(`/api/observations?dataset=${DATASET}`)).json() as unknown[]).length, 192);
    assert.deepEqual((await get(`/api/observations?dataset=${DATASET}&where=area=SE3`)).json(), []);
  });

  it('answers 400 naming the parameter', async () => {
    for (const [url, parameter] of [
      ['/api/observations', 'dataset'],
      ['/api/observations?dataset=nope.nothing', 'dataset'],
      [`/api/observations?dataset=${DATASET}&from=yesterday`, 'from'],
      [`/api/observations?dataset=${DATASET}&from=2025-11-06&to=2025-11-05`, 'to'],
      [`/api/observations?dataset=${DATASET}&limit=-1`, 'limit'],
      [`/api/observations?dataset=${DATASET}&where=area`, 'where'],
      [`/api/observations?dataset=${DATASET}&format=xml`, 'format'],
    ] as const) {
      const r = await get(url);
      assert.equal(r.statusCode, 400, url);
      assert.equal((r.json() as { parameter?: string }).parameter, parameter, `${url}: ${r.body}`);
      assert.match(r.body, new RegExp(parameter));
    }
  });
});

describe('catalogue, latest, status, health, openapi', () => {
  it('lists datasets with their newest instant and the series of one', async () => {
    const ds = (await get('/api/datasets')).json() as { id: string; newest: string | null; unit: string }[];
    assert.equal(ds.find((d) => d.id === DATASET)?.newest, '2025-11-06T22:45:00Z');
    assert.equal(ds.find((d) => d.id === 'entsoe.load_actual')?.newest, null);
    const series = (await get(`/api/series?dataset=${DATASET}`)).json() as { series: Record<string, string>; lastTs: string }[];
    assert.deepEqual(series.map((s) => s.series.area), ['DK1', 'DK2']);
  });

  it('labels EIC areas with their zone code and accepts the code in where', async () => {
    const fr = { area: '10YFR-RTE------C' };
    await store.upsertObservations([{ dataset: 'entsoe.day_ahead_prices', series: fr, seriesKey: seriesKey(fr), ts: new Date('2025-11-06T00:00:00Z'), resolution: 'PT60M', value: 80.5, unit: 'EUR/MWh', payloadSha256: 'b'.repeat(64) }]);
    const series = (await get('/api/series?dataset=entsoe.day_ahead_prices')).json() as { series: Record<string, string>; labels: Record<string, string> }[];
    assert.deepEqual(series.map((s) => [s.series.area, s.labels.area]), [['10YFR-RTE------C', 'FR']]);
    assert.deepEqual(((await get('/api/observations?dataset=entsoe.day_ahead_prices&where=area=FR')).json() as { value: number }[]).map((o) => o.value), [80.5]);
  });

  it('answers latest values from the cache, filtered', async () => {
    await cache.refresh([{ dataset: DATASET, seriesKey: 'area=DK1;currency=EUR', series: { area: 'DK1', currency: 'EUR' }, ts: new Date('2025-11-06T22:45:00Z'), value: 73.5, unit: 'EUR/MWh', resolution: 'PT15M' }]);
    const latest = (await get(`/api/latest?dataset=${DATASET}&where=area=DK1`)).json() as { value: number; ts: string }[];
    assert.deepEqual(latest.map((l) => [l.ts, l.value]), [['2025-11-06T22:45:00Z', 73.5]]);
    assert.deepEqual((await get(`/api/latest?dataset=${DATASET}&where=area=DK2`)).json(), []);
    assert.equal((await get('/api/latest')).statusCode, 400);
  });

  it('serves status, health and an OpenAPI document naming every route', async () => {
    assert.deepEqual(Object.keys((await get('/api/status')).json() as object), ['watermarks', 'failures', 'deadLetters']);
    assert.ok(Array.isArray(((await get('/api/health')).json() as { providers: unknown[] }).providers));
    assert.deepEqual(((await get('/api/health?provider=energinet')).json() as { providers: { provider: string }[] }).providers.map((p) => p.provider), ['energinet']);
    assert.equal(((await get('/api/health?provider=nope')).json() as { parameter: string }).parameter, 'provider');
    const doc = (await get('/openapi.json')).json() as { openapi: string; paths: Record<string, unknown> };
    assert.match(doc.openapi, /^3\./);
    for (const p of ['/api/datasets', '/api/series', '/api/observations', '/api/latest', '/api/status', '/api/health', '/api/stream', '/api/workers/{id}/enable', '/api/workers/{id}/disable']) assert.ok(doc.paths[p], p);
  });

  it('reconciles on GET /api/reconcile, and names a wrong parameter', async () => {
    const res = await get('/api/reconcile?check=day_ahead_price_dk&from=2025-11-05&to=2025-11-08');
    assert.equal(res.statusCode, 200);
    const body = res.json() as { check: string; zone: string; sources: { source: string; slots: number }[] }[];
    assert.deepEqual(body.map((r) => [r.check, r.zone]), [['day_ahead_price_dk', 'DK1'], ['day_ahead_price_dk', 'DK2']]);
    assert.deepEqual(body[0]!.sources.map((s) => s.source), ['energinet.day_ahead_prices', 'entsoe.day_ahead_prices', 'nordpool.day_ahead_prices']);
    assert.equal(((await get('/api/reconcile?check=nope')).json() as { parameter: string }).parameter, 'check');
  });
});

describe('POST /api/workers/{id}/enable|disable', () => {
  const post = (url: string, authorization?: string) => api.app.inject({ method: 'POST', url, headers: authorization ? { authorization } : {} });

  it('refuses without a token (401) and with a wrong one (403), and changes nothing', async () => {
    assert.equal((await post(`/api/workers/${DATASET}/disable`)).statusCode, 401);
    assert.equal((await post(`/api/workers/${DATASET}/disable`, 'Bearer wrong')).statusCode, 403);
    assert.equal((await post(`/api/workers/${DATASET}/disable`, `Basic ${TOKEN}`)).statusCode, 401);
    assert.equal((await store.listWorkerConfig('test'))[0]!.enabled, true);
  });

  it('toggles with a token from api:tokens; an unknown worker is a 400 naming id', async () => {
    const r = await post(`/api/workers/${DATASET}/disable`, `Bearer ${TOKEN}`);
    assert.equal(r.statusCode, 200, r.body);
    assert.equal((await store.listWorkerConfig('test'))[0]!.enabled, false);
    assert.equal((await post(`/api/workers/${DATASET}/enable`, `Bearer ${TOKEN}`)).statusCode, 200);
    assert.equal((await store.listWorkerConfig('test'))[0]!.enabled, true);
    const unknown = await post('/api/workers/nope/enable', `Bearer ${TOKEN}`);
    assert.deepEqual([unknown.statusCode, (unknown.json() as { parameter: string }).parameter], [400, 'id']);
  });
});

describe('GET /api/stream (a real port)', () => {
  let served: Awaited<ReturnType<typeof serveApi>>;
  let cacheListeners = 0;
  before(async () => {
    const counted = Object.assign(Object.create(cache) as MemoryCache, {
      onChange(l: Parameters<MemoryCache['onChange']>[0]) {
        cacheListeners += 1;
        const stop = cache.onChange(l);
        return () => ((cacheListeners -= 1), stop());
      },
    });
    served = await serveApi({ store, cache: counted, secrets: envSecrets({}), environment: 'test', seedWorkers: async () => 0, heartbeatMs: 50 }, 0);
  });
  after(async () => served.app.close());

  /** Opens the stream, collects its text until `until` matches, then drops the connection. */
  const follow = (path: string, headers: Record<string, string>, until: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const req = request(`${served.url}${path}`, { headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
          if (until.test(text)) {
            req.destroy();
            resolve(text);
          }
        });
      });
      req.on('error', reject);
      req.end();
    });
  const value = (v: number, area = 'DK1') => ({ dataset: DATASET, seriesKey: `area=${area};currency=EUR`, series: { area, currency: 'EUR' }, ts: new Date(Date.parse('2025-11-07T00:00:00Z') + v * 900_000), value: v, unit: 'EUR/MWh', resolution: 'PT15M' });

  it('sends matching changes with ids, heartbeats, and resumes after Last-Event-ID', async () => {
    const seen = follow(`/api/stream?dataset=${DATASET}&where=area=DK2`, {}, /"value":2[\s\S]*: heartbeat/);
    await new Promise((r) => setTimeout(r, 100));
    await cache.refresh([value(1, 'DK1'), value(2, 'DK2')]);
    const text = await seen;
    assert.doesNotMatch(text, /"value":1,/);
    const id = Number(/id: (\d+)\nevent: latest\ndata: .*"value":2/.exec(text)![1]);
    await cache.refresh([value(3, 'DK2')]);
    const resumed = await follow(`/api/stream?dataset=${DATASET}`, { 'last-event-id': String(id) }, /"value":3/);
    assert.doesNotMatch(resumed, /"value":2,/);
    assert.match(resumed, new RegExp(`id: ${id + 1}\\n`));
  });

  it('leaves no listener behind after 500 clients connect and drop', async () => {
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(Array.from({ length: 50 }, () => follow('/api/stream', {}, /retry: 3000/)));
    }
    // A dropped connection's close event arrives a moment after the client destroys its socket.
    for (let i = 0; i < 100 && served.feed.listeners !== 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(served.feed.listeners, 0);
    assert.equal(cacheListeners, 1, 'one cache listener for the API, not one per client');
  });
});

// --- quality ---
describe('GET /api/quality', () => {
  it('answers the scalar quality report and the flagged values, from the same use case', async () => {
    const series = { area: 'DK1', currency: 'EUR' };
    const at = new Date(Date.parse('2025-11-05T23:00:00Z') + 10 * 900_000);
    await store.upsertLedger([{ dataset: DATASET, partition: 'DK1', day: '2025-11-06', expected: 384, present: 192, missing: 192, late: 0, holes: [], repairAttempts: 0, repairNextAt: null, gaveUp: null, updatedAt: new Date() }]);
    await store.replaceQualityFlags({ dataset: DATASET, seriesKeys: [seriesKey(series)], from: at, to: new Date(at.getTime() + 1) }, [
      { dataset: DATASET, seriesKey: seriesKey(series), series, ts: at, rule: 'jump', value: 52.5, detail: 'a constructed flag', flaggedAt: new Date('2025-11-07T00:00:00Z') },
    ]);
    const report = (await get(`/api/quality?dataset=${DATASET}&from=2025-11-06&to=2025-11-06`)).json() as { weights: Record<string, number>; days: Record<string, unknown>[] };
    // 190 non-null values, one flagged; (40 × 0.5 + 15 × 1 + 30 × 189/190) / 85 = 76.3
    assert.deepEqual(report.days.map((d) => [d.day, d.score, d.completeness, d.timeliness, d.plausibility, d.agreement, d.absent]), [['2025-11-06', 76.3, 50, 100, 99.5, null, ['agreement']]]);
    assert.equal(report.weights.completeness, 40);
    assert.deepEqual((await get(`/api/quality/flags?dataset=${DATASET}&from=2025-11-06T00:00:00Z`)).json(), [
      { dataset: DATASET, series, ts: '2025-11-06T01:30:00Z', rule: 'jump', value: 52.5, detail: 'a constructed flag', flaggedAt: '2025-11-07T00:00:00Z' },
    ]);
    const bad = await get('/api/quality?dataset=nope.nothing');
    assert.deepEqual([bad.statusCode, (bad.json() as { parameter: string }).parameter], [400, 'dataset']);
    assert.equal((await get('/api/quality?from=yesterday')).statusCode, 400);
    const paths = Object.keys((((await get('/openapi.json')).json()) as { paths: Record<string, unknown> }).paths);
    assert.ok(paths.includes('/api/quality') && paths.includes('/api/quality/flags'), paths.join(', '));
  });
});
// --- end quality ---
