// Embedded store: one DuckDB file under the data directory. A batch of new instants goes through
// the appender straight into `observations`; a batch that may overwrite goes through the appender
// into a staging table and is merged (UPDATE through a join, then INSERT of the rest), which keeps
// upserts close to bulk-load speed while staying idempotent.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  DOUBLE,
  DuckDBDataChunk,
  DuckDBInstance,
  TIMESTAMP,
  timestampValue,
  VARCHAR,
  type DuckDBAppender,
  type DuckDBConnection,
  type DuckDBTimestampValue,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { Observation } from '../observation.ts';
import type {
  DeadLetterQuery,
  DeadLetterRecord,
  FetchLogEntry,
  FileDropRecord,
  LandedWindow,
  ObservationQuery,
  RawPayloadRecord,
  Store,
  StoredObservation,
  Watermark,
  WorkerConfig,
  SeriesInfo,
  ZoneRecord,
  KnownGap,
  LedgerRow,
  RevisionQuery,
  RevisionRecord,
  FlagScope,
  QualityFlag,
  FetchRowCount,
} from './types.ts';
import { DEFAULT_REVISION_RETENTION_DAYS } from './types.ts';
import { viewStatement, type AnalystView } from './views.ts';
import { changedCondition, PRUNE_EVERY_MS, revisionsStatement, seriesReadStatement, type RevisionSettings, type Statement } from './vintages.ts';
import { dedupeLastWins, distinctSeries, flagFromColumns, holesToJson, lastCountPerRun, ledgerFromColumns, matchesWhere } from './rows.ts';
// --- execution ---
import { EXEC_TABLES, execRecord, execValues, type BookState, type ExecTable, type FillRecord, type OrderQuery, type OrderRecord, type PnlRecord, type PositionRecord, type ValuationQuery } from './execution-records.ts';
// --- end execution ---

const SCHEMA = `
CREATE TABLE IF NOT EXISTS series (
  dataset VARCHAR NOT NULL, series_key VARCHAR NOT NULL, dimensions VARCHAR NOT NULL,
  resolution VARCHAR NOT NULL, unit VARCHAR NOT NULL, first_ts TIMESTAMP, last_ts TIMESTAMP,
  PRIMARY KEY (dataset, series_key));
CREATE TABLE IF NOT EXISTS observations (
  dataset VARCHAR NOT NULL, series_key VARCHAR NOT NULL, ts TIMESTAMP NOT NULL, value DOUBLE,
  payload_sha256 VARCHAR NOT NULL, ingested_at TIMESTAMP NOT NULL,
  PRIMARY KEY (dataset, series_key, ts));
-- Added later: files written before carry neither column until this runs.
ALTER TABLE observations ADD COLUMN IF NOT EXISTS issued TIMESTAMP;
ALTER TABLE observations ADD COLUMN IF NOT EXISTS quality VARCHAR;
CREATE TABLE IF NOT EXISTS acquisition_state (
  dataset VARCHAR NOT NULL, partition_key VARCHAR NOT NULL, watermark TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL, PRIMARY KEY (dataset, partition_key));
CREATE SEQUENCE IF NOT EXISTS fetch_log_id;
CREATE TABLE IF NOT EXISTS fetch_log (
  id BIGINT PRIMARY KEY DEFAULT nextval('fetch_log_id'), run_id VARCHAR NOT NULL, dataset VARCHAR NOT NULL,
  partition_key VARCHAR NOT NULL, window_from TIMESTAMP NOT NULL, window_to TIMESTAMP NOT NULL,
  url VARCHAR NOT NULL, attempt INTEGER NOT NULL, status INTEGER, latency_ms INTEGER NOT NULL,
  bytes BIGINT NOT NULL, error VARCHAR, rows INTEGER, logged_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS worker_config (
  worker_id VARCHAR NOT NULL, environment VARCHAR NOT NULL, enabled BOOLEAN NOT NULL,
  parameters VARCHAR NOT NULL, updated_at TIMESTAMP NOT NULL, PRIMARY KEY (worker_id, environment));
CREATE TABLE IF NOT EXISTS raw_payloads (
  sha256 VARCHAR NOT NULL, provider VARCHAR NOT NULL, dataset VARCHAR NOT NULL, partition_key VARCHAR NOT NULL,
  window_from TIMESTAMP NOT NULL, window_to TIMESTAMP NOT NULL, fetched_at TIMESTAMP NOT NULL,
  content_type VARCHAR NOT NULL, bytes BIGINT NOT NULL, run_id VARCHAR NOT NULL,
  PRIMARY KEY (sha256, dataset, window_from, window_to));
CREATE TABLE IF NOT EXISTS leases (
  lease_key VARCHAR PRIMARY KEY, owner VARCHAR NOT NULL, expires_at TIMESTAMP NOT NULL);
CREATE SEQUENCE IF NOT EXISTS dead_letter_id;
CREATE TABLE IF NOT EXISTS dead_letters (
  id BIGINT PRIMARY KEY DEFAULT nextval('dead_letter_id'), recorded_at TIMESTAMP NOT NULL, topic VARCHAR NOT NULL,
  reason VARCHAR NOT NULL, dataset VARCHAR, run_id VARCHAR, window_from TIMESTAMP, window_to TIMESTAMP, sha256 VARCHAR);
ALTER TABLE dead_letters ADD COLUMN IF NOT EXISTS replayed_at TIMESTAMP;
CREATE TABLE IF NOT EXISTS file_drops (
  dataset VARCHAR NOT NULL, file_name VARCHAR NOT NULL, file_size BIGINT NOT NULL, file_mtime TIMESTAMP NOT NULL,
  sha256 VARCHAR NOT NULL, run_id VARCHAR NOT NULL, landed_at TIMESTAMP NOT NULL,
  PRIMARY KEY (dataset, file_name, file_size, file_mtime));
CREATE TABLE IF NOT EXISTS zones (
  code VARCHAR PRIMARY KEY, eic VARCHAR NOT NULL, name VARCHAR NOT NULL, country VARCHAR NOT NULL,
  time_zone VARCHAR NOT NULL, valid_from TIMESTAMP, valid_to TIMESTAMP);
-- completeness (ledger, known gaps): see deployment/sql/mysql/020_completeness.sql
CREATE TABLE IF NOT EXISTS ledger (
  dataset VARCHAR NOT NULL, partition_key VARCHAR NOT NULL, day VARCHAR NOT NULL, expected INTEGER NOT NULL,
  present INTEGER NOT NULL, missing INTEGER NOT NULL, late INTEGER NOT NULL, holes VARCHAR NOT NULL,
  repair_attempts INTEGER NOT NULL, repair_next_at TIMESTAMP, gave_up VARCHAR, updated_at TIMESTAMP NOT NULL,
  PRIMARY KEY (dataset, partition_key, day));
CREATE TABLE IF NOT EXISTS known_gaps (
  dataset VARCHAR NOT NULL, partition_key VARCHAR, gap_from TIMESTAMP NOT NULL, gap_to TIMESTAMP NOT NULL,
  reason VARCHAR NOT NULL, marked_at TIMESTAMP NOT NULL);
-- vintages: replaced values (see deployment/sql/mysql/030_vintages.sql). No index: reads filter by
-- dataset and series_key, which zone maps serve, and an ART index would slow every capture.
CREATE TABLE IF NOT EXISTS revisions (
  dataset VARCHAR NOT NULL, series_key VARCHAR NOT NULL, ts TIMESTAMP NOT NULL, value DOUBLE, issued TIMESTAMP, quality VARCHAR,
  payload_sha256 VARCHAR NOT NULL, ingested_at TIMESTAMP NOT NULL, replaced_at TIMESTAMP NOT NULL);
`;

