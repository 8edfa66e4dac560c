// The streaming worker kind, next to the windowed scheduler: for every enabled dataset that declares
// a `stream`, one long-lived subscription. It reconnects with backoff (each connect authenticates
// afresh), drops records it has already seen (a resumed subscription repeats them), batches what
// arrives by count and by time into raw messages published like windows, and writes connection
// health (connected / disconnected / failed) into fetch_log. worker_config is re-read while running:
// enabling or disabling a worker starts or stops its stream.
import { setStreamConnected } from '../shared/metrics.ts';
import { randomUUID } from 'node:crypto';
import type { Dataset, StreamRecord } from '../shared/dataset.ts';
import { errorMessage } from '../shared/errors.ts';
import type { FetchLogEntry } from '../shared/store/index.ts';
import { publishPayload, type AcquisitionDeps } from './run-window.ts';
import { LiveWorkers, pause, type LiveWorker } from './live-workers.ts';
import type { WorkerParameters } from './worker-config.ts';

export type StreamEvent =
  | { type: 'stream-connected'; dataset: string; partition: string; connection: number }
  | { type: 'stream-disconnected'; dataset: string; partition: string; error: string | null; retryInMs: number }
  | { type: 'stream-published'; dataset: string; partition: string; records: number; duplicates: number; bytes: number };

export type StreamWorkerOptions = {
  environment: string;
  configRefreshMs: number;
  /** A batch is published when it holds this many records… */
  maxBatchRecords?: number;
  /** …or when its oldest record has waited this long. */
  maxBatchWaitMs?: number;
  /** Reconnect backoff: doubles from `initial` up to `max`, with jitter; reset after a healthy connection. */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** How many record keys are remembered for de-duplication. */
  dedupeKeys?: number;
  onEvent?: (e: StreamEvent) => void;
};

/** Synthetic fetch_log statuses for stream health: 101 (Switching Protocols) marks a connection made. */
export const STREAM_CONNECTED = 101;

/** Remembers the last `capacity` keys; `add` is false for a key already there. */
export function recentKeys(capacity: number): { add(key: string): boolean; readonly size: number } {
  const keys = new Set<string>();
  return {
    get size() {
      return keys.size;
    },
    add(key) {
      if (keys.has(key)) return false;
      keys.add(key);
      // Sets iterate in insertion order: the first key is the oldest.
      if (keys.size > capacity) keys.delete(keys.values().next().value!);
      return true;
    },
  };
}

export class StreamWorkers extends LiveWorkers<string[]> {
  protected readonly kind = 'stream workers';
  readonly #o: Required<Omit<StreamWorkerOptions, 'onEvent' | 'environment' | 'configRefreshMs'>> & Pick<StreamWorkerOptions, 'onEvent'>;

  constructor(deps: AcquisitionDeps, datasets: readonly Dataset[], options: StreamWorkerOptions) {
    super(deps, datasets, options.environment, options.configRefreshMs);
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as StreamWorkerOptions;
    this.#o = { maxBatchRecords: 1000, maxBatchWaitMs: 1000, backoffInitialMs: 500, backoffMaxMs: 30_000, dedupeKeys: 200_000, ...given };
  }

  protected runs(ds: Dataset): boolean {
    return ds.stream !== undefined;
  }

  /** The partitions to subscribe to; a stream restarts when they change. */
  protected wanted(ds: Dataset, params: WorkerParameters): string[] | undefined {
    const partitions = params.partitions ? ds.partitions.filter((p) => params.partitions!.includes(p)) : [...ds.partitions];
    return partitions.length > 0 ? partitions : undefined;
  }

  protected launch(ds: Dataset, partitions: string[]): LiveWorker {
    return this.#startStream(ds, partitions);
  }

