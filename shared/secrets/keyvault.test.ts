// The Key Vault secrets port against a loopback HTTPS stand-in, through the real Azure SDK:
// DefaultAzureCredential (its environment credential: a service principal) and SecretClient, with
// the challenge-resource check left on. Only this test's HTTP agent trusts the stand-in certificate.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { DefaultAzureCredential } from '@azure/identity';
import type { SecretClientOptions } from '@azure/keyvault-secrets';
import { pino } from 'pino';
import { ConfigError, SourceUnavailableError } from '../errors.ts';
import { loopbackAgent, makeCertificate, startKeyVaultStandIn, type KeyVaultStandIn, type StandInCertificate } from './keyvault-stand-in.ts';
import { openKeyVaultSecrets, vaultSecretName, type KeyVaultSecrets, type KeyVaultSecretsOptions } from './keyvault.ts';

const TOKEN_V1 = 'entsoe-token-value-v1-6f1c';
const TOKEN_V2 = 'entsoe-token-value-v2-93ad';

let certificate: StandInCertificate;
let standIn: KeyVaultStandIn;
const opened: KeyVaultSecrets[] = [];

before(async () => {
  certificate = makeCertificate();
  standIn = await startKeyVaultStandIn(certificate);
  // What a service principal deployment sets; DefaultAzureCredential's first link reads them.
  process.env.AZURE_TENANT_ID = standIn.tenantId;
  process.env.AZURE_CLIENT_ID = standIn.clientId;
  process.env.AZURE_CLIENT_SECRET = standIn.clientSecret;
});

after(async () => {
  for (const s of opened) s.close();
  await standIn.stop();
});

function captureLog() {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      raw.push(chunk.toString());
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines, text: () => raw.join('') };
}

/** The test wiring: the SDK's own credential and client, sent to the stand-in through a loopback agent. */
function sdkOptions() {
  const agent = loopbackAgent(certificate.cert);
  const additionalPolicies: SecretClientOptions['additionalPolicies'] = [
    { position: 'perCall', policy: { name: 'loopback-stand-in', sendRequest: (req, next) => ((req.agent = agent), next(req)) } },
  ];
  return {
    // authorityHost: the stand-in's login host; instance discovery would ask the real login.microsoftonline.com.
    credential: new DefaultAzureCredential({ authorityHost: standIn.authorityHost, disableInstanceDiscovery: true, additionalPolicies }),
    // No SDK-level retries: the port's own start loop is what is under test.
    clientOptions: { additionalPolicies, retryOptions: { maxRetries: 0 } },
  };
}

async function open(over: Partial<KeyVaultSecretsOptions> = {}) {
  const s = await openKeyVaultSecrets({
    vaultUrl: standIn.vaultUrl,
    ttlMs: 10 * 60_000,
    startDeadlineMs: 60_000,
    log: captureLog().log,
    env: {},
    ...sdkOptions(),
    ...over,
  });
  opened.push(s);
  return s;
}

describe('Key Vault secret names', () => {
  it('maps : to -- as ASP.NET does, and refuses names a vault cannot hold', () => {
    assert.equal(vaultSecretName('entsoe:token'), 'entsoe--token');
    assert.equal(vaultSecretName('nordpool:client:secret'), 'nordpool--client--secret');
    assert.throws(() => vaultSecretName('entsoe_token'), (e: unknown) => e instanceof ConfigError && /entsoe_token/.test(e.message));
    assert.throws(() => vaultSecretName('a.b'), ConfigError);
  });
});

