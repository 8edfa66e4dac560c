// Pure: what `scalar gaps` prints from ledger rows and marked gaps: one line per contiguous run of
// missing slots, and completeness per (dataset, partition, delivery day).
import type { KnownGap, LedgerRow } from '../shared/store/index.ts';
import { isoUtc } from '../shared/time.ts';

export type HoleLine = { dataset: string; partition: string; day: string; series: string; from: string; to: string; status: string };
export type DayLine = { dataset: string; partition: string; day: string; expected: number; present: number; missing: number; late: number; completeness: number; repair: string };

const seriesText = (s: Readonly<Record<string, string>>) => Object.entries(s).map(([k, v]) => `${k}=${v}`).join(',');

/** Completeness in percent with one decimal: present over expected (a day with nothing expected is complete). */
export function completenessPercent(r: Pick<LedgerRow, 'expected' | 'present'>): number {
  return r.expected === 0 ? 100 : Math.floor((r.present / r.expected) * 1000) / 10;
}

export function gapsReport(rows: readonly LedgerRow[], known: readonly KnownGap[]): { holes: HoleLine[]; days: DayLine[] } {
  const holes: HoleLine[] = [];
  for (const r of rows) {
    for (const h of r.holes) {
      const mark = known.find((g) => g.dataset === r.dataset && (g.partition === null || g.partition === r.partition) && g.from <= h.from && g.to >= h.to);
      const status = mark ? `known: ${mark.reason}` : r.gaveUp !== null ? `gave up: ${r.gaveUp}` : r.repairAttempts > 0 ? `repairing (${r.repairAttempts} tries)` : 'missing';
      holes.push({ dataset: r.dataset, partition: r.partition, day: r.day, series: seriesText(h.series), from: isoUtc(h.from), to: isoUtc(h.to), status });
    }
  }
  const days = rows.map((r) => ({
    dataset: r.dataset,
    partition: r.partition,
    day: r.day,
    expected: r.expected,
    present: r.present,
    missing: r.missing,
    late: r.late,
    completeness: completenessPercent(r),
    repair: r.gaveUp !== null ? 'gave up' : r.missing > 0 && r.repairAttempts > 0 ? `${r.repairAttempts} tries` : '',
  }));
  return { holes, days };
}
