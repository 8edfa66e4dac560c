// A loopback stand-in for Azure Key Vault and the Entra ID token endpoint, for tests that run the
// real Azure SDK. One HTTPS server answers both hosts (`<vault>.vault.azure.net` and the login
// host); the test's HTTP agent resolves them to 127.0.0.1 and trusts the certificate made here,
// so nothing outside the test trusts it and the SDK's challenge-resource check stays on.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Agent, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LookupFunction } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const VAULT_HOST = 'scalar-test.vault.azure.net';
export const LOGIN_HOST = 'login.scalar.test';

export type StandInCertificate = { key: string; cert: string };

/** A self-signed certificate for the two stand-in hosts, made with the openssl CLI (EC P-256: fast). */
export function makeCertificate(): StandInCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'scalar-kv-cert-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', `/CN=${VAULT_HOST}`, '-addext', `subjectAltName=DNS:${VAULT_HOST},DNS:${LOGIN_HOST}`,
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An agent that sends every host to 127.0.0.1 and trusts only the stand-in's certificate. */
export function loopbackAgent(cert: string): Agent {
  const lookup: LookupFunction = (_host, options, callback) => {
    if (options.all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
    else callback(null, '127.0.0.1', 4);
  };
  return new Agent({ ca: cert, lookup, keepAlive: false });
}

export type StandInRequest = { method: string; path: string; authorized: boolean; status: number };

export type KeyVaultStandIn = {
  port: number;
  /** `https://scalar-test.vault.azure.net:<port>` */
  vaultUrl: string;
  /** Authority host for the credential: `https://login.scalar.test:<port>` */
  authorityHost: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Sets a secret (a new version, as in Key Vault); setting it again is a rotation. */
  setSecret(name: string, value: string): void;
  deleteSecret(name: string): void;
  /** A disabled secret: reading it is refused with 403, as Key Vault does. */
  disableSecret(name: string): void;
  requests: StandInRequest[];
  tokensIssued(): number;
  /** Starts answering (again) on the same port. */
  listen(): Promise<void>;
  /** Accepts connections but never answers (a vault behind a black hole) while on. */
  hang(on: boolean): void;
  /** Stops answering: connections are refused, as with a vault that is down; listen() resumes on the same port. */
  stop(): Promise<void>;
};

/**
 * Implements what the SDK calls: the challenge (an unauthenticated request gets 401 with
 * `WWW-Authenticate: Bearer authorization=..., resource=https://vault.azure.net`), the OpenID
 * metadata and client-credentials token endpoint under `/<tenant>/`, and `GET /secrets[/<name>]`.
 */
export async function startKeyVaultStandIn(certificate: StandInCertificate): Promise<KeyVaultStandIn> {
  const tenantId = '72f988bf-0000-4000-8000-000000000001';
  const clientId = '0b5d5c2e-0000-4000-8000-000000000002';
  const clientSecret = 'stand-in-client-secret';
  const secrets = new Map<string, string>();
  const requests: StandInRequest[] = [];
  const tokens = new Set<string>();
  let port = 0;
  const base = () => ({ vault: `https://${VAULT_HOST}:${port}`, login: `https://${LOGIN_HOST}:${port}` });
  const versions = new Map<string, number>();
  const disabled = new Set<string>();

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const req = res.req;
    requests.push({ method: req.method ?? '', path: `${(req.headers.host ?? '').replace(/:\d+$/, '')}${req.url ?? ''}`, authorized: Boolean(req.headers.authorization), status });
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://stand-in');
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const { vault, login } = base();

    if (host === LOGIN_HOST) {
      if (req.method === 'GET' && url.pathname === `/${tenantId}/v2.0/.well-known/openid-configuration`) {
        return json(res, 200, {
          token_endpoint: `${login}/${tenantId}/oauth2/v2.0/token`,
          authorization_endpoint: `${login}/${tenantId}/oauth2/v2.0/authorize`,
          end_session_endpoint: `${login}/${tenantId}/oauth2/v2.0/logout`,
          issuer: `${login}/${tenantId}/v2.0`,
          jwks_uri: `${login}/${tenantId}/discovery/v2.0/keys`,
          response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        });
      }
      if (req.method === 'POST' && url.pathname === `/${tenantId}/oauth2/v2.0/token`) {
        const form = new URLSearchParams(body);
        if (form.get('grant_type') !== 'client_credentials' || form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) {
          return json(res, 401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
        }
        if (form.get('scope') !== 'https://vault.azure.net/.default') {
          return json(res, 400, { error: 'invalid_scope', error_description: `unexpected scope ${form.get('scope')}` });
        }
        const token = `stand-in-access-token-${tokens.size + 1}`;
        tokens.add(token);
        return json(res, 200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token });
      }
      return json(res, 404, { error: 'not_found' });
    }

    if (host !== VAULT_HOST) {
      return json(res, 421, { error: { code: 'MisdirectedRequest', message: `unknown host ${host}` } });
    }
    if (!url.searchParams.get('api-version')) {
      return json(res, 400, { error: { code: 'BadParameter', message: 'api-version is required' } });
    }
    const auth = req.headers.authorization ?? '';
    if (!tokens.has(auth.replace(/^Bearer /, ''))) {
      return json(res, 401, { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } }, {
        'www-authenticate': `Bearer authorization="https://login.microsoftonline.com/${tenantId}", resource="https://vault.azure.net"`,
      });
    }
    const one = /^\/secrets\/([0-9A-Za-z-]+)\/?$/.exec(url.pathname);
    if (req.method === 'GET' && one) {
      const name = one[1]!;
      if (disabled.has(name)) {
        return json(res, 403, { error: { code: 'Forbidden', message: 'Operation get is not allowed on a disabled secret.', innererror: { code: 'SecretDisabled' } } });
      }
      const value = secrets.get(name);
      if (value === undefined) {
        return json(res, 404, { error: { code: 'SecretNotFound', message: `A secret with (name/id) ${name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command.` } });
      }
      return json(res, 200, {
        value,
        id: `${vault}/secrets/${name}/${(versions.get(name) ?? 0).toString(16).padStart(32, '0')}`,
        attributes: { enabled: true, created: 1_763_000_000, updated: 1_763_000_000, recoveryLevel: 'Recoverable+Purgeable', recoverableDays: 90 },
        tags: {},
      });
    }
    if (req.method === 'GET' && /^\/secrets\/?$/.test(url.pathname)) {
      return json(res, 200, {
        value: [...secrets.keys()].map((name) => ({ id: `${vault}/secrets/${name}`, attributes: { enabled: true, created: 1_763_000_000, updated: 1_763_000_000 } })),
        nextLink: null,
      });
    }
    json(res, 405, { error: { code: 'MethodNotAllowed', message: `${req.method} ${url.pathname}` } });
  }

  let server: Server | undefined;
  let hanging = false;
  const standIn: KeyVaultStandIn = {
    get port() {
      return port;
    },
    get vaultUrl() {
      return base().vault;
    },
    get authorityHost() {
      return base().login;
    },
    tenantId,
    clientId,
    clientSecret,
    setSecret(name, value) {
      versions.set(name, (versions.get(name) ?? 0) + 1);
      secrets.set(name, value);
      disabled.delete(name);
    },
    deleteSecret(name) {
      secrets.delete(name);
    },
    disableSecret(name) {
      disabled.add(name);
    },
    requests,
    tokensIssued: () => tokens.size,
    hang(on) {
      hanging = on;
      // Held requests end with their connections.
      if (!on) server?.closeAllConnections();
    },
    async listen() {
      if (server) return;
      const s = createServer({ key: certificate.key, cert: certificate.cert }, (req, res) => {
        if (hanging) return;
        handle(req, res).catch((e: unknown) => json(res, 500, { error: { code: 'InternalError', message: String(e) } }));
      });
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, '127.0.0.1', () => resolve());
      });
      port = (s.address() as { port: number }).port;
      server = s;
    },
    async stop() {
      const s = server;
      server = undefined;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
  await standIn.listen();
  return standIn;
}
