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
import { sendStreamLoad, streamLoadRequest, type StreamLoadTarget } from './starrocks-stream-load.ts';
import { dedupeLastWins, distinctSeries, holesToJson, lastCountPerRun, ledgerFromColumns, matchesWhere } from './rows.ts';
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
  FetchRowCount,
} from './types.ts';

export type Dialect = 'mysql' | 'starrocks';

/** Rows per INSERT statement: InnoDB likes moderate statements, StarRocks few large loads. */
export const ROWS_PER_STATEMENT: Record<Dialect, number> = { mysql: 5_000, starrocks: 50_000 };

/** MySQL/MariaDB: statements of one batch sent at once (the pool holds 8 connections), and the smallest worth splitting to. */
export const PARALLEL_STATEMENTS = 4;
const MIN_ROWS_PER_STATEMENT = 500;
// Rows per multi-row control statement (raw payload index, fetch-log counts, dead letters).
const MANY_ROWS = 500;
const byKey = (a: StoredObservation, b: StoredObservation) =>
  a.dataset < b.dataset ? -1 : a.dataset > b.dataset ? 1 : a.seriesKey < b.seriesKey ? -1 : a.seriesKey > b.seriesKey ? 1 : a.ts.getTime() - b.ts.getTime();

// The server (local_infile=OFF, MySQL 8's default) or the client refusing LOAD DATA LOCAL.
const LOAD_DATA_REFUSED = new Set(['ER_NOT_ALLOWED_COMMAND', 'ER_LOAD_INFILE_CAPABILITY_DISABLED', 'ER_CLIENT_LOCAL_FILES_DISABLED']);

// LOAD DATA's default format: tab-separated, backslash escapes, \N for NULL; instants in UTC as DATETIME(3) text.
const tsvText = (s: string) => s.replace(/[\\\t\n\r\0]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\0'));
const tsvInstant = (d: Date) => d.toISOString().slice(0, 23).replace('T', ' ');
export function loadDataTsv(rows: readonly StoredObservation[], now: Date): string {
  const at = tsvInstant(now);
  let out = '';
  for (const r of rows) {
    out += `${tsvText(r.dataset)}\t${tsvText(r.seriesKey)}\t${tsvInstant(r.ts)}\t${r.value === null ? '\\N' : String(r.value)}\t${tsvText(r.payloadSha256)}\t${at}\t${
      r.issued === undefined ? '\\N' : tsvInstant(r.issued)}\t${r.quality === undefined ? '\\N' : tsvText(r.quality)}\n`;
  }
  return out;
}

/** mysql2 sends each stream chunk as one packet: Buffers of at most 64 KiB. */
function* chunks(bytes: Buffer): Generator<Buffer> {
  for (let i = 0; i < bytes.length; i += 65_536) yield bytes.subarray(i, i + 65_536);
}

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

  private constructor(pool: Pool, dialect: Dialect) {
    this.#pool = pool;
    this.#dialect = dialect;
  }

  /** `mysql://user:pass@host:3306/db` or `starrocks://user@host:9030/db`; the database is created when missing, unless `create` is false. */
  static async open(url: string, o: { create?: boolean; connectTimeoutMs?: number } = {}): Promise<SqlStore> {
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
      if (o.create !== false) await admin.query(`CREATE DATABASE IF NOT EXISTS \`${database}\``);
    } finally {
      await admin.end();
    }
    const pool = mysql.createPool({ ...base, database, connectionLimit: 8, waitForConnections: true });
    const store = new SqlStore(pool, dialect);
    const httpPort = u.searchParams.get('http_port');
    if (dialect === 'starrocks' && httpPort) store.#streamLoad = { httpUrl: `http://${u.hostname}:${httpPort}`, database, user: base.user, password: base.password };
    await store.migrate();
    return store;
  }

  get dialect(): Dialect {
    return this.#dialect;
  }

  async #query<T = Row[]>(sql: string, values: unknown[] = []): Promise<T> {
    return this.#retry.execute(async () => (await this.#pool.query(sql, values))[0] as T);
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
      for (const statement of text.split(/;\s*$/m).map((s) => s.trim()).filter(Boolean)) await this.#query(statement);
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
      // Stream Load first (one tablet version per batch, de-duplicated by label on a retry); INSERT
      // when it is not configured or fails (a Primary Key table makes the INSERT an upsert too).
      if (this.#streamLoad) {
        try {
          await sendStreamLoad(streamLoadRequest(this.#streamLoad, 'observations', unique, now));
          return;
        } catch {
          // fall through to INSERT
        }
      }
      const step = ROWS_PER_STATEMENT.starrocks;
      for (let i = 0; i < unique.length; i += step) await insert(unique.slice(i, i + step));
      return;
    }
    // InnoDB: one connection keeps one core busy, so the batch goes out as up to PARALLEL_STATEMENTS
    // statements at once over the pool. Rows in key order, each statement a contiguous key range:
    // parallel statements then lock disjoint index ranges (a deadlock is still retried, each statement
    // being idempotent on its own).
    const sorted = [...unique].sort(byKey);
    const step = Math.min(ROWS_PER_STATEMENT.mysql, Math.max(MIN_ROWS_PER_STATEMENT, Math.ceil(sorted.length / PARALLEL_STATEMENTS)));
    const parts: StoredObservation[][] = [];
    for (let i = 0; i < sorted.length; i += step) parts.push(sorted.slice(i, i + step));
    const write = async (part: readonly StoredObservation[]) => {
      if (!this.#loadDataRefused && (await this.#retry.execute(() => this.#loadData(part, now)))) return;
      await insert(part);
    };
    for (let i = 0; i < parts.length; i += PARALLEL_STATEMENTS) await Promise.all(parts.slice(i, i + PARALLEL_STATEMENTS).map(write));
  }

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
      await conn.query('START TRANSACTION');
      const [result] = await conn.query({
        sql: `LOAD DATA LOCAL INFILE 'observations.tsv' REPLACE INTO TABLE observations CHARACTER SET utf8mb4
              (dataset, series_key, ts, value, payload_sha256, ingested_at, issued, quality)`,
        infileStreamFactory: () => Readable.from(chunks(Buffer.from(loadDataTsv(part, now)))),
      });
      if ((result as ResultSetHeader).warningStatus > 0) {
        await conn.query('ROLLBACK');
        return false;
      }
      await conn.query('COMMIT');
      return true;
    } catch (e) {
      await conn.query('ROLLBACK').catch(() => undefined);
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
      const params: unknown[] = [q.dataset, s.seriesKey];
      let sql = 'SELECT ts, value, issued, quality FROM observations WHERE dataset = ? AND series_key = ?';
      if (q.from) (sql += ' AND ts >= ?'), params.push(q.from);
      if (q.to) (sql += ' AND ts < ?'), params.push(q.to);
      sql += ' ORDER BY ts';
      if (q.limit !== undefined) (sql += ' LIMIT ?'), params.push(Math.max(0, Math.floor(q.limit - out.length)));
      for (const r of await this.#query(sql, params)) {
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
        const params: unknown[] = [q.dataset, s.seriesKey];
        let sql = 'SELECT ts, value, issued, quality FROM observations WHERE dataset = ? AND series_key = ?';
        if (after) (sql += ' AND ts > ?'), params.push(after);
        else if (q.from) (sql += ' AND ts >= ?'), params.push(q.from);
        if (q.to) (sql += ' AND ts < ?'), params.push(q.to);
        sql += ' ORDER BY ts LIMIT ?';
        params.push(Math.min(size, left));
        const rows = await this.#query(sql, params);
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
    await this.#pool.query('SELECT 1');
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
