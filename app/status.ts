// Operational status: watermarks, recent failed requests, dead letters; and provider health from fetch_log.
import { computeConnectivity, DEFAULT_DOWN_RULE, type Health, type ProviderHealth } from '../acquisition/connectivity.ts';
import { datasets, providers } from '../providers/index.ts';
import { isoUtc } from '../shared/time.ts';
import type { DeadLetterRecord, FetchLogEntry, Store, Watermark } from '../shared/store/index.ts';

export type Status = { watermarks: Watermark[]; failures: FetchLogEntry[]; deadLetters: DeadLetterRecord[] };

/** The newest `limit` failed requests among the last 500 logged, and the newest `limit` dead letters. */
export async function readStatus(store: Store, limit = 10): Promise<Status> {
  return {
    watermarks: await store.listWatermarks(),
    failures: (await store.listFetchLog({ limit: 500 })).filter((f) => f.error !== null).slice(0, limit),
    deadLetters: await store.listDeadLetters(limit),
  };
}

const DAY = 86_400_000;
const byDataset = new Map(datasets.map((d) => [d.id, d.provider]));
/** Dataset ids are `<provider>.<name>`; the prefix names the provider of a dataset no longer registered. */
export const providerOf = (dataset: string) => byDataset.get(dataset) ?? dataset.split('.')[0]!;

export type HealthQuery = { providers?: readonly string[]; sinceMs: number; now?: Date; providerOf?: (dataset: string) => string };

/** Provider connectivity (the `scalar health` computation): availability over 1 h and 1 day, latency over `sinceMs`. */
export async function providerHealth(store: Store, q: HealthQuery): Promise<ProviderHealth[]> {
  const now = q.now ?? new Date();
  const selected = q.providers ?? providers.map((p) => p.id);
  const rows = await store.listFetchLogSince(new Date(now.getTime() - Math.max(q.sinceMs, DAY)));
  const wanted = new Set(selected);
  return computeConnectivity(rows, { now, latencySince: new Date(now.getTime() - q.sinceMs), providerOf: q.providerOf ?? providerOf, providers: selected }).filter((p) => wanted.has(p.provider));
}

/** The JSON shape of `scalar health --format json` and `GET /api/health`. */
export function healthToJson(report: readonly ProviderHealth[], now: Date, sinceMs: number) {
  const health = (h: Health) => ({
    status: h.status,
    availability: { lastHour: h.lastHour, lastDay: h.lastDay },
    latencyMs: h.latencyMs,
    lastSuccess: h.lastSuccess && isoUtc(h.lastSuccess),
    lastError: h.lastError && { ...h.lastError, at: isoUtc(h.lastError.at) },
    consecutiveFailures: h.consecutiveFailures,
  });
  return {
    at: isoUtc(now),
    latencySpanMs: sinceMs,
    downRule: DEFAULT_DOWN_RULE,
    providers: report.map((p) => ({ provider: p.provider, ...health(p), endpoints: p.endpoints.map((e) => ({ endpoint: e.endpoint, ...health(e) })) })),
  };
}
