// Configuration: defaults in code, then a config file (YAML or JSON), then SCALAR_* environment
// variables. Checked once at start; an error names every bad key and where it came from.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from './errors.ts';
import { VAULT_URL } from './secrets/index.ts';
import { DEFAULT_REVISION_RETENTION_DAYS, defaultStoreUrl } from './store/index.ts';

// Bounds: Node timers take at most 2^31-1 ms (a larger delay fires after 1 ms and busy-loops), and
// each setting has a floor below which it spins or can never succeed.
export const MAX_TIMER_MS = 2 ** 31 - 1;
const between = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const ms = (min: number) => between(min, MAX_TIMER_MS);
const MiB = 1024 * 1024;

const UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: MiB, gib: 1024 * MiB, tib: 1024 * 1024 * MiB };
/** Bytes in a size as DuckDB writes it (`512MB`, `1.5 GiB`: decimal KB/MB/GB/TB, binary KiB/MiB/GiB/TiB); NaN when it is not one. */
export function parseByteSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/i.exec(text);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  return m && unit !== undefined ? Number(m[1]) * unit : NaN;
}
/** A size kept as written (DuckDB reads it), checked here: a number with a unit, at least `min` bytes. */
const byteSize = (min: number) =>
  z.string().refine((s) => parseByteSize(s) >= min, { message: `a size with a unit (e.g. 512MB, 2GB, 1GiB), at least ${min / MiB} MiB` });

