// Vintages: the SQL both stores run to read observations as they were known at an instant, or as
// issued by an instant, and to list replaced values. Dialect-free (`?` placeholders: DuckDB and
// mysql2 both take them); each store binds the instants its own way.
import type { ObservationQuery, RevisionQuery, StoredObservation } from './types.ts';

export type Statement = { sql: string; params: (string | Date)[] };

/** A row of `observations` or `revisions` counts as changed when any of these differ (null-safe). */
export const CHANGED_COLUMNS = ['value', 'issued', 'quality'] as const;

/** Null-safe equality of those columns between two row aliases. */
export function sameCondition(dialect: 'duckdb' | 'mysql', a: string, b: string): string {
  const op = dialect === 'duckdb' ? 'IS NOT DISTINCT FROM' : '<=>';
  return `(${CHANGED_COLUMNS.map((c) => `${a}.${c} ${op} ${b}.${c}`).join(' AND ')})`;
}

export const changedCondition = (dialect: 'duckdb' | 'mysql', a: string, b: string) => `NOT ${sameCondition(dialect, a, b)}`;

/** A stored row as the capture reads it back. */
export type StoredRow = { dataset: string; seriesKey: string; ts: Date; value: number | null; issued: Date | null; quality: string | null; payloadSha256: string; ingestedAt: Date };
/** A replaced value, ready for the `revisions` table. */
export type RevisionRow = StoredRow & { replacedAt: Date };

const rowKey = (dataset: string, seriesKey: string, ts: Date) => `${dataset}\u0000${seriesKey}\u0000${ts.getTime()}`;

/**
 * The capture in memory, for a store that cannot join a batch against its table in one transaction
 * (StarRocks): against the stored rows the batch reaches, each incoming row either replaces a stored
 * one whose value, issued or quality differ (that stored row becomes a revision, replaced at `now`),
 * repeats it exactly (dropped from the load: the stored row keeps its ingested_at and payload), or is new.
 */
export function captureAgainstStored(rows: readonly StoredObservation[], stored: readonly StoredRow[], now: Date): { load: StoredObservation[]; revisions: RevisionRow[] } {
  const byKey = new Map(stored.map((r) => [rowKey(r.dataset, r.seriesKey, r.ts), r]));
  const load: StoredObservation[] = [];
  const revisions: RevisionRow[] = [];
  for (const r of rows) {
    const s = byKey.get(rowKey(r.dataset, r.seriesKey, r.ts));
    if (s === undefined) {
      load.push(r);
      continue;
    }
    const same = s.value === r.value && (s.issued?.getTime() ?? null) === (r.issued?.getTime() ?? null) && s.quality === (r.quality ?? null);
    if (same) continue;
    revisions.push({ ...s, replacedAt: now });
    load.push(r);
  }
  return { load, revisions };
}

/**
 * The rows of one series for `q`, in ts order, after `after` (keyset paging) and at most `limit`.
 * - plain: the current rows;
 * - `asOf` t: current rows ingested at or before t, and for rows replaced after t the revision
 *   current at t (ingested at or before t, replaced after t). The two never overlap: a revision's
 *   replaced_at is the ingested_at of the value that replaced it. Rows first ingested after t are absent;
 * - `issuedAt` t: per ts, among the current row and its revisions, the one with the latest `issued`
 *   at or before t (rows without `issued` never match); with `asOf` too, only vintages ingested by then.
 */
export function seriesReadStatement(q: ObservationQuery, seriesKey: string, after: Date | null, limit: number | undefined): Statement {
  const params: (string | Date)[] = [];
  const range = () => {
    let s = ' AND dataset = ? AND series_key = ?';
    params.push(q.dataset, seriesKey);
    if (after) (s += ' AND ts > ?'), params.push(after);
    else if (q.from) (s += ' AND ts >= ?'), params.push(q.from);
    if (q.to) (s += ' AND ts < ?'), params.push(q.to);
    return s;
  };
  const tail = ` ORDER BY ts${limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(limit))}`}`;
  let sql: string;
  if (q.issuedAt) {
    const known = (t: string) => {
      params.push(q.issuedAt!);
      let s = `SELECT ts, value, issued, quality, ingested_at FROM ${t} WHERE issued <= ?`;
      if (q.asOf) (s += ' AND ingested_at <= ?'), params.push(q.asOf);
      return s + range();
    };
    sql = `SELECT ts, value, issued, quality FROM (SELECT v.*, row_number() OVER (PARTITION BY ts ORDER BY issued DESC, ingested_at DESC) AS vintage
      FROM (${known('observations')} UNION ALL ${known('revisions')}) v) w WHERE vintage = 1${tail}`;
  } else if (q.asOf) {
    params.push(q.asOf);
    const current = `SELECT ts, value, issued, quality FROM observations WHERE ingested_at <= ?${range()}`;
    params.push(q.asOf, q.asOf);
    const replaced = `SELECT ts, value, issued, quality FROM revisions WHERE ingested_at <= ? AND replaced_at > ?${range()}`;
    sql = `SELECT ts, value, issued, quality FROM (${current} UNION ALL ${replaced}) v${tail}`;
  } else {
    sql = `SELECT ts, value, issued, quality FROM observations WHERE 1 = 1${range()}${tail}`;
  }
  return { sql, params };
}

/** The revisions of some series of a dataset, oldest vintage first per (series, ts). */
export function revisionsStatement(q: RevisionQuery, seriesKeys: readonly string[]): Statement {
  const params: (string | Date)[] = [q.dataset, ...seriesKeys];
  let sql = `SELECT series_key, ts, value, issued, quality, payload_sha256, ingested_at, replaced_at FROM revisions
    WHERE dataset = ? AND series_key IN (${seriesKeys.map(() => '?').join(', ')})`;
  if (q.from) (sql += ' AND ts >= ?'), params.push(q.from);
  if (q.to) (sql += ' AND ts < ?'), params.push(q.to);
  sql += ' ORDER BY series_key, ts, ingested_at, replaced_at';
  if (q.limit !== undefined) sql += ` LIMIT ${Math.max(0, Math.floor(q.limit))}`;
  return { sql, params };
}

/** Store-side settings: how long replaced values are kept, and how often an upsert prunes older ones. */
export type RevisionSettings = { retentionMs: number; pruneEveryMs: number };
export const PRUNE_EVERY_MS = 3_600_000;
