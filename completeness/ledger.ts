// The completeness ledger: per (dataset, partition, local delivery day) how many slots are expected,
// present, missing (due and absent) and late (missing once, arrived later), with the holes as runs.
// Kept current after every committed batch (from the batch's own rows where they fill a day, else
// from the store) and recounted from the store by the repair loop's audit, so rows deleted behind
// the platform's back show up as holes too.
import type { Dataset } from '../shared/dataset.ts';
import { coalesceByTime, type CoalescedHook } from '../shared/coalesce.ts';
import type { Logger } from '../shared/log.ts';
import { seriesKey, type Series } from '../shared/observation.ts';
import type { LedgerRow, Store } from '../shared/store/index.ts';
import { matchesWhere } from '../shared/store/rows.ts';
import type { Interval } from '../shared/time.ts';
import { countDay, deliveryDay, deliveryDaysIn, expectedSlots, holeInstants, type DaySlots } from './expected-slots.ts';

export type LedgerDeps = { store: Store; findDataset(id: string): Dataset; log: Logger; now?: () => Date };

/** A row a committed batch stored (a StoredObservation fits): its series and instant are all the count needs. */
export type WrittenRow = { series: Series; ts: Date; seriesKey?: string };

type SeriesInstants = { series: Series; ts: Set<number> };

/** The rows' instants per series (by key where the rows carry one, else by the shared series object). */
function bySeries(rows: readonly WrittenRow[]): SeriesInstants[] {
  const groups = new Map<unknown, SeriesInstants>();
  let g: SeriesInstants | undefined;
  let last: unknown;
  for (const r of rows) {
    const k = r.seriesKey ?? r.series;
    // Rows come in runs of one series: the group is looked up only where the series changes.
    if (g === undefined || k !== last) {
      last = k;
      g = groups.get(k);
      if (!g) groups.set(k, (g = { series: r.series, ts: new Set() }));
    }
    g.ts.add(r.ts.getTime());
  }
  return [...groups.values()];
}

/** Per expected series of the day, the slot instants held by some series carrying its dimensions. */
function presentSlots(slots: DaySlots, held: readonly SeriesInstants[]): Set<number>[] {
  return slots.series.map((wanted) => {
    const matching = held.filter((g) => matchesWhere(g.series, wanted));
    const out = new Set<number>();
    for (const s of slots.slots) {
      const t = s.getTime();
      if (matching.some((g) => g.ts.has(t))) out.add(t);
    }
    return out;
  });
}

/** What every expected series of the days shares as a filter: one store read serves them all. */
function sharedFilter(days: readonly DaySlots[]): Record<string, string> {
  const all = days.flatMap((d) => d.series);
  return Object.fromEntries(Object.entries(all[0] ?? {}).filter(([k, v]) => all.every((x) => x[k] === v)));
}

const sameHoles = (a: LedgerRow['holes'], b: LedgerRow['holes']) =>
  a.length === b.length &&
  a.every((h, i) => h.from.getTime() === b[i]!.from.getTime() && h.to.getTime() === b[i]!.to.getTime() && seriesKey(h.series) === seriesKey(b[i]!.series));

/** True when writing `next` over `prev` would change nothing but `updatedAt`. */
function unchanged(prev: LedgerRow | undefined, next: LedgerRow): boolean {
  return (
    prev !== undefined &&
    prev.expected === next.expected && prev.present === next.present && prev.missing === next.missing && prev.late === next.late &&
    prev.repairAttempts === next.repairAttempts && prev.gaveUp === next.gaveUp &&
    (prev.repairNextAt?.getTime() ?? null) === (next.repairNextAt?.getTime() ?? null) &&
    sameHoles(prev.holes, next.holes)
  );
}

/**
 * Recounts the given delivery days of one partition and writes the ledger rows that changed; returns
 * the rows the ledger now holds for them. `written`: rows a batch has just stored for this dataset and
 * partition. A day they fill entirely is counted from them alone (the store upserts and never deletes,
 * so every slot is present); only the other days are read back from the store, in one read per run of
 * consecutive days. Without `written` every day is recounted from the store (the repair audit), which
 * is what finds rows deleted behind the platform's back.
 */