const ConfigSchema = z
  .object({
    env: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'lowercase letters, digits, - and _'),
    dataDir: z.string().min(1),
    storeUrl: z.string().min(1).optional(),
    /** The control plane's store when it is not the observation store (e.g. MariaDB beside StarRocks); must be duckdb: or mysql://. */
    controlStoreUrl: z.string().regex(/^(duckdb:|mysql:\/\/)/, 'expected duckdb:<file> or mysql://… (a transactional database)').optional(),
    busUrl: z.string().min(1),
    cacheUrl: z.string().min(1),
    /** Azure Key Vault holding the secrets (`https://<vault>.vault.azure.net`); environment variables only when unset. */
    secretsUrl: z.string().regex(VAULT_URL, 'expected https://<vault>.vault.azure.net').optional(),
    secrets: z
      .object({
        /** How long a secret read from the vault is used before it is read again (rotation delay). */
        ttlMs: ms(1000),
        /** How long a starting role waits for an unreachable vault before it exits. */
        startDeadlineMs: ms(1000),
      })
      .strict(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    /**
     * This process's identity for leases, the same across restarts (a pod or host name); unique
     * among processes running at once. Unset: stable for the embedded store (one process per file), random otherwise.
     */
    instanceId: z.string().regex(/^[\w.:@/-]{1,200}$/, 'letters, digits and . : @ / - _').optional(),
    /** Longest wait for the store, bus or cache to connect at start before giving up with an error. */
    connectTimeoutMs: ms(100),
    /** `scalar start` serves /healthz, /readyz and /metrics on this port; 0 turns it off. */
    healthPort: z.coerce.number().int().min(0).max(65535),
    acquisition: z
      .object({
        /** How often the scheduler looks for due windows. */
        tickMs: ms(10),
        /** How often worker_config is re-read, so toggles apply without a restart. */
        configRefreshMs: ms(10),
        /** Windows fetched at once across all workers. */
        concurrency: between(1, 1000),
        /** How long a partition's lease outlives its holder's last heartbeat (renewed every third of it). */
        leaseMs: ms(1000),
        http: z
          .object({
            timeoutMs: ms(50),
            maxAttempts: between(1, 100),
            initialDelayMs: ms(0),
            maxDelayMs: ms(0),
            breakerThreshold: between(1, 1_000_000),
            breakerHalfOpenAfterMs: ms(10),
          })
          .strict()
          .refine((h) => h.maxDelayMs >= h.initialDelayMs, { message: 'maxDelayMs must be at least initialDelayMs', path: ['maxDelayMs'] }),
      })
      .strict(),
    ingestion: z
      .object({
        /** Rows that make a batch commit at once. */
        batchRows: between(1, 10_000_000),
        /** A batch also commits once its raw payloads and rows (estimated) reach this many bytes. */
        batchBytes: between(64 * 1024, 2 ** 40).default(32 * MiB),
        /** Longest a row waits for its batch to commit. */
        batchWaitMs: ms(1),
        /** Raw messages delivered but not yet committed (bounds memory). */
        maxInFlight: between(1, 100_000),
        /** Their bytes: room for one batch committing while the next fills (a larger message still goes, alone). */
        maxInFlightBytes: between(64 * 1024, 2 ** 40).default(64 * MiB),
        /** Worker threads parsing large payloads off the event loop (0: every payload parsed in place). */
        parseThreads: between(0, 64).default(1),
        /** Payloads of at least this many bytes go to a parse thread. */
        parseOffThreadBytes: between(1, 2 ** 31).default(1024 * 1024),
      })
      .strict(),
    bus: z
      .object({
        maxDeliveries: between(1, 1000),
        redeliveryDelayMs: ms(0),
        capacity: between(1, 10_000_000),
        /** Brokers: how long a delivered message may stay unacknowledged before it is redelivered (a crashed consumer's messages come back after this). */
        ackWaitMs: ms(1000),
      })
      .strict(),
    /**
     * The embedded DuckDB store. DuckDB's own default buffer pool is 80 % of the machine's memory and
     * a thread per core: the process grows with the file until the host runs short.
     */
    duckdb: z
      .object({
        /** Most memory DuckDB's buffer pool may hold (`512MB`, `2GB`, `1.5GiB`); beyond it, pages are evicted and large operators spill to disk. */
        memoryLimit: byteSize(32 * MiB),
        /** DuckDB's worker threads; unset: one per core. */
        threads: between(1, 256).optional(),
      })
      .strict(),
    // vintages
    revisions: z
      .object({
        /** Days a replaced value is kept in `revisions` (as-of reads and forecast issues reach this far back); 0 keeps none. */
        retentionDays: between(0, 36_500),
      })
      .strict(),
    /** Per provider: the API base URL (the public API when unset). */
    providers: z.record(z.string(), z.object({ baseUrl: z.url().optional() }).strict()),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema> & { storeUrl: string };

export const DEFAULTS: z.input<typeof ConfigSchema> = {
  env: 'development',
  dataDir: './data',
  busUrl: 'memory:',
  cacheUrl: 'memory:',
  logLevel: 'info',
  secrets: { ttlMs: 10 * 60_000, startDeadlineMs: 2 * 60_000 },
  connectTimeoutMs: 10_000,
  // The Prometheus exporter's customary port.
  healthPort: 9464,
  acquisition: {
    tickMs: 1000,
    configRefreshMs: 5000,
    // Windows are I/O-bound and each provider has its own rate limiter: 16 at once keeps ~60 workers
    // from starving each other (4 left the last providers of the list without a turn in the demo).
    concurrency: 16,
    leaseMs: 30_000,
    http: {
      timeoutMs: 30_000,
      maxAttempts: 5,
      initialDelayMs: 500,
      maxDelayMs: 30_000,
      breakerThreshold: 8,
      breakerHalfOpenAfterMs: 30_000,
    },
  },
  // Measured on the embedded store (npm run bench): 20k-row batches upsert ~1.8x faster than 2k
  // (one transaction and one index pass per batch); 1 s bounds how far the store lags the bus.
  ingestion: { batchRows: 20_000, batchWaitMs: 1000, maxInFlight: 64 },
  // A message waits in the memory bus for as long as the messages before it take to land: 256 day
  // payloads are ~0.6 s of ingestion (npm run bench, e2e); a longer queue only adds latency, and a
  // flood (a backfill) waits at publish instead.
  bus: { maxDeliveries: 5, redeliveryDelayMs: 1000, capacity: 256, ackWaitMs: 30_000 },
  // Measured with npm run bench:memory (README, Memory): the demo's DuckDB holds well under 100 MB;
  // 256 MB leaves room for a merge of a 20 000-row batch and the primary-key index of a few million rows,
  // and bounds the process where DuckDB's default (80 % of RAM) would let it take the host.
  duckdb: { memoryLimit: '256MB' },
  // Settlement data is revised for months after delivery: a little over a year covers a full cycle.
  revisions: { retentionDays: DEFAULT_REVISION_RETENTION_DAYS },
  providers: {},
};

/** SCALAR_* variable → config path. Provider URLs are SCALAR_<PROVIDER>_URL. */
const ENV_KEYS: Record<string, string> = {
  SCALAR_ENV: 'env',
  SCALAR_DATA_DIR: 'dataDir',
  SCALAR_STORE_URL: 'storeUrl',
  SCALAR_CONTROL_STORE_URL: 'controlStoreUrl',
  SCALAR_BUS_URL: 'busUrl',
  SCALAR_CACHE_URL: 'cacheUrl',
  SCALAR_LOG_LEVEL: 'logLevel',
  SCALAR_SECRETS_URL: 'secretsUrl',
  SCALAR_SECRETS_TTL_MS: 'secrets.ttlMs',
  SCALAR_SECRETS_START_DEADLINE_MS: 'secrets.startDeadlineMs',
  SCALAR_CONNECT_TIMEOUT_MS: 'connectTimeoutMs',
  SCALAR_HEALTH_PORT: 'healthPort',
  SCALAR_ACQUISITION_TICK_MS: 'acquisition.tickMs',
  SCALAR_ACQUISITION_CONFIG_REFRESH_MS: 'acquisition.configRefreshMs',
  SCALAR_ACQUISITION_CONCURRENCY: 'acquisition.concurrency',
  SCALAR_ACQUISITION_LEASE_MS: 'acquisition.leaseMs',
  SCALAR_INSTANCE_ID: 'instanceId',
  SCALAR_HTTP_TIMEOUT_MS: 'acquisition.http.timeoutMs',
  SCALAR_HTTP_MAX_ATTEMPTS: 'acquisition.http.maxAttempts',
  SCALAR_HTTP_INITIAL_DELAY_MS: 'acquisition.http.initialDelayMs',
  SCALAR_HTTP_MAX_DELAY_MS: 'acquisition.http.maxDelayMs',
  SCALAR_INGEST_BATCH_ROWS: 'ingestion.batchRows',
  SCALAR_INGEST_BATCH_WAIT_MS: 'ingestion.batchWaitMs',
  SCALAR_INGEST_BATCH_BYTES: 'ingestion.batchBytes',
  SCALAR_INGEST_MAX_IN_FLIGHT: 'ingestion.maxInFlight',
  SCALAR_INGEST_MAX_IN_FLIGHT_BYTES: 'ingestion.maxInFlightBytes',
  SCALAR_INGEST_PARSE_THREADS: 'ingestion.parseThreads',
  SCALAR_INGEST_PARSE_OFF_THREAD_BYTES: 'ingestion.parseOffThreadBytes',
  SCALAR_BUS_MAX_DELIVERIES: 'bus.maxDeliveries',
  SCALAR_BUS_REDELIVERY_DELAY_MS: 'bus.redeliveryDelayMs',
  SCALAR_BUS_CAPACITY: 'bus.capacity',
  SCALAR_BUS_ACK_WAIT_MS: 'bus.ackWaitMs',
  SCALAR_REVISIONS_RETENTION_DAYS: 'revisions.retentionDays',
  SCALAR_DUCKDB_MEMORY_LIMIT: 'duckdb.memoryLimit',
  SCALAR_DUCKDB_THREADS: 'duckdb.threads',
};

type Tree = Record<string, unknown>;

function setPath(tree: Tree, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = tree;
  for (const p of parts.slice(0, -1)) {
    if (typeof node[p] !== 'object' || node[p] === null) node[p] = {};
    node = node[p] as Tree;
  }
  node[parts.at(-1)!] = value;
}

function merge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' ? merge(b as Tree, v as Tree) : v;
  }
  return out;
}

