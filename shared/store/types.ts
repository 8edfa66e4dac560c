// The Store port: observations keyed by (dataset, series_key, ts) plus the control plane
// (worker_config, acquisition_state, fetch_log) and the record of raw payloads and dead letters.
import type { Observation } from '../observation.ts';
import type { AnalystView } from './views.ts';
// --- execution ---
import type { BookState, FillRecord, OrderQuery, OrderRecord, PnlRecord, PositionRecord, ValuationQuery } from './execution-records.ts';
export type * from './execution-records.ts';
// --- end execution ---

export type StoredObservation = Observation & { seriesKey: string; payloadSha256: string };

export type ObservationQuery = {
  dataset: string;
  from?: Date;
  to?: Date;
  /** Series dimension filters, all of which must match. */
  where?: Readonly<Record<string, string>>;
  limit?: number;
  /** vintages: what was known at this instant (rows ingested at or before it, replaced ones from `revisions`). */
  asOf?: Date;
  /** vintages: per instant, the issue with the latest `issued` at or before this instant (forecasts). */
  issuedAt?: Date;
};

export type SeriesInfo = { seriesKey: string; series: Record<string, string>; resolution: string; unit: string; firstTs: Date | null; lastTs: Date | null };

export type FetchLogEntry = {
  runId: string;
  dataset: string;
  partition: string;
  windowFrom: Date;
  windowTo: Date;
  url: string;
  attempt: number;
  status: number | null;
  latencyMs: number;
  bytes: number;
  error: string | null;
  at: Date;
  /** Observations landed from the window, filled in by ingestion. */
  rows?: number | null;
};

export type LandedWindow = { partition: string; windowFrom: Date; windowTo: Date; rows: number };

export type WorkerConfig = {
  workerId: string;
  environment: string;
  enabled: boolean;
  parameters: Record<string, unknown>;
};

export type Watermark = { dataset: string; partition: string; watermark: Date; updatedAt: Date };

export type RawPayloadRecord = {
  sha256: string;
  provider: string;
  dataset: string;
  partition: string;
  windowFrom: Date;
  windowTo: Date;
  fetchedAt: Date;
  contentType: string;
  bytes: number;
  runId: string;
};

export type DeadLetterRecord = {
  /** Assigned by the store. */
  id?: number;
  at: Date;
  topic: string;
  reason: string;
  dataset: string | null;
  runId: string | null;
  windowFrom: Date | null;
  windowTo: Date | null;
  sha256: string | null;
  /** When `scalar dead-letters replay` landed it; null while it has not been. */
  replayedAt?: Date | null;
};

export type DeadLetterQuery = { dataset?: string; since?: Date; limit?: number; notReplayed?: boolean };
/** A file a file-drop worker landed (or found unchanged): re-uploads with new content land again. */
export type FileDropRecord = { dataset: string; name: string; size: number; mtime: Date; sha256: string; runId: string; landedAt: Date };

/** One row of the zone vocabulary (shared/zones.ts), mirrored into the store for joins in SQL. */
export type ZoneRecord = { code: string; eic: string; name: string; country: string; timeZone: string; validFrom: Date | null; validTo: Date | null };
// --- completeness (ledger, known gaps, vintages): completeness/ ---
/** One (dataset, partition, delivery day) of the completeness ledger. */
export type LedgerRow = {
  dataset: string;
  partition: string;
  /** Local delivery day `YYYY-MM-DD` in the dataset's zone. */
  day: string;
  expected: number;
  present: number;
  /** Due and absent now. */
  missing: number;
  /** Slots that were missing and arrived later. */
  late: number;
  /** Runs of missing slots: `[{ series, from, to }]` (ISO instants). */
  holes: readonly { series: Readonly<Record<string, string>>; from: Date; to: Date }[];
  /** Targeted re-fetches tried for this day's holes, when the next may run, and why the repair gave up. */
  repairAttempts: number;
  repairNextAt: Date | null;
  gaveUp: string | null;
  updatedAt: Date;
};

/** A stretch a dataset legitimately has no data for (an outage, a retired series): not chased. */
export type KnownGap = { dataset: string; partition: string | null; from: Date; to: Date; reason: string; markedAt: Date };

// --- end completeness ---

// --- vintages ---
/** A value an overwrite replaced, with what it was known as and from which payload. */
export type Revision = {
  dataset: string;
  seriesKey: string;
  ts: Date;
  value: number | null;
  issued: Date | null;
  quality: string | null;
  payloadSha256: string;
  /** When the replaced value had been ingested, and when it was replaced (the replacing value's ingested_at). */
  ingestedAt: Date;
  replacedAt: Date;
};