export async function recountDays(
  store: Store,
  ds: Dataset,
  partition: string,
  days: readonly string[],
  now: Date,
  written: readonly WrittenRow[] = [],
): Promise<LedgerRow[]> {
  const expected = ds.expected;
  if (!expected || days.length === 0) return [];
  const tz = ds.window.tz;
  const sorted = [...new Set(days)].sort();
  const previous = new Map((await store.listLedger({ dataset: ds.id, partition, fromDay: sorted[0], toDay: sorted.at(-1) })).map((r) => [r.day, r]));
  const fromBatch = bySeries(written);
  const counted: { slots: DaySlots; present: Set<number>[] | null }[] = [];
  for (const day of sorted) {
    const range = deliveryDay(day, tz);
    if ((ds.window.availableFrom && range.to <= ds.window.availableFrom) || (ds.window.availableUntil && range.from >= ds.window.availableUntil)) continue;
    const slots = expectedSlots(expected, tz, partition, day);
    const present = fromBatch.length === 0 ? null : presentSlots(slots, fromBatch);
    const filled = present !== null && present.every((p) => p.size === slots.slots.length);
    counted.push({ slots, present: filled ? present : null });
  }
  // The days the batch did not fill: read back, one query per run of consecutive days.
  const toRead = counted.filter((c) => c.present === null && c.slots.series.length > 0);
  for (let i = 0; i < toRead.length; ) {
    let j = i + 1;
    while (j < toRead.length && deliveryDay(toRead[j - 1]!.slots.day, tz).to.getTime() === deliveryDay(toRead[j]!.slots.day, tz).from.getTime()) j++;
    const run = toRead.slice(i, j);
    const from = deliveryDay(run[0]!.slots.day, tz).from;
    const to = deliveryDay(run.at(-1)!.slots.day, tz).to;
    const stored = bySeries(await store.queryObservations({ dataset: ds.id, from, to, where: sharedFilter(run.map((c) => c.slots)) }));
    for (const c of run) c.present = presentSlots(c.slots, stored);
    i = j;
  }
  const rows: LedgerRow[] = [];
  const changed: LedgerRow[] = [];
  for (const { slots, present: counts } of counted) {
    const present = counts ?? slots.series.map(() => new Set<number>());
    const count = countDay(slots, present, now, tz);
    const prev = previous.get(slots.day);
    // Late: slots the previous count had as missing that are present now.
    let arrived = 0;
    if (prev && prev.holes.length > 0) {
      const wasMissing = holeInstants(prev.holes, slots.resolution, tz, seriesKey);
      slots.series.forEach((s, i) => {
        for (const t of present[i]!) if (wasMissing.has(`${seriesKey(s)}\u0000${t}`)) arrived++;
      });
    }
    const closed = count.missing === 0;
    const row: LedgerRow = {
      dataset: ds.id,
      partition,
      day: slots.day,
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
    };
    // A window fetched again with the same rows changes nothing: no write.
    if (unchanged(prev, row)) rows.push(prev!);
    else {
      rows.push(row);
      changed.push(row);
    }
  }
  if (changed.length > 0) await store.upsertLedger(changed);
  return rows;
}

/** A window a batch committed, with the rows it stored for it (without them its days are read back). */
export type Landed = { dataset: string; partition: string; window: Interval; rows?: readonly WrittenRow[] };

export type LedgerHook = CoalescedHook<Landed>;

/**
 * How long landed windows are gathered before the ledger recounts them. A recount costs a ledger
 * read and write per (dataset, partition) (a few ms on DuckDB) whatever it covers, while a batch of
 * one window ingests in ~25 ms: recounting per batch would add a quarter to live ingestion. A
 * quarter of a second keeps the ledger current well inside the repair loop's cadence (minutes).
 */
export const LEDGER_RECOUNT_EVERY_MS = 250;

/**
 * The hook ingestion calls after a batch commits: recounts the days the landed windows touch, from
 * the batches' own rows where they fill a day, at most once per LEDGER_RECOUNT_EVERY_MS (the
 * windows landed meanwhile together: one ledger read and write per dataset and partition). Never in
 * the commit path: acknowledging the next batch does not wait for it. A failure here is logged,
 * never fails the batch (the data is stored; the audit recounts later). `flush()` on shutdown runs
 * the pending recount at once.
 */
export function ledgerAfterCommit(deps: LedgerDeps): LedgerHook {
  return coalesceByTime<Landed>(
    LEDGER_RECOUNT_EVERY_MS,
    (landed) => recountLanded(deps, landed),
    (err) => deps.log.warn({ err }, 'ledger recount failed; the repair audit recounts later'),
  );
}

async function recountLanded(deps: LedgerDeps, landed: readonly Landed[]): Promise<void> {
  const work = new Map<string, { ds: Dataset; partition: string; days: Set<string>; rows: WrittenRow[] }>();
  for (const l of landed) {
    let ds: Dataset;
    try {
      ds = deps.findDataset(l.dataset);
    } catch {
      continue;
    }
    if (!ds.expected) continue;
    const k = `${l.dataset}\u0000${l.partition}`;
    let entry = work.get(k);
    if (!entry) work.set(k, (entry = { ds, partition: l.partition, days: new Set<string>(), rows: [] }));
    for (const d of deliveryDaysIn(l.window, ds.window.tz)) entry.days.add(d);
    if (l.rows) for (const r of l.rows) entry.rows.push(r);
  }
  const now = deps.now?.() ?? new Date();
  for (const e of work.values()) {
    try {
      await recountDays(deps.store, e.ds, e.partition, [...e.days], now, e.rows);
    } catch (err) {
      deps.log.warn({ err, dataset: e.ds.id, partition: e.partition }, 'ledger recount failed; the repair audit recounts later');
    }
  }
}
