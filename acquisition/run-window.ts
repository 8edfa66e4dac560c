// One window of one dataset: fetch through the provider client, log every request, publish the
// raw bytes, and only then advance the watermark.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Span } from '@opentelemetry/api';
import type { Bus } from '../shared/bus/index.ts';
import type { Dataset, FetchContext, FetchedPayload } from '../shared/dataset.ts';
import { NoDataYetError, errorMessage } from '../shared/errors.ts';
import { stoppingWith, type HttpClient } from '../shared/http.ts';
import type { Logger } from '../shared/log.ts';
import { recordFetchAttempt, recordPublished, recordWindow } from '../shared/metrics.ts';
import type { PayloadArchive } from '../shared/payload-archive.ts';
import { rawProperties, sha256Hex } from '../shared/raw-message.ts';
import type { Secrets } from '../shared/secrets/index.ts';
import type { FetchLogEntry, Store } from '../shared/store/index.ts';
import { SpanKind, injectContext, withSpan } from '../shared/telemetry.ts';
import { formatInterval, type Interval } from '../shared/time.ts';

export type AcquisitionDeps = {
  bus: Bus;
  store: Store;
  /** Where a fetched payload is kept before it is published, so a lost message can be landed again. */
  archive: PayloadArchive;
  secrets: Secrets;
  log: Logger;
  /** One client per provider, so each upstream has its own circuit breaker. */
  httpFor(provider: string): HttpClient;
  /** Provider base URL overrides (simulators); the public API when absent. */
  baseUrls: Readonly<Record<string, string | undefined>>;
  /** Topic of a provider's raw payloads. */
  topicFor(provider: string): string;
  /** Aborts the window: its request under way and any retry. */
  signal?: AbortSignal;
  /** The worker is stopping: the request under way may finish, no retry starts. */
  stopping?: AbortSignal;
};

export type WindowResult = { runId: string; bytes: number; latencyMs: number; requests: number; sha256: string };

/** Thrown when a window could not be acquired; names the provider, dataset and window. */
export class WindowFailedError extends Error {
  override name = 'WindowFailedError';
}

/** One trace per window: the HTTP attempts, the publish and (across the bus) ingestion hang under this span. */
export function runWindow(deps: AcquisitionDeps, ds: Dataset, partition: string, window: Interval): Promise<WindowResult> {
  const attributes = { 'scalar.provider': ds.provider, 'scalar.dataset': ds.id, 'scalar.partition': partition, 'scalar.window.from': window.from.toISOString(), 'scalar.window.to': window.to.toISOString() };
  return withSpan(`acquire ${ds.id}`, attributes, async (span) => {
    const result = await acquireWindow(deps, ds, partition, window, span).catch((e: unknown) => {
      recordWindow(ds.provider, ds.id, false);
      throw e;
    });
    recordWindow(ds.provider, ds.id, true);
    span.setAttributes({ 'scalar.run_id': result.runId, 'scalar.bytes': result.bytes, 'scalar.requests': result.requests });
    return result;
  });
}

