// Wires the four ports and the roles from configuration. The only place that knows both the
// provider registry and the adapters.
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AcquisitionDeps } from '../acquisition/run-window.ts';
import { Scheduler, type AcquisitionEvent } from '../acquisition/scheduler.ts';
import { StreamWorkers, type StreamEvent } from '../acquisition/stream-worker.ts';
import { FileDropWorkers, type FileDropEvent } from '../acquisition/file-drop.ts';
import { readWorkerOverrides, workerOverridesPath, workerSeeds } from '../acquisition/worker-config.ts';
import { ledgerAfterCommit } from '../completeness/ledger.ts';
import { qualityAfterCommit } from '../quality/evaluate.ts';
import { DEFAULT_GAP_REPAIR, gapRepairs, type GapRepairOptions } from '../completeness/repair.ts';
import { startIngestion, type Ingestion, type IngestionDeps, type IngestionEvent } from '../ingestion/consumer.ts';
import { republishUnlanded } from '../ingestion/recover.ts';
import { datasets, findDataset, providers } from '../providers/index.ts';
import { ZONES, annotateZones, syncZones } from '../providers/zones.ts';
import { openBus, type Bus } from '../shared/bus/index.ts';
import { openCache, type Cache } from '../shared/cache/index.ts';
import { loadConfig, type Config, type ConfigSources } from '../shared/config.ts';
import { createHttpClient, type HttpClient } from '../shared/http.ts';
import { createLogger, type Logger } from '../shared/log.ts';
import { startParsePool, type ParsePool } from '../shared/parse-pool.ts';
import { openRateLimits, type RateLimits } from '../shared/rate-limit-redis.ts';
import { fileArchive, type PayloadArchive } from '../shared/payload-archive.ts';
import { envName, envSecrets, type Secrets } from '../shared/secrets/index.ts';
import { openStore, type Store, type WorkerConfig } from '../shared/store/index.ts';
import { analystViews } from '../shared/store/views.ts';
import type { ReadinessChecks } from './health-endpoints.ts';
import { observeRoles } from './role-observability.ts';
// signals: role
import { buildSignals, signalContext } from '../signals/index.ts';
import { startSignals } from '../signals/role.ts';
import { startReconciliation } from '../app/reconcile.ts'; // reconciliation
import type { Subscription } from '../shared/bus/index.ts';
// signals: end
// execution: role
import { priceSources, type DeskClock, type PriceSource } from '../execution/desk.ts';
import { startExecution, type ExecutionEvent, type ExecutionRole } from '../execution/role.ts';
import { defaultStrategies } from '../execution/strategies/index.ts';
// execution: end

export type Platform = {
  config: Config;
  store: Store;
  bus: Bus;
  cache: Cache;
  archive: PayloadArchive;
  /** Per-provider rate limits: shared across processes through Redis when the cache is Redis. */
  rateLimits: RateLimits;
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
  const env = { ...process.env, ...Object.fromEntries(Object.entries(extraSecrets).map(([k, v]) => [envName(k), v])) };
  // First, so a role whose vault stays unreachable exits before it opens anything else.
  const secrets = await openSecrets(config, env, log);
  const timeout = { connectTimeoutMs: config.connectTimeoutMs };
  const store = await openStore(config.storeUrl, { ...timeout, revisionRetentionMs: config.revisions.retentionDays * 86_400_000, controlUrl: config.controlStoreUrl, duckdb: config.duckdb }); // vintages
  // Analyst views follow the descriptors: replaced on every start (cheap, and a changed dataset gets its new columns).
  await store.replaceViews?.(analystViews(providers)).catch(async (e: unknown) => {
    await store.close().catch(() => undefined);
    throw e;
  });
  let bus: Bus | undefined;
  let cache: Cache | undefined;
  let rateLimits: RateLimits;
  try {
    bus = await openBus(config.busUrl, { ...config.bus, environment: config.env, ...timeout, log: log.child({ component: 'bus' }) });
    cache = await openCache(config.cacheUrl, timeout);
    rateLimits = await openRateLimits(config.cacheUrl, {
      environment: config.env,
      ...timeout,
      onFallback: (provider, e) =>
        e ? log.warn(`${provider} rate limit: Redis unreachable (${e.message}); limiting this process alone until it is back`) : log.info(`${provider} rate limit: shared through Redis again`),
    });
  } catch (e) {
    // What opened before the failure must close, or its handles keep the process alive.
    await cache?.close().catch(() => undefined);
    await bus?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw e;
  }
  // The zone vocabulary is reference data: every start brings the store's copy up to date.
  await syncZones(store).catch((e: unknown) => log.warn(`could not sync the zones table: ${e instanceof Error ? e.message : String(e)}`));
  return {
    config,
    store,
    bus,
    cache,
    archive: fileArchive(join(config.dataDir, 'raw')),
    rateLimits,
    secrets,
    log,
    async close() {
      secrets.close?.();
      await bus.close();
      await cache.close();
      await rateLimits.close();
      await store.close();
    },
  };
}

