// Wires the four ports and the roles from configuration. The only place that knows both the
// provider registry and the adapters.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Scheduler, type AcquisitionEvent } from '../acquisition/scheduler.ts';
import { readWorkerSeed, workerSeedPath } from '../acquisition/worker-config.ts';
import { startIngestion, type Ingestion, type IngestionEvent } from '../ingestion/consumer.ts';
import { republishUnlanded } from '../ingestion/recover.ts';
import { datasets, findDataset, providers } from '../providers/index.ts';
import { openBus, type Bus } from '../shared/bus/index.ts';
import { openCache, type Cache } from '../shared/cache/index.ts';
import { loadConfig, type Config, type ConfigSources } from '../shared/config.ts';
import { createHttpClient, type HttpClient } from '../shared/http.ts';
import { createLogger, type Logger } from '../shared/log.ts';
import { fileArchive, type PayloadArchive } from '../shared/payload-archive.ts';
import { envName, envSecrets, type Secrets } from '../shared/secrets/index.ts';
import { openStore, type Store } from '../shared/store/index.ts';

export type Platform = {
  config: Config;
  store: Store;
  bus: Bus;
  cache: Cache;
  archive: PayloadArchive;
  secrets: Secrets;
  log: Logger;
  close(): Promise<void>;
};

export function readConfig(sources: ConfigSources = {}): Config {
  return loadConfig({ ...sources, providerIds: providers.map((p) => p.id) });
}

export async function openPlatform(
  config: Config,
  log: Logger = createLogger(config.logLevel),
  /** Secrets that win over the environment (the simulators' tokens in the demo). */
  extraSecrets: Readonly<Record<string, string>> = {},
): Promise<Platform> {
  const store = await openStore(config.storeUrl);
  const bus = await openBus(config.busUrl, { ...config.bus, environment: config.env, log: log.child({ component: 'bus' }) });
  const cache = await openCache(config.cacheUrl);
  return {
    config,
    store,
    bus,
    cache,
    archive: fileArchive(join(config.dataDir, 'raw')),
    secrets: envSecrets({ ...process.env, ...Object.fromEntries(Object.entries(extraSecrets).map(([k, v]) => [envName(k), v])) }),
    log,
    async close() {
      await bus.close();
      await cache.close();
      await store.close();
    },
  };
}

/** Logical topic of a provider's raw payloads; each bus adapter maps it to its own naming. */
export const topicFor = (provider: string) => provider;

/** Seeds worker_config for the environment from deployment/workers/<env>.yaml (missing rows only). */
export async function seedWorkers(store: Store, environment: string, log?: Logger): Promise<number> {
  const path = fileURLToPath(workerSeedPath(environment));
  if (!existsSync(path)) {
    log?.warn(`no worker seed file for environment ${environment} (${path})`);
    return 0;
  }
  return store.seedWorkerConfig(readWorkerSeed(path, datasets));
}

export type Roles = {
  scheduler?: Scheduler;
  ingestion?: Ingestion;
  stop(): Promise<void>;
};

export type RoleOptions = {
  acquisition: boolean;
  ingestion: boolean;
  /** Provider base URLs that win over the configuration (the demo's simulators). */
  baseUrls?: Record<string, string>;
  /** Replaces every worker's cadence with this fixed period. */
  every?: string;
  /** The scheduler's clock (tests pin it). */
  now?: () => Date;
  drainTimeoutMs?: number;
  onAcquisition?: (e: AcquisitionEvent) => void;
  onIngestion?: (e: IngestionEvent) => void;
};

export async function startRoles(platform: Platform, options: RoleOptions): Promise<Roles> {
  const { config, log } = platform;
  let ingestion: Ingestion | undefined;
  let scheduler: Scheduler | undefined;
  if (options.ingestion) {
    ingestion = await startIngestion(
      {
        bus: platform.bus,
        store: platform.store,
        cache: platform.cache,
        archive: platform.archive,
        log: log.child({ role: 'ingestion' }),
        findDataset,
        topics: providers.map((p) => topicFor(p.id)),
      },
      config.ingestion,
      options.onIngestion,
    );
    // Only a bus that forgets on a crash (the in-process one) loses published windows; they are
    // landed from the raw archive before acquisition publishes anything new (so a newer revision
    // of the same window still lands last).
    if (platform.bus.drain) {
      await republishUnlanded(
        { store: platform.store, archive: platform.archive, bus: platform.bus, log: log.child({ role: 'ingestion' }), topicFor },
        new Date(Date.now() - 7 * 86_400_000),
      );
    }
  }
  if (options.acquisition) {
    const clients = new Map<string, HttpClient>();
    const baseUrls: Record<string, string | undefined> = Object.fromEntries(
      providers.map((p) => [p.id, options.baseUrls?.[p.id] ?? config.providers[p.id]?.baseUrl]),
    );
    scheduler = new Scheduler(
      {
        bus: platform.bus,
        store: platform.store,
        archive: platform.archive,
        secrets: platform.secrets,
        log: log.child({ role: 'acquisition' }),
        httpFor(provider) {
          let c = clients.get(provider);
          if (!c) {
            const ratePerMinute = providers.find((p) => p.id === provider)?.ratePerMinute;
            clients.set(provider, (c = createHttpClient(provider, { ...config.acquisition.http, ratePerMinute })));
          }
          return c;
        },
        baseUrls,
        topicFor,
      },
      datasets,
      {
        environment: config.env,
        ...config.acquisition,
        every: options.every,
        now: options.now,
        onEvent: options.onAcquisition,
      },
    );
    scheduler.start();
  }
  return {
    scheduler,
    ingestion,
    async stop() {
      await scheduler?.stop();
      // An in-process bus forgets what it holds: let ingestion land it before closing.
      if (ingestion && platform.bus.drain && !(await platform.bus.drain(options.drainTimeoutMs ?? 30_000))) {
        log.error('stopped before every published window was landed; those windows are landed from the raw archive on the next start');
      }
      await ingestion?.close();
    },
  };
}
