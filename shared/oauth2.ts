// OAuth2 bearer tokens for providers that need them (client credentials, password grant): one
// token per client, cached until shortly before it expires, fetched again on demand (a 401 from
// the API invalidates it). Credentials come from the secrets port at the moment of the request and
// appear in no message this module writes.
import { ConfigError, SourceUnavailableError, errorMessage } from './errors.ts';

export type TokenGrant =
  | { type: 'client_credentials'; scope?: string }
  | { type: 'password'; username: string; password: string; scope?: string };

export type TokenRequest = {
  tokenUrl: string;
  clientId: string;
  /** Empty for public clients (sent as `client_id:` in Basic auth). */
  clientSecret: string;
  grant: TokenGrant;
};

export type TokenSource = {
  /** A valid access token, fetched when there is none or it is about to expire. */
  token(signal?: AbortSignal): Promise<string>;
  /** Forgets the cached token (the API said 401). */
  invalidate(): void;
  /** Tokens fetched so far (for tests and health output). */
  readonly fetched: number;
};

/** How long before `expires_in` runs out a token is no longer handed out. */
const EARLY_REFRESH_MS = 60_000;
const TOKEN_TIMEOUT_MS = 15_000;

export function createTokenSource(
  request: (signal?: AbortSignal) => Promise<TokenRequest>,
  now: () => number = Date.now,
): TokenSource {
  let cached: { value: string; expiresAt: number } | null = null;
  let pending: Promise<string> | null = null;
  let fetched = 0;

  async function fetchToken(signal?: AbortSignal): Promise<string> {
    const r = await request(signal);
    const form = new URLSearchParams({ grant_type: r.grant.type });
    if (r.grant.scope) form.set('scope', r.grant.scope);
    if (r.grant.type === 'password') {
      form.set('username', r.grant.username);
      form.set('password', r.grant.password);
    }
    const basic = Buffer.from(`${r.clientId}:${r.clientSecret}`).toString('base64');
    let res: Response;
    try {
      res = await fetch(r.tokenUrl, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form,
        signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(TOKEN_TIMEOUT_MS)]) : AbortSignal.timeout(TOKEN_TIMEOUT_MS),
      });
    } catch (e) {
      throw new SourceUnavailableError(`token endpoint ${r.tokenUrl} unreachable: ${errorMessage(e)}`, { cause: e });
    }
    const text = await res.text().catch(() => '');
    if (res.status === 400 || res.status === 401 || res.status === 403) {
      // OAuth2 error codes only (invalid_client, invalid_grant): never the body, which could echo input.
      const code = /"error"\s*:\s*"([a-z_]+)"/.exec(text)?.[1] ?? 'rejected';
      throw new ConfigError(`token endpoint ${r.tokenUrl} refused the credentials (HTTP ${res.status}, ${code})`);
    }
    if (!res.ok) throw new SourceUnavailableError(`token endpoint ${r.tokenUrl}: HTTP ${res.status}`);
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new SourceUnavailableError(`token endpoint ${r.tokenUrl}: not a JSON answer`);
    }
    if (typeof body.access_token !== 'string' || body.access_token === '') throw new SourceUnavailableError(`token endpoint ${r.tokenUrl}: no access_token in the answer`);
    const lifetimeS = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 300;
    fetched += 1;
    cached = { value: body.access_token, expiresAt: now() + Math.max(0, lifetimeS * 1000 - Math.min(EARLY_REFRESH_MS, (lifetimeS * 1000) / 2)) };
    return body.access_token;
  }

  return {
    async token(signal) {
      if (cached && now() < cached.expiresAt) return cached.value;
      // Concurrent windows share one token request.
      pending ??= fetchToken(signal).finally(() => {
        pending = null;
      });
      return pending;
    },
    invalidate() {
      cached = null;
    },
    get fetched() {
      return fetched;
    },
  };
}
