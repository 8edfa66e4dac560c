// npm run bench:memory [-- --duration 360 --every 2s --sample 10]: runs `scalar demo` in a child
// process with bench/memory-probe.ts preloaded and prints its memory every sample (RSS, anonymous
// RSS, JS heap, external, array buffers), then RSS at start and end and the slope of each after the
// first minute (backfill and warm-up), by least squares, in MB per minute. A process whose memory is
// bounded has a slope near 0 once warm; compare runs made back to back (the machine is shared).
// The child inherits the environment: SCALAR_DUCKDB_MEMORY_LIMIT=…, MALLOC_ARENA_MAX=2 or
// MEMORY_PROBE_GC=1 (collect before each sample) compare one suspect at a time.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

type Sample = {
  t: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  rssAnonKb: number | null;
  rssFileKb: number | null;
};

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '360' },
    every: { type: 'string', default: '2s' },
    sample: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '60' },
  },
});
const duration = Number(values.duration);
const warmup = Number(values.warmup);
const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'scalar-mem-'));
const probeOut = join(dir, 'memory.jsonl');

const mb = (bytes: number) => bytes / 1024 / 1024;
/** Anonymous RSS less the JS heap V8 holds: native memory (DuckDB, the allocator, buffers). */
const native = (s: Sample) => (s.rssAnonKb === null ? NaN : s.rssAnonKb / 1024 - mb(s.heapTotal));
const cols = ['t s', 'rss', 'anon', 'native', 'heapTot', 'heapUsed', 'external', 'arrayBuf'];
const row = (s: Sample) =>
  [s.t.toFixed(0), mb(s.rss), s.rssAnonKb === null ? NaN : s.rssAnonKb / 1024, native(s), mb(s.heapTotal), mb(s.heapUsed), mb(s.external), mb(s.arrayBuffers)]
    .map((v, i) => (i === 0 ? String(v) : (v as number).toFixed(1)).padStart(9))
    .join('');

/** Least-squares slope of y (MB) over t (minutes). */
function slope(points: readonly [number, number][]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return sxy / sxx;
}

const readSamples = (): Sample[] => {
  try {
    return readFileSync(probeOut, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Sample);
  } catch {
    return [];
  }
};

const suspects = ['SCALAR_DUCKDB_MEMORY_LIMIT', 'SCALAR_DUCKDB_THREADS', 'MALLOC_ARENA_MAX', 'MEMORY_PROBE_GC']
  .filter((k) => process.env[k] !== undefined)
  .map((k) => `${k}=${process.env[k]}`);
console.log(`scalar demo --every ${values.every} --duration ${duration} --port 0 --data-dir ${dir}${suspects.length ? `  (${suspects.join(' ')})` : ''}`);
console.log(cols.map((c) => c.padStart(9)).join(''));

const child = spawn(
  process.execPath,
  ['--expose-gc', '--import', 'tsx', '--import', join(root, 'bench/memory-probe.ts'), join(root, 'bin/scalar.js'),
    'demo', '--every', values.every, '--duration', String(duration), '--port', '0', '--data-dir', join(dir, 'data')],
  { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, MEMORY_PROBE_OUT: probeOut, MEMORY_PROBE_MS: String(Number(values.sample) * 1000) } },
);
let shown = 0;
const show = () => {
  const all = readSamples();
  for (const s of all.slice(shown)) console.log(row(s));
  shown = all.length;
};
const timer = setInterval(show, 2000);
const code: number = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
clearInterval(timer);
show();

const samples = readSamples();
// The slope is taken while the demo runs: after the warm-up, before it stops and drains.
const warm = samples.filter((s) => s.t >= warmup && s.t <= duration);
const first = samples[0];
const last = samples.at(-1);
if (!first || !last || warm.length < 2) {
  console.log(`too few samples (${samples.length}); demo exited ${code}`);
  process.exitCode = 1;
} else {
  const per = (f: (s: Sample) => number) => slope(warm.map((s) => [s.t / 60, f(s)]));
  const peak = Math.max(...samples.map((s) => s.rss));
  const end = warm.at(-1)!;
  console.log(`\nRSS ${mb(first.rss).toFixed(0)} MB at start, ${mb(warm[0]!.rss).toFixed(0)} MB at ${warm[0]!.t.toFixed(0)} s, ${mb(end.rss).toFixed(0)} MB at ${end.t.toFixed(0)} s, ${mb(last.rss).toFixed(0)} MB after the stop (${last.t.toFixed(0)} s), peak ${mb(peak).toFixed(0)} MB`);
  console.log(
    `slope from ${warmup} to ${duration} s, MB/min: rss ${per((s) => mb(s.rss)).toFixed(2)}, anon ${per((s) => (s.rssAnonKb ?? NaN) / 1024).toFixed(2)}, ` +
      `native ${per(native).toFixed(2)}, heapTotal ${per((s) => mb(s.heapTotal)).toFixed(2)}, heapUsed ${per((s) => mb(s.heapUsed)).toFixed(2)}, external ${per((s) => mb(s.external)).toFixed(2)}, arrayBuffers ${per((s) => mb(s.arrayBuffers)).toFixed(2)}`,
  );
  if (code !== 0) {
    console.log(`demo exited ${code}`);
    process.exitCode = code;
  }
}
if (!process.env.KEEP_DATA_DIR) rmSync(dir, { recursive: true, force: true });
