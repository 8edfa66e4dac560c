// One window of one dataset: fetch through the provider client, log every request, publish the
// raw bytes, and only then advance the watermark.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Bus } from '../shared/bus/index.ts';
import type { Dataset, FetchContext } from '../shared/dataset.ts';
import { errorMessage } from '../shared/errors.ts';
import type { HttpClient } from '../shared/http.ts';
import type { Logger } from '../shared/log.ts';
import type { PayloadArchive } from '../shared/payload-archive.ts';
import { rawProperties, sha256Hex } from '../shared/raw-message.ts';
import type { Secrets } from '../shared/secrets/index.ts';
import type { FetchLogEntry, Store } from '../shared/store/index.ts';
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
  signal?: AbortSignal;
};

export type WindowResult = { runId: string; bytes: number; latencyMs: number; requests: number; sha256: string };

/** Thrown when a window could not be acquired; names the provider, dataset and window. */
export class WindowFailedError extends Error {
  override name = 'WindowFailedError';
}

export async function runWindow(deps: AcquisitionDeps, ds: Dataset, partition: string, window: Interval): Promise<WindowResult> {
  const runId = randomUUID();
  const started = performance.now();
  const log: FetchLogEntry[] = [];
  const ctx: FetchContext = {
    http: deps.httpFor(ds.provider),
    secrets: deps.secrets,
    baseUrl: deps.baseUrls[ds.provider],
    log: deps.log.child({ dataset: ds.id, partition }),
    signal: deps.signal,
    onAttempt: (a) =>
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
      }),
  };
  const label = `${ds.provider} ${ds.id} [${partition} ${formatInterval(window)}]`;
  let payload;
  try {
    payload = await ds.fetch(window, partition, ctx);
  } catch (e) {
    // A failure before any request (open circuit, missing secret) still leaves a trace in fetch_log.
    if (log.length === 0) {
      log.push({ runId, dataset: ds.id, partition, windowFrom: window.from, windowTo: window.to, url: '', attempt: 0,
        status: null, latencyMs: Math.round(performance.now() - started), bytes: 0, error: errorMessage(e), at: new Date() });
    }
    await deps.store.appendFetchLog(log);
    throw new WindowFailedError(`${label}: ${errorMessage(e)}`, { cause: e });
  }
  await deps.store.appendFetchLog(log);
  const sha256 = sha256Hex(payload.body);
  const fetchedAt = new Date();
  // Kept before it is published: if the bus loses the message (the in-process bus in a crash),
  // ingestion lands it from the archive on the next start instead of the provider being asked again.
  try {
    await deps.archive.put(sha256, payload.body);
    await deps.store.recordRawPayload({
      sha256, provider: ds.provider, dataset: ds.id, partition, windowFrom: window.from, windowTo: window.to,
      fetchedAt, contentType: payload.contentType, bytes: payload.body.byteLength, runId,
    });
  } catch (e) {
    throw new WindowFailedError(`${label}: could not keep the payload: ${errorMessage(e)}`, { cause: e });
  }
  // W3C trace context: one trace per window run, so acquisition and ingestion logs line up.
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
  try {
    await deps.bus.publish(deps.topicFor(ds.provider), { data: payload.body, properties, key: ds.id });
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