// The upsert's staging tables. DuckDB never gives back the space of rows deleted from a temporary
// table (it is never checkpointed, so never vacuumed): emptied with DELETE, they kept every row ever
// staged, and a demo polling every 2 s grew by ~15 MB a minute (duckdb_memory() tag IN_MEMORY_TABLE).
// Dropped and created afresh after each upsert, they hold nothing between batches.
const STAGING = `
CREATE TEMP TABLE IF NOT EXISTS staging_series (
  dataset VARCHAR, series_key VARCHAR, dimensions VARCHAR, resolution VARCHAR, unit VARCHAR, first_ts TIMESTAMP, last_ts TIMESTAMP);
CREATE TEMP TABLE IF NOT EXISTS staging_observations (
  dataset VARCHAR, series_key VARCHAR, ts TIMESTAMP, value DOUBLE, payload_sha256 VARCHAR, ingested_at TIMESTAMP,
  issued TIMESTAMP, quality VARCHAR);
`;
const RESET_STAGING = `DROP TABLE IF EXISTS temp.staging_series; DROP TABLE IF EXISTS temp.staging_observations; ${STAGING}`;

// --- quality: plausibility flags (deployment/sql/mysql/040_quality.sql) ---
const QUALITY_SCHEMA = `
CREATE TABLE IF NOT EXISTS quality_flags (
  dataset VARCHAR NOT NULL, series_key VARCHAR NOT NULL, ts TIMESTAMP NOT NULL, rule VARCHAR NOT NULL,
  dimensions VARCHAR NOT NULL, value DOUBLE NOT NULL, detail VARCHAR NOT NULL, flagged_at TIMESTAMP NOT NULL,
  PRIMARY KEY (dataset, series_key, ts, rule));
`;
// --- end quality ---
// --- execution: paper-trading desk (deployment/sql/mysql/060_execution.sql has the same tables) ---
const EXEC_SCHEMA = `
CREATE TABLE IF NOT EXISTS exec_orders (
  order_id VARCHAR PRIMARY KEY, strategy VARCHAR NOT NULL, book VARCHAR NOT NULL, trader VARCHAR NOT NULL, desk VARCHAR NOT NULL,
  market VARCHAR NOT NULL, zone VARCHAR NOT NULL, delivery_start TIMESTAMP NOT NULL, delivery_end TIMESTAMP NOT NULL, side VARCHAR NOT NULL,
  quantity_mw DOUBLE NOT NULL, limit_price DOUBLE NOT NULL, currency VARCHAR NOT NULL, status VARCHAR NOT NULL, reason VARCHAR,
  placed_at TIMESTAMP NOT NULL, gate_closure TIMESTAMP NOT NULL, source VARCHAR NOT NULL, updated_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS exec_fills (
  fill_id VARCHAR PRIMARY KEY, order_id VARCHAR NOT NULL, book VARCHAR NOT NULL, trader VARCHAR NOT NULL, desk VARCHAR NOT NULL,
  market VARCHAR NOT NULL, zone VARCHAR NOT NULL, delivery_start TIMESTAMP NOT NULL, delivery_end TIMESTAMP NOT NULL, side VARCHAR NOT NULL,
  quantity_mw DOUBLE NOT NULL, price DOUBLE NOT NULL, currency VARCHAR NOT NULL, filled_at TIMESTAMP NOT NULL, price_source VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS exec_books (book VARCHAR PRIMARY KEY, stopped BOOLEAN NOT NULL, reason VARCHAR, changed_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS exec_positions (
  snapshot VARCHAR NOT NULL, book VARCHAR NOT NULL, trader VARCHAR NOT NULL, desk VARCHAR NOT NULL, zone VARCHAR NOT NULL,
  delivery_start TIMESTAMP NOT NULL, delivery_end TIMESTAMP NOT NULL, product VARCHAR NOT NULL, currency VARCHAR NOT NULL, side VARCHAR NOT NULL,
  quantity_mw DOUBLE NOT NULL, energy_mwh DOUBLE NOT NULL, avg_price DOUBLE NOT NULL,
  PRIMARY KEY (snapshot, book, zone, delivery_start, delivery_end, product, currency, side));
CREATE TABLE IF NOT EXISTS exec_pnl (
  snapshot VARCHAR NOT NULL, book VARCHAR NOT NULL, trader VARCHAR NOT NULL, desk VARCHAR NOT NULL, zone VARCHAR NOT NULL,
  delivery_start TIMESTAMP NOT NULL, delivery_end TIMESTAMP NOT NULL, product VARCHAR NOT NULL, currency VARCHAR NOT NULL,
  net_mwh DOUBLE NOT NULL, cash DOUBLE NOT NULL, mark_price DOUBLE, mark_kind VARCHAR, realised DOUBLE NOT NULL, unrealised DOUBLE, total DOUBLE NOT NULL,
  PRIMARY KEY (snapshot, book, zone, delivery_start, delivery_end, product, currency));
`;
// --- end execution ---
// Rows per multi-row control statement (raw payload index, fetch-log counts, dead letters).
const MANY_ROWS = 500;

// One BigInt a value where the microseconds are a safe integer (until the year 2255), two beyond.
const micros = (ms: number) => (Number.isSafeInteger(ms * 1000) ? BigInt(ms * 1000) : BigInt(ms) * 1000n);
const ts = (d: Date) => timestampValue(micros(d.getTime()));
const tsOrNull = (d: Date | null | undefined) => (d ? ts(d) : null);
const asDate = (v: unknown) => v as Date;
const asDateOrNull = (v: unknown) => (v === null || v === undefined ? null : (v as Date));

// Observations go to the appender a data chunk (2048 rows, DuckDB's vector size) at a time: numbers
// and instants land in typed arrays copied in one call per column, where appending value by value
// crosses into native code nine times a row. The column order is that of `observations` and
// `staging_observations`.
const CHUNK_ROWS = 2048;
const OBSERVATION_TYPES = [VARCHAR, VARCHAR, TIMESTAMP, DOUBLE, VARCHAR, TIMESTAMP, TIMESTAMP, VARCHAR];

function appendObservations(appender: DuckDBAppender, rows: readonly StoredObservation[], now: DuckDBTimestampValue): void {
  for (let from = 0; from < rows.length; from += CHUNK_ROWS) {
    const n = Math.min(CHUNK_ROWS, rows.length - from);
    const chunk = DuckDBDataChunk.create(OBSERVATION_TYPES, n);
    const [dataset, seriesKey, at, value, payload, ingestedAt, issued, quality] = Array.from({ length: 8 }, (_, c) => chunk.getColumnVector(c));
    for (let i = 0; i < n; i++) {
      const r = rows[from + i]!;
      dataset!.setItem(i, r.dataset);
      seriesKey!.setItem(i, r.seriesKey);
      at!.setItem(i, ts(r.ts));
      value!.setItem(i, r.value);
      payload!.setItem(i, r.payloadSha256);
      ingestedAt!.setItem(i, now);
      issued!.setItem(i, tsOrNull(r.issued));
      quality!.setItem(i, r.quality ?? null);
    }
    for (const v of [dataset, seriesKey, at, value, payload, ingestedAt, issued, quality]) v!.flush();
    appender.appendDataChunk(chunk);
  }
}

