import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEliaSimulator, type EliaSimulator } from './simulator.ts';

const NOW = new Date('2025-11-05T14:07:00Z');
const BASE = '/api/explore/v2.1/catalog/datasets';
const where = (from: string, to: string) => `datetime >= "${from}" AND datetime < "${to}"`;

describe('elia simulator', () => {
  let sim: EliaSimulator;
  before(async () => {
    sim = await startEliaSimulator({ now: () => NOW });
  });
  after(() => sim.close());

  const get = async (ods: string, endpoint: 'records' | 'exports/json', params: Record<string, string | string[]>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) for (const x of [v].flat()) q.append(k, x);
    const res = await fetch(`${sim.url}${BASE}/${ods}/${endpoint}?${q}`);
    return { status: res.status, headers: res.headers, body: (await res.json()) as unknown };
  };
  type Env = { total_count: number; results: Record<string, unknown>[] };

  it('serves a Brussels fall-back day as 100 quarter-hours and a spring-forward day as 92', async () => {
    const fall = (await get('ods162', 'exports/json', { where: where('2024-10-26T22:00:00Z', '2024-10-27T23:00:00Z'), timezone: 'UTC' })).body as Record<string, unknown>[];
    assert.equal(fall.length, 100);
    assert.equal(fall[0]!.datetime, '2024-10-26T22:00:00+00:00');
    const spring = (await get('ods047', 'exports/json', { where: where('2024-03-30T23:00:00Z', '2024-03-31T22:00:00Z') })).body as Record<string, unknown>[];
    assert.equal(spring.length, 92);
  });

  it('writes datetime in the requested timezone and reads naive literals in it', async () => {
    const r = (await get('ods002', 'exports/json', { where: 'datetime >= "2024-10-27T01:45:00" AND datetime < "2024-10-27T03:00:00"', timezone: 'Europe/Brussels' })).body as Record<string, unknown>[];
    assert.deepEqual(r.map((x) => x.datetime), [
      '2024-10-27T01:45:00+02:00',
      '2024-10-27T02:00:00+02:00',
      '2024-10-27T02:15:00+02:00',
      '2024-10-27T02:30:00+02:00',
      '2024-10-27T02:45:00+02:00',
      '2024-10-27T02:00:00+01:00',
      '2024-10-27T02:15:00+01:00',
      '2024-10-27T02:30:00+01:00',
      '2024-10-27T02:45:00+01:00',
    ]);
  });

  it('pages with limit and offset, orders, refines and counts the whole match', async () => {
    const w = where('2025-11-04T23:00:00Z', '2025-11-05T00:00:00Z');
    const page = (await get('ods160', 'records', { where: w, limit: '7', offset: '5', order_by: 'datetime desc' })).body as Env;
    assert.equal(page.total_count, 20);
    assert.equal(page.results.length, 7);
    assert.equal(page.results[0]!.datetime, '2025-11-04T23:30:00+00:00');
    const fr = (await get('ods160', 'records', { where: w, limit: '100', refine: 'controlarea:"France"' })).body as Env;
    assert.equal(fr.total_count, 4);
    assert.ok(fr.results.every((r) => r.controlarea === 'France'));
  });

  it('serves only what exists at its clock: measurements up to now, the daily history up to today', async () => {
    const w = where('2025-11-05T00:00:00Z', '2025-11-06T00:00:00Z');
    const nrt = (await get('ods162', 'records', { where: w, limit: '1' })).body as Env;
    assert.equal(nrt.total_count, 57); // 00:00Z … 14:00Z
    const hist = (await get('ods134', 'records', { where: w, limit: '1' })).body as Env;
    assert.equal(hist.total_count, 0);
    const pre = (await get('ods047', 'records', { where: w, limit: '1' })).body as Env;
    assert.equal(pre.total_count, 0);
  });

  it('answers Opendatasoft errors: 400 for limit > 100 and offset + limit > 10 000, for bad ODSQL; 404 for an unknown dataset', async () => {
    const w = where('2025-11-04T00:00:00Z', '2025-11-05T00:00:00Z');
    const tooMany = await get('ods162', 'records', { where: w, limit: '101' });
    assert.equal(tooMany.status, 400);
    assert.equal((tooMany.body as { error_code: string }).error_code, 'InvalidRESTParameterError');
    const tooFar = await get('ods162', 'records', { where: w, limit: '100', offset: '9901' });
    assert.equal(tooFar.status, 400);
    assert.match((tooFar.body as { message: string }).message, /10000/);
    assert.equal((await get('ods162', 'records', { where: w, limit: '100', offset: '9900' })).status, 200);
    const odsql = await get('ods162', 'records', { where: 'region = "x"' });
    assert.deepEqual([odsql.status, (odsql.body as { error_code: string }).error_code], [400, 'ODSQLError']);
    const unknown = await get('ods999', 'records', { where: w });
    assert.equal(unknown.status, 404);
    assert.equal(typeof (unknown.body as { error_code: string }).error_code, 'string');
  });

  it('answers 429 as Opendatasoft does, with the X-RateLimit headers', async () => {
    sim.setFaults({ rates: { rateLimit: 1 }, retryAfterSeconds: 30 });
    try {
      const r = await get('ods162', 'records', { where: where('2025-11-04T00:00:00Z', '2025-11-05T00:00:00Z') });
      assert.equal(r.status, 429);
      assert.equal(r.headers.get('x-ratelimit-remaining'), '0');
      assert.ok(Number(r.headers.get('x-ratelimit-limit')) > 0);
      const reset = Number(r.headers.get('x-ratelimit-reset')) * 1000;
      assert.ok(reset > Date.now() + 20_000 && reset < Date.now() + 40_000);
      assert.equal(typeof (r.body as { error_code: string }).error_code, 'string');
    } finally {
      sim.setFaults({ rates: {} });
    }
  });

  it('injects a bad record the parser must refuse', async () => {
    sim.setFaults({ rates: { badRecord: 1 } });
    try {
      const r = (await get('ods162', 'records', { where: where('2025-11-04T00:00:00Z', '2025-11-05T00:00:00Z') })).body as Env;
      assert.ok(Object.values(r.results[0]!).includes('n/a'));
    } finally {
      sim.setFaults({ rates: {} });
    }
  });
});

describe('elia simulator ahead of its clock', () => {
  it('serves tomorrow’s forecasts with measurements null', async () => {
    const sim = await startEliaSimulator({ now: () => NOW });
    try {
      const q = new URLSearchParams({ where: where('2025-11-05T23:00:00Z', '2025-11-06T00:00:00Z'), timezone: 'UTC' });
      const rows = (await (await fetch(`${sim.url}${BASE}/ods087/exports/json?${q}`)).json()) as Record<string, unknown>[];
      assert.ok(rows.length > 0);
      assert.ok(rows.every((r) => r.measured === null && r.loadfactor === null && typeof r.dayaheadforecast === 'number'));
    } finally {
      await sim.close();
    }
  });
});
