// Consumes the provider topics: validate the message, keep the raw bytes, parse, check, then batch
// across messages by rows, bytes and age; a batch's control rows (raw payload index, fetch-log row
// counts) go to the store once per batch beside its observations, the cache is refreshed, and only
// then are its messages acknowledged. What can never succeed goes to the dead-letter topic with its reason. A store,
// cache or archive outage is waited out in place (with backoff, the messages held and their ack
// deadline extended) for as long as it lasts: it is not the messages' fault, so it never counts
// against their deliveries. Nothing here ever rejects unhandled: a failed ack is logged and the
// message comes back by redelivery (the store upsert is idempotent).
import type { Bus, Delivery, Subscription } from '../shared/bus/index.ts';
import { DEAD_LETTER_FROM, DEAD_LETTER_REASON, deadLetterTopic } from '../shared/bus/index.ts';
import type { Cache, LatestValue } from '../shared/cache/index.ts';
import type { Dataset, ParseContext } from '../shared/dataset.ts';
import { errorMessage, isInfrastructureOutage } from '../shared/errors.ts';
import type { Logger } from '../shared/log.ts';
import { recordDeadLetter } from '../shared/metrics.ts';
import { copyOptionalFields, seriesKey, type Observation } from '../shared/observation.ts';
import type { PayloadArchive } from '../shared/payload-archive.ts';
import { readRawMessage, type RawPayload } from '../shared/raw-message.ts';
import type { DeadLetterRecord, RawPayloadRecord, Store, StoredObservation } from '../shared/store/index.ts';
import { SpanKind, extractContext, recordError, withSpan } from '../shared/telemetry.ts';
import { formatInterval, type Interval } from '../shared/time.ts';
import type { Span } from '@opentelemetry/api';
import { writeBatcher } from '../shared/write-batcher.ts';
import { traceBatch } from './batch-trace.ts';
import { validateObservations } from './validate.ts';
// signals: landed events
import { EVENTS_TOPIC, buildLandedEvent, encodeLandedEvent } from '../shared/landed-events.ts';

export type IngestionDeps = {
  bus: Bus;
  store: Store;
  cache: Cache;
  archive: PayloadArchive;
  log: Logger;
  /** Throws UnknownDatasetError for ids this build does not know. */
  findDataset(id: string): Dataset;
  /** The provider topics to consume. */
  topics: readonly string[];
  /** Adds the canonical `zone` dimension (providers/zones.ts); observations pass unchanged without it. */
  annotateZones?: (ds: Dataset, observations: Observation[]) => Observation[];
  // signals: landed events
  /** Publish a `scalar.landed/v1` event on `events` per committed batch (off where nobody consumes an in-process bus: it would never drain). */
  publishLandedEvents?: boolean;
  // signals: end
  /**
   * Parses payloads of at least `minBytes` off the event loop (shared/parse-pool.ts), so a large
   * document does not hold up the messages behind it; smaller ones are parsed in place (the copies
   * to and from a thread cost more than their parse).
   */
  parseOffThread?: { minBytes: number; parse(datasetId: string, body: Uint8Array, context?: ParseContext): Promise<Observation[]> };
  /**
   * completeness: runs after a batch is acknowledged (the ledger recount, plausibility); must not
   * throw. `rows` are what the window's message stored (the ledger counts days they fill from them).
   */
  afterCommit?: (landed: readonly { dataset: string; partition: string; window: Interval; rows: readonly StoredObservation[] }[]) => Promise<void>;
};

export type IngestionOptions = {
  batchRows: number;
  /** A batch is also flushed once its raw payloads and rows (estimated) reach this many bytes; default 32 MiB. */
  batchBytes?: number;
  batchWaitMs: number;
  maxInFlight: number;
  /** Bytes of raw messages delivered but not yet committed; unbounded when left out. */
  maxInFlightBytes?: number;
  subscription?: string;
  /** Longest wait between two tries while the store, cache or archive is down. */
  maxOutageBackoffMs?: number;
};

