// SQL store over the MySQL protocol (mysql2), in two dialects:
//   mysql     — MySQL / MariaDB, InnoDB, upsert by LOAD DATA LOCAL … REPLACE in parallel streams
//               (INSERT … ON DUPLICATE KEY UPDATE where the server refuses LOCAL INFILE);
//   starrocks — Primary Key tables, where a plain INSERT is the upsert; few large statements,
//               because every load is a new version of each tablet (StarRocks#20368).
// Always query() with placeholders (client-side escaping): StarRocks rejects prepared INSERTs.
import { readFileSync, readdirSync } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import mysql, { type Pool, type ResultSetHeader, type RowDataPacket } from 'mysql2/promise';
import { ConfigError } from '../errors.ts';
import { redact } from '../redact.ts';
import type { Observation } from '../observation.ts';
import { viewStatement, type AnalystView } from './views.ts';
// --- execution ---
import { EXEC_TABLES, execRecord, execValues, type BookState, type ExecTable, type FillRecord, type OrderQuery, type OrderRecord, type PnlRecord, type PositionRecord, type ValuationQuery } from './execution-records.ts';
// --- end execution ---
import { sendStreamLoad, streamLoadRequest, type StreamLoadTarget } from './starrocks-stream-load.ts';
import { captureAgainstStored, changedCondition, PRUNE_EVERY_MS, sameCondition, revisionsStatement, seriesReadStatement, type RevisionSettings, type StoredRow } from './vintages.ts';
import { dedupeLastWins, distinctSeries, flagFromColumns, holesToJson, lastCountPerRun, ledgerFromColumns, matchesWhere, type SeriesSummary } from './rows.ts';
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

export type Dialect = 'mysql' | 'starrocks';

/** Rows per INSERT statement: InnoDB likes moderate statements, StarRocks few large loads. */
export const ROWS_PER_STATEMENT: Record<Dialect, number> = { mysql: 5_000, starrocks: 50_000 };

/** MySQL/MariaDB: statements of one batch sent at once (the pool holds 8 connections), and the smallest worth splitting to. */
export const PARALLEL_STATEMENTS = 4;
const MIN_ROWS_PER_STATEMENT = 500;
// Rows per multi-row control statement (raw payload index, fetch-log counts, dead letters).
const MANY_ROWS = 500;
/**
 * The rows in key order (dataset, series key, instant), so parallel statements write disjoint key
 * ranges. Grouped by series first (one map lookup a row) and each series sorted only when its
 * instants do not already rise: a batch is a few series, each mostly in time order, and comparing
 * two strings per comparison cost as much as the rest of preparing the batch.
 */
export function inKeyOrder(rows: readonly StoredObservation[]): StoredObservation[] {
  const groups = new Map<string, Map<string, StoredObservation[]>>();
  let previous: StoredObservation | undefined;
  let group: StoredObservation[] = [];
  for (const r of rows) {
    if (previous === undefined || previous.seriesKey !== r.seriesKey || previous.dataset !== r.dataset) {
      let perSeries = groups.get(r.dataset);
      if (perSeries === undefined) groups.set(r.dataset, (perSeries = new Map()));
      const g = perSeries.get(r.seriesKey);
      if (g === undefined) perSeries.set(r.seriesKey, (group = []));
      else group = g;
      previous = r;
    }
    group.push(r);
  }
  const out: StoredObservation[] = [];
  const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  for (const dataset of [...groups.keys()].sort(byText)) {
    const perSeries = groups.get(dataset)!;
    for (const key of [...perSeries.keys()].sort(byText)) {
      const g = perSeries.get(key)!;
      let rising = true;
      for (let i = 1; i < g.length && rising; i++) rising = g[i - 1]!.ts.getTime() < g[i]!.ts.getTime();
      if (!rising) g.sort((a, b) => a.ts.getTime() - b.ts.getTime());
      for (const r of g) out.push(r);
    }
  }
  return out;
}

// The server (local_infile=OFF, MySQL 8's default) or the client refusing LOAD DATA LOCAL.
const LOAD_DATA_REFUSED = new Set(['ER_NOT_ALLOWED_COMMAND', 'ER_LOAD_INFILE_CAPABILITY_DISABLED', 'ER_CLIENT_LOCAL_FILES_DISABLED']);

