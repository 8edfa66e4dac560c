// The completeness ledger: per (dataset, partition, local delivery day) how many slots are expected,
// present, missing (due and absent) and late (missing once, arrived later), with the holes as runs.
// Recounted from the store after every committed batch and by the repair loop's audit, so rows
// deleted behind the platform's back show up as holes too.
import type { Dataset } from '../shared/dataset.ts';
import type { Logger } from '../shared/log.ts';
import { seriesKey } from '../shared/observation.ts';
import type { LedgerRow, Store } from '../shared/store/index.ts';
import { matchesWhere } from '../shared/store/rows.ts';
import type { Interval } from '../shared/time.ts';
import { countDay, deliveryDay, deliveryDaysIn, expectedSlots, holeInstants } from './expected-slots.ts';

export type LedgerDeps = { store: Store; findDataset(id: string): Dataset; log: Logger; now?: () => Date };

/** Recounts the given delivery days of one partition and writes their ledger rows; returns them. */
export async function recountDays(store: Store, ds: Dataset, partition: string, days: readonly string[], now: Date): Promise<LedgerRow[]> {
  const expected = ds.expected;
  if (!expected || days.length === 0) return [];
  const tz = ds.window.tz;
  const sorted = [...days].sort();
  const previous = new Map((await store.listLedger({ dataset: ds.id, partition, fromDay: sorted[0], toDay: sorted.at(-1) })).map((r) => [r.day, r]));
  const rows: LedgerRow[] = [];
  for (const day of sorted) {
    const range = deliveryDay(day, tz);
    if ((ds.window.availableFrom && range.to <= ds.window.availableFrom) || (ds.window.availableUntil && range.from >= ds.window.availableUntil)) continue;
    const slots = expectedSlots(expected, tz, partition, day);
    // One read per day (what every expected series shares as the filter), split per series in memory:
    // a query per series made the recount cost more than the ingestion it follows (bench: ledger).
    const shared = Object.fromEntries(Object.entries(slots.series[0] ?? {}).filter(([k, v]) => slots.series.every((x) => x[k] === v)));
    const got = slots.series.length === 0 ? [] : await store.queryObservations({ dataset: ds.id, from: range.from, to: range.to, where: shared });
    const present = slots.series.map((series) => new Set(got.filter((o) => matchesWhere(o.series, series)).map((o) => o.ts.getTime())));
    const count = countDay(slots, present, now, tz);
    const prev = previous.get(day);
    // Late: slots the previous count had as missing that are present now.
    let arrived = 0;
    if (prev && prev.holes.length > 0) {
      const wasMissing = holeInstants(prev.holes, slots.resolution, tz, seriesKey);
      slots.series.forEach((s, i) => {
        for (const t of present[i]!) if (wasMissing.has(`${seriesKey(s)}\u0000${t}`)) arrived++;
      });
    }
    const closed = count.missing === 0;
    rows.push({
      dataset: ds.id,
      partition,
      day,
      expected: count.expected,
      present: count.present,
      missing: count.missing,
      late: (prev?.late ?? 0) + arrived,
      holes: count.holes,
      // A closed day forgets its repair history; an open one keeps counting attempts.
      repairAttempts: closed ? 0 : (prev?.repairAttempts ?? 0),
      repairNextAt: closed ? null : (prev?.repairNextAt ?? null),
      gaveUp: closed ? null : (prev?.gaveUp ?? null),
      updatedAt: now,
    });
  }
  await store.upsertLedger(rows);
  return rows;
}

export type Landed = { dataset: string; partition: string; window: Interval };

/**
 * The hook ingestion calls after a batch commits: recounts the days the batch's windows touch. A
 * failure here is logged, never fails the batch (the data is stored; the audit recounts later).
 */
export function ledgerAfterCommit(deps: LedgerDeps): (landed: readonly Landed[]) => Promise<void> {
  // Recounts run one after another beside ingestion, never in its commit path: acknowledging the
  // next batch does not wait for them.
  let queue: Promise<void> = Promise.resolve();
  return (landed) => {
    queue = queue.then(() => recountLanded(deps, landed));
    return Promise.resolve();
  };
}

async function recountLanded(deps: LedgerDeps, landed: readonly Landed[]): Promise<void> {
  {
    const days = new Map<string, { ds: Dataset; partition: string; days: Set<string> }>();
    for (const l of landed) {
      let ds: Dataset;
      try {
        ds = deps.findDataset(l.dataset);
      } catch {
        continue;
      }
      if (!ds.expected) continue;
      const k = `${l.dataset}\u0000${l.partition}`;
      const entry = days.get(k) ?? { ds, partition: l.partition, days: new Set<string>() };
      for (const d of deliveryDaysIn(l.window, ds.window.tz)) entry.days.add(d);
      days.set(k, entry);
    }
    const now = deps.now?.() ?? new Date();
    for (const e of days.values()) {
      try {
        await recountDays(deps.store, e.ds, e.partition, [...e.days], now);
      } catch (err) {
        deps.log.warn({ err, dataset: e.ds.id, partition: e.partition }, 'ledger recount failed; the repair audit recounts later');
      }
    }
  }
}