export type IngestionEvent =
  | { type: 'landed'; dataset: string; partition: string; window: Interval; runId: string; rows: number; lagMs: number }
  | { type: 'dead-lettered'; topic: string; dataset: string | null; window: Interval | null; reason: string }
  | { type: 'batch-failed'; messages: number; rows: number; error: string }
  /** The store, cache or archive failed; the work is retried in place until it is back. */
  | { type: 'outage'; error: string; attempt: number }
  | { type: 'recovered'; afterMs: number };

export type Ingestion = {
  /** Commits whatever is batched now. */
  flush(): Promise<void>;
  /** Commits what is batched, then stops consuming; unacknowledged messages stay on the bus. */
  close(): Promise<void>;
};

/**
 * `span`: the message's consumer span (ended when the message is batched); its landing is traced under
 * it at commit. `deadLetter`: why the payload can never land; it is dead-lettered once its raw payload
 * record is committed with the batch (the bytes are kept first, so a parser fix can replay them).
 */
type Held = { messages: number; bytes: number; released: boolean };
type Pending = { delivery: Delivery; raw: RawPayload; rows: StoredObservation[]; span: Span; bytes: number; deadLetter: string | null };

const DEFAULT_BATCH_BYTES = 32 * 1024 * 1024;
// What a StoredObservation holds on the heap, roughly (object, Date, shared strings): for the byte bound.
const ROW_BYTES = 200;

const rawRecord = (raw: RawPayload): RawPayloadRecord => ({
  sha256: raw.sha256,
  provider: raw.provider,
  dataset: raw.dataset,
  partition: raw.partition,
  windowFrom: raw.window.from,
  windowTo: raw.window.to,
  fetchedAt: raw.fetchedAt,
  contentType: raw.contentType,
  bytes: raw.body.byteLength,
  runId: raw.runId,
});

/** Turns parsed observations into store rows tagged with the payload they came from. */
export function toStoredRows(observations: readonly Observation[], payloadSha256: string): StoredObservation[] {
  // Parsers share one series object among a series' observations: its key is computed once.
  const keys = new Map<Observation['series'], string>();
  return observations.map((o) => {
    let key = keys.get(o.series);
    if (key === undefined) keys.set(o.series, (key = seriesKey(o.series)));
    // Field by field rather than a spread: one object shape for every row, about ten times cheaper
    // per row (the spread was a tenth of ingestion's CPU in the end-to-end bench).
    const row: StoredObservation = { dataset: o.dataset, series: o.series, ts: o.ts, resolution: o.resolution, value: o.value, unit: o.unit, seriesKey: key, payloadSha256 };
    copyOptionalFields(o, row);
    return row;
  });
}

/** The newest row of each series in a batch: what the cache is refreshed with. */
export function latestPerSeries(rows: readonly StoredObservation[]): LatestValue[] {
  const latest = new Map<string, { row: StoredObservation }>();
  let slot: { row: StoredObservation } | undefined;
  for (const r of rows) {
    // Rows come in runs of one series: the key is built only where the series changes.
    if (slot === undefined || slot.row.seriesKey !== r.seriesKey || slot.row.dataset !== r.dataset) {
      const k = `${r.dataset}\u0000${r.seriesKey}`;
      slot = latest.get(k);
      if (slot === undefined) {
        latest.set(k, (slot = { row: r }));
        continue;
      }
    }
    if (r.ts.getTime() >= slot.row.ts.getTime()) slot.row = r;
  }
  return [...latest.values()].map(({ row: r }) => ({
    dataset: r.dataset,
    seriesKey: r.seriesKey,
    series: r.series,
    ts: r.ts,
    value: r.value,
    unit: r.unit,
    resolution: r.resolution,
  }));
}

