// The Secrets port. Environment variables in development (envSecrets); Azure Key Vault when
// `secretsUrl` is set (keyvault.ts, loaded only then), with the environment still winning.
import { ConfigError } from '../errors.ts';
import { isSecretName, registerSecret } from '../redact.ts';

export type Secrets = {
  /** The secret's value, or undefined when it is not set. Never log what this returns. */
  get(name: string): Promise<string | undefined>;
  /** Like get, but a missing secret is a configuration error naming it. */
  require(name: string): Promise<string>;
};

/** `entsoe:token` is read from `ENTSOE__TOKEN` (the `:` ↔ `__` mapping Key Vault users share with .NET). */
export function envName(name: string): string {
  return name.replace(/:/g, '__').replace(/[^A-Za-z0-9_]/g, '_').toUpperCase();
}

/** Vault URLs in the public and sovereign clouds: `https://<vault>.vault.azure.net`. */
export const VAULT_URL = /^https:\/\/[0-9A-Za-z-]{3,24}\.vault\.(azure\.net|azure\.cn|usgovcloudapi\.net|microsoftazure\.de)(:\d+)?\/?$/;

export function envSecrets(env: NodeJS.ProcessEnv = process.env): Secrets {
  const get = async (name: string) => {
    const v = env[envName(name)];
    if (v === undefined || v === '') return undefined;
    // Every value read as a secret is masked wherever it later appears (logs, errors, fetch_log).
    if (isSecretName(name)) registerSecret(v);
    return v;
  };
  return {
    get,
    async require(name) {
      const v = await get(name);
      if (v === undefined) throw new ConfigError(`secret ${name} is not set (environment variable ${envName(name)})`);
      return v;
    },
  };
}