/** Key Vault when `secretsUrl` is set (the Azure SDK is loaded only then), the environment otherwise. */
async function openSecrets(config: Config, env: NodeJS.ProcessEnv, log: Logger): Promise<Secrets & { close?(): void }> {
  if (!config.secretsUrl) return envSecrets(env);
  const { openKeyVaultSecrets } = await import('../shared/secrets/keyvault.ts');
  return openKeyVaultSecrets({ vaultUrl: config.secretsUrl, ...config.secrets, env, log: log.child({ component: 'secrets' }) });
}

/** After a stop signal, how long a command may take to stop cleanly before it exits anyway. */
export const STOP_DEADLINE_MS = 10_000;
/** How long a stopping process lets ingestion land what the in-process bus holds (the rest is re-fetched on the next start). */
export const STOP_DRAIN_MS = 5_000;

/**
 * Called once a stop signal arrived: a second SIGINT/SIGTERM exits at once, and a stop that hangs
 * (a server gone, a drain that cannot finish) exits non-zero after STOP_DEADLINE_MS.
 */
export function exitOnSecondSignal(deadlineMs = STOP_DEADLINE_MS): void {
  const now = (code: number, why: string) => {
    process.stderr.write(`scalar: ${why}; exiting without a clean stop\n`);
    process.exit(code);
  };
  process.once('SIGINT', () => now(130, 'second interrupt'));
  process.once('SIGTERM', () => now(143, 'second termination signal'));
  setTimeout(() => now(1, `stop took longer than ${deadlineMs / 1000} s`), deadlineMs).unref();
}

/**
 * The lease identity a service process runs under: the configured instanceId, or for the embedded
 * store (one process per file, by DuckDB's lock) one derived from the file, so a restart after a
 * crash takes back its partitions at once instead of waiting for the dead incarnation's leases.
 */
export function instanceIdentity(config: Config): string | undefined {
  if (config.instanceId) return config.instanceId;
  return config.storeUrl.startsWith('duckdb:') ? `${hostname()}:${resolve(config.storeUrl.slice('duckdb:'.length))}` : undefined;
}

/** Logical topic of a provider's raw payloads; each bus adapter maps it to its own naming. */
export const topicFor = (provider: string) => provider;

/** Where `<environment>.yaml` worker overrides live in this build. */
export const WORKER_OVERRIDES_DIR = fileURLToPath(new URL('../deployment/workers/', import.meta.url));

/**
 * Seeds worker_config for the environment (missing rows only): every dataset's worker defaults,
 * overridden by `<overridesDir>/<env>.yaml` when that file exists.
 */
/** The worker rows an environment starts with: the datasets' defaults, overridden by deployment/workers/<env>.yaml. */
export function environmentSeeds(environment: string, log?: Logger, overridesDir = WORKER_OVERRIDES_DIR): WorkerConfig[] {
  const path = workerOverridesPath(overridesDir, environment);
  const overrides = existsSync(path) ? readWorkerOverrides(path, environment) : [];
  if (overrides.length === 0) log?.debug(`worker seeds for ${environment}: the datasets' defaults (no overrides in ${path})`);
  return workerSeeds(datasets, environment, overrides);
}

export async function seedWorkers(store: Store, environment: string, log?: Logger, overridesDir = WORKER_OVERRIDES_DIR): Promise<number> {
  return store.seedWorkerConfig(environmentSeeds(environment, log, overridesDir));
}