export async function startIngestion(
  deps: IngestionDeps,
  options: IngestionOptions,
  onEvent: (e: IngestionEvent) => void = () => undefined,
): Promise<Ingestion> {
  let pending: Pending[] = [];
  let pendingRows = 0;
  let pendingBytes = 0;
  const batchBytes = options.batchBytes ?? DEFAULT_BATCH_BYTES;
  let timer: NodeJS.Timeout | undefined;
  let committing: Promise<void> = Promise.resolve();
  // Deliveries (and their message bytes) in batches handed to commit and not yet settled: the bus
  // counts them against maxInFlight / maxInFlightBytes until they are acknowledged.
  let committingMessages = 0;
  let committingBytes = 0;
  let pendingMessageBytes = 0;
  let closing = false;
  const maxBackoff = options.maxOutageBackoffMs ?? 2000;

  /**
   * Runs `work` until it succeeds, waiting out infrastructure outages (the deliveries' ack deadline
   * extended meanwhile). Resolves true on success; false when closing interrupted the wait (the
   * messages stay unacknowledged and come back). Other errors are thrown: they are the messages'.
   */
  async function outlasting(what: string, deliveries: readonly Delivery[], work: () => Promise<void>): Promise<boolean> {
    let since: number | null = null;
    const beat = setInterval(() => deliveries.forEach((d) => d.extend?.()), 1000);
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await work();
          if (since !== null) {
            const afterMs = Date.now() - since;
            deps.log.warn(`${what}: infrastructure back after ${afterMs} ms`);
            onEvent({ type: 'recovered', afterMs });
          }
          return true;
        } catch (e) {
          if (!isInfrastructureOutage(e)) throw e;
          since ??= Date.now();
          if (attempt === 1 || attempt % 10 === 0) deps.log.warn(`${what}: ${errorMessage(e)}; retrying until it is back (attempt ${attempt})`);
          onEvent({ type: 'outage', error: errorMessage(e), attempt });
          if (closing) return false;
          await new Promise((r) => setTimeout(r, Math.min(maxBackoff, 100 * 2 ** Math.min(attempt - 1, 10))));
          if (closing) return false;
        }
      }
    } finally {
      clearInterval(beat);
    }
  }

  /** A batch's messages stop counting as held once they are about to be settled (each settled one lets the bus deliver another). */
  function release(held: Held): void {
    if (held.released) return;
    held.released = true;
    committingMessages -= held.messages;
    committingBytes -= held.bytes;
  }

  async function commit(all: Pending[], held: Held): Promise<void> {
    if (all.length === 0) return;
    const batch = all.filter((b) => b.deadLetter === null);
    const rows = batch.flatMap((b) => b.rows);
    const traced = traceBatch(batch.map((b) => ({ ...b.raw, span: b.span, rows: b.rows.length })));
    try {
      // Three store round trips per batch, however many messages: the raw payload index first (no
      // observation without the record of its bytes), the rows, then the row counts that mark the
      // windows landed (listUnlandedWindows).
      const done = await outlasting(`batch of ${rows.length} rows`, all.map((b) => b.delivery), async () => {
        await deps.store.recordRawPayloads(all.map((b) => rawRecord(b.raw)));
        if (batch.length === 0) return;
        await traced.upsert(() => deps.store.upsertObservations(rows));
        await traced.refresh(() => deps.cache.refresh(latestPerSeries(rows)));
        await deps.store.setFetchRowsMany(batch.map((b) => ({ runId: b.raw.runId, rows: b.rows.length })));
      });
      release(held);
      if (!done) return;
    } catch (e) {
      release(held);
      traced.failed(e);
      deps.log.error({ err: e, messages: all.length }, `batch of ${rows.length} rows failed; redelivering`);
      for (const b of all) b.delivery.nack();
      onEvent({ type: 'batch-failed', messages: all.length, rows: rows.length, error: errorMessage(e) });
      return;
    }
    for (const b of all) {
      if (b.deadLetter === null) continue;
      await deadLetter(b.delivery, b.raw, b.deadLetter).catch((e: unknown) =>
        deps.log.warn({ topic: b.delivery.topic }, `dead-lettering failed, the message will be redelivered: ${errorMessage(e)}`));
    }
    if (batch.length === 0) return;
    traced.committed();
    // signals: landed events — fire and forget, so a full or down events topic never holds a batch.
    const landed = deps.publishLandedEvents ? buildLandedEvent(rows) : null;
    if (landed) {
      deps.bus.publish(EVENTS_TOPIC, { data: encodeLandedEvent(landed), properties: { schema: landed.schema }, key: landed.datasets[0]!.dataset })
        .catch((e: unknown) => deps.log.warn(`landed event not published: ${errorMessage(e)}`));
    }
    // signals: end
    for (const [i, b] of batch.entries()) {
      try {
        await b.delivery.ack();
      } catch (e) {
        // Landed but not acknowledged (the bus is down): it comes back and lands again, idempotently.
        deps.log.warn({ topic: b.delivery.topic }, `ack failed, the message will be redelivered: ${errorMessage(e)}`);
        continue;
      }
      traced.landed(i);
      onEvent({
        type: 'landed',
        dataset: b.raw.dataset,
        partition: b.raw.partition,
        window: b.raw.window,
        runId: b.raw.runId,
        rows: b.rows.length,
        lagMs: Date.now() - b.raw.fetchedAt.getTime(),
      });
    }
    // --- completeness: ledger hook (completeness/ledger.ts) ---
    await deps.afterCommit?.(batch.map((b) => ({ dataset: b.raw.dataset, partition: b.raw.partition, window: b.raw.window, rows: b.rows })));
  }

  function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    const held: Held = { messages: batch.length, bytes: pendingMessageBytes, released: false };
    pending = [];
    pendingRows = 0;
    pendingBytes = 0;
    pendingMessageBytes = 0;
    committingMessages += held.messages;
    committingBytes += held.bytes;
    // commit never rejects; the catch only keeps an unforeseen error from ending the chain unhandled.
    committing = committing
      .then(() => commit(batch, held))
      .catch((e: unknown) => deps.log.error({ err: e }, `commit failed: ${errorMessage(e)}`))
      .finally(() => release(held));
    return committing;
  }

  async function deadLetter(d: Delivery, raw: RawPayload | null, reason: string): Promise<void> {
    const where = raw ? `${raw.provider} ${raw.dataset} [${raw.partition} ${formatInterval(raw.window)}]` : d.topic;
    deps.log.warn({ topic: d.topic, traceparent: raw?.traceparent }, `dead-lettering ${where}: ${reason}`);
    await d.deadLetter(reason);
  }

  function markDeadLetter(span: Span, reason: string): void {
    recordError(span, new Error(`dead-lettered: ${reason}`));
  }

  function enqueue(p: Pending): void {
    pending.push(p);
    pendingRows += p.rows.length;
    pendingBytes += p.bytes;
    pendingMessageBytes += p.delivery.message.data.byteLength;
    // Also at once when the bus can deliver nothing more before this batch is acknowledged: waiting
    // out batchWaitMs then would only idle (64 small messages a second at the 1 s default).
    const busHeld =
      pending.length + committingMessages >= options.maxInFlight ||
      (options.maxInFlightBytes !== undefined && pendingMessageBytes + committingBytes >= options.maxInFlightBytes);
    if (pendingRows >= options.batchRows || pendingBytes >= batchBytes || busHeld) void flush();
    else timer ??= setTimeout(() => void flush(), options.batchWaitMs);
  }

  /** A CONSUMER span continuing the trace the message's `traceparent` carries. */
  function handle(d: Delivery): Promise<void> {
    const attributes = { 'messaging.system': 'scalar', 'messaging.destination.name': d.topic, 'messaging.operation.type': 'process', 'messaging.message.delivery_count': d.deliveryCount };
    return withSpan(`process ${d.topic}`, attributes, (span) => handleMessage(d, span), { kind: SpanKind.CONSUMER, parent: extractContext(d.message.properties) });
  }

  async function handleMessage(d: Delivery, span: Span): Promise<void> {
    let raw: RawPayload;
    let ds: Dataset;
    try {
      raw = readRawMessage(d.message.properties, d.message.data);
      ds = deps.findDataset(raw.dataset);
    } catch (e) {
      const reason = `invalid raw message: ${errorMessage(e)}`;
      markDeadLetter(span, reason);
      return deadLetter(d, null, reason);
    }
    span.setAttributes({ 'scalar.provider': raw.provider, 'scalar.dataset': raw.dataset, 'scalar.partition': raw.partition, 'scalar.window.from': raw.window.from.toISOString(), 'scalar.window.to': raw.window.to.toISOString(), 'scalar.bytes': raw.body.byteLength });
    // Keep the bytes before anything can fail on their content: a parser fix can replay them.
    try {
    // (Its record in the raw payload index is written with the batch it ends up in.)
      const kept = await outlasting(`keeping raw payload ${raw.sha256.slice(0, 12)}`, [d], () => deps.archive.put(raw.sha256, raw.body));
      if (!kept) return;
    } catch (e) {
      deps.log.error({ err: e }, `could not keep raw payload ${raw.sha256}; redelivering`);
      d.nack();
      return;
    }
    let observations: Observation[];
    try {
      observations = await withSpan('parse', { 'scalar.dataset': ds.id, 'scalar.bytes': raw.body.byteLength }, async (parseSpan) => {
        const off = deps.parseOffThread;
        const context = { partition: raw.partition, notes: [] as string[] };
        const bare = off && raw.body.byteLength >= off.minBytes ? await off.parse(ds.id, raw.body, context) : ds.parse(raw.body, context);
        // What the parser dropped or overrode as the provider documents it: kept, but never silently.
        if (context.notes.length > 0) {
          deps.log.warn({ provider: raw.provider, dataset: ds.id, partition: raw.partition, from: raw.window.from.toISOString(), to: raw.window.to.toISOString(), sha256: raw.sha256, count: context.notes.length, notes: context.notes.slice(0, 20) }, `${ds.id}: the parser dropped or overrode ${context.notes.length} input item(s)`);
          parseSpan.setAttribute('scalar.parse_notes', context.notes.length);
        }
        const parsed = deps.annotateZones ? deps.annotateZones(ds, bare) : bare;
        validateObservations(ds, parsed, raw.fetchedAt);
        parseSpan.setAttribute('scalar.rows', parsed.length);
        return parsed;
      });
    } catch (e) {
      markDeadLetter(span, errorMessage(e));
      enqueue({ delivery: d, raw, rows: [], span, bytes: raw.body.byteLength, deadLetter: errorMessage(e) });
      return;
    }
    span.setAttribute('scalar.rows', observations.length);
    enqueue({ delivery: d, raw, rows: toStoredRows(observations, raw.sha256), span, bytes: raw.body.byteLength + observations.length * ROW_BYTES, deadLetter: null });
  }

  const subscription = options.subscription ?? 'ingestion';
  const subs: Subscription[] = [];
  const DEAD_LETTER_IN_FLIGHT = 16;
  // The dead letters that arrive together are recorded in one statement.
  const deadLetters = writeBatcher((ds: DeadLetterRecord[]) => deps.store.recordDeadLetters(ds), {
    maxItems: DEAD_LETTER_IN_FLIGHT,
    maxWaitMs: 20,
    // A reason quotes the parser's error, which can be long: one statement carries at most 1 MiB of them.
    maxBytes: 1024 * 1024,
    sizeOf: (d) => d.reason.length + 200,
  });
  subs.push(await deps.bus.subscribe(deps.topics, { subscription, maxInFlight: options.maxInFlight, maxInFlightBytes: options.maxInFlightBytes }, handle));
  // Dead letters are recorded in the store so they stay visible (and replayable) after the bus forgets them.
  subs.push(
    await deps.bus.subscribe(deps.topics.map(deadLetterTopic), { subscription: 'dead-letter-log', maxInFlight: DEAD_LETTER_IN_FLIGHT }, async (d) => {
      const p = d.message.properties;
      const window = p['window-from'] && p['window-to'] ? { from: new Date(p['window-from']), to: new Date(p['window-to']) } : null;
      const reason = p[DEAD_LETTER_REASON] ?? 'unknown';
      const recorded = await outlasting('recording a dead letter', [d], () => deadLetters.add({
        at: new Date(),
        topic: p[DEAD_LETTER_FROM] ?? d.topic,
        reason,
        dataset: p.dataset ?? null,
        runId: p['run-id'] ?? null,
        windowFrom: window?.from ?? null,
        windowTo: window?.to ?? null,
        sha256: p.sha256 ?? null,
      }));
      if (!recorded) return;
      await d.ack();
      recordDeadLetter(p[DEAD_LETTER_FROM] ?? d.topic, p.dataset ?? null);
      onEvent({ type: 'dead-lettered', topic: p[DEAD_LETTER_FROM] ?? d.topic, dataset: p.dataset ?? null, window, reason });
    }),
  );

  return {
    flush,
    async close() {
      closing = true;
      await flush();
      for (const s of subs) await s.close();
    },
  };
}
