// Provider connectivity from fetch_log: availability, latency percentiles, last success and error,
// consecutive failures, and whether a provider is down. Pure: rows in, report out (`scalar health`
// queries the rows; dashboards and the web view can reuse the same figures).
//
// An endpoint is a dataset, not a URL path: ENTSO-E serves every document type from one path
// (`/api`, the type is in the query), so paths would fold ten datasets into one line, and the
// dataset is what an operator acts on (its worker). The provider line aggregates its datasets.
import { ABORTED_BY_CALLER } from '../shared/http.ts';
import type { FetchLogEntry } from '../shared/store/types.ts';

export type ConnectivityRow = Pick<FetchLogEntry, 'dataset' | 'attempt' | 'status' | 'latencyMs' | 'error' | 'at'>;

export type DownRule = {
  /** Down when, over this recent span, there were at least `minAttempts` requests and none succeeded… */
  windowMs: number;
  minAttempts: number;
  /** …or when this many requests in a row, the latest included, failed. */
  consecutiveFailures: number;
};

export const DEFAULT_DOWN_RULE: DownRule = { windowMs: 15 * 60_000, minAttempts: 3, consecutiveFailures: 5 };

export type Availability = {
  requests: number;
  successes: number;
  /** successes / requests; null without requests (unknown, not 0 and not 1). */
  ratio: number | null;
};

export type Health = {
  status: 'up' | 'down' | 'idle';
  lastHour: Availability;
  lastDay: Availability;
  /** Nearest-rank percentiles of answered requests in the latency span; null when none. */
  latencyMs: { p50: number; p95: number; p99: number; answered: number } | null;
  lastSuccess: Date | null;
  lastError: { at: Date; status: number | null; message: string } | null;
  consecutiveFailures: number;
};

export type EndpointHealth = Health & { endpoint: string };
export type ProviderHealth = Health & { provider: string; endpoints: EndpointHealth[] };

export type ConnectivityOptions = {
  now: Date;
  /** Start of the span the latency percentiles cover (last success/error look at every row given). */
  latencySince: Date;
  providerOf(dataset: string): string;
  /** Providers to report even without rows (they come out `idle`). */
  providers?: readonly string[];
  down?: DownRule;
};

const HOUR = 3_600_000;

/** Nearest rank: the smallest value with at least p % of the values at or below it. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of no values');
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!;
}

function availability(rows: readonly ConnectivityRow[], from: number, to: number): Availability {
  const inSpan = rows.filter((r) => r.at.getTime() >= from && r.at.getTime() <= to);
  const successes = inSpan.filter((r) => r.error === null).length;
  return { requests: inSpan.length, successes, ratio: inSpan.length === 0 ? null : successes / inSpan.length };
}

/** Health of one endpoint or provider from its requests, newest first. */
function healthOf(newestFirst: readonly ConnectivityRow[], o: ConnectivityOptions, rule: DownRule): Health {
  const now = o.now.getTime();
  let consecutiveFailures = 0;
  while (consecutiveFailures < newestFirst.length && newestFirst[consecutiveFailures]!.error !== null) consecutiveFailures++;
  const lastOk = newestFirst.find((r) => r.error === null);
  const lastBad = newestFirst.find((r) => r.error !== null);
  // Latency of requests the provider answered; a timeout or refused connection counts against
  // availability instead (its "latency" is our timeout or nothing).
  const latencies = newestFirst
    .filter((r) => r.status !== null && r.at.getTime() >= o.latencySince.getTime())
    .map((r) => r.latencyMs)
    .sort((a, b) => a - b);
  const recent = availability(newestFirst, now - rule.windowMs, now);
  const down = (recent.requests >= rule.minAttempts && recent.successes === 0) || consecutiveFailures >= rule.consecutiveFailures;
  return {
    status: newestFirst.length === 0 ? 'idle' : down ? 'down' : 'up',
    lastHour: availability(newestFirst, now - HOUR, now),
    lastDay: availability(newestFirst, now - 24 * HOUR, now),
    latencyMs: latencies.length === 0 ? null : { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), answered: latencies.length },
    lastSuccess: lastOk?.at ?? null,
    lastError: lastBad ? { at: lastBad.at, status: lastBad.status, message: lastBad.error! } : null,
    consecutiveFailures,
  };
}

/**
 * Per provider and dataset. Left out, as they say nothing about the provider's reachability: rows
 * with attempt 0 (failures before any request was sent: an open circuit, a missing secret) and
 * requests aborted because acquisition was stopping.
 */
export function computeConnectivity(rows: readonly ConnectivityRow[], o: ConnectivityOptions): ProviderHealth[] {
  const rule = o.down ?? DEFAULT_DOWN_RULE;
  // Newest first; rows logged at the same instant keep their input order reversed (later = newer).
  const requests = rows
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => r.attempt > 0 && r.error !== ABORTED_BY_CALLER)
    .sort((a, b) => b.r.at.getTime() - a.r.at.getTime() || b.i - a.i)
    .map(({ r }) => r);
  // Both lists stay newest first: rows are pushed in that order.
  const byProvider = new Map<string, { all: ConnectivityRow[]; endpoints: Map<string, ConnectivityRow[]> }>();
  for (const p of o.providers ?? []) byProvider.set(p, { all: [], endpoints: new Map() });
  for (const r of requests) {
    const provider = o.providerOf(r.dataset);
    let entry = byProvider.get(provider);
    if (!entry) byProvider.set(provider, (entry = { all: [], endpoints: new Map() }));
    entry.all.push(r);
    let list = entry.endpoints.get(r.dataset);
    if (!list) entry.endpoints.set(r.dataset, (list = []));
    list.push(r);
  }
  return [...byProvider.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([provider, { all, endpoints }]) => ({
      provider,
      ...healthOf(all, o, rule),
      endpoints: [...endpoints.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([endpoint, list]) => ({ endpoint, ...healthOf(list, o, rule) })),
    }));
}