export type Roles = {
  scheduler?: Scheduler;
  streams?: StreamWorkers;
  fileDrops?: FileDropWorkers;
  ingestion?: Ingestion;
  /** What /readyz checks: the ports answer and each role's loop runs. */
  readiness: ReadinessChecks;
  stop(): Promise<void>;
};

export type RoleOptions = {
  acquisition: boolean;
  ingestion: boolean;
  /** reconciliation: how often the ingestion role reconciles providers (default 15 min). */
  reconcileEveryMs?: number;
  // signals: role
  /** Recompute signals from the `events` topic (ingestion then publishes landed events even on the in-process bus). */
  signals?: boolean;
  // signals: end
  // execution: role
  /** Run the paper-trading desk on the `events` topic (ingestion and signals then publish landed events). */
  execution?: boolean;
  /** `wall` (default): orders placed when the desk sees its input; `replay`: at each strategy's declared decision time. */
  executionClock?: DeskClock;
  /** Intraday trade prints (series with `zone`, ts = delivery start, issued = trade time) until a dataset declares `price.intraday`. */
  intradayPrices?: readonly PriceSource[];
  onExecution?: (e: ExecutionEvent) => void;
  // execution: end
  /** Provider base URLs that win over the configuration (the demo's simulators). */
  baseUrls?: Record<string, string>;
  /** Replaces every worker's cadence with this fixed period. */
  every?: string;
  /** Lease identity of this process's scheduler (see `instanceIdentity`); random when unset. */
  owner?: string;
  /** The scheduler's clock (tests pin it). */
  now?: () => Date;
  drainTimeoutMs?: number;
  onAcquisition?: (e: AcquisitionEvent) => void;
  onStream?: (e: StreamEvent) => void;
  onFileDrop?: (e: FileDropEvent) => void;
  onIngestion?: (e: IngestionEvent) => void;
  /** completeness: gap repair timings (tests and the demo shorten them). */
  gapRepair?: Partial<GapRepairOptions>;
};

/**
 * What acquisition runs with: one http client per provider, each behind the provider's shared rate
 * limiter, so a backfill and the workers draw from the same budget.
 */
export function acquisitionDeps(platform: Platform, baseUrlOverrides?: Readonly<Record<string, string>>): AcquisitionDeps {
  const { config, log } = platform;
  const clients = new Map<string, HttpClient>();
  const baseUrls: Record<string, string | undefined> = Object.fromEntries(
    providers.map((p) => [p.id, baseUrlOverrides?.[p.id] ?? config.providers[p.id]?.baseUrl]),
  );
  return {
    bus: platform.bus,
    store: platform.store,
    archive: platform.archive,
    secrets: platform.secrets,
    log: log.child({ role: 'acquisition' }),
    httpFor(provider: string) {
      let c = clients.get(provider);
      if (!c) {
        const ratePerMinute = providers.find((p) => p.id === provider)?.ratePerMinute;
        const limiter = ratePerMinute ? platform.rateLimits.limiterFor(provider, ratePerMinute) : undefined;
        clients.set(provider, (c = createHttpClient(provider, { ...config.acquisition.http, limiter })));
      }
      return c;
    },
    baseUrls,
    topicFor,
  };
}

/** Runs every after-commit hook in turn (each queues its own work and never throws). */
const afterEach = (...hooks: NonNullable<IngestionDeps['afterCommit']>[]): NonNullable<IngestionDeps['afterCommit']> =>
  async (landed) => {
    for (const h of hooks) await h(landed);
  };

