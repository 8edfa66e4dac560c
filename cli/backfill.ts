// `scalar backfill`: wires a backfill run (acquisition/backfill.ts) to the platform, an in-process
// ingestion, optionally the provider's simulator, and a progress display.
import { runBackfill, type BackfillProgress, type BackfillReport } from '../acquisition/backfill.ts';
import { findDataset, findProvider } from '../providers/index.ts';
import type { Config } from '../shared/config.ts';
import { createLogger } from '../shared/log.ts';
import type { Simulator } from '../shared/dataset.ts';
import { formatInterval, isoUtc, type Interval } from '../shared/time.ts';
import { acquisitionDeps, openPlatform, startRoles, STOP_DRAIN_MS } from './platform.ts';

export type BackfillCommand = {
  dataset: string;
  range: Interval;
  partitions: readonly string[];
  /** Fetch from the provider's simulator instead of its API. */
  simulate: boolean;
  landTimeoutMs?: number;
  out?: NodeJS.WriteStream | NodeJS.WritableStream;
  err?: NodeJS.WriteStream | NodeJS.WritableStream;
};

const clock = (ms: number) => {
  const s = Math.round(ms / 1000);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
};

/** Time left from the pace of the windows actually fetched (skipped ones cost nothing). */
export function etaMs(p: Pick<BackfillProgress, 'done' | 'total' | 'counts' | 'elapsedMs'>): number | null {
  const fetched = p.done - p.counts.skipped;
  return fetched > 0 ? (p.elapsedMs / fetched) * (p.total - p.done) : null;
}

/** One progress line: a bar on a terminal, or a plain log line per window. */
export function progressText(p: BackfillProgress, tty: boolean): string {
  const c = p.counts;
  const tally = `landed ${c.landed}  empty ${c.empty}  failed ${c.failed}  skipped ${c.skipped}`;
  const eta = etaMs(p);
  if (tty) {
    const width = 24;
    const filled = Math.round((p.done / Math.max(1, p.total)) * width);
    return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.total}  ${tally}  ETA ${eta === null ? '?' : clock(eta)}\u001b[K`;
  }
  const l = p.last;
  const detail = l.outcome === 'failed' ? `: ${l.error}` : l.rows !== undefined ? ` (${l.rows} rows)` : '';
  return `${p.done}/${p.total} ${l.partition} ${formatInterval(l.window)} ${l.outcome}${detail}; ${tally}${eta === null ? '' : `; ETA ${clock(eta)}`}\n`;
}

export async function backfillCommand(config: Config, c: BackfillCommand): Promise<BackfillReport> {
  const out = c.out ?? process.stdout;
  const err = c.err ?? process.stderr;
  const ds = findDataset(c.dataset);
  let sim: Simulator | undefined;
  if (c.simulate) sim = await findProvider(ds.provider).startSimulator();
  try {
    // Errors only on the terminal: the progress display is the output.
    const platform = await openPlatform(config, createLogger('error', config.logLevel), sim?.secrets ?? {});
    try {
      const roles = await startRoles(platform, { acquisition: false, ingestion: true, drainTimeoutMs: STOP_DRAIN_MS });
      const stop = new AbortController();
      const interrupt = () => {
        err.write('\ninterrupted: stopping after the window under way; a re-run resumes from there\n');
        stop.abort();
      };
      process.once('SIGINT', interrupt);
      const tty = 'isTTY' in err && err.isTTY === true;
      try {
        out.write(`backfill ${ds.id} ${isoUtc(c.range.from)} → ${isoUtc(c.range.to)}${sim ? ` from the simulator at ${sim.url}` : ''}\n`);
        const report = await runBackfill(acquisitionDeps(platform, sim ? { [ds.provider]: sim.url } : undefined), ds, {
          range: c.range,
          partitions: c.partitions,
          landTimeoutMs: c.landTimeoutMs,
          signal: stop.signal,
          onProgress: (p) => err.write(progressText(p, tty)),
        });
        if (tty) err.write('\n');
        const k = report.counts;
        out.write(`${ds.id}: ${k.landed} windows landed, ${k.empty} empty, ${k.failed} failed, ${k.skipped} skipped (landed before)\n`);
        for (const f of report.failed) out.write(`  failed ${f.partition} ${formatInterval(f.window)}: ${f.error}\n`);
        if (stop.signal.aborted) out.write('interrupted: run the same command again to resume\n');
        return report;
      } finally {
        process.off('SIGINT', interrupt);
        await roles.stop();
      }
    } finally {
      await platform.close();
    }
  } finally {
    await sim?.close();
  }
}
