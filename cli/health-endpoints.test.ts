import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../shared/log.ts';
import { runChecks, serveHealth } from './health-endpoints.ts';

describe('readiness checks', () => {
  it('names each failing or silent dependency and is ready only when all answer', async () => {
    const r = await runChecks({
      bus: async () => undefined,
      store: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:3306')),
      cache: () => new Promise(() => undefined),
    }, 50);
    assert.deepEqual(r, { ready: false, checks: { bus: 'ok', store: 'connect ECONNREFUSED 127.0.0.1:3306', cache: 'no answer within 50 ms' } });
    assert.equal((await runChecks({ bus: async () => undefined })).ready, true);
  });
});

describe('health endpoints', () => {
  it('answers /healthz always, /readyz by the checks, and 404 elsewhere; no /metrics without a reader', async () => {
    let storeUp = true;
    const h = await serveHealth(0, { store: async () => { if (!storeUp) throw new Error('store down'); } }, null, silentLogger);
    assert.ok(h);
    const get = (path: string) => fetch(`http://127.0.0.1:${h.port}${path}`);
    try {
      assert.equal((await get('/healthz')).status, 200);
      assert.equal((await get('/readyz')).status, 200);
      storeUp = false;
      const notReady = await get('/readyz');
      assert.equal(notReady.status, 503);
      assert.deepEqual(await notReady.json(), { status: 'not ready', checks: { store: 'store down' } });
      assert.equal((await get('/healthz')).status, 200, 'alive although not ready');
      assert.equal((await get('/metrics')).status, 404);
    } finally {
      await h.close();
    }
  });

  it('keeps the role running, unprobed, when its port is taken', async () => {
    const first = await serveHealth(0, {}, null, silentLogger);
    assert.ok(first);
    try {
      assert.equal(await serveHealth(first.port, {}, null, silentLogger), null);
    } finally {
      await first.close();
    }
  });
});