export type ConfigSources = {
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Settings given on the command line; they win over everything else. */
  overrides?: Tree;
  providerIds?: readonly string[];
};

export function loadConfig(sources: ConfigSources = {}): Config {
  const env = sources.env ?? process.env;
  const origin = new Map<string, string>();
  let tree: Tree = structuredClone(DEFAULTS) as Tree;
  if (sources.file) {
    let fromFile: unknown;
    try {
      fromFile = parseYaml(readFileSync(sources.file, 'utf8'));
    } catch (e) {
      throw new ConfigError(`config file ${sources.file}: ${(e as Error).message}`);
    }
    if (fromFile !== null && (typeof fromFile !== 'object' || Array.isArray(fromFile))) {
      throw new ConfigError(`config file ${sources.file}: expected a mapping of settings`);
    }
    tree = merge(tree, (fromFile ?? {}) as Tree);
  }
  const fromEnv: Tree = {};
  const unknown: string[] = [];
  const providerKeys = new Map((sources.providerIds ?? []).map((p) => [`SCALAR_${p.toUpperCase()}_URL`, p]));
  for (const [name, value] of Object.entries(env)) {
    // SCALAR_TEST_* say where the test suite finds its servers; the processes it starts inherit them.
    if (!name.startsWith('SCALAR_') || name.startsWith('SCALAR_TEST_') || value === undefined) continue;
    const path = ENV_KEYS[name] ?? (providerKeys.has(name) ? `providers.${providerKeys.get(name)}.baseUrl` : undefined);
    if (!path) {
      unknown.push(name);
      continue;
    }
    setPath(fromEnv, path, value);
    origin.set(path, name);
  }
  if (unknown.length > 0) throw new ConfigError(`unknown setting(s): ${unknown.join(', ')}`);
  tree = merge(merge(tree, fromEnv), sources.overrides ?? {});
  const parsed = ConfigSchema.safeParse(tree);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const key = i.path.join('.');
      const from = origin.get(key);
      return `${key || '(root)'}${from ? ` (${from})` : ''}: ${i.message}`;
    });
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return { ...parsed.data, storeUrl: parsed.data.storeUrl ?? defaultStoreUrl(parsed.data.dataDir) };
}
