// Secrets planted where the outside world echoes them back (an error page quoting the request URL
// with its token, an Authorization header, a password in the store URL) must not be found in the
// logs, fetch_log or dead_letters afterwards.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openPlatform, readConfig, startRoles } from '../cli/platform.ts';
import { createLogger } from '../shared/log.ts';
import { openStore } from '../shared/store/index.ts';

const TOKEN = 'PLANTEDtok3n-9f2c7d1e';
const BEARER = 'PLANTEDbearer-55aa01';
const STORE_PASSWORD = 'PLANTEDpw-7431x';
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('redaction', () => {
  it('keeps a token echoed by error pages out of logs, fetch_log and dead_letters', async () => {
    // An upstream that fails twice with a 503 page quoting the request, then answers 200 with an HTML page doing the same.
    let requests = 0;
    const server = createServer((req, res) => {
      requests += 1;
      const page = `<html><body><p>Authorization: Bearer ${BEARER} token=${TOKEN}: request ${req.url} failed.</p></body></html>`;
      res.writeHead(requests <= 2 ? 503 : 200, { 'content-type': 'text/html' }).end(page);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;

    const dataDir = mkdtempSync(join(tmpdir(), 'scalar-redact-'));
    dirs.push(dataDir);
    const lines: string[] = [];
    const log = createLogger('debug', 'debug', { write: (l: string) => void lines.push(l) });
    const config = readConfig({
      env: {},
      overrides: {
        dataDir,
        env: 'test',
        acquisition: { tickMs: 20, configRefreshMs: 50, concurrency: 1, http: { timeoutMs: 2000, maxAttempts: 2, initialDelayMs: 5, maxDelayMs: 10, breakerThreshold: 1000, breakerHalfOpenAfterMs: 100 } },
        ingestion: { batchRows: 1000, batchWaitMs: 20, maxInFlight: 4 },
        bus: { maxDeliveries: 2, redeliveryDelayMs: 20, capacity: 10 },
      },
    });
    const platform = await openPlatform(config, log, { 'entsoe:token': TOKEN });
    await platform.store.seedWorkerConfig([{ workerId: 'entsoe.day_ahead_prices', environment: 'test', enabled: true, parameters: { backfill: 'P1D', partitions: ['FR'] } }]);
    // A clock that moves (failed windows are retried a second later), set to a day when FR prices are out.
    const skew = Date.now() - Date.parse('2025-11-05T14:00:00Z');
    const roles = await startRoles(platform, { acquisition: true, ingestion: true, baseUrls: { entsoe: url }, now: () => new Date(Date.now() - skew) });
    try {
      await until("a dead letter", async () => (await platform.store.listDeadLetters(10)).length > 0).catch(async (e) => { console.log(lines.join(""), JSON.stringify(await platform.store.listFetchLog({ limit: 20 }))); throw e; });
      const fetchLog = await platform.store.listFetchLog({ limit: 100 });
      const deadLetters = await platform.store.listDeadLetters(10);
      assert.ok(fetchLog.some((f) => f.status === 503 && /Authorization: \*\*\*/.test(f.error ?? '')), 'the 503 pages were logged, redacted');
      assert.ok(lines.length > 0);
      const everything = [...lines, ...fetchLog.map((f) => `${f.url} ${f.error}`), ...deadLetters.map((d) => d.reason)].join('\n');
      assert.ok(everything.includes('securityToken=***'), 'the URL is there, masked');
      for (const secret of [TOKEN, BEARER]) assert.ok(!everything.includes(secret), `${secret} leaked:\n${everything.split('\n').filter((l) => l.includes(secret)).join('\n')}`);
    } finally {
      await roles.stop();
      await platform.close();
      server.close();
    }
  });

  it('masks the password of a store URL in the error of a refused connection', async () => {
    const lines: string[] = [];
    const log = createLogger('info', 'info', { write: (l: string) => void lines.push(l) });
    const url = `mysql://scalar:${STORE_PASSWORD}@127.0.0.1:1/scalar_nope`;
    const e = await openStore(url).then(() => null, (err: unknown) => err as Error);
    assert.ok(e, 'connecting to port 1 fails');
    log.error({ err: e, store: url }, `store failed: ${e.message}`);
    assert.match(e.message, /127\.0\.0\.1:1/);
    assert.ok(!`${e.message}\n${e.stack}`.includes(STORE_PASSWORD), e.message);
    assert.ok(!lines.join('\n').includes(STORE_PASSWORD), lines.join('\n'));
  });
});