describe('Key Vault secrets port (real Azure SDK, loopback stand-in)', () => {
  it('authenticates through the challenge: unauthenticated request, 401, token from the authority, authorized retry', async () => {
    standIn.setSecret('entsoe--token', TOKEN_V1);
    const from = standIn.requests.length;
    const secrets = await open();
    assert.equal(await secrets.require('entsoe:token'), TOKEN_V1);
    const seen = standIn.requests.slice(from).map((r) => `${r.method} ${r.path.replace(/\?.*$/, '')} ${r.authorized ? 'auth' : 'anon'} ${r.status}`);
    assert.deepEqual(seen, [
      'GET scalar-test.vault.azure.net/secrets anon 401',
      `GET login.scalar.test/${standIn.tenantId}/v2.0/.well-known/openid-configuration anon 200`,
      `POST login.scalar.test/${standIn.tenantId}/oauth2/v2.0/token anon 200`,
      'GET scalar-test.vault.azure.net/secrets auth 200',
      'GET scalar-test.vault.azure.net/secrets/entsoe--token/ auth 200',
    ]);
    // Cached: a second read does not call the vault.
    const before = standIn.requests.length;
    assert.equal(await secrets.get('entsoe:token'), TOKEN_V1);
    assert.equal(standIn.requests.length, before);
  });

  it('lets an environment variable override the vault', async () => {
    standIn.setSecret('entsoe--token', TOKEN_V1);
    const secrets = await open({ env: { ENTSOE__TOKEN: 'from-the-environment' } });
    const before = standIn.requests.length;
    assert.equal(await secrets.require('entsoe:token'), 'from-the-environment');
    assert.equal(standIn.requests.length, before);
  });

  it('names a missing secret (vault name and variable) and never a value', async () => {
    standIn.setSecret('entsoe--token', TOKEN_V1);
    const secrets = await open();
    assert.equal(await secrets.get('jao:api-key'), undefined);
    await assert.rejects(secrets.require('jao:api-key'), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /secret jao:api-key is not set: no secret jao--api-key in Key Vault https:\/\/scalar-test\.vault\.azure\.net:\d+ and no environment variable JAO__API_KEY/);
      assert.ok(!e.message.includes(TOKEN_V1) && !e.message.includes(standIn.clientSecret));
      return true;
    });
    assert.equal(standIn.requests.filter((r) => r.path.includes('/secrets/jao--api-key/')).at(-1)?.status, 404);
  });

  it('reports a secret the vault refuses to read (disabled) as a configuration error naming it', async () => {
    standIn.setSecret('nordpool--token', 'nordpool-token-value-3b7e');
    standIn.disableSecret('nordpool--token');
    const secrets = await open();
    await assert.rejects(secrets.require('nordpool:token'), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /^secret nordpool:token: Key Vault https:\/\/scalar-test\.vault\.azure\.net:\d+ refused to read nordpool--token \(HTTP 403 Forbidden: no "get" permission, or the secret is disabled\)$/);
      assert.ok(!e.message.includes('nordpool-token-value-3b7e'));
      return true;
    });
  });

  it('picks up a rotated value once the TTL has passed, without reopening', async () => {
    standIn.setSecret('entsoe--token', TOKEN_V1);
    let clock = 1_000_000;
    const secrets = await open({ ttlMs: 600_000, now: () => clock });
    assert.equal(await secrets.require('entsoe:token'), TOKEN_V1);
    standIn.setSecret('entsoe--token', TOKEN_V2);
    clock += 599_999;
    assert.equal(await secrets.require('entsoe:token'), TOKEN_V1, 'still within the TTL: the cached value');
    clock += 1;
    assert.equal(await secrets.require('entsoe:token'), TOKEN_V2, 'TTL passed: read again');
  });

  it('waits for a vault that is down at start, logging each attempt, and reads once it is up', async () => {
    standIn.setSecret('entsoe--token', TOKEN_V1);
    await standIn.stop();
    const { log, lines, text } = captureLog();
    const opening = open({ log, retryInitialMs: 20, retryMaxMs: 200 });
    try {
      const waiting = () => lines.filter((l) => l.msg === 'Key Vault not available at start; waiting');
      while (waiting().length < 3) await new Promise((r) => setTimeout(r, 10));
      const first = waiting()[0]!;
      assert.equal(first.level, 40);
      assert.equal(first.attempt, 1);
      assert.match(String(first.error), /ECONNREFUSED/);
      assert.match(String(first.vault), /^https:\/\/scalar-test\.vault\.azure\.net:\d+$/);
    } finally {
      await standIn.listen();
    }
    const secrets = await opening;
    assert.equal(await secrets.require('entsoe:token'), TOKEN_V1);
    assert.ok(lines.some((l) => l.msg === 'Key Vault reachable' && Number(l.attempt) >= 4));
    assert.ok(!text().includes(TOKEN_V1) && !text().includes(standIn.clientSecret), 'no secret value in the log');
  });

  it('gives up after the start deadline with an error naming the vault', async () => {
    await standIn.stop();
    const { log, lines } = captureLog();
    try {
      await assert.rejects(open({ log, retryInitialMs: 20, retryMaxMs: 40, startDeadlineMs: 150 }), (e: unknown) => {
        assert.ok(e instanceof SourceUnavailableError);
        assert.match(e.message, /^Key Vault https:\/\/scalar-test\.vault\.azure\.net:\d+ not available after \d+ attempts?/);
        return true;
      });
      assert.equal(lines.at(-1)?.msg, 'Key Vault not available; giving up');
    } finally {
      await standIn.listen();
    }
  });

  it('bounds each start attempt by the deadline when the vault never answers', async () => {
    standIn.hang(true);
    const { log, lines } = captureLog();
    try {
      await assert.rejects(open({ log, retryInitialMs: 20, startDeadlineMs: 300 }), (e: unknown) => {
        assert.ok(e instanceof SourceUnavailableError);
        assert.match(e.message, /not available after 1 attempt over \d+ s \(start deadline 300 ms\): no answer$/);
        return true;
      });
      assert.equal(lines.at(-1)?.msg, 'Key Vault not available; giving up');
    } finally {
      standIn.hang(false);
    }
  });

  it('fails at once, naming the variables to set, when no Azure identity is available', async () => {
    const saved = { ...process.env };
    for (const k of ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET']) delete process.env[k];
    let options;
    try {
      options = sdkOptions();
    } finally {
      Object.assign(process.env, saved);
    }
    const { log, lines } = captureLog();
    await assert.rejects(open({ ...options, log, startDeadlineMs: 60_000 }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /no Azure identity available \(set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, or run with a workload or managed identity\)/);
      assert.match(e.message, /EnvironmentCredential/);
      return true;
    });
    assert.equal(lines.filter((l) => l.msg === 'Key Vault not available at start; waiting').length, 0, 'no waiting for an identity that cannot appear');
  });

  it('keeps using a cached value while the vault is down, and says which secret it cannot read', async () => {
    standIn.setSecret('entsoe--token', TOKEN_V1);
    let clock = 0;
    const { log, lines } = captureLog();
    const secrets = await open({ log, ttlMs: 1000, now: () => clock });
    assert.equal(await secrets.require('entsoe:token'), TOKEN_V1);
    await standIn.stop();
    try {
      clock += 5000;
      assert.equal(await secrets.require('entsoe:token'), TOKEN_V1);
      assert.ok(lines.some((l) => l.msg === 'Key Vault unreachable; using the cached value' && l.secret === 'entsoe:token'));
      await assert.rejects(secrets.require('nordpool:token'), (e: unknown) => e instanceof SourceUnavailableError && /^secret nordpool:token: Key Vault .* unreachable/.test(e.message));
    } finally {
      await standIn.listen();
    }
  });
});
