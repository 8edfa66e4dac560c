// Dialect-free pieces every store implementation shares.
import type { Series } from '../observation.ts';
import type { FetchRowCount, LedgerRow, QualityFlag, StoredObservation } from './types.ts';

/** One row per (dataset, series_key, ts), the last one winning: a batch may carry a revision of an earlier row. */
export function dedupeLastWins(rows: readonly StoredObservation[]): StoredObservation[] {
  // The usual batch has each series' instants rising (in runs of one series or interleaved): then no
  // instant can repeat, which one comparison per row shows without building any key.
  const lastTs = new Map<string, Map<string, number>>();
  let rising = true;
  for (const r of rows) {
    let perSeries = lastTs.get(r.dataset);
    if (perSeries === undefined) lastTs.set(r.dataset, (perSeries = new Map()));
    const t = r.ts.getTime();
    const last = perSeries.get(r.seriesKey);
    if (last !== undefined && t <= last) {
      rising = false;
      break;
    }
    perSeries.set(r.seriesKey, t);
  }
  if (rising) return rows.slice();
  // Keyed per series, then by instant: rows come in runs of one series, so the series key is looked
  // up only where it changes, and no string is built per row. Without duplicates: the rows as given.
  const bySeries = new Map<string, Map<number, StoredObservation>>();
  let instants: Map<number, StoredObservation> | undefined;
  let previous: StoredObservation | undefined;
  let duplicates = false;
  for (const r of rows) {
    if (instants === undefined || previous!.seriesKey !== r.seriesKey || previous!.dataset !== r.dataset) {
      const k = `${r.dataset}\u0000${r.seriesKey}`;
      instants = bySeries.get(k);
      if (instants === undefined) bySeries.set(k, (instants = new Map()));
    }
    const t = r.ts.getTime();
    if (!duplicates && instants.has(t)) duplicates = true;
    instants.set(t, r);
    previous = r;
  }
  if (!duplicates) return rows.slice();
  const out: StoredObservation[] = [];
  for (const m of bySeries.values()) for (const r of m.values()) out.push(r);
  return out;
}

export type SeriesSummary = {
  dataset: string;
  seriesKey: string;
  series: Series;
  resolution: string;
  unit: string;
  firstTs: Date;
  lastTs: Date;
};

export function distinctSeries(rows: readonly StoredObservation[]): SeriesSummary[] {
  // Per dataset, then per series key: no key string is built per row.
  const byDataset = new Map<string, Map<string, SeriesSummary>>();
  const out: SeriesSummary[] = [];
  for (const r of rows) {
    let perSeries = byDataset.get(r.dataset);
    if (perSeries === undefined) byDataset.set(r.dataset, (perSeries = new Map()));
    const s = perSeries.get(r.seriesKey);
    if (!s) {
      const summary = { dataset: r.dataset, seriesKey: r.seriesKey, series: r.series, resolution: r.resolution, unit: r.unit, firstTs: r.ts, lastTs: r.ts };
      perSeries.set(r.seriesKey, summary);
      out.push(summary);
    } else {
      // getTime(): comparing Dates with < converts both through valueOf, 5× slower per row.
      const t = r.ts.getTime();
      if (t < s.firstTs.getTime()) s.firstTs = r.ts;
      if (t > s.lastTs.getTime()) s.lastTs = r.ts;
    }
  }
  return out;
}

export function matchesWhere(dims: Readonly<Record<string, string>>, where?: Readonly<Record<string, string>>): boolean {
  if (!where) return true;
  return Object.entries(where).every(([k, v]) => dims[k] === v);
}

// --- completeness: ledger rows to and from their stored columns ---

export function holesToJson(holes: LedgerRow['holes']): string {
  return JSON.stringify(holes.map((h) => ({ series: h.series, from: h.from.toISOString(), to: h.to.toISOString() })));
}

export function holesFromJson(text: string): LedgerRow['holes'] {
  const raw = JSON.parse(text) as { series: Record<string, string>; from: string; to: string }[];
  return raw.map((h) => ({ series: h.series, from: new Date(h.from), to: new Date(h.to) }));
}

export function ledgerFromColumns(r: Record<string, unknown>): LedgerRow {
  return {
    dataset: String(r.dataset),
    partition: String(r.partition_key),
    day: String(r.day),
    expected: Number(r.expected),
    present: Number(r.present),
    missing: Number(r.missing),
    late: Number(r.late),
    holes: holesFromJson(String(r.holes)),
    repairAttempts: Number(r.repair_attempts),
    repairNextAt: r.repair_next_at === null || r.repair_next_at === undefined ? null : (r.repair_next_at as Date),
    gaveUp: r.gave_up === null || r.gave_up === undefined ? null : String(r.gave_up),
    updatedAt: r.updated_at as Date,
  };
}
// --- end completeness ---

// --- quality: flag rows from their stored columns ---
export function flagFromColumns(r: Record<string, unknown>): QualityFlag {
  return {
    dataset: String(r.dataset),
    seriesKey: String(r.series_key),
    series: JSON.parse(String(r.dimensions)) as Record<string, string>,
    ts: r.ts as Date,
    rule: String(r.rule),
    value: Number(r.value),
    detail: String(r.detail),
    flaggedAt: r.flagged_at as Date,
  };
}
// --- end quality ---
/** runId → rows, the last count of a run winning (as one setFetchRows after another would leave it). */
export function lastCountPerRun(counts: readonly FetchRowCount[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of counts) out.set(c.runId, c.rows);
  return out;
}
