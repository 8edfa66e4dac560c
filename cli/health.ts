// `scalar health`: provider connectivity from fetch_log, as a table or JSON, with an exit code a
// probe can use (3 when a selected provider is down).
import { healthToJson, providerHealth } from '../app/status.ts';
import { type Availability, type Health, type ProviderHealth } from '../acquisition/connectivity.ts';
import type { Store } from '../shared/store/index.ts';
import { isoUtc } from '../shared/time.ts';
import { writeTable } from './output.ts';

/** Exit code when a selected provider is down. */
export const EXIT_DOWN = 3;

const DAY = 86_400_000;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: DAY } as const;

/** `90s`, `30m`, `1h`, `7d` → milliseconds. */
export function parseSpan(s: string): number {
  const m = /^([1-9]\d*)([smhd])$/.exec(s);
  if (!m) throw new RangeError(`expected a span like 30m, 1h or 7d, got ${s}`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

export type HealthOptions = {
  /** Only these providers (all registered ones when unset). */
  providers: readonly string[];
  /** Span of the latency percentiles; rows are read back max(span, 1 day) for the day's availability. */
  sinceMs: number;
  format: 'table' | 'json';
  providerOf(dataset: string): string;
  now?: Date;
  out?: NodeJS.WritableStream;
};

/** Prints the report and returns the exit code: 0, or EXIT_DOWN when a reported provider is down. */
export async function runHealth(store: Store, o: HealthOptions): Promise<number> {
  const now = o.now ?? new Date();
  const out = o.out ?? process.stdout;
  const report = await providerHealth(store, { providers: o.providers, sinceMs: o.sinceMs, now, providerOf: o.providerOf });
  if (o.format === 'json') out.write(`${JSON.stringify(healthToJson(report, now, o.sinceMs), null, 2)}\n`);
  else writeHealthTable(report, out);
  return report.some((p) => p.status === 'down') ? EXIT_DOWN : 0;
}

const pct = (a: Availability) => (a.ratio === null ? '-' : `${(a.ratio * 100).toFixed(1)}% of ${a.requests}`);
const when = (d: Date | null) => (d ? isoUtc(d) : '-');

function line(provider: string, endpoint: string, h: Health): string[] {
  return [
    provider,
    endpoint,
    h.status,
    pct(h.lastHour),
    pct(h.lastDay),
    h.latencyMs ? `${h.latencyMs.p50}/${h.latencyMs.p95}/${h.latencyMs.p99}` : '-',
    when(h.lastSuccess),
    String(h.consecutiveFailures),
    h.lastError ? `${isoUtc(h.lastError.at)} ${h.lastError.status ?? '-'} ${h.lastError.message.slice(0, 80)}` : '-',
  ];
}

function writeHealthTable(report: readonly ProviderHealth[], out: NodeJS.WritableStream): void {
  writeTable(
    ['provider', 'endpoint', 'status', 'avail 1h', 'avail 24h', 'p50/p95/p99 ms', 'last success', 'fails in a row', 'last error (at, status, message)'],
    report.flatMap((p) => [line(p.provider, '(all)', p), ...p.endpoints.map((e) => line(p.provider, e.endpoint, e))]),
    out,
  );
}
