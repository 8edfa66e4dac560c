// `scalar backfill`: the windows of [from, to) planned like the scheduler's (`splitRange`), fetched
// one after another through `runWindow` (the same per-provider clients and rate limiters as the
// workers), each awaited until ingestion has landed it. Progress is the fetch_log itself: a window
// that landed before (in an interrupted backfill or by the workers) is skipped on a re-run.
import type { Dataset } from '../shared/dataset.ts';
import { ConfigError, NoDataYetError, errorMessage } from '../shared/errors.ts';
import type { Store } from '../shared/store/index.ts';
import { formatInterval, isoUtc, type Interval } from '../shared/time.ts';
import { runWindow, type AcquisitionDeps } from './run-window.ts';
import { splitRange } from './window.ts';

export type BackfillWindow = { partition: string; window: Interval };

export type BackfillOutcome = 'landed' | 'empty' | 'failed' | 'skipped';

export type BackfillProgress = {
  done: number;
  total: number;
  counts: Readonly<Record<BackfillOutcome, number>>;
  elapsedMs: number;
  /** The window just finished, with its outcome (and rows or error). */
  last: BackfillWindow & { outcome: BackfillOutcome; rows?: number; error?: string };
};

export type BackfillReport = { counts: Record<BackfillOutcome, number>; failed: (BackfillWindow & { error: string })[] };

export type BackfillOptions = {
  range: Interval;
  /** Partitions to fill; every partition of the dataset when empty. */
  partitions?: readonly string[];
  /** How long to wait for ingestion to land a published window before counting it failed. */
  landTimeoutMs?: number;
  pollMs?: number;
  onProgress?(p: BackfillProgress): void;
  /** Stops after the window under way (Ctrl-C); the rest is picked up by a re-run. */
  signal?: AbortSignal;
};

/** The windows a backfill covers, partition by partition (pure). */
export function planBackfill(ds: Dataset, range: Interval, partitions: readonly string[] = []): BackfillWindow[] {
  if (!(range.from < range.to)) throw new ConfigError(`${ds.id} backfill: --from must be before --to`);
  const unknown = partitions.filter((p) => !ds.partitions.includes(p));
  if (unknown.length > 0) throw new ConfigError(`${ds.id} backfill: unknown partition ${unknown.join(', ')} (known: ${ds.partitions.join(', ')})`);
  const windows = splitRange(ds.window, range);
  if (windows.length === 0) {
    const bounds = [ds.window.availableFrom && `from ${isoUtc(ds.window.availableFrom)}`, ds.window.availableUntil && `until ${isoUtc(ds.window.availableUntil)}`].filter(Boolean).join(' ');
    throw new ConfigError(`${ds.id} backfill: no window in ${formatInterval(range)}${bounds ? ` (the dataset is available ${bounds})` : ''}`);
  }
  return (partitions.length > 0 ? partitions : ds.partitions).flatMap((partition) => windows.map((window) => ({ partition, window })));
}

const key = (partition: string, from: Date, to: Date) => `${partition}\u0000${from.getTime()}\u0000${to.getTime()}`;

async function landedRows(store: Store, ds: Dataset, w: BackfillWindow): Promise<number | null> {
  const found = (await store.listLandedWindows(ds.id, w.window.from, w.window.to)).find((l) => key(l.partition, l.windowFrom, l.windowTo) === key(w.partition, w.window.from, w.window.to));
  return found ? found.rows : null;
}

export async function runBackfill(deps: AcquisitionDeps, ds: Dataset, o: BackfillOptions): Promise<BackfillReport> {
  if (ds.stream) throw new ConfigError(`${ds.id} is a live stream: there are no windows to backfill`);
  const plan = planBackfill(ds, o.range, o.partitions);
  const started = Date.now();
  const counts: Record<BackfillOutcome, number> = { landed: 0, empty: 0, failed: 0, skipped: 0 };
  const failed: BackfillReport['failed'] = [];
  const already = new Set(
    plan.length === 0 ? [] : (await deps.store.listLandedWindows(ds.id, plan[0]!.window.from, plan.at(-1)!.window.to)).map((l) => key(l.partition, l.windowFrom, l.windowTo)),
  );
  let done = 0;
  const finish = (w: BackfillWindow, outcome: BackfillOutcome, extra: { rows?: number; error?: string } = {}) => {
    counts[outcome] += 1;
    done += 1;
    if (outcome === 'failed') failed.push({ ...w, error: extra.error ?? 'failed' });
    o.onProgress?.({ done, total: plan.length, counts, elapsedMs: Date.now() - started, last: { ...w, outcome, ...extra } });
  };
  for (const w of plan) {
    if (o.signal?.aborted) break;
    if (already.has(key(w.partition, w.window.from, w.window.to))) {
      finish(w, 'skipped');
      continue;
    }
    try {
      await runWindow(deps, ds, w.partition, w.window);
    } catch (e) {
      if (e instanceof NoDataYetError) finish(w, 'empty', { rows: 0 });
      else finish(w, 'failed', { error: errorMessage(e) });
      continue;
    }
    // Landed once ingestion has recorded the window's row count (in this process or a running service).
    const deadline = Date.now() + (o.landTimeoutMs ?? 120_000);
    let rows: number | null = null;
    while ((rows = await landedRows(deps.store, ds, w)) === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, o.pollMs ?? 100));
    if (rows === null) finish(w, 'failed', { error: `published but not landed within ${Math.round((o.landTimeoutMs ?? 120_000) / 1000)} s (see scalar status for dead letters)` });
    else finish(w, rows > 0 ? 'landed' : 'empty', { rows });
  }
  return { counts, failed };
}
