// What a running role reports about itself: the gauges read from the ports (bus backlog, dataset
// lag and freshness) and the readiness checks behind /readyz.
import { datasetGaugeReader } from '../acquisition/dataset-gauges.ts';
import type { Scheduler } from '../acquisition/scheduler.ts';
import type { Ingestion } from '../ingestion/consumer.ts';
import type { Bus } from '../shared/bus/index.ts';
import type { Cache } from '../shared/cache/index.ts';
import type { Dataset } from '../shared/dataset.ts';
import { lastDayScores } from '../app/quality.ts';
import { observe, type Observed } from '../shared/metrics.ts';
import type { Store } from '../shared/store/index.ts';
import type { ReadinessChecks } from './health-endpoints.ts';

export type RoleObservability = {
  readiness: ReadinessChecks;
  /** Stops reporting (before the ports close). */
  stop(): void;
};

export function observeRoles(
  ports: { bus: Bus; store: Store; cache: Cache },
  roles: { scheduler?: Scheduler; ingestion?: Ingestion; tickMs: number; topics: readonly string[]; datasets: readonly Dataset[] },
): RoleObservability {
  const { bus, store, cache } = ports;
  const { scheduler, ingestion } = roles;
  const unobserve: (() => void)[] = [];
  if (ingestion && bus.backlog) {
    const backlog = bus.backlog.bind(bus);
    unobserve.push(observe('backlog', () =>
      Promise.all(roles.topics.map(async (topic) => ({ attributes: { topic, subscription: 'ingestion' }, value: await backlog(topic, 'ingestion') })))));
  }
  if (scheduler) {
    // Lag and freshness are the store's: the acquisition role reports them (dashboards take max by dataset).
    const read = datasetGaugeReader(store, roles.datasets);
    unobserve.push(observe('lag', async () => (await read()).lag));
    unobserve.push(observe('freshness', async () => (await read()).freshness));
    unobserve.push(observe('freshnessLimit', async () => (await read()).freshnessLimit));
    // --- quality: the last whole day's score, recomputed at most every 5 minutes ---
    let scored: { at: number; values: Promise<Observed> } | undefined;
    unobserve.push(observe('quality', () => {
      if (!scored || Date.now() - scored.at >= 300_000) {
        const values = lastDayScores(store, roles.datasets, new Date()).then((days) => days.map((d) => ({ attributes: { provider: d.provider, dataset: d.dataset }, value: d.score })));
        scored = { at: Date.now(), values };
        // A failed read is retried at the next collection, not cached.
        values.catch(() => (scored = undefined));
      }
      return scored.values;
    }));
  }
  let ingesting = ingestion !== undefined;
  const ping = (port: { ping?(): Promise<void> }) => async () => port.ping?.();
  const readiness: Record<string, () => Promise<void>> = { bus: ping(bus), store: ping(store), cache: ping(cache) };
  if (scheduler) {
    // A pass that ends late (a slow store) is not dead; one silent for long is.
    const within = Math.max(60_000, roles.tickMs * 10);
    readiness.acquisition = async () => {
      if (!scheduler.alive(within)) throw new Error(`scheduling loop not running (no pass ended within ${within / 1000} s)`);
    };
  }
  if (ingestion) {
    readiness.ingestion = async () => {
      if (!ingesting) throw new Error('ingestion stopped');
    };
  }
  return {
    readiness,
    stop() {
      ingesting = false;
      for (const u of unobserve) u();
    },
  };
}