async function acquireWindow(deps: AcquisitionDeps, ds: Dataset, partition: string, window: Interval, span: Span): Promise<WindowResult> {
  const runId = randomUUID();
  const started = performance.now();
  const log: FetchLogEntry[] = [];
  const ctx: FetchContext = {
    http: deps.stopping ? stoppingWith(deps.httpFor(ds.provider), deps.stopping) : deps.httpFor(ds.provider),
    secrets: deps.secrets,
    baseUrl: deps.baseUrls[ds.provider],
    log: deps.log.child({ dataset: ds.id, partition }),
    signal: deps.signal,
    onAttempt: (a) => {
      recordFetchAttempt({ provider: ds.provider, dataset: ds.id, status: a.status, ok: a.error === null, latencyMs: a.latencyMs, bytes: a.bytes });
      if (a.status !== null) span.setAttribute('http.response.status_code', a.status);
      // Inside the attempt's span: the line carries its trace id; retries are otherwise only in fetch_log.
      if (a.error !== null) ctx.log.warn({ attempt: a.attempt, status: a.status, url: a.url }, `request failed: ${a.error}`);
      log.push({
        runId,
        dataset: ds.id,
        partition,
        windowFrom: window.from,
        windowTo: window.to,
        url: a.url,
        attempt: a.attempt,
        status: a.status,
        latencyMs: a.latencyMs,
        bytes: a.bytes,
        error: a.error,
        at: new Date(),
      });
    },
  };
  const label = `${ds.provider} ${ds.id} [${partition} ${formatInterval(window)}]`;
  let payload;
  try {
    payload = await ds.fetch(window, partition, ctx);
  } catch (e) {
    if (e instanceof NoDataYetError) {
      // Not published yet: the requests are logged as landed with zero rows (nothing to repair),
      // nothing is published and the watermark stays, so the window is asked for again later.
      await deps.store.appendFetchLog(log.map((entry) => ({ ...entry, rows: 0 })));
      throw e;
    }
    // A failure before any request (open circuit, missing secret) still leaves a trace in fetch_log.
    if (log.length === 0) {
      log.push({ runId, dataset: ds.id, partition, windowFrom: window.from, windowTo: window.to, url: '', attempt: 0,
        status: null, latencyMs: Math.round(performance.now() - started), bytes: 0, error: errorMessage(e), at: new Date() });
    }
    await deps.store.appendFetchLog(log);
    throw new WindowFailedError(`${label}: ${errorMessage(e)}`, { cause: e });
  }
  await deps.store.appendFetchLog(log);
  let sha256: string;
  try {
    sha256 = await publishPayload(deps, ds, partition, window, runId, payload);
  } catch (e) {
    throw new WindowFailedError(`${label}: publish failed: ${errorMessage(e)}`, { cause: e });
  }
  await deps.store.advanceWatermark(ds.id, partition, window.to);
  return {
    runId,
    bytes: payload.body.byteLength,
    latencyMs: Math.round(performance.now() - started),
    requests: log.length,
    sha256,
  };
}

/**
 * Keeps one payload of a dataset (archive + raw_payloads) and then publishes it on its provider's
 * topic as a raw message (windows and stream batches alike); resolves with its sha256 once the bus
 * has acknowledged it. Kept before it is published: if the bus loses the message (the in-process
 * bus in a crash), ingestion lands it from the archive on the next start instead of the provider
 * being asked again.
 */
export async function publishPayload(
  deps: Pick<AcquisitionDeps, 'bus' | 'topicFor' | 'archive' | 'store'>,
  ds: Dataset,
  partition: string,
  window: Interval,
  runId: string,
  payload: FetchedPayload,
): Promise<string> {
  const sha256 = sha256Hex(payload.body);
  const fetchedAt = new Date();
  try {
    await deps.archive.put(sha256, payload.body);
    await deps.store.recordRawPayload({
      sha256, provider: ds.provider, dataset: ds.id, partition, windowFrom: window.from, windowTo: window.to,
      fetchedAt, contentType: payload.contentType, bytes: payload.body.byteLength, runId,
    });
  } catch (e) {
    throw new Error(`could not keep the payload: ${errorMessage(e)}`, { cause: e });
  }
  // W3C trace context: the publish span's (injected below) when tracing is on; without it a random
  // id, so acquisition and ingestion logs still line up.
  const traceparent = `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
  const properties = rawProperties({
    provider: ds.provider,
    dataset: ds.id,
    partition,
    window,
    runId,
    fetchedAt,
    contentType: payload.contentType,
    sha256,
    traceparent,
  });
  const topic = deps.topicFor(ds.provider);
  const messaging = { 'messaging.system': 'scalar', 'messaging.destination.name': topic, 'messaging.operation.type': 'send', 'messaging.message.body.size': payload.body.byteLength };
  await withSpan(`publish ${topic}`, messaging, () => deps.bus.publish(topic, { data: payload.body, properties: { ...properties, ...injectContext() }, key: ds.id }), { kind: SpanKind.PRODUCER });
  recordPublished(topic);
  return sha256;
}
