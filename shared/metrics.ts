// Every metric Scalar emits, named in one place (the README's table and the Grafana dashboards
// follow this file; test/grafana.test.ts checks that every name a panel queries is in METRICS).
// Attributes stay low-cardinality: provider, dataset, topic, status, outcome, never a series or window.
//
// Instruments are created from the meter provider registered when first used, and again if a
// provider is registered later (tests), so a module may import this file before the SDK starts.
import { metrics, type Attributes, type Counter, type Gauge, type Histogram, type Meter, type MeterProvider, type ObservableResult } from '@opentelemetry/api';

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const ROWS = [1, 10, 100, 1000, 5000, 10_000, 20_000, 50_000, 100_000, 250_000];
const MESSAGES = [1, 2, 4, 8, 16, 32, 64, 128, 256];

type Kind = 'counter' | 'histogram' | 'gauge' | 'observable-gauge';

/** Name → kind, unit, description: the catalogue. */
export const METRICS = {
  'scalar.fetch.requests': { kind: 'counter', unit: '{request}', description: 'HTTP attempts to a provider, by provider, dataset, status (HTTP code or "none") and outcome (ok, error)' },
  'scalar.fetch.duration': { kind: 'histogram', unit: 's', description: 'Latency of one HTTP attempt (whole body read), by provider, dataset, outcome' },
  'scalar.fetch.bytes': { kind: 'counter', unit: 'By', description: 'Bytes received from providers, by provider and dataset' },
  'scalar.fetch.windows': { kind: 'counter', unit: '{window}', description: 'Windows acquired, by provider, dataset and outcome (published, failed)' },
  'scalar.fetch.consecutive_failures': { kind: 'observable-gauge', unit: '{window}', description: 'Windows failed in a row since the last success, by provider and dataset' },
  'scalar.ratelimit.wait.duration': { kind: 'histogram', unit: 's', description: 'Time a request waited for the provider rate limit (or a ban), by provider' },
  'scalar.ratelimit.bans': { kind: 'counter', unit: '{ban}', description: '429 answers that paused every request to the provider, by provider' },
  'scalar.breaker.state': { kind: 'observable-gauge', unit: '{state}', description: 'Circuit breaker per provider: 0 closed, 1 half-open, 2 open, 3 isolated' },
  'scalar.bus.published': { kind: 'counter', unit: '{message}', description: 'Raw messages published, by topic' },
  'scalar.bus.backlog': { kind: 'observable-gauge', unit: '{message}', description: 'Messages waiting or unacknowledged on a topic for a subscription (memory and NATS buses)' },
  'scalar.ingest.rows': { kind: 'counter', unit: '{row}', description: 'Observations landed (committed and cached), by provider and dataset' },
  'scalar.ingest.messages': { kind: 'counter', unit: '{message}', description: 'Raw messages landed, by provider and dataset' },
  'scalar.ingest.batch.rows': { kind: 'histogram', unit: '{row}', description: 'Rows per committed batch' },
  'scalar.ingest.batch.messages': { kind: 'histogram', unit: '{message}', description: 'Messages per committed batch' },
  'scalar.ingest.upsert.duration': { kind: 'histogram', unit: 's', description: 'Store upsert of one batch, by outcome' },
  'scalar.ingest.batch.failures': { kind: 'counter', unit: '{batch}', description: 'Batches that failed (store or cache down) and were redelivered' },
  'scalar.ingest.dead_letters': { kind: 'counter', unit: '{message}', description: 'Messages dead-lettered, by topic and dataset ("unknown" when unreadable)' },
  'scalar.dataset.lag': { kind: 'observable-gauge', unit: 's', description: 'now − the oldest watermark of the dataset\'s partitions' },
  'scalar.dataset.freshness': { kind: 'observable-gauge', unit: 's', description: 'now − the newest observation instant in the store (negative for day-ahead / forecasts)' },
  'scalar.dataset.freshness.limit': { kind: 'observable-gauge', unit: 's', description: 'The freshness the dataset should have at most now (its SLA): now − start of the last interval it should already hold, one cadence of slack' },
  'scalar.stream.connected': { kind: 'gauge', unit: '{connection}', description: 'Streaming worker connection: 1 connected, 0 not, by provider and stream' },
  // --- quality ---
  'scalar.plausibility.flags': { kind: 'counter', unit: '{flag}', description: 'Stored values newly flagged by a plausibility rule, by dataset and rule (range, jump, capacity, balance)' },
  'scalar.dataset.quality': { kind: 'observable-gauge', unit: '{score}', description: 'Quality score 0–100 of the dataset\'s last whole delivery day (completeness, timeliness, plausibility, agreement; README "Quality score")' },
  // --- end quality ---
  // --- reconciliation ---
  'scalar.reconcile.agreement': { kind: 'gauge', unit: '1', description: 'Share of compared slots on which every source agreed, by reconciliation check and zone (last run)' },
  // --- end reconciliation ---
} as const satisfies Record<string, { kind: Kind; unit: string; description: string }>;

