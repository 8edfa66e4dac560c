// Dialect-free pieces every store implementation shares.
import type { Series } from '../observation.ts';
import type { LedgerRow, QualityFlag, StoredObservation } from './types.ts';

/** One row per (dataset, series_key, ts), the last one winning: a batch may carry a revision of an earlier row. */
export function dedupeLastWins(rows: readonly StoredObservation[]): StoredObservation[] {
  const byKey = new Map<string, StoredObservation>();
  for (const r of rows) byKey.set(`${r.dataset}\u0000${r.seriesKey}\u0000${r.ts.getTime()}`, r);
  return [...byKey.values()];
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
  const out = new Map<string, SeriesSummary>();
  for (const r of rows) {
    const k = `${r.dataset}\u0000${r.seriesKey}`;
    const s = out.get(k);
    if (!s) {
      out.set(k, { dataset: r.dataset, seriesKey: r.seriesKey, series: r.series, resolution: r.resolution, unit: r.unit, firstTs: r.ts, lastTs: r.ts });
    } else {
      if (r.ts < s.firstTs) s.firstTs = r.ts;
      if (r.ts > s.lastTs) s.lastTs = r.ts;
    }
  }
  return [...out.values()];
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
