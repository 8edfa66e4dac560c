// Preloaded into a process under measurement (node --import ./bench/memory-probe.ts): every
// MEMORY_PROBE_MS (10 s) it appends one JSON line of its memory to MEMORY_PROBE_OUT. RSS is split
// into anonymous and file-backed pages from /proc (Linux), since a growing RSS with a flat JS heap is
// native memory (DuckDB, the allocator) and file pages are the kernel's to reclaim.
import { appendFileSync, readFileSync } from 'node:fs';

const out = process.env.MEMORY_PROBE_OUT;
const every = Number(process.env.MEMORY_PROBE_MS ?? 10_000);
const gc = (globalThis as { gc?: () => void }).gc;

function procStatusKb(field: string): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

if (out) {
  const started = Date.now();
  const sample = () => {
    // MEMORY_PROBE_GC=1 (with --expose-gc): collect first, so native memory held only by dead JS
    // wrappers (query results, buffers) is told apart from memory that something really keeps.
    if (process.env.MEMORY_PROBE_GC === '1') gc?.();
    const m = process.memoryUsage();
    const line = {
      t: (Date.now() - started) / 1000,
      rss: m.rss,
      heapUsed: m.heapUsed,
      heapTotal: m.heapTotal,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
      rssAnonKb: procStatusKb('RssAnon'),
      rssFileKb: procStatusKb('RssFile'),
    };
    appendFileSync(out, `${JSON.stringify(line)}\n`);
  };
  sample();
  setInterval(sample, every).unref();
}