export type MetricName = keyof typeof METRICS;

/**
 * The name Prometheus (and Mimir, and the otel-lgtm stack) gives a metric received over OTLP:
 * dots → underscores, the unit as a suffix (s → seconds, By → bytes, 1 → ratio for gauges;
 * `{annotations}` dropped), `_total` for counters. Histograms add `_bucket`, `_sum`, `_count`.
 */
export function prometheusName(name: MetricName): string {
  const m: { kind: Kind; unit: string } = METRICS[name];
  let base = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  const unit = m.unit === 's' ? 'seconds' : m.unit === 'By' ? 'bytes' : m.unit === '1' && m.kind !== 'counter' ? 'ratio' : '';
  if (unit && !base.endsWith(`_${unit}`)) base += `_${unit}`;
  if (m.kind === 'counter' && !base.endsWith('_total')) base += '_total';
  return base;
}

type Instruments = {
  fetchRequests: Counter;
  fetchDuration: Histogram;
  fetchBytes: Counter;
  fetchWindows: Counter;
  rateLimitWait: Histogram;
  rateLimitBans: Counter;
  busPublished: Counter;
  ingestRows: Counter;
  ingestMessages: Counter;
  batchRows: Histogram;
  batchMessages: Histogram;
  upsertDuration: Histogram;
  batchFailures: Counter;
  deadLetters: Counter;
  streamConnected: Gauge;
  plausibilityFlags: Counter; // quality
};

let made: { provider: MeterProvider; meter: Meter; i: Instruments } | undefined;

function meter(): { meter: Meter; i: Instruments } {
  const provider = metrics.getMeterProvider();
  if (made?.provider === provider) return made;
  const m = provider.getMeter('scalar');
  const counter = (n: MetricName) => m.createCounter(n, { unit: METRICS[n].unit, description: METRICS[n].description });
  const histogram = (n: MetricName, buckets: number[]) =>
    m.createHistogram(n, { unit: METRICS[n].unit, description: METRICS[n].description, advice: { explicitBucketBoundaries: buckets } });
  const i: Instruments = {
    fetchRequests: counter('scalar.fetch.requests'),
    fetchDuration: histogram('scalar.fetch.duration', SECONDS),
    fetchBytes: counter('scalar.fetch.bytes'),
    fetchWindows: counter('scalar.fetch.windows'),
    rateLimitWait: histogram('scalar.ratelimit.wait.duration', SECONDS),
    rateLimitBans: counter('scalar.ratelimit.bans'),
    busPublished: counter('scalar.bus.published'),
    ingestRows: counter('scalar.ingest.rows'),
    ingestMessages: counter('scalar.ingest.messages'),
    batchRows: histogram('scalar.ingest.batch.rows', ROWS),
    batchMessages: histogram('scalar.ingest.batch.messages', MESSAGES),
    upsertDuration: histogram('scalar.ingest.upsert.duration', SECONDS),
    batchFailures: counter('scalar.ingest.batch.failures'),
    deadLetters: counter('scalar.ingest.dead_letters'),
    streamConnected: m.createGauge('scalar.stream.connected', { unit: '{connection}', description: METRICS['scalar.stream.connected'].description }),
    plausibilityFlags: counter('scalar.plausibility.flags'), // quality
  };
  made = { provider, meter: m, i };
  registerObservables(m);
  return made;
}

// ---- recording functions: the only way the rest of the code touches instruments ----

const consecutiveFailures = new Map<string, { provider: string; dataset: string; n: number }>();

export function recordFetchAttempt(a: { provider: string; dataset: string; status: number | null; ok: boolean; latencyMs: number; bytes: number }): void {
  const { i } = meter();
  const outcome = a.ok ? 'ok' : 'error';
  i.fetchRequests.add(1, { provider: a.provider, dataset: a.dataset, status: a.status === null ? 'none' : String(a.status), outcome });
  i.fetchDuration.record(a.latencyMs / 1000, { provider: a.provider, dataset: a.dataset, outcome });
  if (a.bytes > 0) i.fetchBytes.add(a.bytes, { provider: a.provider, dataset: a.dataset });
}

export function recordWindow(provider: string, dataset: string, published: boolean): void {
  meter().i.fetchWindows.add(1, { provider, dataset, outcome: published ? 'published' : 'failed' });
  const key = `${provider}\u0000${dataset}`;
  const cur = consecutiveFailures.get(key) ?? { provider, dataset, n: 0 };
  cur.n = published ? 0 : cur.n + 1;
  consecutiveFailures.set(key, cur);
}

export function recordRateLimitWait(provider: string, ms: number): void {
  meter().i.rateLimitWait.record(ms / 1000, { provider });
}