  #startStream(ds: Dataset, partitions: string[]): LiveWorker {
    const stream = ds.stream!;
    const abort = new AbortController();
    const partition = partitions.join(',');
    const seen = recentKeys(this.#o.dedupeKeys);
    const log = this.deps.log.child({ dataset: ds.id, partition });
    let buffer: StreamRecord[] = [];
    let duplicates = 0;
    let batchTimer: NodeJS.Timeout | undefined;
    let publishing: Promise<void> = Promise.resolve();

    const health = (entry: Pick<FetchLogEntry, 'runId' | 'attempt' | 'status' | 'error'> & { since: Date }) =>
      // rows: 0 keeps these rows out of the lost-window repair (they are not windows).
      this.deps.store.appendFetchLog([{
        ...entry, dataset: ds.id, partition, windowFrom: entry.since, windowTo: new Date(), url: `stream:${ds.id}`,
        latencyMs: Date.now() - entry.since.getTime(), bytes: 0, rows: 0, at: new Date(),
      }]).catch((e: unknown) => log.warn(`could not record stream health: ${errorMessage(e)}`));

    const flush = (): Promise<void> => {
      clearTimeout(batchTimer);
      batchTimer = undefined;
      if (buffer.length === 0) return publishing;
      const all = buffer;
      let dups = duplicates;
      buffer = [];
      duplicates = 0;
      // One message holds at most maxBatchRecords records, however many arrived at once.
      for (let i = 0; i < all.length; i += this.#o.maxBatchRecords) {
        const batch = all.slice(i, i + this.#o.maxBatchRecords);
        const d = dups;
        dups = 0;
        publishing = publishing.then(() => this.#publish(ds, partition, batch, d, abort.signal));
      }
      return publishing;
    };

    const onRecords = (records: StreamRecord[]) => {
      for (const r of records) {
        if (seen.add(r.key)) buffer.push(r);
        else duplicates += 1;
      }
      if (buffer.length >= this.#o.maxBatchRecords) void flush();
      else if (buffer.length > 0) batchTimer ??= setTimeout(() => void flush(), this.#o.maxBatchWaitMs);
    };

    const loop = async () => {
      let failures = 0;
      let connection = 0;
      while (!abort.signal.aborted) {
        connection += 1;
        const runId = randomUUID();
        const since = new Date();
        let error: string | null = null;
        try {
          const conn = await stream.connect(
            { secrets: this.deps.secrets, http: this.deps.httpFor(ds.provider), baseUrl: this.deps.baseUrls[ds.provider], partitions, log, signal: abort.signal },
            onRecords,
          );
          await health({ runId, attempt: connection, status: STREAM_CONNECTED, error: null, since });
          setStreamConnected(ds.provider, ds.id, true);
          this.#o.onEvent?.({ type: 'stream-connected', dataset: ds.id, partition, connection });
          const onAbort = () => void conn.close();
          abort.signal.addEventListener('abort', onAbort, { once: true });
          const reason = await conn.closed;
          abort.signal.removeEventListener('abort', onAbort);
          error = reason ? errorMessage(reason) : abort.signal.aborted ? null : 'closed by the server';
          // A connection that lasted is healthy: the next reconnect starts from the short delay.
          if (Date.now() - since.getTime() > 10_000) failures = 0;
        } catch (e) {
          error = `connect failed: ${errorMessage(e)}`;
        }
        if (abort.signal.aborted) {
          await health({ runId, attempt: connection, status: null, error: null, since });
          break;
        }
        failures += 1;
        const ceiling = Math.min(this.#o.backoffMaxMs, this.#o.backoffInitialMs * 2 ** (failures - 1));
        const wait = Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
        await health({ runId, attempt: connection, status: null, error: `disconnected: ${error}`, since });
        log.warn(`stream ${ds.id} disconnected (${error}); reconnecting in ${wait} ms`);
        setStreamConnected(ds.provider, ds.id, false);
        this.#o.onEvent?.({ type: 'stream-disconnected', dataset: ds.id, partition, error, retryInMs: wait });
        await pause(wait, abort.signal);
      }
      await flush();
    };
    const done = loop().catch((e: unknown) => log.error({ err: e }, `stream ${ds.id} stopped: ${errorMessage(e)}`));

    return {
      async stop() {
        abort.abort();
        await done;
      },
    };
  }

  /** Publishes one batch; a bus failure is retried (the records are already marked seen, so they must not be lost). */
  async #publish(ds: Dataset, partition: string, batch: StreamRecord[], duplicates: number, signal: AbortSignal): Promise<void> {
    const payload = ds.stream!.encode(batch);
    let from = batch[0]!.at;
    let to = batch[0]!.at;
    for (const r of batch) {
      if (r.at < from) from = r.at;
      if (r.at > to) to = r.at;
    }
    const window = { from, to: new Date(to.getTime() + 1) };
    for (let attempt = 1; ; attempt++) {
      try {
        await publishPayload(this.deps, ds, partition, window, randomUUID(), payload);
        this.#o.onEvent?.({ type: 'stream-published', dataset: ds.id, partition, records: batch.length, duplicates, bytes: payload.body.byteLength });
        return;
      } catch (e) {
        this.deps.log.warn({ dataset: ds.id }, `publishing a stream batch failed (attempt ${attempt}): ${errorMessage(e)}`);
        // On stop the bus may be closing: one last attempt is all we can do.
        if (signal.aborted && attempt >= 3) throw e;
        await pause(Math.min(30_000, 500 * 2 ** (attempt - 1)), undefined);
      }
    }
  }
}
