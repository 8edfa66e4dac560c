// Automatic gap repair: audits the ledger of recent days, and turns holes that are past due and
// behind the watermark (the regular worker has been there and the slots are still absent) into
// targeted re-fetches of just the windows around them. Each day backs off between attempts and
// gives up after `maxAttempts`, recording why; stretches marked as known gaps are never chased.
import type { Dataset } from '../shared/dataset.ts';
import type { Logger } from '../shared/log.ts';
import type { KnownGap, LedgerRow, Store } from '../shared/store/index.ts';
import { addDuration, ceilTo, floorTo, isoUtc, minDate, nominalDurationMs, type Interval, type IsoDuration } from '../shared/time.ts';
import { deliveryDaysIn } from './expected-slots.ts';
import { recountDays } from './ledger.ts';

export type GapWindow = { dataset: string; partition: string; day: string; window: Interval };

export type GapRepairOptions = {
  /** Targeted re-fetches per delivery day before it is recorded as a known gap. */
  maxAttempts: number;
  /** Wait before the second attempt; doubles per attempt up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** How often the ledger of the last `auditLookback` is recounted from the store. */
  auditEveryMs: number;
  auditLookback: IsoDuration;
};

export const DEFAULT_GAP_REPAIR: GapRepairOptions = { maxAttempts: 5, baseDelayMs: 120_000, maxDelayMs: 6 * 3_600_000, auditEveryMs: 300_000, auditLookback: 'P7D' };

export type GapRepairs = {
  /** Windows to re-fetch now, for the workers running here. */
  due(active: readonly { ds: Dataset; partitions: readonly string[] }[], now: Date, maxDays?: number): Promise<GapWindow[]>;
  /** Reports how a re-fetch ended (null: published); a failure counts towards giving up. */
  settled(w: GapWindow, error: string | null): void;
};

const covers = (g: KnownGap, dataset: string, partition: string, i: Interval) =>
  g.dataset === dataset && (g.partition === null || g.partition === partition) && g.from <= i.from && g.to >= i.to;

/** The holes of a ledger row merged across series and widened to the dataset's window steps, split at `maxSpan`. */
export function repairWindows(ds: Dataset, row: LedgerRow, known: readonly KnownGap[]): Interval[] {
  const { align, tz, maxSpan } = ds.window;
  const spans = row.holes
    .filter((h) => !known.some((g) => covers(g, row.dataset, row.partition, h)))
    .map((h) => ({ from: floorTo(h.from, align, tz), to: ceilTo(h.to, align, tz) }))
    .sort((a, b) => a.from.getTime() - b.from.getTime());
  const merged: Interval[] = [];
  for (const s of spans) {
    const last = merged.at(-1);
    if (last && s.from <= last.to) last.to = s.to > last.to ? s.to : last.to;
    else merged.push({ ...s });
  }
  const out: Interval[] = [];
  for (const m of merged) {
    // Bounded: each step advances by at least one aligned step.
    for (let from = m.from; from < m.to; ) {
      const to = minDate(m.to, addDuration(from, maxSpan, tz));
      out.push({ from, to });
      from = to;
    }
  }
  return out;
}

export function gapRepairs(deps: { store: Store; log: Logger }, options: GapRepairOptions = DEFAULT_GAP_REPAIR): GapRepairs {
  let auditedAt = 0;
  const lastError = new Map<string, string>();
  const key = (dataset: string, partition: string, day: string) => `${dataset}\u0000${partition}\u0000${day}`;

  async function audit(active: readonly { ds: Dataset; partitions: readonly string[] }[], now: Date): Promise<void> {
    for (const { ds, partitions } of active) {
      if (!ds.expected) continue;
      // Up to tomorrow: a day-ahead day is due the day before.
      const span = deliveryDaysIn({ from: new Date(now.getTime() - nominalDurationMs(options.auditLookback)), to: addDuration(now, 'P2D') }, ds.window.tz);
      for (const p of partitions) {
        // Only days a window has covered (ingestion opened their row): days before a worker's first
        // backfill are not gaps, and the regular worker fetches days ahead of its watermark.
        const tracked = (await deps.store.listLedger({ dataset: ds.id, partition: p, fromDay: span[0], toDay: span.at(-1) })).map((r) => r.day);
        await recountDays(deps.store, ds, p, tracked, now);
      }
    }
  }

  return {
    async due(active, now, maxDays = Number.POSITIVE_INFINITY) {
      // Elapsed time, not the data clock `now` (a replay or a test may hold it still), paces the audit,
      // as it paces the scheduler's retries.
      if (Date.now() - auditedAt >= options.auditEveryMs) {
        auditedAt = Date.now();
        await audit(active, now).catch((err: unknown) => deps.log.warn({ err }, 'ledger audit failed'));
      }
      const out: GapWindow[] = [];
      const byId = new Map(active.map((a) => [a.ds.id, a]));
      const known = await deps.store.listKnownGaps();
      const updates: LedgerRow[] = [];
      for (const row of await deps.store.listLedger({})) {
        const a = byId.get(row.dataset);
        if (updates.length >= maxDays) break;
        if (!a || !a.partitions.includes(row.partition) || row.missing === 0 || row.gaveUp !== null) continue;
        if (row.repairNextAt && row.repairNextAt > now) continue;
        const watermark = await deps.store.getWatermark(row.dataset, row.partition);
        // Beyond the watermark the regular worker has not been yet: not a gap to repair.
        const windows = repairWindows(a.ds, row, known).filter((w) => watermark !== null && w.to <= watermark);
        if (windows.length === 0) continue;
        const k = key(row.dataset, row.partition, row.day);
        if (row.repairAttempts >= options.maxAttempts) {
          const why = lastError.get(k) ?? `still missing after ${row.repairAttempts} targeted re-fetches`;
          updates.push({ ...row, gaveUp: why, repairNextAt: null, updatedAt: now });
          await deps.store.addKnownGap({ dataset: row.dataset, partition: row.partition, from: windows[0]!.from, to: windows.at(-1)!.to, reason: `gave up: ${why}`, markedAt: now });
          deps.log.warn({ dataset: row.dataset, partition: row.partition, day: row.day }, `gap repair gave up: ${why}`);
          continue;
        }
        const delay = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** row.repairAttempts);
        // Booked before the fetch runs, so the next pass does not launch the same window again.
        updates.push({ ...row, repairAttempts: row.repairAttempts + 1, repairNextAt: new Date(now.getTime() + delay), updatedAt: now });
        for (const window of windows) out.push({ dataset: row.dataset, partition: row.partition, day: row.day, window });
      }
      await deps.store.upsertLedger(updates);
      for (const w of out) deps.log.info({ dataset: w.dataset, partition: w.partition }, `gap repair: re-fetching ${isoUtc(w.window.from)}/${isoUtc(w.window.to)}`);
      return out;
    },
    settled(w, error) {
      if (error !== null) lastError.set(key(w.dataset, w.partition, w.day), error);
    },
  };
}