/** A revision with its series, as `listRevisions` returns it. */
export type RevisionRecord = Revision & { series: Record<string, string>; unit: string; resolution: string };

/** Revisions of one dataset: ts in [from, to), series matching `where`, oldest vintage first per (series, ts). */
export type RevisionQuery = Pick<ObservationQuery, 'dataset' | 'from' | 'to' | 'where' | 'limit'>;

/** How long replaced values are kept (`revisions.retentionDays`); 0 keeps none (no capture: the plain upsert). */
export const DEFAULT_REVISION_RETENTION_DAYS = 400;
// --- end vintages ---

// --- quality (plausibility flags): quality/ ---
/** A stored value that broke a plausibility rule: the value stays, the flag says which rule and why. */
export type QualityFlag = {
  dataset: string;
  seriesKey: string;
  series: Readonly<Record<string, string>>;
  ts: Date;
  /** The rule kind that failed (`range`, `jump`, `capacity`, `balance`). */
  rule: string;
  value: number;
  detail: string;
  flaggedAt: Date;
};

/** The values a re-evaluation covered: its flags replace every earlier flag of these series in [from, to). */
export type FlagScope = { dataset: string; seriesKeys: readonly string[]; from: Date; to: Date };
// --- end quality ---
// --- end completeness ---
// --- throughput: batched control writes ---
export type FetchRowCount = { runId: string; rows: number };
// --- end throughput ---