const fetchLogEntry = (r: Record<string, unknown>): FetchLogEntry => ({
  runId: String(r.run_id),
  dataset: String(r.dataset),
  partition: String(r.partition_key),
  windowFrom: asDate(r.window_from),
  windowTo: asDate(r.window_to),
  url: String(r.url),
  attempt: Number(r.attempt),
  status: r.status === null ? null : Number(r.status),
  latencyMs: Number(r.latency_ms),
  bytes: Number(r.bytes),
  error: r.error === null ? null : String(r.error),
  rows: r.rows === null ? null : Number(r.rows),
  at: asDate(r.logged_at),
});

export class DuckDbStore implements Store {
  #conn: DuckDBConnection;
  /** temp.staging_ledger exists on this connection (created on the first ledger write). */
  #ledgerStaging = false;
  #instance: DuckDBInstance;
  // One statement at a time per connection: DuckDB connections are not re-entrant.
  #queue: Promise<unknown> = Promise.resolve();
  // vintages: retention of replaced values (0: none captured) and when they were last pruned.
  readonly #revisions: RevisionSettings;
  #prunedAt = 0;
  // series.first_ts/last_ts per dataset and series key (ms), read once and kept after each commit:
  // this connection is the file's only writer, so the overlap test of a batch needs no query.
  #seriesBounds: Map<string, Map<string, { first: number; last: number }>> | undefined;

  private constructor(instance: DuckDBInstance, conn: DuckDBConnection, revisions: RevisionSettings) {
    this.#instance = instance;
    this.#conn = conn;
    this.#revisions = revisions;
  }

  /**
   * `path` is a file path, or `:memory:`. `memoryLimit` bounds DuckDB's buffer pool (DuckDB's default
   * is 80 % of the machine's memory), `threads` its worker threads (default one per core).
   */
  static async open(path: string, o: { revisions?: Partial<RevisionSettings>; memoryLimit?: string; threads?: number } = {}): Promise<DuckDbStore> {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const settings: Record<string, string> = {};
    if (o.memoryLimit !== undefined) settings.memory_limit = o.memoryLimit;
    if (o.threads !== undefined) settings.threads = String(o.threads);
    const instance = await DuckDBInstance.create(path, settings);
    const revisions = { retentionMs: DEFAULT_REVISION_RETENTION_DAYS * 86_400_000, pruneEveryMs: PRUNE_EVERY_MS, ...o.revisions };
    const store = new DuckDbStore(instance, await instance.connect(), revisions);
    await store.migrate();
    return store;
  }

