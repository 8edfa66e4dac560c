import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { ConfigError, HttpError, SourceUnavailableError } from './errors.ts';
import { ABORTED_BY_CALLER, createHttpClient, parseRetryAfter, type AttemptReport } from './http.ts';
import { closeServer, listen } from './simulator.ts';

/** A server that answers with the scripted responses in turn, then 200 "ok". */
async function scripted(script: ((res: ServerResponse) => void)[]) {
  let n = 0;
  const server = createServer((_req, res) => {
    const step = script[n++];
    if (step) step(res);
    else res.writeHead(200).end('ok');
  });
  const url = await listen(server);
  return { url, requests: () => n, close: () => closeServer(server) };
}

const policy = { timeoutMs: 300, maxAttempts: 4, initialDelayMs: 5, maxDelayMs: 20, breakerThreshold: 50, breakerHalfOpenAfterMs: 100 };

describe('http client policy', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    assert.equal(parseRetryAfter('7'), 7000);
    assert.ok((parseRetryAfter(new Date(Date.now() + 5000).toUTCString()) ?? 0) > 3000);
    assert.equal(parseRetryAfter('soon'), null);
    assert.equal(parseRetryAfter(null), null);
  });

  it('waits as long as a 429 asks before trying again, and reports every attempt', async () => {
    const s = await scripted([(res) => res.writeHead(429, { 'retry-after': '1' }).end('slow down')]);
    const reports: AttemptReport[] = [];
    const started = Date.now();
    // No attempt timeout in the way: on a loaded machine 300 ms could expire before the 429 came
    // back, and the quick retry after a timeout then looked like Retry-After ignored.
    const res = await createHttpClient('t', { ...policy, timeoutMs: 30_000 }).get(s.url, { onAttempt: (r) => reports.push(r) });
    assert.equal(new TextDecoder().decode(res.body), 'ok');
    assert.ok(Date.now() - started >= 950, 'retried before Retry-After elapsed');
    assert.deepEqual(reports.map((r) => [r.attempt, r.status]), [[1, 429], [2, 200]]);
    assert.match(reports[0]!.error ?? '', /HTTP 429: slow down/);
    await s.close();
  });

  it('retries 5xx, timeouts and cut-off bodies, then gives up with a retryable error', async () => {
    const s = await scripted([
      (res) => res.writeHead(503).end(),
      () => undefined, // never answers: the attempt times out
      (res) => {
        res.writeHead(200, { 'content-length': '100' });
        res.write('half', () => res.socket?.destroy());
      },
    ]);
    const reports: AttemptReport[] = [];
    const res = await createHttpClient('t', { ...policy, maxAttempts: 4 }).get(s.url, { onAttempt: (r) => reports.push(r) });
    assert.equal(res.status, 200);
    assert.equal(reports.filter((r) => r.error !== null).length, 3);
    await s.close();

    const down = await scripted(Array.from({ length: 10 }, () => (res: ServerResponse) => res.writeHead(500).end()));
    await assert.rejects(createHttpClient('t', policy).get(down.url), (e: unknown) => e instanceof HttpError && e.status === 500 && e.retryable);
    assert.equal(down.requests(), 4);
    await down.close();
  });

  it('logs a timed-out attempt apart from one the caller aborted (a stopping worker)', async () => {
    const silent = await scripted([() => undefined]); // never answers: the attempt times out
    const reports: AttemptReport[] = [];
    await assert.rejects(createHttpClient('t', { ...policy, timeoutMs: 50, maxAttempts: 1 }).get(silent.url, { onAttempt: (r) => reports.push(r) }), SourceUnavailableError);
    await silent.close();
    let received: () => void = () => undefined;
    const arrived = new Promise<void>((r) => (received = r));
    const waiting = await scripted([() => received()]); // holds the request until the caller stops
    const stop = new AbortController();
    const stopped = createHttpClient('t', { ...policy, timeoutMs: 60_000, maxAttempts: 1 }).get(waiting.url, { onAttempt: (r) => reports.push(r), signal: stop.signal });
    await arrived;
    stop.abort();
    await assert.rejects(stopped);
    await waiting.close();
    assert.deepEqual(reports.map((r) => r.error), ['timed out after 50 ms', ABORTED_BY_CALLER]);
  });

  it('a stop ends the wait before a retry at once and starts no further attempt', async () => {
    const server = await scripted(Array.from({ length: 10 }, () => (res: ServerResponse) => void res.writeHead(503).end('busy')));
    const http = createHttpClient('test', { ...policy, initialDelayMs: 5000, maxDelayMs: 5000 });
    const stopping = new AbortController();
    const attempts: AttemptReport[] = [];
    const got = http.get(server.url, { stopping: stopping.signal, onAttempt: (a) => void attempts.push(a) });
    while (attempts.length === 0) await new Promise((r) => setTimeout(r, 5));
    const stoppedAt = Date.now();
    stopping.abort();
    await assert.rejects(got, (e: unknown) => e instanceof Error && e.name === 'AbortError');
    assert.ok(Date.now() - stoppedAt < 1000, `gave up ${Date.now() - stoppedAt} ms after the stop (the retry's wait is 2.5–5 s)`);
    assert.equal(server.requests(), 1);
    await server.close();
  });

  it('the attempt under way when a stop comes finishes, and its answer is used', async () => {
    const server = await scripted([(res) => void setTimeout(() => res.writeHead(200).end('late but fine'), 300)]);
    const http = createHttpClient('test', { ...policy, timeoutMs: 2000 });
    const stopping = new AbortController();
    const got = http.get(server.url, { stopping: stopping.signal });
    setTimeout(() => stopping.abort(), 50);
    assert.equal(new TextDecoder().decode((await got).body), 'late but fine');
    await server.close();
  });

  it('does not retry a rejected credential: it is a configuration error', async () => {
    const s = await scripted([(res) => res.writeHead(401).end('bad token')]);
    await assert.rejects(createHttpClient('entsoe', policy).get(s.url), (e: unknown) => e instanceof ConfigError && /credentials rejected \(HTTP 401\)/.test(e.message));
    assert.equal(s.requests(), 1);
    await s.close();
  });

  it('opens the circuit after repeated failures and fails fast while it is open', async () => {
    const s = await scripted(Array.from({ length: 20 }, () => (res: ServerResponse) => res.writeHead(503).end()));
    const client = createHttpClient('t', { ...policy, maxAttempts: 1, breakerThreshold: 3, breakerHalfOpenAfterMs: 60_000 });
    for (let i = 0; i < 3; i++) await assert.rejects(client.get(s.url), HttpError);
    await assert.rejects(client.get(s.url), (e: unknown) => e instanceof SourceUnavailableError && /circuit open/.test(e.message));
    assert.equal(s.requests(), 3);
    await s.close();
  });
});