export type Store = {
  /** Creates or updates the schema; safe to call on every start. */
  migrate(): Promise<void>;
  /** Idempotent: the same rows twice leave the same rows; a revision overwrites the value. */
  upsertObservations(rows: readonly StoredObservation[]): Promise<void>;
  queryObservations(q: ObservationQuery): Promise<Observation[]>;
  countObservations(dataset?: string): Promise<number>;

  getWatermark(dataset: string, partition: string): Promise<Date | null>;
  /** Only ever moves forward. */
  advanceWatermark(dataset: string, partition: string, to: Date): Promise<void>;
  listWatermarks(): Promise<Watermark[]>;

  appendFetchLog(entries: readonly FetchLogEntry[]): Promise<void>;
  /** Records how many observations the window of a run landed (on that run's successful requests). */
  setFetchRows(runId: string, rows: number): Promise<void>;
  listFetchLog(q: { dataset?: string; limit?: number }): Promise<FetchLogEntry[]>;
  /** Every request logged at or after `since`, oldest first (for `scalar health`). */
  listFetchLogSince(since: Date): Promise<FetchLogEntry[]>;
  /**
   * Windows fetched successfully since `since` that never landed (no run of the same window has a
   * row count) and were not dead-lettered: what a non-durable bus lost in a crash.
   */
  listUnlandedWindows(since: Date): Promise<{ dataset: string; partition: string; windowFrom: Date; windowTo: Date }[]>;

  /**
   * Windows of a dataset inside [from, to) that landed (some run of the window has a row count,
   * 0 for an empty one): what a resumed backfill skips.
   */
  listLandedWindows(dataset: string, from: Date, to: Date): Promise<LandedWindow[]>;

  listWorkerConfig(environment: string): Promise<WorkerConfig[]>;
  /** Inserts workers that are missing; leaves existing rows (and their run-time toggles) alone. */
  seedWorkerConfig(configs: readonly WorkerConfig[]): Promise<number>;
  /** Returns false when no such worker exists in that environment. */
  setWorkerEnabled(environment: string, workerId: string, enabled: boolean): Promise<boolean>;

  /**
   * Takes (or renews) the lease `key` for `owner` until now + ttlMs; false while another owner holds
   * an unexpired lease. Two acquisition processes use it so that one window is fetched by one of them.
   */
  acquireLease(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /** The holder's heartbeat: extends `owner`'s lease to now + ttlMs; false when it is no longer `owner`'s. */
  renewLease(key: string, owner: string, ttlMs: number): Promise<boolean>;
  releaseLease(key: string, owner: string): Promise<void>;

  recordRawPayload(r: RawPayloadRecord): Promise<void>;
  listRawPayloads(q: { dataset: string; from?: Date; to?: Date }): Promise<RawPayloadRecord[]>;

  recordDeadLetter(d: DeadLetterRecord): Promise<void>;
  /** Newest first; a number is the limit (the older form). */
  listDeadLetters(q?: number | DeadLetterQuery): Promise<DeadLetterRecord[]>;
  markDeadLetterReplayed(id: number, at: Date): Promise<void>;

  /** File-drop datasets: every (name, size, mtime) seen with its sha256. Optional: stores without it cannot run file drops. */
  listFileDrops?(dataset: string): Promise<FileDropRecord[]>;
  /** Idempotent per (dataset, name, size, mtime). */
  recordFileDrop?(r: FileDropRecord): Promise<void>;

  /** Replaces the `zones` reference table with these rows (on start and migrate). */
  syncZones?(zones: readonly ZoneRecord[]): Promise<void>;
  /** Every series the store holds, with its dimensions (for `scalar zones --unknown`). */
  listAllSeries?(): Promise<{ dataset: string; series: Record<string, string> }[]>;
  listZones?(): Promise<ZoneRecord[]>;

  /** Creates or replaces the analyst views (`shared/store/views.ts`); called after migrate with every dataset's view. */
  replaceViews?(views: readonly AnalystView[]): Promise<void>;
  /** Resolves when the store answers a trivial query (readiness probe). */
  ping?(): Promise<void>;
  /** The newest observation instant per dataset (from the series table: cheap), for the freshness gauge. */
  newestObservations?(): Promise<{ dataset: string; newest: Date }[]>;

  // --- read side of the application layer (app/): series catalogue and paged reads ---
  /** The series of a dataset (from the series table), sorted by key. */
  listSeries?(dataset: string): Promise<SeriesInfo[]>;
  /**
   * The observations `queryObservations` would return, in the same order, as pages of at most
   * `pageSize` rows (keyset paging per series on ts): a reader never holds the whole result.
   */
  observationPages?(q: ObservationQuery, pageSize: number): AsyncGenerator<Observation[]>;
  // --- completeness: ledger and known gaps (completeness/ledger.ts) ---
  upsertLedger(rows: readonly LedgerRow[]): Promise<void>;
  /** Ledger rows, days as `YYYY-MM-DD` inclusive bounds. */
  listLedger(q: { dataset?: string; partition?: string; fromDay?: string; toDay?: string }): Promise<LedgerRow[]>;
  addKnownGap(g: KnownGap): Promise<void>;
  listKnownGaps(dataset?: string): Promise<KnownGap[]>;
  // --- end completeness ---
  // --- quality: plausibility flags (quality/plausibility.ts) ---
  /** Deletes the scope's flags and writes `flags` (all inside the scope), so a flag follows the current value. */
  replaceQualityFlags(scope: FlagScope, flags: readonly QualityFlag[]): Promise<void>;
  /** Flags of [from, to), by dataset, series key and ts. */
  listQualityFlags(q: { dataset?: string; from?: Date; to?: Date; rule?: string; limit?: number }): Promise<QualityFlag[]>;
  // --- end quality ---

  // --- vintages: revisions (replaced values), as-of and issue-time reads via ObservationQuery.asOf/issuedAt ---
  listRevisions(q: RevisionQuery): Promise<RevisionRecord[]>;
  /** Deletes revisions replaced before `before`; returns how many. Upserts also prune past the retention, at most once per `pruneEveryMs`. */
  pruneRevisions(before: Date): Promise<number>;
  // --- end vintages ---

  // --- execution: the paper-trading desk's orders, fills, book states and valuations (execution/) ---
  /** Upserts by order id (a status change overwrites the row). */
  saveOrders(orders: readonly OrderRecord[]): Promise<void>;
  /** Oldest delivery first, then by id. */
  listOrders(q?: OrderQuery): Promise<OrderRecord[]>;
  /** Upserts by fill id: the same fill twice is one fill. */
  saveFills(fills: readonly FillRecord[]): Promise<void>;
  listFills(q?: { book?: string; from?: Date; to?: Date }): Promise<FillRecord[]>;
  saveBookState(state: BookState): Promise<void>;
  listBookStates(): Promise<BookState[]>;
  /** Replaces every position and P&L row of `snapshot` with these (one snapshot at a time). */
  replaceValuation(snapshot: string, positions: readonly PositionRecord[], pnl: readonly PnlRecord[]): Promise<void>;
  listPositions(q?: ValuationQuery): Promise<PositionRecord[]>;
  listPnl(q?: ValuationQuery): Promise<PnlRecord[]>;
  // --- end execution ---
  // --- throughput: batched control writes (ingestion/consumer.ts writes a batch's worth at once) ---
  /** recordRawPayload for many payloads, in as few statements as the engine allows. */
  recordRawPayloads(rs: readonly RawPayloadRecord[]): Promise<void>;
  /** setFetchRows for many runs at once; a run named twice takes its last count. */
  setFetchRowsMany(counts: readonly FetchRowCount[]): Promise<void>;
  /** recordDeadLetter for many dead letters at once. */
  recordDeadLetters(ds: readonly DeadLetterRecord[]): Promise<void>;
  // --- end throughput ---

  close(): Promise<void>;
};