  /**
   * DuckDB's own account of its memory: the buffer pool's limit as DuckDB prints it (`244.1 MiB`) and
   * the bytes it holds by tag (`duckdb_memory()`: BASE_TABLE, ART_INDEX, IN_MEMORY_TABLE…). For
   * diagnosis and the tests that pin the bounds down.
   */
  memory(): Promise<{ limit: string; byTag: Record<string, number> }> {
    return this.#serial(async () => {
      const tags = await this.#rows('SELECT tag, memory_usage_bytes AS bytes FROM duckdb_memory()');
      const [limit] = await this.#rows("SELECT current_setting('memory_limit') AS limit");
      return { limit: String(limit?.limit), byTag: Object.fromEntries(tags.map((r) => [String(r.tag), Number(r.bytes)])) };
    });
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #rows(sql: string, values?: DuckDBValue[]): Promise<Record<string, unknown>[]> {
    const reader = await this.#conn.runAndReadAll(sql, values);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  }

  #statement(st: Statement): Promise<Record<string, unknown>[]> {
    return this.#rows(st.sql, st.params.map((p) => (p instanceof Date ? ts(p) : p)));
  }

  migrate(): Promise<void> {
    return this.#serial(async () => {
      await this.#conn.run(SCHEMA);
      await this.#conn.run(STAGING);
      await this.#conn.run(QUALITY_SCHEMA);
      await this.#conn.run(EXEC_SCHEMA); // execution
      // The schema goes into the database file at once, not only the WAL: DuckDB (1.5) cannot replay
      // an ALTER TABLE of a table created in the same WAL after a crash, and a store that cannot
      // reopen after SIGKILL loses everything it held.
      await this.#conn.run('CHECKPOINT');
    });
  }

  replaceViews(views: readonly AnalystView[]): Promise<void> {
    return this.#serial(async () => {
      for (const v of views) await this.#conn.run(viewStatement('duckdb', v));
    });
  }

  upsertObservations(rows: readonly StoredObservation[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    const upsert = async (merge: boolean): Promise<void> => {
      const unique = dedupeLastWins(rows);
      const summaries = distinctSeries(unique);
      const known = await this.#knownSeriesBounds();
      const at = new Date();
      const now = ts(at);
      let retry = false;
      await this.#conn.run('BEGIN TRANSACTION');
      try {
        const series = await this.#conn.createAppender('staging_series', 'main', 'temp');
        for (const x of summaries) {
          series.appendVarchar(x.dataset);
          series.appendVarchar(x.seriesKey);
          series.appendVarchar(JSON.stringify(x.series));
          series.appendVarchar(x.resolution);
          series.appendVarchar(x.unit);
          series.appendTimestamp(ts(x.firstTs));
          series.appendTimestamp(ts(x.lastTs));
          series.endRow();
        }
        series.closeSync();
        // A batch whose instants all lie outside what each of its series already holds (the usual
        // case: new data arriving in time order) cannot meet a stored row, so it is appended with a
        // plain append; otherwise it is merged. series.first_ts/last_ts are kept in this transaction.
        const overlapping =
          merge ||
          summaries.some((x) => {
            const b = known.get(x.dataset)?.get(x.seriesKey);
            return b !== undefined && x.firstTs.getTime() <= b.last && x.lastTs.getTime() >= b.first;
          })
            ? 1
            : 0;
        await this.#conn.run(
          `INSERT INTO series SELECT * FROM temp.staging_series
           ON CONFLICT (dataset, series_key) DO UPDATE SET
             first_ts = least(series.first_ts, excluded.first_ts), last_ts = greatest(series.last_ts, excluded.last_ts),
             unit = excluded.unit, resolution = excluded.resolution`,
        );
        // No overlap: the appender writes straight into observations (the key is still checked; a
        // conflict fails the batch, which is then merged). Otherwise: staged, then merged.
        const appender: DuckDBAppender =
          overlapping === 0 ? await this.#conn.createAppender('observations') : await this.#conn.createAppender('staging_observations', 'main', 'temp');
        appendObservations(appender, unique, now);
        appender.closeSync();
        const columns = 'dataset, series_key, ts, value, payload_sha256, ingested_at, issued, quality';
        if (overlapping > 0) {
          // Stored rows updated through a join, the rest inserted: several times faster in DuckDB than
          // ON CONFLICT DO UPDATE, which handles each conflicting row on its own. The instant bounds
          // let DuckDB skip row groups outside the batch.
          const bounds = `o.ts BETWEEN (SELECT min(ts) FROM temp.staging_observations) AND (SELECT max(ts) FROM temp.staging_observations)`;
          // vintages: the stored values this batch changes are kept before the UPDATE overwrites them,
          // replaced at the new value's ingested_at; an identical re-delivery leaves the row (and the
          // instant it became known) alone.
          const capture = this.#revisions.retentionMs > 0;
          const changed = capture ? ` AND ${changedCondition('duckdb', 'o', 's')}` : '';
          if (capture) {
            await this.#conn.run(
              `INSERT INTO revisions SELECT o.dataset, o.series_key, o.ts, o.value, o.issued, o.quality, o.payload_sha256, o.ingested_at, s.ingested_at
               FROM observations AS o JOIN temp.staging_observations AS s ON o.dataset = s.dataset AND o.series_key = s.series_key AND o.ts = s.ts
               WHERE ${bounds}${changed}`,
            );
          }
          await this.#conn.run(
            `UPDATE observations AS o SET value = s.value, payload_sha256 = s.payload_sha256, ingested_at = s.ingested_at,
               issued = s.issued, quality = s.quality
             FROM temp.staging_observations AS s
             WHERE o.dataset = s.dataset AND o.series_key = s.series_key AND o.ts = s.ts AND ${bounds}${changed}`,
          );
          await this.#conn.run(
            `INSERT INTO observations (${columns}) SELECT ${columns} FROM temp.staging_observations AS s
             WHERE NOT EXISTS (SELECT 1 FROM observations AS o
               WHERE o.dataset = s.dataset AND o.series_key = s.series_key AND o.ts = s.ts AND ${bounds})`,
          );
        }
        await this.#conn.run('COMMIT');
        for (const x of summaries) {
          let perSeries = known.get(x.dataset);
          if (perSeries === undefined) known.set(x.dataset, (perSeries = new Map()));
          const b = perSeries.get(x.seriesKey);
          const first = x.firstTs.getTime();
          const last = x.lastTs.getTime();
          perSeries.set(x.seriesKey, b === undefined ? { first, last } : { first: Math.min(b.first, first), last: Math.max(b.last, last) });
        }
      } catch (e) {
        await this.#conn.run('ROLLBACK').catch(() => undefined);
        // Staging starts empty for the retry.
        await this.#conn.run(RESET_STAGING).catch(() => undefined);
        // A plain append that met a stored row (series bounds out of step with the rows, e.g. a file
        // written by hand): the same batch again through the merge.
        if (merge || !/constraint|duplicate key/i.test((e as Error).message)) throw e;
        retry = true;
      }
      if (retry) await upsert(true);
      else await this.#pruneIfDue(at);
    };
    return this.#serial(() => upsert(false).finally(() => this.#conn.run(RESET_STAGING).catch(() => undefined)));
  }

  async #knownSeriesBounds(): Promise<Map<string, Map<string, { first: number; last: number }>>> {
    if (this.#seriesBounds) return this.#seriesBounds;
    const known = new Map<string, Map<string, { first: number; last: number }>>();
    for (const r of await this.#rows('SELECT dataset, series_key, first_ts, last_ts FROM series WHERE first_ts IS NOT NULL AND last_ts IS NOT NULL')) {
      let perSeries = known.get(String(r.dataset));
      if (perSeries === undefined) known.set(String(r.dataset), (perSeries = new Map()));
      perSeries.set(String(r.series_key), { first: asDate(r.first_ts).getTime(), last: asDate(r.last_ts).getTime() });
    }
    return (this.#seriesBounds = known);
  }

  queryObservations(q: ObservationQuery): Promise<Observation[]> {
    return this.#serial(async () => {
      const series = (await this.#rows('SELECT * FROM series WHERE dataset = $1 ORDER BY series_key', [q.dataset]))
        .map((s) => ({
          seriesKey: String(s.series_key),
          resolution: String(s.resolution),
          unit: String(s.unit),
          dims: JSON.parse(String(s.dimensions)) as Record<string, string>,
        }))
        .filter((s) => matchesWhere(s.dims, q.where));
      const out: Observation[] = [];
      for (const s of series) {
        for (const r of await this.#statement(seriesReadStatement(q, s.seriesKey, null, q.limit === undefined ? undefined : q.limit - out.length))) {
          out.push({
            dataset: q.dataset,
            series: s.dims,
            ts: asDate(r.ts),
            resolution: s.resolution,
            value: r.value === null ? null : Number(r.value),
            unit: s.unit,
            ...(r.issued === null || r.issued === undefined ? {} : { issued: asDate(r.issued) }),
            ...(r.quality === null || r.quality === undefined ? {} : { quality: String(r.quality) }),
          });
        }
        if (q.limit !== undefined && out.length >= q.limit) break;
      }
      return out;
    });
  }

  // --- paged reads (app/ layer) ---
  listSeries(dataset: string): Promise<SeriesInfo[]> {
    return this.#serial(async () =>
      (await this.#rows('SELECT * FROM series WHERE dataset = $1 ORDER BY series_key', [dataset])).map((s) => ({
        seriesKey: String(s.series_key),
        series: JSON.parse(String(s.dimensions)) as Record<string, string>,
        resolution: String(s.resolution),
        unit: String(s.unit),
        firstTs: asDateOrNull(s.first_ts),
        lastTs: asDateOrNull(s.last_ts),
      })),
    );
  }

  async *observationPages(q: ObservationQuery, pageSize: number): AsyncGenerator<Observation[]> {
    const size = Math.max(1, Math.floor(pageSize));
    let left = q.limit === undefined ? Infinity : Math.max(0, Math.floor(q.limit));
    for (const s of (await this.listSeries(q.dataset)).filter((x) => matchesWhere(x.series, q.where))) {
      let after: Date | null = null;
      while (left > 0) {
        const st = seriesReadStatement(q, s.seriesKey, after, Math.min(size, left));
        const rows = await this.#serial(() => this.#statement(st));
        if (rows.length === 0) break;
        const page = rows.map((r): Observation => ({
          dataset: q.dataset, series: s.series, ts: asDate(r.ts), resolution: s.resolution,
          value: r.value === null ? null : Number(r.value), unit: s.unit,
          ...(r.issued === null || r.issued === undefined ? {} : { issued: asDate(r.issued) }),
          ...(r.quality === null || r.quality === undefined ? {} : { quality: String(r.quality) }),
        }));
        left -= page.length;
        after = page[page.length - 1]!.ts;
        yield page;
        if (rows.length < size) break;
      }
      if (left <= 0) return;
    }
  }
  // --- end paged reads ---

  countObservations(dataset?: string): Promise<number> {
    return this.#serial(async () => {
      const rows = dataset
        ? await this.#rows('SELECT count(*) AS n FROM observations WHERE dataset = $1', [dataset])
        : await this.#rows('SELECT count(*) AS n FROM observations');
      return Number(rows[0]?.n ?? 0);
    });
  }

  getWatermark(dataset: string, partition: string): Promise<Date | null> {
    return this.#serial(async () => {
      const rows = await this.#rows(
        'SELECT watermark FROM acquisition_state WHERE dataset = $1 AND partition_key = $2',
        [dataset, partition],
      );
      return rows[0] ? asDate(rows[0].watermark) : null;
    });
  }

  advanceWatermark(dataset: string, partition: string, to: Date): Promise<void> {
    return this.#serial(async () => {
      await this.#conn.run(
        `INSERT INTO acquisition_state VALUES ($1, $2, $3, $4)
         ON CONFLICT (dataset, partition_key) DO UPDATE SET
           watermark = greatest(acquisition_state.watermark, excluded.watermark), updated_at = excluded.updated_at`,
        [dataset, partition, ts(to), ts(new Date())],
      );
    });
  }

  ping(): Promise<void> {
    return this.#serial(async () => void (await this.#rows('SELECT 1')));
  }

  newestObservations(): Promise<{ dataset: string; newest: Date }[]> {
    return this.#serial(async () =>
      (await this.#rows('SELECT dataset, max(last_ts) AS newest FROM series GROUP BY dataset')).map((r) => ({ dataset: String(r.dataset), newest: asDate(r.newest) })),
    );
  }

  listWatermarks(): Promise<Watermark[]> {
    return this.#serial(async () =>
      (await this.#rows('SELECT * FROM acquisition_state ORDER BY dataset, partition_key')).map((r) => ({
        dataset: String(r.dataset),
        partition: String(r.partition_key),
        watermark: asDate(r.watermark),
        updatedAt: asDate(r.updated_at),
      })),
    );
  }

  appendFetchLog(entries: readonly FetchLogEntry[]): Promise<void> {
    return this.#many(
      entries.map((e) => [e.runId, e.dataset, e.partition, ts(e.windowFrom), ts(e.windowTo), e.url, e.attempt, e.status,
        e.latencyMs, e.bytes, e.error, e.rows ?? null, ts(e.at)]),
      (values) => `INSERT INTO fetch_log (run_id, dataset, partition_key, window_from, window_to, url, attempt, status,
         latency_ms, bytes, error, rows, logged_at) VALUES ${values}`,
      ['VARCHAR', 'VARCHAR', 'VARCHAR', 'TIMESTAMP', 'TIMESTAMP', 'VARCHAR', 'INTEGER', 'INTEGER', 'INTEGER', 'BIGINT', 'VARCHAR', 'INTEGER', 'TIMESTAMP'],
    );
  }

  setFetchRows(runId: string, rows: number): Promise<void> {
    return this.#serial(async () => {
      await this.#conn.run('UPDATE fetch_log SET rows = $1 WHERE run_id = $2 AND error IS NULL', [rows, runId]);
    });
  }

  listFetchLog(q: { dataset?: string; limit?: number }): Promise<FetchLogEntry[]> {
    return this.#serial(async () => {
      const limit = Math.max(1, Math.floor(q.limit ?? 100));
      const rows = q.dataset
        ? await this.#rows(`SELECT * FROM fetch_log WHERE dataset = $1 ORDER BY id DESC LIMIT ${limit}`, [q.dataset])
        : await this.#rows(`SELECT * FROM fetch_log ORDER BY id DESC LIMIT ${limit}`);
      return rows.map(fetchLogEntry);
    });
  }

  listFetchLogSince(since: Date): Promise<FetchLogEntry[]> {
    return this.#serial(async () =>
      (await this.#rows('SELECT * FROM fetch_log WHERE logged_at >= $1 ORDER BY logged_at, id', [ts(since)])).map(fetchLogEntry),
    );
  }

  listUnlandedWindows(since: Date): Promise<{ dataset: string; partition: string; windowFrom: Date; windowTo: Date }[]> {
    return this.#serial(async () =>
      (await this.#rows(
        `SELECT dataset, partition_key, window_from, window_to FROM fetch_log
         WHERE logged_at >= $1 AND error IS NULL
           AND run_id NOT IN (SELECT run_id FROM dead_letters WHERE run_id IS NOT NULL)
         GROUP BY dataset, partition_key, window_from, window_to
         HAVING max(rows) IS NULL
         ORDER BY dataset, partition_key, window_from`,
        [ts(since)],
      )).map((r) => ({ dataset: String(r.dataset), partition: String(r.partition_key), windowFrom: asDate(r.window_from), windowTo: asDate(r.window_to) })),
    );
  }

  listLandedWindows(dataset: string, from: Date, to: Date): Promise<LandedWindow[]> {
    return this.#serial(async () =>
      (await this.#rows(
        `SELECT partition_key, window_from, window_to, max(rows) AS rows FROM fetch_log
         WHERE dataset = $1 AND window_from >= $2 AND window_to <= $3 AND rows IS NOT NULL
         GROUP BY partition_key, window_from, window_to ORDER BY partition_key, window_from`,
        [dataset, ts(from), ts(to)],
      )).map((r) => ({ partition: String(r.partition_key), windowFrom: asDate(r.window_from), windowTo: asDate(r.window_to), rows: Number(r.rows) })),
    );
  }

  listWorkerConfig(environment: string): Promise<WorkerConfig[]> {
    return this.#serial(async () =>
      (await this.#rows('SELECT * FROM worker_config WHERE environment = $1 ORDER BY worker_id', [environment])).map(
        (r) => ({
          workerId: String(r.worker_id),
          environment: String(r.environment),
          enabled: Boolean(r.enabled),
          parameters: JSON.parse(String(r.parameters)) as Record<string, unknown>,
        }),
      ),
    );
  }

  seedWorkerConfig(configs: readonly WorkerConfig[]): Promise<number> {
    return this.#serial(async () => {
      let added = 0;
      for (const c of configs) {
        const r = await this.#conn.run(
          `INSERT INTO worker_config VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
          [c.workerId, c.environment, c.enabled, JSON.stringify(c.parameters), ts(new Date())],
        );
        added += Number(r.rowsChanged);
      }
      return added;
    });
  }

  setWorkerEnabled(environment: string, workerId: string, enabled: boolean): Promise<boolean> {
    return this.#serial(async () => {
      const r = await this.#conn.run(
        'UPDATE worker_config SET enabled = $1, updated_at = $2 WHERE environment = $3 AND worker_id = $4',
        [enabled, ts(new Date()), environment, workerId],
      );
      return Number(r.rowsChanged) > 0;
    });
  }

  acquireLease(key: string, owner: string, ttlMs: number): Promise<boolean> {
    return this.#serial(async () => {
      const now = new Date();
      await this.#conn.run(
        `INSERT INTO leases VALUES ($1, $2, $3) ON CONFLICT (lease_key) DO UPDATE SET
           owner = CASE WHEN leases.expires_at < $4 OR leases.owner = excluded.owner THEN excluded.owner ELSE leases.owner END,
           expires_at = CASE WHEN leases.expires_at < $4 OR leases.owner = excluded.owner THEN excluded.expires_at ELSE leases.expires_at END`,
        [key, owner, ts(new Date(now.getTime() + ttlMs)), ts(now)],
      );
      const rows = await this.#rows('SELECT owner FROM leases WHERE lease_key = $1', [key]);
      return rows[0]?.owner === owner;
    });
  }

  renewLease(key: string, owner: string, ttlMs: number): Promise<boolean> {
    return this.#serial(async () => {
      const r = await this.#conn.run('UPDATE leases SET expires_at = $1 WHERE lease_key = $2 AND owner = $3', [ts(new Date(Date.now() + ttlMs)), key, owner]);
      return Number(r.rowsChanged) > 0;
    });
  }

  releaseLease(key: string, owner: string): Promise<void> {
    return this.#serial(async () => {
      await this.#conn.run('DELETE FROM leases WHERE lease_key = $1 AND owner = $2', [key, owner]);
    });
  }

  recordRawPayload(r: RawPayloadRecord): Promise<void> {
    return this.#serial(async () => {
      await this.#conn.run(
        `INSERT INTO raw_payloads VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
        [r.sha256, r.provider, r.dataset, r.partition, ts(r.windowFrom), ts(r.windowTo), ts(r.fetchedAt),
          r.contentType, r.bytes, r.runId],
      );
    });
  }

  listRawPayloads(q: { dataset: string; from?: Date; to?: Date }): Promise<RawPayloadRecord[]> {
    return this.#serial(async () => {
      const params: DuckDBValue[] = [q.dataset];
      let sql = 'SELECT * FROM raw_payloads WHERE dataset = $1';
      // Payloads whose window overlaps [from, to).
      if (q.from) sql += ` AND window_to > $${params.push(ts(q.from))}`;
      if (q.to) sql += ` AND window_from < $${params.push(ts(q.to))}`;
      sql += ' ORDER BY fetched_at, window_from';
      return (await this.#rows(sql, params)).map((r) => ({
        sha256: String(r.sha256),
        provider: String(r.provider),
        dataset: String(r.dataset),
        partition: String(r.partition_key),
        windowFrom: asDate(r.window_from),
        windowTo: asDate(r.window_to),
        fetchedAt: asDate(r.fetched_at),
        contentType: String(r.content_type),
        bytes: Number(r.bytes),
        runId: String(r.run_id),
      }));
    });
  }

  listFileDrops(dataset: string): Promise<FileDropRecord[]> {
    return this.#serial(async () =>
      (await this.#rows('SELECT * FROM file_drops WHERE dataset = $1 ORDER BY landed_at', [dataset])).map((r) => ({
        dataset: String(r.dataset), name: String(r.file_name), size: Number(r.file_size), mtime: asDate(r.file_mtime),
        sha256: String(r.sha256), runId: String(r.run_id), landedAt: asDate(r.landed_at),
      })));
  }

  recordFileDrop(r: FileDropRecord): Promise<void> {
    return this.#serial(async () => {
      await this.#conn.run('INSERT INTO file_drops VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING',
        [r.dataset, r.name, r.size, ts(r.mtime), r.sha256, r.runId, ts(r.landedAt)]);
    });
  }

  syncZones(zones: readonly ZoneRecord[]): Promise<void> {
    return this.#serial(async () => {
      await this.#conn.run('BEGIN TRANSACTION');
      try {
        await this.#conn.run('DELETE FROM zones');
        for (const z of zones) {
          await this.#conn.run('INSERT INTO zones VALUES ($1, $2, $3, $4, $5, $6, $7)',
            [z.code, z.eic, z.name, z.country, z.timeZone, tsOrNull(z.validFrom), tsOrNull(z.validTo)]);
        }
        await this.#conn.run('COMMIT');
      } catch (e) {
        await this.#conn.run('ROLLBACK');
        throw e;
      }
    });
  }

  listAllSeries(): Promise<{ dataset: string; series: Record<string, string> }[]> {
    return this.#serial(async () =>
      (await this.#rows('SELECT dataset, dimensions FROM series ORDER BY dataset, series_key')).map((r) => ({
        dataset: String(r.dataset), series: JSON.parse(String(r.dimensions)) as Record<string, string>,
      })));
  }

  listZones(): Promise<ZoneRecord[]> {
    return this.#serial(async () =>
      (await this.#rows('SELECT * FROM zones ORDER BY code')).map((r) => ({
        code: String(r.code), eic: String(r.eic), name: String(r.name), country: String(r.country), timeZone: String(r.time_zone),
        validFrom: asDateOrNull(r.valid_from), validTo: asDateOrNull(r.valid_to),
      })));
  }

  recordDeadLetter(d: DeadLetterRecord): Promise<void> {
    return this.#serial(async () => {
      await this.#conn.run(
        `INSERT INTO dead_letters (recorded_at, topic, reason, dataset, run_id, window_from, window_to, sha256)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [ts(d.at), d.topic, d.reason, d.dataset, d.runId, tsOrNull(d.windowFrom), tsOrNull(d.windowTo), d.sha256],
      );
    });
  }

  listDeadLetters(query: number | DeadLetterQuery = {}): Promise<DeadLetterRecord[]> {
    const q = typeof query === 'number' ? { limit: query } : query;
    const params: DuckDBValue[] = [];
    let sql = 'SELECT * FROM dead_letters WHERE 1 = 1';
    if (q.dataset) sql += ` AND dataset = $${params.push(q.dataset)}`;
    if (q.since) sql += ` AND recorded_at >= $${params.push(ts(q.since))}`;
    if (q.notReplayed) sql += ' AND replayed_at IS NULL';
    sql += ` ORDER BY id DESC LIMIT ${Math.max(1, Math.floor(q.limit ?? 100))}`;
    return this.#serial(async () =>
      (await this.#rows(sql, params)).map(
        (r) => ({
          id: Number(r.id),
          replayedAt: asDateOrNull(r.replayed_at),
          at: asDate(r.recorded_at),
          topic: String(r.topic),
          reason: String(r.reason),
          dataset: r.dataset === null ? null : String(r.dataset),
          runId: r.run_id === null ? null : String(r.run_id),
          windowFrom: asDateOrNull(r.window_from),
          windowTo: asDateOrNull(r.window_to),
          sha256: r.sha256 === null ? null : String(r.sha256),
        }),
      ),
    );
  }

  markDeadLetterReplayed(id: number, at: Date): Promise<void> {
    return this.#serial(async () => {
      await this.#conn.run('UPDATE dead_letters SET replayed_at = $1 WHERE id = $2', [ts(at), id]);
    });
  }

  // --- completeness: ledger and known gaps ---
  upsertLedger(rows: readonly LedgerRow[]): Promise<void> {
    // The last row of a day wins (one statement may not update a row twice).
    const unique = [...new Map(rows.map((r) => [`${r.dataset}\u0000${r.partition}\u0000${r.day}`, r])).values()];
    if (unique.length === 0) return Promise.resolve();
    return this.#serial(async () => {
      // Through the appender and one INSERT … SELECT: a statement per row (or bound parameters)
      // costs DuckDB milliseconds of CPU each, and the ledger writes after every batch (bench: ledger).
      if (!this.#ledgerStaging) {
        await this.#conn.run('CREATE TEMP TABLE IF NOT EXISTS staging_ledger AS SELECT * FROM ledger WHERE false');
        this.#ledgerStaging = true;
      }
      await this.#conn.run('BEGIN TRANSACTION');
      try {
        const a = await this.#conn.createAppender('staging_ledger', 'main', 'temp');
        for (const r of unique) {
          a.appendVarchar(r.dataset);
          a.appendVarchar(r.partition);
          a.appendVarchar(r.day);
          a.appendInteger(r.expected);
          a.appendInteger(r.present);
          a.appendInteger(r.missing);
          a.appendInteger(r.late);
          a.appendVarchar(holesToJson(r.holes));
          a.appendInteger(r.repairAttempts);
          if (r.repairNextAt) a.appendTimestamp(ts(r.repairNextAt));
          else a.appendNull();
          if (r.gaveUp === null) a.appendNull();
          else a.appendVarchar(r.gaveUp);
          a.appendTimestamp(ts(r.updatedAt));
          a.endRow();
        }
        a.closeSync();
        await this.#conn.run(
          `INSERT INTO ledger SELECT * FROM temp.staging_ledger
           ON CONFLICT (dataset, partition_key, day) DO UPDATE SET expected = excluded.expected, present = excluded.present,
             missing = excluded.missing, late = excluded.late, holes = excluded.holes, repair_attempts = excluded.repair_attempts,
             repair_next_at = excluded.repair_next_at, gave_up = excluded.gave_up, updated_at = excluded.updated_at`,
        );
        await this.#conn.run('DELETE FROM temp.staging_ledger');
        await this.#conn.run('COMMIT');
      } catch (e) {
        await this.#conn.run('ROLLBACK').catch(() => undefined);
        await this.#conn.run('DELETE FROM temp.staging_ledger').catch(() => undefined);
        throw e;
      }
    });
  }

  listLedger(q: { dataset?: string; partition?: string; fromDay?: string; toDay?: string }): Promise<LedgerRow[]> {
    return this.#serial(async () => {
      const params: DuckDBValue[] = [];
      let sql = 'SELECT * FROM ledger WHERE true';
      if (q.dataset) sql += ` AND dataset = $${params.push(q.dataset)}`;
      if (q.partition) sql += ` AND partition_key = $${params.push(q.partition)}`;
      if (q.fromDay) sql += ` AND day >= $${params.push(q.fromDay)}`;
      if (q.toDay) sql += ` AND day <= $${params.push(q.toDay)}`;
      return (await this.#rows(`${sql} ORDER BY dataset, partition_key, day`, params)).map(ledgerFromColumns);
    });
  }

  addKnownGap(g: KnownGap): Promise<void> {
    return this.#serial(async () => {
      await this.#conn.run('INSERT INTO known_gaps VALUES ($1, $2, $3, $4, $5, $6)', [g.dataset, g.partition, ts(g.from), ts(g.to), g.reason, ts(g.markedAt)]);
    });
  }

  listKnownGaps(dataset?: string): Promise<KnownGap[]> {
    return this.#serial(async () =>
      (dataset
        ? await this.#rows('SELECT * FROM known_gaps WHERE dataset = $1 ORDER BY gap_from', [dataset])
        : await this.#rows('SELECT * FROM known_gaps ORDER BY dataset, gap_from')
      ).map((r) => ({ dataset: String(r.dataset), partition: r.partition_key === null ? null : String(r.partition_key), from: asDate(r.gap_from), to: asDate(r.gap_to), reason: String(r.reason), markedAt: asDate(r.marked_at) })),
    );
  }
  // --- end completeness ---

  // --- vintages ---
  listRevisions(q: RevisionQuery): Promise<RevisionRecord[]> {
    return this.#serial(async () => {
      const series = (await this.#rows('SELECT * FROM series WHERE dataset = $1 ORDER BY series_key', [q.dataset]))
        .map((s) => ({ seriesKey: String(s.series_key), resolution: String(s.resolution), unit: String(s.unit), series: JSON.parse(String(s.dimensions)) as Record<string, string> }))
        .filter((s) => matchesWhere(s.series, q.where));
      if (series.length === 0) return [];
      const bySeries = new Map(series.map((s) => [s.seriesKey, s]));
      return (await this.#statement(revisionsStatement(q, series.map((s) => s.seriesKey)))).map((r) => {
        const s = bySeries.get(String(r.series_key))!;
        return {
          dataset: q.dataset, seriesKey: s.seriesKey, series: s.series, unit: s.unit, resolution: s.resolution, ts: asDate(r.ts),
          value: r.value === null ? null : Number(r.value), issued: asDateOrNull(r.issued), quality: r.quality === null ? null : String(r.quality),
          payloadSha256: String(r.payload_sha256), ingestedAt: asDate(r.ingested_at), replacedAt: asDate(r.replaced_at),
        };
      });
    });
  }

  pruneRevisions(before: Date): Promise<number> {
    return this.#serial(() => this.#prune(before));
  }

  async #prune(before: Date): Promise<number> {
    this.#prunedAt = Date.now();
    return Number((await this.#conn.run('DELETE FROM revisions WHERE replaced_at < $1', [ts(before)])).rowsChanged);
  }

  /** Runs inside the serial queue, after an upsert committed: pruning is part of writing, at most once per pruneEveryMs. */
  async #pruneIfDue(at: Date): Promise<void> {
    const { retentionMs, pruneEveryMs } = this.#revisions;
    if (retentionMs > 0 && at.getTime() - this.#prunedAt >= pruneEveryMs) await this.#prune(new Date(at.getTime() - retentionMs));
  }
  // --- end vintages ---
  // --- quality: plausibility flags ---
  replaceQualityFlags(scope: FlagScope, flags: readonly QualityFlag[]): Promise<void> {
    return this.#serial(async () => {
      await this.#conn.run('BEGIN TRANSACTION');
      try {
        for (let i = 0; i < scope.seriesKeys.length; i += 500) {
          const keys = scope.seriesKeys.slice(i, i + 500);
          await this.#conn.run(
            `DELETE FROM quality_flags WHERE dataset = $1 AND ts >= $2 AND ts < $3 AND series_key IN (${keys.map((_, j) => `$${j + 4}`).join(', ')})`,
            [scope.dataset, ts(scope.from), ts(scope.to), ...keys],
          );
        }
        for (const f of flags) {
          await this.#conn.run(
            `INSERT INTO quality_flags VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (dataset, series_key, ts, rule) DO UPDATE SET dimensions = excluded.dimensions, value = excluded.value,
               detail = excluded.detail, flagged_at = excluded.flagged_at`,
            [f.dataset, f.seriesKey, ts(f.ts), f.rule, JSON.stringify(f.series), f.value, f.detail, ts(f.flaggedAt)],
          );
        }
        await this.#conn.run('COMMIT');
      } catch (e) {
        await this.#conn.run('ROLLBACK');
        throw e;
      }
    });
  }

  // --- throughput: batched control writes ---
  /**
   * One statement per `MANY_ROWS` rows, all in one transaction: a small DuckDB statement costs
   * milliseconds (planning, the commit), whatever its row count.
   */
  #many(rows: readonly DuckDBValue[][], statement: (values: string) => string, casts: readonly string[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    return this.#serial(async () => {
      const chunked = rows.length > MANY_ROWS;
      if (chunked) await this.#conn.run('BEGIN TRANSACTION');
      try {
        for (let i = 0; i < rows.length; i += MANY_ROWS) {
          const chunk = rows.slice(i, i + MANY_ROWS);
          const tuples = chunk.map((_, r) => `(${casts.map((c, k) => `$${r * casts.length + k + 1}::${c}`).join(', ')})`);
          await this.#conn.run(statement(tuples.join(', ')), chunk.flat());
        }
        if (chunked) await this.#conn.run('COMMIT');
      } catch (e) {
        if (chunked) await this.#conn.run('ROLLBACK').catch(() => undefined);
        throw e;
      }
    });
  }

  // --- execution: paper-trading desk ---
  async #upsertExec(t: ExecTable, records: readonly object[]): Promise<void> {
    const cols = t.columns.map(([c]) => c).join(', ');
    const n = t.columns.length;
    // A few hundred rows per statement: one statement per row would hold the shared connection (and ingestion) up.
    for (let i = 0; i < records.length; i += 200) {
      const part = records.slice(i, i + 200);
      const tuples = part.map((_, k) => `(${t.columns.map((_c, j) => `$${k * n + j + 1}`).join(', ')})`).join(', ');
      const values = part.flatMap((r) => execValues(t, r).map((v) => (v instanceof Date ? ts(v) : v)));
      await this.#conn.run(`INSERT OR REPLACE INTO ${t.table} (${cols}) VALUES ${tuples}`, values);
    }
  }

  async #selectExec<T>(t: ExecTable, where: [string, DuckDBValue][], order: string, limit?: number): Promise<T[]> {
    const params: DuckDBValue[] = [];
    const sql = `SELECT * FROM ${t.table} WHERE true${where.map(([cond, v]) => ` AND ${cond.replace('?', `$${params.push(v)}`)}`).join('')} ORDER BY ${order}${limit === undefined ? '' : ` LIMIT ${Math.max(1, Math.floor(limit))}`}`;
    return (await this.#rows(sql, params)).map((r) => execRecord<T>(t, r));
  }

  saveOrders(orders: readonly OrderRecord[]): Promise<void> {
    return this.#serial(() => this.#upsertExec(EXEC_TABLES.orders, orders));
  }

  listOrders(q: OrderQuery = {}): Promise<OrderRecord[]> {
    const where: [string, DuckDBValue][] = [];
    if (q.book) where.push(['book = ?', q.book]);
    if (q.status) where.push(['status = ?', q.status]);
    if (q.from) where.push(['delivery_end > ?', ts(q.from)]);
    if (q.to) where.push(['delivery_start < ?', ts(q.to)]);
    return this.#serial(async () => {
      const rows = await this.#selectExec<OrderRecord>(EXEC_TABLES.orders, where, 'delivery_start, order_id', q.ids ? undefined : q.limit);
      return q.ids ? rows.filter((o) => q.ids!.includes(o.id)) : rows;
    });
  }

  saveFills(fills: readonly FillRecord[]): Promise<void> {
    return this.#serial(() => this.#upsertExec(EXEC_TABLES.fills, fills));
  }

  listFills(q: { book?: string; from?: Date; to?: Date } = {}): Promise<FillRecord[]> {
    const where: [string, DuckDBValue][] = [];
    if (q.book) where.push(['book = ?', q.book]);
    if (q.from) where.push(['delivery_end > ?', ts(q.from)]);
    if (q.to) where.push(['delivery_start < ?', ts(q.to)]);
    return this.#serial(() => this.#selectExec<FillRecord>(EXEC_TABLES.fills, where, 'delivery_start, fill_id'));
  }

  saveBookState(state: BookState): Promise<void> {
    return this.#serial(() => this.#upsertExec(EXEC_TABLES.books, [state]));
  }

  listBookStates(): Promise<BookState[]> {
    return this.#serial(() => this.#selectExec<BookState>(EXEC_TABLES.books, [], 'book'));
  }

  replaceValuation(snapshot: string, positions: readonly PositionRecord[], pnl: readonly PnlRecord[]): Promise<void> {
    return this.#serial(async () => {
      await this.#conn.run('BEGIN TRANSACTION');
      try {
        await this.#conn.run('DELETE FROM exec_positions WHERE snapshot = $1', [snapshot]);
        await this.#conn.run('DELETE FROM exec_pnl WHERE snapshot = $1', [snapshot]);
        await this.#upsertExec(EXEC_TABLES.positions, positions.map((p) => ({ ...p, snapshot })));
        await this.#upsertExec(EXEC_TABLES.pnl, pnl.map((p) => ({ ...p, snapshot })));
        await this.#conn.run('COMMIT');
      } catch (e) {
        await this.#conn.run('ROLLBACK').catch(() => undefined);
        throw e;
      }
    });
  }

  listQualityFlags(q: { dataset?: string; from?: Date; to?: Date; rule?: string; limit?: number }): Promise<QualityFlag[]> {
    return this.#serial(async () => {
      const params: DuckDBValue[] = [];
      let sql = 'SELECT * FROM quality_flags WHERE true';
      if (q.dataset) sql += ` AND dataset = $${params.push(q.dataset)}`;
      if (q.from) sql += ` AND ts >= $${params.push(ts(q.from))}`;
      if (q.to) sql += ` AND ts < $${params.push(ts(q.to))}`;
      if (q.rule) sql += ` AND rule = $${params.push(q.rule)}`;
      sql += ' ORDER BY dataset, series_key, ts, rule';
      if (q.limit !== undefined) sql += ` LIMIT $${params.push(q.limit)}`;
      return (await this.#rows(sql, params)).map(flagFromColumns);
    });
  }
  // --- end quality ---
  listPositions(q: ValuationQuery = {}): Promise<PositionRecord[]> {
    const where: [string, DuckDBValue][] = [['snapshot = ?', q.snapshot ?? 'live']];
    if (q.book) where.push(['book = ?', q.book]);
    return this.#serial(() => this.#selectExec<PositionRecord>(EXEC_TABLES.positions, where, 'book, zone, delivery_start, product, side'));
  }

  listPnl(q: ValuationQuery = {}): Promise<PnlRecord[]> {
    const where: [string, DuckDBValue][] = [['snapshot = ?', q.snapshot ?? 'live']];
    if (q.book) where.push(['book = ?', q.book]);
    return this.#serial(() => this.#selectExec<PnlRecord>(EXEC_TABLES.pnl, where, 'book, zone, delivery_start, product'));
  }
  // --- end execution ---
  recordRawPayloads(rs: readonly RawPayloadRecord[]): Promise<void> {
    return this.#many(
      rs.map((r) => [r.sha256, r.provider, r.dataset, r.partition, ts(r.windowFrom), ts(r.windowTo), ts(r.fetchedAt), r.contentType, r.bytes, r.runId]),
      (values) => `INSERT INTO raw_payloads VALUES ${values} ON CONFLICT DO NOTHING`,
      ['VARCHAR', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'TIMESTAMP', 'TIMESTAMP', 'TIMESTAMP', 'VARCHAR', 'BIGINT', 'VARCHAR'],
    );
  }

  setFetchRowsMany(counts: readonly FetchRowCount[]): Promise<void> {
    return this.#many(
      [...lastCountPerRun(counts)].map(([runId, rows]) => [runId, rows]),
      (values) => `UPDATE fetch_log SET rows = v.n FROM (VALUES ${values}) AS v(run_id, n) WHERE fetch_log.run_id = v.run_id AND fetch_log.error IS NULL`,
      ['VARCHAR', 'INTEGER'],
    );
  }

  recordDeadLetters(ds: readonly DeadLetterRecord[]): Promise<void> {
    return this.#many(
      ds.map((d) => [ts(d.at), d.topic, d.reason, d.dataset, d.runId, tsOrNull(d.windowFrom), tsOrNull(d.windowTo), d.sha256]),
      (values) => `INSERT INTO dead_letters (recorded_at, topic, reason, dataset, run_id, window_from, window_to, sha256) VALUES ${values}`,
      ['TIMESTAMP', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'TIMESTAMP', 'TIMESTAMP', 'VARCHAR'],
    );
  }
  // --- end throughput ---

  close(): Promise<void> {
    return this.#serial(async () => {
      this.#conn.closeSync();
      this.#instance.closeSync();
    });
  }
}