export function recordBan(provider: string): void {
  meter().i.rateLimitBans.add(1, { provider });
}

export function recordPublished(topic: string): void {
  meter().i.busPublished.add(1, { topic });
}

export function recordLanded(provider: string, dataset: string, rows: number): void {
  const { i } = meter();
  i.ingestRows.add(rows, { provider, dataset });
  i.ingestMessages.add(1, { provider, dataset });
}

export function recordBatch(b: { rows: number; messages: number; upsertMs: number; ok: boolean }): void {
  const { i } = meter();
  i.upsertDuration.record(b.upsertMs / 1000, { outcome: b.ok ? 'ok' : 'error' });
  if (!b.ok) {
    i.batchFailures.add(1);
    return;
  }
  i.batchRows.record(b.rows);
  i.batchMessages.record(b.messages);
}

export function recordDeadLetter(topic: string, dataset: string | null): void {
  meter().i.deadLetters.add(1, { topic, dataset: dataset ?? 'unknown' });
}

/** For streaming workers: set on connect (true) and on every disconnect (false). */
export function setStreamConnected(provider: string, stream: string, connected: boolean): void {
  meter().i.streamConnected.record(connected ? 1 : 0, { provider, stream });
}

// --- quality ---
/** Values a plausibility rule flagged that were not flagged before (re-evaluations do not count twice). */
export function recordPlausibilityFlags(dataset: string, rule: string, count: number): void {
  if (count > 0) meter().i.plausibilityFlags.add(count, { dataset, rule });
}
// --- end quality ---

// ---- observed values: sources register a reader, the gauges call every reader on collection ----

/** cockatiel's CircuitState numbering: Closed 0, Open 1, HalfOpen 2, Isolated 3 → ours orders by severity. */
const BREAKER_LEVEL: Record<number, number> = { 0: 0, 2: 1, 1: 2, 3: 3 };
const breakers = new Map<string, () => number>();

/** The HTTP client registers its breaker's state (cockatiel CircuitState) under the provider name. */
export function observeBreaker(provider: string, state: () => number): void {
  breakers.set(provider, state);
  meter();
}

export type Observed = { attributes: Attributes; value: number }[];
type Source = () => Promise<Observed> | Observed;
const sources: Record<'backlog' | 'lag' | 'freshness' | 'freshnessLimit' | 'quality', Set<Source>> = {
  backlog: new Set(),
  lag: new Set(),
  freshness: new Set(),
  freshnessLimit: new Set(),
  quality: new Set(), // quality
};

/** Registers a reader of a gauge's values (bus backlog, dataset lag/freshness); returns its removal. */
export function observe(gauge: keyof typeof sources, source: Source): () => void {
  sources[gauge].add(source);
  meter();
  return () => sources[gauge].delete(source);
}

function registerObservables(m: Meter): void {
  const gauge = (n: MetricName, cb: (r: ObservableResult) => Promise<void> | void) =>
    m.createObservableGauge(n, { unit: METRICS[n].unit, description: METRICS[n].description }).addCallback(cb);
  const fromSources = (set: Set<Source>) => async (r: ObservableResult) => {
    for (const s of set) {
      // A reader that fails (store down) leaves its values out of this collection only.
      const values = await Promise.resolve().then(s).catch(() => [] as Observed);
      for (const v of values) r.observe(v.value, v.attributes);
    }
  };
  gauge('scalar.fetch.consecutive_failures', (r) => {
    for (const c of consecutiveFailures.values()) r.observe(c.n, { provider: c.provider, dataset: c.dataset });
  });
  gauge('scalar.breaker.state', (r) => {
    for (const [provider, state] of breakers) r.observe(BREAKER_LEVEL[state()] ?? 3, { provider });
  });
  gauge('scalar.bus.backlog', fromSources(sources.backlog));
  gauge('scalar.dataset.lag', fromSources(sources.lag));
  gauge('scalar.dataset.freshness', fromSources(sources.freshness));
  gauge('scalar.dataset.freshness.limit', fromSources(sources.freshnessLimit));
  gauge('scalar.dataset.quality', fromSources(sources.quality)); // quality
}

// --- reconciliation ---
let agreement: { provider: MeterProvider; gauge: Gauge } | undefined;

/** The last reconciliation's agreement (0–1) of a check in a zone (a handful of checks × zones: low cardinality). */
export function recordAgreement(check: string, zone: string, ratio: number): void {
  const provider = metrics.getMeterProvider();
  if (agreement?.provider !== provider) {
    const m = METRICS['scalar.reconcile.agreement'];
    agreement = { provider, gauge: provider.getMeter('scalar').createGauge('scalar.reconcile.agreement', { unit: m.unit, description: m.description }) };
  }
  agreement.gauge.record(ratio, { check, zone });
}
// --- end reconciliation ---