// LOAD DATA's default format: tab-separated, backslash escapes, \N for NULL; instants in UTC as DATETIME(3) text.
const ESCAPED = /[\\\t\n\r\0]/;
const tsvText = (s: string) => (ESCAPED.test(s) ? s.replace(/[\\\t\n\r\0]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\0')) : s);
const tsvInstant = (d: Date) => d.toISOString().slice(0, 23).replace('T', ' ');
/**
 * Rows as LOAD DATA reads them. A batch repeats its dataset, series keys, payload hash and instants
 * row after row, so each is escaped or formatted once (the last text per column, instants in a map):
 * formatting every field of every row took as long as the server's load.
 */
export function loadDataTsv(rows: readonly StoredObservation[], now: Date): string {
  const at = tsvInstant(now);
  const instants = new Map<number, string>();
  const instant = (d: Date) => {
    const ms = d.getTime();
    let text = instants.get(ms);
    if (text === undefined) instants.set(ms, (text = tsvInstant(d)));
    return text;
  };
  let datasetIn: string | undefined, dataset = '', keyIn: string | undefined, key = '', shaIn: string | undefined, sha = '';
  const lines = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (r.dataset !== datasetIn) dataset = tsvText((datasetIn = r.dataset));
    if (r.seriesKey !== keyIn) key = tsvText((keyIn = r.seriesKey));
    if (r.payloadSha256 !== shaIn) sha = tsvText((shaIn = r.payloadSha256));
    lines[i] = `${dataset}\t${key}\t${instant(r.ts)}\t${r.value === null ? '\\N' : String(r.value)}\t${sha}\t${at}\t${
      r.issued === undefined ? '\\N' : instant(r.issued)}\t${r.quality === undefined ? '\\N' : tsvText(r.quality)}\n`;
  }
  return lines.join('');
}

/** mysql2 sends each stream chunk as one packet: Buffers of at most 64 KiB. */
function* chunks(bytes: Buffer): Generator<Buffer> {
  for (let i = 0; i < bytes.length; i += 65_536) yield bytes.subarray(i, i + 65_536);
}

/**
 * Default bound on one statement: a black-holed MariaDB is noticed within it. Generous, because a
 * batch of tens of thousands of rows on a loaded server legitimately takes seconds.
 */
const QUERY_TIMEOUT_MS = 30_000;

const TRANSIENT = new Set(['ECONNRESET', 'ECONNREFUSED', 'PROTOCOL_CONNECTION_LOST', 'ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'ETIMEDOUT']);
const isTransient = (e: unknown) => typeof e === 'object' && e !== null && TRANSIENT.has(String((e as { code?: unknown }).code));

type Row = RowDataPacket & Record<string, unknown>;

const fetchLogEntry = (r: Row): FetchLogEntry => ({
  runId: String(r.run_id), dataset: String(r.dataset), partition: String(r.partition_key), windowFrom: r.window_from as Date,
  windowTo: r.window_to as Date, url: String(r.url), attempt: Number(r.attempt), status: r.status === null ? null : Number(r.status),
  latencyMs: Number(r.latency_ms), bytes: Number(r.bytes), error: r.error === null ? null : String(r.error),
  rows: r.rows === null ? null : Number(r.rows), at: r.logged_at as Date,
});

export class SqlStore implements Store {
  readonly #pool: Pool;
  readonly #dialect: Dialect;
  #loadDataRefused = false;
  readonly #retry = retry(handleWhen(isTransient), { maxAttempts: 4, backoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 2000 }) });

  /** StarRocks: where Stream Load goes (the FE's HTTP port, `?http_port=8030` on the store URL); null: INSERT only. */
  #streamLoad: StreamLoadTarget | null = null;
  // vintages: retention of replaced values (0: none captured) and when they were last pruned.
  readonly #revisions: RevisionSettings;
  #prunedAt = 0;

  /** Bound on one statement (migrations excepted): a black-holed server fails it instead of hanging it for many minutes. */
  readonly #queryTimeoutMs: number;

  private constructor(pool: Pool, dialect: Dialect, queryTimeoutMs: number, revisions: RevisionSettings) {
    this.#pool = pool;
    this.#dialect = dialect;
    this.#queryTimeoutMs = queryTimeoutMs;
    this.#revisions = revisions;
  }

  /** `mysql://user:pass@host:3306/db` or `starrocks://user@host:9030/db`; the database is created when missing, unless `create` is false. */
  static async open(
    url: string,
    o: { create?: boolean; connectTimeoutMs?: number; queryTimeoutMs?: number; revisions?: Partial<RevisionSettings> } = {},
  ): Promise<SqlStore> {
    const u = new URL(url);
    const dialect: Dialect = u.protocol === 'starrocks:' ? 'starrocks' : 'mysql';
    const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
    if (!/^[A-Za-z0-9_]+$/.test(database)) throw new ConfigError(`store URL ${redact(url)}: name a database (letters, digits, _)`);
    const base = {
      host: u.hostname,
      port: Number(u.port || (dialect === 'starrocks' ? 9030 : 3306)),
      user: decodeURIComponent(u.username || 'root'),
      password: decodeURIComponent(u.password),
      timezone: 'Z' as const,
      supportBigNumbers: true,
      connectTimeout: o.connectTimeoutMs ?? 10_000,
    };
    // A read-only command must not create a mistyped database: connecting to it fails instead (ER_BAD_DB_ERROR).
    const admin = await mysql.createConnection(o.create === false ? { ...base, database } : base);
    try {
      // The name was checked above; identifiers cannot be placeholders.
      // utf8mb4 whatever the server's default: a stock MariaDB creates latin1 databases, which refuse
      // text like a quality flag's "−" or a unit's "€" ("Incorrect string value"). StarRocks is UTF-8.
      const charset = dialect === 'mysql' ? ' CHARACTER SET utf8mb4' : '';
      if (o.create !== false) await admin.query(`CREATE DATABASE IF NOT EXISTS \`${database}\`${charset}`);
    } finally {
      await admin.end();
    }
    const pool = mysql.createPool({ ...base, database, connectionLimit: 8, waitForConnections: true });
    const store = new SqlStore(pool, dialect, o.queryTimeoutMs ?? QUERY_TIMEOUT_MS, {
      retentionMs: DEFAULT_REVISION_RETENTION_DAYS * 86_400_000, pruneEveryMs: PRUNE_EVERY_MS, ...o.revisions,
    });
    const httpPort = u.searchParams.get('http_port');
    if (dialect === 'starrocks' && httpPort) store.#streamLoad = { httpUrl: `http://${u.hostname}:${httpPort}`, database, user: base.user, password: base.password };
    await store.migrate();
    return store;
  }

  get dialect(): Dialect {
    return this.#dialect;
  }

  /** mysql2 destroys the connection of a statement that timed out (PROTOCOL_SEQUENCE_TIMEOUT, an outage to callers); 0: no bound. */
  async #query<T = Row[]>(sql: string, values: unknown[] = [], timeout = this.#queryTimeoutMs): Promise<T> {
    return this.#retry.execute(async () => (await this.#pool.query({ sql, values, timeout }))[0] as T);
  }

  /** Applies deployment/sql/<dialect>/NNN_*.sql files not applied yet, in order. */
  async migrate(): Promise<void> {
    const key = this.#dialect === 'starrocks' ? ' PRIMARY KEY (version) DISTRIBUTED BY HASH (version) BUCKETS 1 PROPERTIES ("replication_num" = "1")' : ', PRIMARY KEY (version)';
    await this.#query(`CREATE TABLE IF NOT EXISTS schema_migrations (version VARCHAR(255) NOT NULL, applied_at DATETIME NOT NULL${this.#dialect === 'starrocks' ? ')' + key : key + ')'}`);
    const applied = new Set((await this.#query('SELECT version FROM schema_migrations')).map((r) => String(r.version)));
    const dir = new URL(`../../deployment/sql/${this.#dialect}/`, import.meta.url);
    for (const file of readdirSync(fileURLToPath(dir)).filter((f) => /^\d+_.*\.sql$/.test(f)).sort()) {
      if (applied.has(file)) continue;
      const text = readFileSync(new URL(file, dir), 'utf8').replace(/^\s*--.*$/gm, '');
      // No statement timeout: a migration rebuilding a large table may rightly take minutes.
      for (const statement of text.split(/;\s*$/m).map((s) => s.trim()).filter(Boolean)) await this.#query(statement, [], 0);
      await this.#query('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [file, new Date()]);
    }
  }

  async replaceViews(views: readonly AnalystView[]): Promise<void> {
    for (const v of views) await this.#query(viewStatement(this.#dialect, v));
  }

  async upsertObservations(rows: readonly StoredObservation[]): Promise<void> {
    if (rows.length === 0) return;
    const unique = dedupeLastWins(rows);
    const series = distinctSeries(unique);
    // vintages: series whose stored instants this batch reaches (read before their bounds move) may
    // have values overwritten: their rows are merged capturing revisions (MySQL/MariaDB, in one
    // transaction) or compared with what is stored (StarRocks); the rest load directly.
    const reaching = this.#revisions.retentionMs > 0 ? await this.#seriesReached(series) : new Set<string>();
    if (this.#dialect === 'mysql') {
      await this.#query(
        `INSERT INTO series (dataset, series_key, dimensions, resolution, unit, first_ts, last_ts) VALUES ?
         ON DUPLICATE KEY UPDATE first_ts = LEAST(first_ts, VALUES(first_ts)), last_ts = GREATEST(last_ts, VALUES(last_ts)),
           unit = VALUES(unit), resolution = VALUES(resolution)`,
        [series.map((s) => [s.dataset, s.seriesKey, JSON.stringify(s.series), s.resolution, s.unit, s.firstTs, s.lastTs])],
      );
    } else {
      // No ON DUPLICATE in StarRocks: merge the first/last instants with what is stored.
      const known = new Map<string, { first: Date; last: Date }>();
      for (const r of await this.#query('SELECT dataset, series_key, first_ts, last_ts FROM series WHERE (dataset, series_key) IN (?)', [series.map((s) => [s.dataset, s.seriesKey])])) {
        known.set(`${String(r.dataset)}\u0000${String(r.series_key)}`, { first: r.first_ts as Date, last: r.last_ts as Date });
      }
      await this.#query('INSERT INTO series (dataset, series_key, dimensions, resolution, unit, first_ts, last_ts) VALUES ?', [
        series.map((s) => {
          const k = known.get(`${s.dataset}\u0000${s.seriesKey}`);
          return [s.dataset, s.seriesKey, JSON.stringify(s.series), s.resolution, s.unit,
            k && k.first < s.firstTs ? k.first : s.firstTs, k && k.last > s.lastTs ? k.last : s.lastTs];
        }),
      ]);
    }
    const now = new Date();
    const insert = (part: readonly StoredObservation[]) =>
      this.#query(
        `INSERT INTO observations (dataset, series_key, ts, value, payload_sha256, ingested_at, issued, quality) VALUES ?${
          this.#dialect === 'mysql'
            ? ' ON DUPLICATE KEY UPDATE value = VALUES(value), payload_sha256 = VALUES(payload_sha256), ingested_at = VALUES(ingested_at), issued = VALUES(issued), quality = VALUES(quality)'
            : ''
        }`,
        [part.map((r) => [r.dataset, r.seriesKey, r.ts, r.value, r.payloadSha256, now, r.issued ?? null, r.quality ?? null])],
      );
    if (this.#dialect === 'starrocks') {
      const load = reaching.size === 0 ? unique : await this.#captureStarRocks(unique, reaching, now);
      if (load.length === 0) return;
      // Stream Load first (one tablet version per batch, de-duplicated by label on a retry); INSERT
      // when it is not configured or fails (a Primary Key table makes the INSERT an upsert too).
      if (this.#streamLoad) {
        try {
          await sendStreamLoad(streamLoadRequest(this.#streamLoad, 'observations', load, now));
          return;
        } catch {
          // fall through to INSERT
        }
      }
      const step = ROWS_PER_STATEMENT.starrocks;
      for (let i = 0; i < load.length; i += step) await insert(load.slice(i, i + step));
      return;
    }
    // InnoDB: one connection keeps one core busy, so the batch goes out as up to PARALLEL_STATEMENTS
    // statements at once over the pool. Rows in key order, each statement a contiguous key range:
    // parallel statements then lock disjoint index ranges (a deadlock is still retried, each statement
    // being idempotent on its own).
    const sorted = inKeyOrder(unique);
    const step = Math.min(ROWS_PER_STATEMENT.mysql, Math.max(MIN_ROWS_PER_STATEMENT, Math.ceil(sorted.length / PARALLEL_STATEMENTS)));
    const parts: (() => Promise<void>)[] = [];
    const write = async (part: readonly StoredObservation[]) => {
      if (!this.#loadDataRefused && (await this.#retry.execute(() => this.#loadData(part, now)))) return;
      await insert(part);
    };
    const reached = reaching.size === 0 ? [] : sorted.filter((r) => reaching.has(`${r.dataset}\u0000${r.seriesKey}`));
    const direct = reached.length === 0 ? sorted : sorted.filter((r) => !reaching.has(`${r.dataset}\u0000${r.seriesKey}`));
    for (let i = 0; i < direct.length; i += step) parts.push(() => write(direct.slice(i, i + step)));
    for (let i = 0; i < reached.length; i += step) parts.push(() => this.#retry.execute(() => this.#mergeCapturing(reached.slice(i, i + step), now)));
    for (let i = 0; i < parts.length; i += PARALLEL_STATEMENTS) await Promise.all(parts.slice(i, i + PARALLEL_STATEMENTS).map((p) => p()));
    await this.#pruneIfDue(now);
  }

  // --- vintages: the capturing merge ---
  /** Keys (`dataset\0series_key`) of the batch's series whose stored [first_ts, last_ts] overlaps the batch's instants. */
  async #seriesReached(series: readonly SeriesSummary[]): Promise<Set<string>> {
    const out = new Set<string>();
    const batch = new Map(series.map((s) => [`${s.dataset}\u0000${s.seriesKey}`, s]));
    for (let i = 0; i < series.length; i += 1000) {
      const keys = series.slice(i, i + 1000).map((s) => [s.dataset, s.seriesKey]);
      for (const r of await this.#query('SELECT dataset, series_key, first_ts, last_ts FROM series WHERE (dataset, series_key) IN (?)', [keys])) {
        const k = `${String(r.dataset)}\u0000${String(r.series_key)}`;
        const s = batch.get(k);
        if (s && s.firstTs <= (r.last_ts as Date) && s.lastTs >= (r.first_ts as Date)) out.add(k);
      }
    }
    return out;
  }

  /**
   * StarRocks has no transaction across statements and no conditional upsert: the stored rows the
   * batch reaches are read, the values it changes written to `revisions`, and the batch less its exact
   * repeats is returned for loading. A crash in between leaves a revision whose overwrite the
   * redelivery makes (writing that revision again, later: a vintage twice, never one lost).
   */
  async #captureStarRocks(rows: readonly StoredObservation[], reaching: ReadonlySet<string>, now: Date): Promise<StoredObservation[]> {
    const bounds = new Map<string, { dataset: string; seriesKey: string; from: Date; to: Date }>();
    for (const r of rows) {
      const k = `${r.dataset}\u0000${r.seriesKey}`;
      if (!reaching.has(k)) continue;
      const b = bounds.get(k);
      if (b === undefined) bounds.set(k, { dataset: r.dataset, seriesKey: r.seriesKey, from: r.ts, to: r.ts });
      else {
        if (r.ts < b.from) b.from = r.ts;
        if (r.ts > b.to) b.to = r.ts;
      }
    }
    const stored: StoredRow[] = [];
    const list = [...bounds.values()];
    for (let i = 0; i < list.length; i += 200) {
      const part = list.slice(i, i + 200);
      const found = await this.#query(
        `SELECT dataset, series_key, ts, value, issued, quality, payload_sha256, ingested_at FROM observations
         WHERE ${part.map(() => '(dataset = ? AND series_key = ? AND ts BETWEEN ? AND ?)').join(' OR ')}`,
        part.flatMap((b) => [b.dataset, b.seriesKey, b.from, b.to]),
      );
      for (const x of found) {
        stored.push({
          dataset: String(x.dataset), seriesKey: String(x.series_key), ts: x.ts as Date,
          value: x.value === null ? null : Number(x.value), issued: (x.issued as Date | null) ?? null,
          quality: x.quality === null ? null : String(x.quality), payloadSha256: String(x.payload_sha256), ingestedAt: x.ingested_at as Date,
        });
      }
    }
    const { load, revisions } = captureAgainstStored(rows, stored, now);
    for (let i = 0; i < revisions.length; i += ROWS_PER_STATEMENT.starrocks) {
      await this.#query('INSERT INTO revisions (dataset, series_key, ts, value, issued, quality, payload_sha256, ingested_at, replaced_at) VALUES ?', [
        revisions.slice(i, i + ROWS_PER_STATEMENT.starrocks).map((r) => [r.dataset, r.seriesKey, r.ts, r.value, r.issued, r.quality, r.payloadSha256, r.ingestedAt, r.replacedAt]),
      ]);
    }
    return load;
  }

  /**
   * One part of a batch that may overwrite stored rows: staged in a per-connection temporary table
   * (LOAD DATA, or INSERT where the server refuses it), then in one transaction the stored values it
   * changes go to `revisions` (replaced at the new value's ingested_at) and the part is merged; a row
   * whose value, issued and quality are unchanged keeps its ingested_at and payload (identical
   * re-deliveries write no revision and do not move what as-of reads see).
   */
  async #mergeCapturing(part: readonly StoredObservation[], now: Date): Promise<void> {
    const columns = 'dataset, series_key, ts, value, payload_sha256, ingested_at, issued, quality';
    const conn = await this.#pool.getConnection();
    try {
      // MEMORY: no undo or redo for rows that live for one statement; sized for a part of ROWS_PER_STATEMENT rows.
      await conn.query('SET SESSION max_heap_table_size = 268435456');
      await conn.query(`CREATE TEMPORARY TABLE IF NOT EXISTS staging_observations ENGINE = MEMORY AS SELECT ${columns} FROM observations LIMIT 0`);
      await conn.query('TRUNCATE TABLE staging_observations');
      let staged = false;
      if (!this.#loadDataRefused) {
        try {
          const [result] = await conn.query({
            sql: `LOAD DATA LOCAL INFILE 'observations.tsv' INTO TABLE staging_observations CHARACTER SET utf8mb4 (${columns})`,
            infileStreamFactory: () => Readable.from(chunks(Buffer.from(loadDataTsv(part, now)))),
          });
          // A warning means a truncated row: staged again by INSERT, which reports the error.
          staged = (result as ResultSetHeader).warningStatus === 0;
          if (!staged) await conn.query('TRUNCATE TABLE staging_observations');
        } catch (e) {
          if (!LOAD_DATA_REFUSED.has(String((e as { code?: unknown }).code))) throw e;
          this.#loadDataRefused = true;
        }
      }
      if (!staged) {
        await conn.query(`INSERT INTO staging_observations (${columns}) VALUES ?`,
          [part.map((r) => [r.dataset, r.seriesKey, r.ts, r.value, r.payloadSha256, now, r.issued ?? null, r.quality ?? null])]);
      }
      const join = 'staging_observations AS s JOIN observations AS o ON o.dataset = s.dataset AND o.series_key = s.series_key AND o.ts = s.ts';
      await conn.query('START TRANSACTION');
      try {
        await conn.query(
          `INSERT INTO revisions (dataset, series_key, ts, value, issued, quality, payload_sha256, ingested_at, replaced_at)
           SELECT o.dataset, o.series_key, o.ts, o.value, o.issued, o.quality, o.payload_sha256, o.ingested_at, s.ingested_at
           FROM ${join} WHERE ${changedCondition('mysql', 'o', 's')}`,
        );
        // Identical rows leave the stage: the stored row, its ingested_at and payload stay as they are.
        await conn.query(`DELETE s FROM ${join} WHERE ${sameCondition('mysql', 'o', 's')}`);
        await conn.query(
          `INSERT INTO observations (${columns}) SELECT ${columns} FROM staging_observations
           ON DUPLICATE KEY UPDATE value = VALUES(value), payload_sha256 = VALUES(payload_sha256), ingested_at = VALUES(ingested_at),
             issued = VALUES(issued), quality = VALUES(quality)`,
        );
        await conn.query('COMMIT');
      } catch (e) {
        await conn.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    } finally {
      conn.release();
    }
  }
  // --- end vintages ---

  /**
   * One part of a batch through LOAD DATA LOCAL … REPLACE (every column given, so a replaced row
   * ends as ON DUPLICATE KEY UPDATE leaves it), 2–3× faster than a multi-row INSERT. With LOCAL,
   * data errors become warnings and the row is stored truncated, so the load runs in a transaction
   * that is rolled back on any warning: false then, and the INSERT path reports the error. A
   * server that refuses LOCAL INFILE is remembered and never asked again.
   */
  async #loadData(part: readonly StoredObservation[], now: Date): Promise<boolean> {
    const conn = await this.#pool.getConnection();
    try {
      await conn.query({ sql: 'START TRANSACTION', timeout: this.#queryTimeoutMs });
      const [result] = await conn.query({
        timeout: this.#queryTimeoutMs,
        sql: `LOAD DATA LOCAL INFILE 'observations.tsv' REPLACE INTO TABLE observations CHARACTER SET utf8mb4
              (dataset, series_key, ts, value, payload_sha256, ingested_at, issued, quality)`,
        infileStreamFactory: () => Readable.from(chunks(Buffer.from(loadDataTsv(part, now)))),
      });
      if ((result as ResultSetHeader).warningStatus > 0) {
        await conn.query({ sql: 'ROLLBACK', timeout: this.#queryTimeoutMs });
        return false;
      }
      await conn.query({ sql: 'COMMIT', timeout: this.#queryTimeoutMs });
      return true;
    } catch (e) {
      await conn.query({ sql: 'ROLLBACK', timeout: this.#queryTimeoutMs }).catch(() => undefined);
      if (LOAD_DATA_REFUSED.has(String((e as { code?: unknown }).code))) {
        this.#loadDataRefused = true;
        return false;
      }
      throw e;
    } finally {
      conn.release();
    }
  }

  async queryObservations(q: ObservationQuery): Promise<Observation[]> {
    const series = (await this.#query('SELECT series_key, dimensions, resolution, unit FROM series WHERE dataset = ? ORDER BY series_key', [q.dataset]))
      .map((s) => ({ seriesKey: String(s.series_key), resolution: String(s.resolution), unit: String(s.unit), dims: JSON.parse(String(s.dimensions)) as Record<string, string> }))
      .filter((s) => matchesWhere(s.dims, q.where));
    const out: Observation[] = [];
    for (const s of series) {
      const st = seriesReadStatement(q, s.seriesKey, null, q.limit === undefined ? undefined : q.limit - out.length);
      for (const r of await this.#query(st.sql, st.params)) {
        out.push({
          dataset: q.dataset, series: s.dims, ts: r.ts as Date, resolution: s.resolution, value: r.value === null ? null : Number(r.value), unit: s.unit,
          ...(r.issued === null ? {} : { issued: r.issued as Date }),
          ...(r.quality === null ? {} : { quality: String(r.quality) }),
        });
      }
      if (q.limit !== undefined && out.length >= q.limit) break;
    }
    return out;
  }

  // --- paged reads (app/ layer) ---
  async listSeries(dataset: string): Promise<SeriesInfo[]> {
    return (await this.#query('SELECT series_key, dimensions, resolution, unit, first_ts, last_ts FROM series WHERE dataset = ? ORDER BY series_key', [dataset])).map((s) => ({
      seriesKey: String(s.series_key), series: JSON.parse(String(s.dimensions)) as Record<string, string>, resolution: String(s.resolution), unit: String(s.unit),
      firstTs: (s.first_ts as Date | null) ?? null, lastTs: (s.last_ts as Date | null) ?? null,
    }));
  }

  async *observationPages(q: ObservationQuery, pageSize: number): AsyncGenerator<Observation[]> {
    const size = Math.max(1, Math.floor(pageSize));
    let left = q.limit === undefined ? Infinity : Math.max(0, Math.floor(q.limit));
    for (const s of (await this.listSeries(q.dataset)).filter((x) => matchesWhere(x.series, q.where))) {
      let after: Date | null = null;
      while (left > 0) {
        const st = seriesReadStatement(q, s.seriesKey, after, Math.min(size, left));
        const rows = await this.#query(st.sql, st.params);
        if (rows.length === 0) break;
        const page = rows.map((r): Observation => ({
          dataset: q.dataset, series: s.series, ts: r.ts as Date, resolution: s.resolution, value: r.value === null ? null : Number(r.value), unit: s.unit,
          ...(r.issued === null ? {} : { issued: r.issued as Date }),
          ...(r.quality === null ? {} : { quality: String(r.quality) }),
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

  async countObservations(dataset?: string): Promise<number> {
    const rows = dataset
      ? await this.#query('SELECT count(*) AS n FROM observations WHERE dataset = ?', [dataset])
      : await this.#query('SELECT count(*) AS n FROM observations');
    return Number(rows[0]?.n ?? 0);
  }

  async getWatermark(dataset: string, partition: string): Promise<Date | null> {
    const rows = await this.#query('SELECT watermark FROM acquisition_state WHERE dataset = ? AND partition_key = ?', [dataset, partition]);
    return rows[0] ? (rows[0].watermark as Date) : null;
  }

  async advanceWatermark(dataset: string, partition: string, to: Date): Promise<void> {
    if (this.#dialect === 'mysql') {
      await this.#query(
        `INSERT INTO acquisition_state (dataset, partition_key, watermark, updated_at) VALUES (?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE watermark = GREATEST(watermark, VALUES(watermark)), updated_at = VALUES(updated_at)`,
        [dataset, partition, to, new Date()],
      );
      return;
    }
    const current = await this.getWatermark(dataset, partition);
    if (current && current >= to) return;
    await this.#query('INSERT INTO acquisition_state (dataset, partition_key, watermark, updated_at) VALUES (?, ?, ?, ?)', [dataset, partition, to, new Date()]);
  }

  async ping(): Promise<void> {
    await this.#pool.query({ sql: 'SELECT 1', timeout: this.#queryTimeoutMs });
  }

  async newestObservations(): Promise<{ dataset: string; newest: Date }[]> {
    return (await this.#query('SELECT dataset, max(last_ts) AS newest FROM series GROUP BY dataset')).map((r) => ({ dataset: String(r.dataset), newest: r.newest as Date }));
  }

  async listWatermarks(): Promise<Watermark[]> {
    return (await this.#query('SELECT * FROM acquisition_state ORDER BY dataset, partition_key')).map((r) => ({
      dataset: String(r.dataset), partition: String(r.partition_key), watermark: r.watermark as Date, updatedAt: r.updated_at as Date,
    }));
  }

  async appendFetchLog(entries: readonly FetchLogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.#query(
      'INSERT INTO fetch_log (run_id, dataset, partition_key, window_from, window_to, url, attempt, status, latency_ms, bytes, error, `rows`, logged_at) VALUES ?',
      [entries.map((e) => [e.runId, e.dataset, e.partition, e.windowFrom, e.windowTo, e.url, e.attempt, e.status, e.latencyMs, e.bytes, e.error, e.rows ?? null, e.at])],
    );
  }

  async setFetchRows(runId: string, rows: number): Promise<void> {
    await this.#query('UPDATE fetch_log SET `rows` = ? WHERE run_id = ? AND error IS NULL', [rows, runId]);
  }

  async listFetchLog(q: { dataset?: string; limit?: number }): Promise<FetchLogEntry[]> {
    const limit = Math.max(1, Math.floor(q.limit ?? 100));
    const rows = q.dataset
      ? await this.#query('SELECT * FROM fetch_log WHERE dataset = ? ORDER BY id DESC LIMIT ?', [q.dataset, limit])
      : await this.#query('SELECT * FROM fetch_log ORDER BY id DESC LIMIT ?', [limit]);
    return rows.map(fetchLogEntry);
  }

  async listFetchLogSince(since: Date): Promise<FetchLogEntry[]> {
    return (await this.#query('SELECT * FROM fetch_log WHERE logged_at >= ? ORDER BY logged_at, id', [since])).map(fetchLogEntry);
  }

  async listUnlandedWindows(since: Date): Promise<{ dataset: string; partition: string; windowFrom: Date; windowTo: Date }[]> {
    return (await this.#query(
      `SELECT dataset, partition_key, window_from, window_to FROM fetch_log
         WHERE logged_at >= ? AND error IS NULL
           AND run_id NOT IN (SELECT run_id FROM dead_letters WHERE run_id IS NOT NULL)
         GROUP BY dataset, partition_key, window_from, window_to
         HAVING max(\`rows\`) IS NULL
         ORDER BY dataset, partition_key, window_from`,
      [since],
    )).map((r) => ({ dataset: String(r.dataset), partition: String(r.partition_key), windowFrom: r.window_from as Date, windowTo: r.window_to as Date }));
  }

  async listLandedWindows(dataset: string, from: Date, to: Date): Promise<LandedWindow[]> {
    return (await this.#query(
      `SELECT partition_key, window_from, window_to, max(\`rows\`) AS n FROM fetch_log
         WHERE dataset = ? AND window_from >= ? AND window_to <= ? AND \`rows\` IS NOT NULL
         GROUP BY partition_key, window_from, window_to ORDER BY partition_key, window_from`,
      [dataset, from, to],
    )).map((r) => ({ partition: String(r.partition_key), windowFrom: r.window_from as Date, windowTo: r.window_to as Date, rows: Number(r.n) }));
  }

  async listWorkerConfig(environment: string): Promise<WorkerConfig[]> {
    return (await this.#query('SELECT * FROM worker_config WHERE environment = ? ORDER BY worker_id', [environment])).map((r) => ({
      workerId: String(r.worker_id), environment: String(r.environment), enabled: Boolean(r.enabled), parameters: JSON.parse(String(r.parameters)) as Record<string, unknown>,
    }));
  }

  async seedWorkerConfig(configs: readonly WorkerConfig[]): Promise<number> {
    let added = 0;
    for (const c of configs) {
      if (this.#dialect === 'starrocks') {
        const exists = await this.#query('SELECT 1 FROM worker_config WHERE worker_id = ? AND environment = ?', [c.workerId, c.environment]);
        if (exists.length > 0) continue;
      }
      const r = await this.#query<ResultSetHeader>(
        `INSERT ${this.#dialect === 'mysql' ? 'IGNORE ' : ''}INTO worker_config (worker_id, environment, enabled, parameters, updated_at) VALUES (?, ?, ?, ?, ?)`,
        [c.workerId, c.environment, c.enabled, JSON.stringify(c.parameters), new Date()],
      );
      added += r.affectedRows > 0 ? 1 : 0;
    }
    return added;
  }

  async setWorkerEnabled(environment: string, workerId: string, enabled: boolean): Promise<boolean> {
    const exists = await this.#query('SELECT 1 FROM worker_config WHERE environment = ? AND worker_id = ?', [environment, workerId]);
    if (exists.length === 0) return false;
    await this.#query('UPDATE worker_config SET enabled = ?, updated_at = ? WHERE environment = ? AND worker_id = ?', [enabled, new Date(), environment, workerId]);
    return true;
  }

  async acquireLease(key: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = new Date();
    const until = new Date(now.getTime() + ttlMs);
    if (this.#dialect === 'mysql') {
      // One statement: take the lease if it is free, expired or ours (atomic under InnoDB's row lock).
      await this.#query(
        `INSERT INTO leases (lease_key, owner, expires_at) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE
           owner = IF(expires_at < ? OR owner = VALUES(owner), VALUES(owner), owner),
           expires_at = IF(expires_at < ? OR owner = VALUES(owner), VALUES(expires_at), expires_at)`,
        [key, owner, until, now, now],
      );
    } else {
      // StarRocks has no conditional upsert: read, then write (a race can let two owners in; rare, and the upsert stays idempotent).
      const cur = await this.#query('SELECT owner, expires_at FROM leases WHERE lease_key = ?', [key]);
      const held = cur[0] && String(cur[0].owner) !== owner && (cur[0].expires_at as Date) >= now;
      if (!held) await this.#query('INSERT INTO leases (lease_key, owner, expires_at) VALUES (?, ?, ?)', [key, owner, until]);
    }
    const rows = await this.#query('SELECT owner FROM leases WHERE lease_key = ?', [key]);
    return rows[0]?.owner === owner;
  }

  async renewLease(key: string, owner: string, ttlMs: number): Promise<boolean> {
    await this.#query('UPDATE leases SET expires_at = ? WHERE lease_key = ? AND owner = ?', [new Date(Date.now() + ttlMs), key, owner]);
    const rows = await this.#query('SELECT owner FROM leases WHERE lease_key = ?', [key]);
    return rows[0]?.owner === owner;
  }

  async releaseLease(key: string, owner: string): Promise<void> {
    await this.#query('DELETE FROM leases WHERE lease_key = ? AND owner = ?', [key, owner]);
  }

  async recordRawPayload(r: RawPayloadRecord): Promise<void> {
    await this.#query(
      `INSERT ${this.#dialect === 'mysql' ? 'IGNORE ' : ''}INTO raw_payloads (sha256, provider, dataset, partition_key, window_from, window_to, fetched_at, content_type, bytes, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [r.sha256, r.provider, r.dataset, r.partition, r.windowFrom, r.windowTo, r.fetchedAt, r.contentType, r.bytes, r.runId],
    );
  }

  async listRawPayloads(q: { dataset: string; from?: Date; to?: Date }): Promise<RawPayloadRecord[]> {
    const params: unknown[] = [q.dataset];
    let sql = 'SELECT * FROM raw_payloads WHERE dataset = ?';
    if (q.from) (sql += ' AND window_to > ?'), params.push(q.from);
    if (q.to) (sql += ' AND window_from < ?'), params.push(q.to);
    sql += ' ORDER BY fetched_at, window_from';
    return (await this.#query(sql, params)).map((r) => ({
      sha256: String(r.sha256), provider: String(r.provider), dataset: String(r.dataset), partition: String(r.partition_key),
      windowFrom: r.window_from as Date, windowTo: r.window_to as Date, fetchedAt: r.fetched_at as Date,
      contentType: String(r.content_type), bytes: Number(r.bytes), runId: String(r.run_id),
    }));
  }

  async listFileDrops(dataset: string): Promise<FileDropRecord[]> {
    return (await this.#query('SELECT * FROM file_drops WHERE dataset = ? ORDER BY landed_at', [dataset])).map((r) => ({
      dataset: String(r.dataset), name: String(r.file_name), size: Number(r.file_size), mtime: r.file_mtime as Date,
      sha256: String(r.sha256), runId: String(r.run_id), landedAt: r.landed_at as Date,
    }));
  }

  async recordFileDrop(r: FileDropRecord): Promise<void> {
    await this.#query(
      `INSERT ${this.#dialect === 'mysql' ? 'IGNORE ' : ''}INTO file_drops (dataset, file_name, file_size, file_mtime, sha256, run_id, landed_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [r.dataset, r.name, r.size, r.mtime, r.sha256, r.runId, r.landedAt],
    );
  }

  async syncZones(zones: readonly ZoneRecord[]): Promise<void> {
    // A reference table of a few dozen rows: replaced whole (StarRocks has no transactions across statements; the next sync repairs a partial one).
    await this.#query('DELETE FROM zones WHERE code IS NOT NULL');
    if (zones.length === 0) return;
    await this.#query('INSERT INTO zones (code, eic, name, country, time_zone, valid_from, valid_to) VALUES ?',
      [zones.map((z) => [z.code, z.eic, z.name, z.country, z.timeZone, z.validFrom, z.validTo])]);
  }

  async listAllSeries(): Promise<{ dataset: string; series: Record<string, string> }[]> {
    return (await this.#query('SELECT dataset, dimensions FROM series ORDER BY dataset, series_key')).map((r) => ({
      dataset: String(r.dataset), series: JSON.parse(String(r.dimensions)) as Record<string, string>,
    }));
  }

  async listZones(): Promise<ZoneRecord[]> {
    return (await this.#query('SELECT * FROM zones ORDER BY code')).map((r) => ({
      code: String(r.code), eic: String(r.eic), name: String(r.name), country: String(r.country), timeZone: String(r.time_zone),
      validFrom: (r.valid_from as Date | null) ?? null, validTo: (r.valid_to as Date | null) ?? null,
    }));
  }

  async recordDeadLetter(d: DeadLetterRecord): Promise<void> {
    await this.#query(
      'INSERT INTO dead_letters (recorded_at, topic, reason, dataset, run_id, window_from, window_to, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [d.at, d.topic, d.reason, d.dataset, d.runId, d.windowFrom, d.windowTo, d.sha256],
    );
  }

  async listDeadLetters(query: number | DeadLetterQuery = {}): Promise<DeadLetterRecord[]> {
    const q = typeof query === 'number' ? { limit: query } : query;
    const params: unknown[] = [];
    let sql = 'SELECT * FROM dead_letters WHERE 1 = 1';
    if (q.dataset) (sql += ' AND dataset = ?'), params.push(q.dataset);
    if (q.since) (sql += ' AND recorded_at >= ?'), params.push(q.since);
    if (q.notReplayed) sql += ' AND replayed_at IS NULL';
    sql += ' ORDER BY id DESC LIMIT ?';
    params.push(Math.max(1, Math.floor(q.limit ?? 100)));
    return (await this.#query(sql, params)).map((r) => ({
      id: Number(r.id),
      replayedAt: (r.replayed_at as Date | null | undefined) ?? null,
      at: r.recorded_at as Date, topic: String(r.topic), reason: String(r.reason), dataset: r.dataset === null ? null : String(r.dataset),
      runId: r.run_id === null ? null : String(r.run_id), windowFrom: (r.window_from as Date | null) ?? null,
      windowTo: (r.window_to as Date | null) ?? null, sha256: r.sha256 === null ? null : String(r.sha256),
    }));
  }

  async markDeadLetterReplayed(id: number, at: Date): Promise<void> {
    await this.#query('UPDATE dead_letters SET replayed_at = ? WHERE id = ?', [at, id]);
  }

  // --- completeness: ledger and known gaps ---
  async upsertLedger(rows: readonly LedgerRow[]): Promise<void> {
    if (rows.length === 0) return;
    const values = rows.map((r) => [r.dataset, r.partition, r.day, r.expected, r.present, r.missing, r.late, holesToJson(r.holes), r.repairAttempts, r.repairNextAt, r.gaveUp, r.updatedAt]);
    await this.#query(
      `INSERT INTO ledger (dataset, partition_key, day, expected, present, missing, late, holes, repair_attempts, repair_next_at, gave_up, updated_at) VALUES ?${
        this.#dialect === 'mysql'
          ? ` ON DUPLICATE KEY UPDATE expected = VALUES(expected), present = VALUES(present), missing = VALUES(missing), late = VALUES(late),
              holes = VALUES(holes), repair_attempts = VALUES(repair_attempts), repair_next_at = VALUES(repair_next_at), gave_up = VALUES(gave_up), updated_at = VALUES(updated_at)`
          : ''
      }`,
      [values],
    );
  }

  async listLedger(q: { dataset?: string; partition?: string; fromDay?: string; toDay?: string }): Promise<LedgerRow[]> {
    const params: unknown[] = [];
    let sql = 'SELECT * FROM ledger WHERE 1 = 1';
    if (q.dataset) (sql += ' AND dataset = ?'), params.push(q.dataset);
    if (q.partition) (sql += ' AND partition_key = ?'), params.push(q.partition);
    if (q.fromDay) (sql += ' AND day >= ?'), params.push(q.fromDay);
    if (q.toDay) (sql += ' AND day <= ?'), params.push(q.toDay);
    return (await this.#query(`${sql} ORDER BY dataset, partition_key, day`, params)).map((r) => ledgerFromColumns(r));
  }

  async addKnownGap(g: KnownGap): Promise<void> {
    await this.#query('INSERT INTO known_gaps (dataset, partition_key, gap_from, gap_to, reason, marked_at) VALUES (?, ?, ?, ?, ?, ?)', [g.dataset, g.partition, g.from, g.to, g.reason, g.markedAt]);
  }

  async listKnownGaps(dataset?: string): Promise<KnownGap[]> {
    const rows = dataset
      ? await this.#query('SELECT * FROM known_gaps WHERE dataset = ? ORDER BY gap_from', [dataset])
      : await this.#query('SELECT * FROM known_gaps ORDER BY dataset, gap_from');
    return rows.map((r) => ({ dataset: String(r.dataset), partition: r.partition_key === null ? null : String(r.partition_key), from: r.gap_from as Date, to: r.gap_to as Date, reason: String(r.reason), markedAt: r.marked_at as Date }));
  }
  // --- end completeness ---

  // --- vintages ---
  async listRevisions(q: RevisionQuery): Promise<RevisionRecord[]> {
    const series = (await this.listSeries(q.dataset)).filter((s) => matchesWhere(s.series, q.where));
    if (series.length === 0) return [];
    const bySeries = new Map(series.map((s) => [s.seriesKey, s]));
    const st = revisionsStatement(q, series.map((s) => s.seriesKey));
    return (await this.#query(st.sql, st.params)).map((r) => {
      const s = bySeries.get(String(r.series_key))!;
      return {
        dataset: q.dataset, seriesKey: s.seriesKey, series: s.series, unit: s.unit, resolution: s.resolution, ts: r.ts as Date,
        value: r.value === null ? null : Number(r.value), issued: (r.issued as Date | null) ?? null, quality: r.quality === null ? null : String(r.quality),
        payloadSha256: String(r.payload_sha256), ingestedAt: r.ingested_at as Date, replacedAt: r.replaced_at as Date,
      };
    });
  }

  async pruneRevisions(before: Date): Promise<number> {
    this.#prunedAt = Date.now();
    let total = 0;
    // In slices, so a large first prune does not hold one long transaction.
    for (;;) {
      const r = await this.#query<ResultSetHeader>(`DELETE FROM revisions WHERE replaced_at < ?${this.#dialect === 'mysql' ? ' LIMIT 50000' : ''}`, [before]);
      total += r.affectedRows;
      if (this.#dialect !== 'mysql' || r.affectedRows < 50_000) return total;
    }
  }

  /** After an upsert: pruning is part of writing, at most once per pruneEveryMs. */
  async #pruneIfDue(at: Date): Promise<void> {
    const { retentionMs, pruneEveryMs } = this.#revisions;
    if (retentionMs > 0 && at.getTime() - this.#prunedAt >= pruneEveryMs) await this.pruneRevisions(new Date(at.getTime() - retentionMs));
  }
  // --- end vintages ---
  // --- quality: plausibility flags ---
  async replaceQualityFlags(scope: FlagScope, flags: readonly QualityFlag[]): Promise<void> {
    // Delete then insert: a crash between them leaves the scope unflagged until the next evaluation
    // (StarRocks has no multi-statement transactions; the next batch or audit re-evaluates).
    for (let i = 0; i < scope.seriesKeys.length; i += 500) {
      await this.#query('DELETE FROM quality_flags WHERE dataset = ? AND series_key IN (?) AND ts >= ? AND ts < ?',
        [scope.dataset, scope.seriesKeys.slice(i, i + 500), scope.from, scope.to]);
    }
    if (flags.length === 0) return;
    await this.#query(
      `INSERT INTO quality_flags (dataset, series_key, ts, rule, dimensions, value, detail, flagged_at) VALUES ?${
        this.#dialect === 'mysql' ? ' ON DUPLICATE KEY UPDATE dimensions = VALUES(dimensions), value = VALUES(value), detail = VALUES(detail), flagged_at = VALUES(flagged_at)' : ''
      }`,
      [flags.map((f) => [f.dataset, f.seriesKey, f.ts, f.rule, JSON.stringify(f.series), f.value, f.detail, f.flaggedAt])],
    );
  }

  async listQualityFlags(q: { dataset?: string; from?: Date; to?: Date; rule?: string; limit?: number }): Promise<QualityFlag[]> {
    const params: unknown[] = [];
    let sql = 'SELECT * FROM quality_flags WHERE 1 = 1';
    if (q.dataset) (sql += ' AND dataset = ?'), params.push(q.dataset);
    if (q.from) (sql += ' AND ts >= ?'), params.push(q.from);
    if (q.to) (sql += ' AND ts < ?'), params.push(q.to);
    if (q.rule) (sql += ' AND rule = ?'), params.push(q.rule);
    sql += ' ORDER BY dataset, series_key, ts, rule';
    if (q.limit !== undefined) (sql += ' LIMIT ?'), params.push(q.limit);
    return (await this.#query(sql, params)).map(flagFromColumns);
  }
  // --- end quality ---
  // --- execution: paper-trading desk (deployment/sql/<dialect>/060_execution.sql) ---
  async #upsertExec(t: ExecTable, records: readonly object[]): Promise<void> {
    if (records.length === 0) return;
    const cols = t.columns.map(([c]) => c);
    const keys = new Set<string>(t.key);
    // StarRocks: a plain INSERT into a Primary Key table replaces the row.
    const update = this.#dialect === 'mysql' ? ` ON DUPLICATE KEY UPDATE ${cols.filter((c) => !keys.has(c)).map((c) => `${c} = VALUES(${c})`).join(', ')}` : '';
    for (let i = 0; i < records.length; i += 1000) {
      await this.#query(`INSERT INTO ${t.table} (${cols.join(', ')}) VALUES ?${update}`, [records.slice(i, i + 1000).map((r) => execValues(t, r))]);
    }
  }

  async #selectExec<T>(t: ExecTable, where: [string, unknown][], order: string, limit?: number): Promise<T[]> {
    const sql = `SELECT * FROM ${t.table} WHERE 1 = 1${where.map(([cond]) => ` AND ${cond}`).join('')} ORDER BY ${order}${limit === undefined ? '' : ` LIMIT ${Math.max(1, Math.floor(limit))}`}`;
    return (await this.#query(sql, where.map(([, v]) => v))).map((r) => execRecord<T>(t, r));
  }

  saveOrders(orders: readonly OrderRecord[]): Promise<void> {
    return this.#upsertExec(EXEC_TABLES.orders, orders);
  }

  async listOrders(q: OrderQuery = {}): Promise<OrderRecord[]> {
    const where: [string, unknown][] = [];
    if (q.book) where.push(['book = ?', q.book]);
    if (q.status) where.push(['status = ?', q.status]);
    if (q.from) where.push(['delivery_end > ?', q.from]);
    if (q.to) where.push(['delivery_start < ?', q.to]);
    const rows = await this.#selectExec<OrderRecord>(EXEC_TABLES.orders, where, 'delivery_start, order_id', q.ids ? undefined : q.limit);
    return q.ids ? rows.filter((o) => q.ids!.includes(o.id)) : rows;
  }

  saveFills(fills: readonly FillRecord[]): Promise<void> {
    return this.#upsertExec(EXEC_TABLES.fills, fills);
  }

  listFills(q: { book?: string; from?: Date; to?: Date } = {}): Promise<FillRecord[]> {
    const where: [string, unknown][] = [];
    if (q.book) where.push(['book = ?', q.book]);
    if (q.from) where.push(['delivery_end > ?', q.from]);
    if (q.to) where.push(['delivery_start < ?', q.to]);
    return this.#selectExec<FillRecord>(EXEC_TABLES.fills, where, 'delivery_start, fill_id');
  }

  saveBookState(state: BookState): Promise<void> {
    return this.#upsertExec(EXEC_TABLES.books, [state]);
  }

  listBookStates(): Promise<BookState[]> {
    return this.#selectExec<BookState>(EXEC_TABLES.books, [], 'book');
  }

  async replaceValuation(snapshot: string, positions: readonly PositionRecord[], pnl: readonly PnlRecord[]): Promise<void> {
    // Not one transaction (StarRocks has none across statements): a reader may briefly see a snapshot half written.
    await this.#query('DELETE FROM exec_positions WHERE snapshot = ?', [snapshot]);
    await this.#query('DELETE FROM exec_pnl WHERE snapshot = ?', [snapshot]);
    await this.#upsertExec(EXEC_TABLES.positions, positions.map((p) => ({ ...p, snapshot })));
    await this.#upsertExec(EXEC_TABLES.pnl, pnl.map((p) => ({ ...p, snapshot })));
  }

  listPositions(q: ValuationQuery = {}): Promise<PositionRecord[]> {
    const where: [string, unknown][] = [['snapshot = ?', q.snapshot ?? 'live']];
    if (q.book) where.push(['book = ?', q.book]);
    return this.#selectExec<PositionRecord>(EXEC_TABLES.positions, where, 'book, zone, delivery_start, product, side');
  }

  listPnl(q: ValuationQuery = {}): Promise<PnlRecord[]> {
    const where: [string, unknown][] = [['snapshot = ?', q.snapshot ?? 'live']];
    if (q.book) where.push(['book = ?', q.book]);
    return this.#selectExec<PnlRecord>(EXEC_TABLES.pnl, where, 'book, zone, delivery_start, product');
  }
  // --- end execution ---
  // --- throughput: batched control writes ---
  async recordRawPayloads(rs: readonly RawPayloadRecord[]): Promise<void> {
    for (let i = 0; i < rs.length; i += MANY_ROWS) {
      await this.#query(
        `INSERT ${this.#dialect === 'mysql' ? 'IGNORE ' : ''}INTO raw_payloads (sha256, provider, dataset, partition_key, window_from, window_to, fetched_at, content_type, bytes, run_id) VALUES ?`,
        [rs.slice(i, i + MANY_ROWS).map((r) => [r.sha256, r.provider, r.dataset, r.partition, r.windowFrom, r.windowTo, r.fetchedAt, r.contentType, r.bytes, r.runId])],
      );
    }
  }

  async setFetchRowsMany(counts: readonly FetchRowCount[]): Promise<void> {
    const all = [...lastCountPerRun(counts)];
    for (let i = 0; i < all.length; i += MANY_ROWS) {
      // One UPDATE whose CASE picks each run's count: both dialects take it (no UPDATE … JOIN in StarRocks).
      const chunk = all.slice(i, i + MANY_ROWS);
      await this.#query(
        `UPDATE fetch_log SET \`rows\` = CASE run_id ${chunk.map(() => 'WHEN ? THEN ?').join(' ')} END WHERE run_id IN (?) AND error IS NULL`,
        [...chunk.flat(), chunk.map(([runId]) => runId)],
      );
    }
  }

  async recordDeadLetters(ds: readonly DeadLetterRecord[]): Promise<void> {
    for (let i = 0; i < ds.length; i += MANY_ROWS) {
      await this.#query(
        'INSERT INTO dead_letters (recorded_at, topic, reason, dataset, run_id, window_from, window_to, sha256) VALUES ?',
        [ds.slice(i, i + MANY_ROWS).map((d) => [d.at, d.topic, d.reason, d.dataset, d.runId, d.windowFrom, d.windowTo, d.sha256])],
      );
    }
  }
  // --- end throughput ---

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