export async function startRoles(platform: Platform, options: RoleOptions): Promise<Roles> {
  const { config, log } = platform;
  let ingestion: Ingestion | undefined;
  let parsePool: ParsePool | undefined;
  let scheduler: Scheduler | undefined;
  let streams: StreamWorkers | undefined;
  let fileDrops: FileDropWorkers | undefined;
  // Both gather landed windows for a short interval; stop() runs what they hold before the store closes.
  const afterCommitHooks = options.ingestion
    ? [
        ledgerAfterCommit({ store: platform.store, findDataset, log: log.child({ role: 'ledger' }) }), // completeness
        qualityAfterCommit({ store: platform.store, datasets, log: log.child({ role: 'quality' }) }), // quality: plausibility flags
      ]
    : [];
  if (options.ingestion) {
    parsePool = config.ingestion.parseThreads > 0 ? startParsePool(new URL('../providers/parse-worker.ts', import.meta.url), { threads: config.ingestion.parseThreads }) : undefined;
    ingestion = await startIngestion(
      {
        bus: platform.bus,
        store: platform.store,
        cache: platform.cache,
        archive: platform.archive,
        log: log.child({ role: 'ingestion' }),
        findDataset,
        ...(parsePool ? { parseOffThread: { minBytes: config.ingestion.parseOffThreadBytes, parse: parsePool.parse } } : {}),
        annotateZones: annotateZones((u) => log.warn(u, `unknown zone code ${u.code} in ${u.dataset} (${u.dimension}): stored without a zone; see scalar zones --unknown`)),
        topics: providers.map((p) => topicFor(p.id)),
        // signals: landed events (a durable bus keeps them for a signals role elsewhere; the in-process one only when it runs here)
        publishLandedEvents: options.signals === true || options.execution === true || !platform.bus.drain,
        afterCommit: afterEach(...afterCommitHooks),
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
    const deps = acquisitionDeps(platform, options.baseUrls);
    scheduler = new Scheduler(
      deps,
      datasets,
      {
        environment: config.env,
        ...config.acquisition,
        every: options.every,
        owner: options.owner,
        now: options.now,
        onEvent: options.onAcquisition,
        gaps: gapRepairs({ store: platform.store, log: log.child({ role: 'gap-repair' }) }, { ...DEFAULT_GAP_REPAIR, ...options.gapRepair }), // completeness
      },
    );
    scheduler.start();
    // Live streams beside the windows: the same worker_config, the same publish path.
    streams = new StreamWorkers(deps, datasets, { environment: config.env, configRefreshMs: config.acquisition.configRefreshMs, onEvent: options.onStream });
    streams.start();
    // File drops (SFTP feeds) likewise; `every` (the demo's) shortens their poll too.
    fileDrops = new FileDropWorkers(deps, datasets, { environment: config.env, configRefreshMs: config.acquisition.configRefreshMs, every: options.every, onEvent: options.onFileDrop });
    fileDrops.start();
  }
  // signals: role
  let signalsSub: Subscription | undefined;
  if (options.signals) {
    signalsSub = await startSignals({ bus: platform.bus, store: platform.store, cache: platform.cache, log: log.child({ role: 'signals' }), signals: buildSignals(datasets), ctx: signalContext(ZONES, datasets) });
  }
  // signals: end
  // reconciliation: beside ingestion, so the stored agreement and its gauge stay current
  const reconciling = options.ingestion ? startReconciliation(platform.store, log.child({ role: 'reconcile' }), options.reconcileEveryMs ?? 15 * 60_000) : undefined;
  // execution: role
  let execution: ExecutionRole | undefined;
  if (options.execution) {
    execution = await startExecution(
      {
        bus: platform.bus, store: platform.store, log: log.child({ role: 'execution' }), strategies: defaultStrategies,
        prices: priceSources(datasets, options.intradayPrices), clock: options.executionClock ?? 'wall',
      },
      {},
      options.onExecution,
    );
  }
  // execution: end
  const observed = observeRoles(platform, { scheduler, ingestion, tickMs: config.acquisition.tickMs, topics: providers.map((p) => topicFor(p.id)), datasets });
  return {
    scheduler,
    streams,
    fileDrops,
    ingestion,
    readiness: observed.readiness,
    async stop() {
      observed.stop();
      await streams?.stop();
      await fileDrops?.stop();
      await scheduler?.stop();
      // An in-process bus forgets what it holds: let ingestion land it before closing.
      if (ingestion && platform.bus.drain && !(await platform.bus.drain(options.drainTimeoutMs ?? 30_000))) {
        log.error('stopped before every published window was landed; those windows are landed from the raw archive on the next start');
      }
      await ingestion?.close();
      // The last windows' ledger recount and plausibility evaluation, without waiting out their interval.
      for (const h of afterCommitHooks) await h.flush();
      await parsePool?.close();
      await signalsSub?.close(); // signals: role
      await reconciling?.stop(); // reconciliation
      await execution?.close(); // execution: role
    },
  };
}
