// Secrets from Azure Key Vault, with environment variables as the override (development, the demo's
// simulator tokens). Values are cached for a TTL and refreshed in the background, so a rotated
// secret is used without a restart and Key Vault is never called per provider request.
// Never log a value: log lines name the secret and the vault only.
import { AggregateAuthenticationError, CredentialUnavailableError, DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { SecretClient, type SecretClientOptions } from '@azure/keyvault-secrets';
import { ConfigError, SourceUnavailableError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { isSecretName, registerSecret } from '../redact.ts';
import { envName, VAULT_URL, type Secrets } from './index.ts';

/** Key Vault secret names: 1–127 of `0-9a-zA-Z-`. */
const VAULT_NAME = /^[0-9A-Za-z-]{1,127}$/;

/**
 * `entsoe:token` → `entsoe--token`: the `:` ↔ `--` mapping ASP.NET's KeyVaultSecretManager uses, so
 * .NET and Node services share one vault. Names that cannot be vault names are a configuration error.
 */
export function vaultSecretName(name: string): string {
  const mapped = name.replace(/:/g, '--');
  if (!VAULT_NAME.test(mapped)) {
    throw new ConfigError(`secret ${name} cannot be read from Key Vault: ${mapped} is not a vault secret name (letters, digits and - only, at most 127)`);
  }
  return mapped;
}

export type KeyVaultSecretsOptions = {
  /** `https://<vault>.vault.azure.net` */
  vaultUrl: string;
  /** How long a value (or a secret's absence) is used before it is read again. */
  ttlMs: number;
  /** How long the start waits for an unreachable vault before giving up. */
  startDeadlineMs: number;
  log: Logger;
  /** Variables that win over the vault (`entsoe:token` ← `ENTSOE__TOKEN`). */
  env?: NodeJS.ProcessEnv;
  /** DefaultAzureCredential unless given (tests pass one pointed at a stand-in). */
  credential?: TokenCredential;
  /** Passed to the SecretClient (tests: a transport policy for the stand-in). */
  clientOptions?: SecretClientOptions;
  /** Longest wait for one read of a secret (the SDK sets no timeout of its own). */
  readTimeoutMs?: number;
  /** First and longest wait between start attempts. */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** Clock for the TTL (tests pin it). */
  now?: () => number;
};

export type KeyVaultSecrets = Secrets & {
  /** Stops the background refresh. */
  close(): void;
};

type Entry = { value: string | undefined; fetchedAt: number };

type RestErrorLike = Error & { statusCode?: number; code?: string };
const statusOf = (e: unknown): number | undefined => (e instanceof Error ? (e as RestErrorLike).statusCode : undefined);
const codeOf = (e: unknown): string | undefined => (e instanceof Error ? (e as RestErrorLike).code : undefined);
const isNotFound = (e: unknown) => statusOf(e) === 404;
/** The vault answered and refused (no permission, disabled secret): waiting will not help. */
const isRefusal = (e: unknown) => statusOf(e) === 403;
/** SDK messages carry a long troubleshooting text; the first line says what happened. */
function firstLine(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const line = `${e.name}: ${e.message.split('\n')[0]}`;
  // The credential chain's own message says nothing; each link says why it could not authenticate.
  if (e instanceof AggregateAuthenticationError) return `${line} ${(e.errors as unknown[]).map(firstLine).join('; ')}`;
  return line;
}

/** No link of the credential chain found an identity to use: waiting will not create one. */
const noIdentity = (e: unknown) =>
  e instanceof CredentialUnavailableError ||
  (e instanceof AggregateAuthenticationError && e.errors.length > 0 && e.errors.every((x: unknown) => x instanceof CredentialUnavailableError));

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Opens the vault: checks that it is reachable and that the credential is accepted (listing one
 * page of secret names, no values), waiting with backoff and logging each failed attempt until
 * `startDeadlineMs`, then throws SourceUnavailableError. A missing identity fails at once.
 */
export async function openKeyVaultSecrets(o: KeyVaultSecretsOptions): Promise<KeyVaultSecrets> {
  if (!VAULT_URL.test(o.vaultUrl)) throw new ConfigError(`secrets URL ${o.vaultUrl}: expected https://<vault>.vault.azure.net`);
  const vault = o.vaultUrl.replace(/\/$/, '');
  const env = o.env ?? process.env;
  const now = o.now ?? Date.now;
  const log = o.log.child({ vault });
  const client = new SecretClient(vault, o.credential ?? new DefaultAzureCredential(), o.clientOptions);

  const started = Date.now();
  let delay = o.retryInitialMs ?? 1000;
  // What went wrong before the deadline cut an attempt short says more than "aborted".
  let lastFailure = 'no answer';
  for (let attempt = 1; ; attempt++) {
    try {
      // The deadline bounds each attempt too: a vault that never answers must not hang the start.
      const remaining = Math.max(1, o.startDeadlineMs - (Date.now() - started));
      await client.listPropertiesOfSecrets({ abortSignal: AbortSignal.timeout(remaining) }).byPage({ maxPageSize: 1 }).next();
      log.info({ attempt }, 'Key Vault reachable');
      break;
    } catch (e) {
      if (noIdentity(e)) {
        throw new ConfigError(`Key Vault ${vault}: no Azure identity available (set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, or run with a workload or managed identity): ${firstLine(e)}`);
      }
      // Listing may be refused while reading is allowed (an access policy with "get" only): the
      // vault is up and the identity authenticated, which is all this check is for.
      if (isRefusal(e)) {
        log.info({ attempt }, 'Key Vault reachable (listing secrets not permitted; each secret is checked when first read)');
        break;
      }
      const waited = Date.now() - started;
      if (!(e instanceof Error && e.name === 'AbortError')) lastFailure = firstLine(e);
      if (waited + delay > o.startDeadlineMs) {
        log.error({ attempt, waitedMs: waited, error: lastFailure }, 'Key Vault not available; giving up');
        throw new SourceUnavailableError(`Key Vault ${vault} not available after ${attempt} attempt${attempt === 1 ? '' : 's'} over ${Math.round(waited / 1000)} s (start deadline ${o.startDeadlineMs} ms): ${lastFailure}`, { cause: e });
      }
      log.warn({ attempt, retryInMs: delay, deadlineMs: o.startDeadlineMs, error: lastFailure }, 'Key Vault not available at start; waiting');
      await sleep(delay);
      delay = Math.min(delay * 2, o.retryMaxMs ?? 30_000);
    }
  }

  const cache = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<Entry>>();

  /** Reads one secret from the vault into the cache; one request per name at a time. */
  function refresh(name: string): Promise<Entry> {
    let p = inFlight.get(name);
    if (!p) {
      p = (async () => {
        const vaultName = vaultSecretName(name);
        let value: string | undefined;
        try {
          value = (await client.getSecret(vaultName, { abortSignal: AbortSignal.timeout(o.readTimeoutMs ?? 30_000) })).value;
        } catch (e) {
          if (!isNotFound(e)) throw e;
          value = undefined;
        }
        // Known to the central redaction from the moment it is read, like every value of the secrets port.
        if (isSecretName(name)) registerSecret(value);
        const entry = { value: value === '' ? undefined : value, fetchedAt: now() };
        cache.set(name, entry);
        return entry;
      })().finally(() => inFlight.delete(name));
      inFlight.set(name, p);
    }
    return p;
  }

  async function fromVault(name: string): Promise<string | undefined> {
    const cached = cache.get(name);
    if (cached && now() - cached.fetchedAt < o.ttlMs) return cached.value;
    try {
      return (await refresh(name)).value;
    } catch (e) {
      if (isRefusal(e)) {
        cache.delete(name);
        throw new ConfigError(`secret ${name}: Key Vault ${vault} refused to read ${vaultSecretName(name)} (HTTP 403${codeOf(e) ? ` ${codeOf(e)}` : ''}: no "get" permission, or the secret is disabled)`);
      }
      if (e instanceof ConfigError) throw e;
      // A vault blip must not stop acquisition: keep using the last value read.
      if (cached) {
        log.warn({ secret: name, ageMs: now() - cached.fetchedAt, error: firstLine(e) }, 'Key Vault unreachable; using the cached value');
        return cached.value;
      }
      throw new SourceUnavailableError(`secret ${name}: Key Vault ${vault} unreachable: ${firstLine(e)}`, { cause: e });
    }
  }

  // Refreshing at half the TTL keeps every value in use fresh, so reads do not wait for the vault.
  const timer = setInterval(() => {
    for (const name of cache.keys()) {
      refresh(name).catch((e: unknown) => {
        // Refused now (permission withdrawn, secret disabled): stop serving the old value; the next read says why.
        if (isRefusal(e)) cache.delete(name);
        log.warn({ secret: name, error: firstLine(e) }, isRefusal(e) ? 'Key Vault refused a background refresh; dropped the cached value' : 'Key Vault background refresh failed; keeping the cached value');
      });
    }
  }, Math.max(1000, Math.floor(o.ttlMs / 2)));
  timer.unref();

  const get = async (name: string): Promise<string | undefined> => {
    const override = env[envName(name)];
    if (override !== undefined && override !== '') return override;
    return fromVault(name);
  };
  return {
    get,
    async require(name) {
      const v = await get(name);
      if (v === undefined) {
        throw new ConfigError(`secret ${name} is not set: no secret ${vaultSecretName(name)} in Key Vault ${vault} and no environment variable ${envName(name)}`);
      }
      return v;
    },
    close() {
      clearInterval(timer);
    },
  };
}
