// OAuth2 password grant for the Market Data API (https://sts.nordpoolgroup.com/connect/token,
// `scope=marketdata_api`, public Basic client `client_marketdata_api`). The bearer token is cached
// until shortly before `expires_in` and fetched again once when the API answers 401. Username and
// password come from the secrets port and only ever travel in the POST body: never in a URL, a log
// line or fetch_log.
import { z } from 'zod';
import type { FetchContext } from '../../shared/dataset.ts';
import { ConfigError, HttpError, SourceUnavailableError } from '../../shared/errors.ts';

export const STS_TOKEN_PATH = '/connect/token';
export const STS_TOKEN_URL = `https://sts.nordpoolgroup.com${STS_TOKEN_PATH}`;
/** Market Data API: scope `marketdata_api`, public client `client_marketdata_api` (secret = id). */
export const MARKET_DATA_CLIENT: OAuthClient = { scope: 'marketdata_api', clientId: 'client_marketdata_api' };
/** Intraday API (STOMP over WebSocket): scope `global`, client `client_intraday_api`. */
export const INTRADAY_CLIENT: OAuthClient = { scope: 'global', clientId: 'client_intraday_api' };

export type OAuthClient = { scope: string; clientId: string };
/** A token is renewed this long before it expires, so no request leaves with one about to lapse. */
export const EXPIRY_MARGIN_MS = 60_000;

const TokenSchema = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  token_type: z.string().optional(),
});

export type TokenCache = {
  /** A valid bearer token, from the cache or a new grant. */
  bearer(ctx: FetchContext): Promise<string>;
  /** Forgets `token` (the API refused it); the next `bearer` asks for a new one. */
  invalidate(token: string): void;
  /** Token grants made so far (tests). */
  readonly grants: number;
};

export function createTokenCache(client: OAuthClient = MARKET_DATA_CLIENT, now: () => number = Date.now): TokenCache {
  // Nord Pool's public clients use their id as the secret.
  const basic = `Basic ${Buffer.from(`${client.clientId}:${client.clientId}`).toString('base64')}`;
  let cached: { token: string; expiresAt: number; key: string } | null = null;
  let pending: Promise<string> | null = null;
  let grants = 0;

  async function grant(ctx: FetchContext, tokenUrl: string, key: string): Promise<string> {
    const username = await ctx.secrets.require('nordpool:username');
    const password = await ctx.secrets.require('nordpool:password');
    const body = new URLSearchParams({ grant_type: 'password', scope: client.scope, username, password }).toString();
    let res;
    try {
      res = await ctx.http.get(tokenUrl, {
        method: 'POST',
        body,
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        // 400 is how the token endpoint refuses a grant (invalid_grant): read it, don't retry it.
        acceptStatus: (s) => s === 400,
        signal: ctx.signal,
        onAttempt: ctx.onAttempt,
      });
    } catch (e) {
      if (e instanceof ConfigError) throw new ConfigError('nordpool: token endpoint refused the client (check nordpool:username / nordpool:password)', { cause: e });
      throw e;
    }
    grants += 1;
    if (res.status === 400) throw new ConfigError('nordpool: token request refused (invalid_grant: check nordpool:username / nordpool:password)');
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(res.body));
    } catch {
      throw new SourceUnavailableError('nordpool: token endpoint answered something that is not JSON');
    }
    const t = TokenSchema.safeParse(json);
    if (!t.success) throw new SourceUnavailableError('nordpool: token endpoint answer lacks access_token/expires_in');
    cached = { token: t.data.access_token, expiresAt: now() + t.data.expires_in * 1000, key };
    return t.data.access_token;
  }

  return {
    get grants() {
      return grants;
    },
    async bearer(ctx) {
      const tokenUrl = ctx.baseUrl ? `${ctx.baseUrl.replace(/\/$/, '')}${STS_TOKEN_PATH}` : STS_TOKEN_URL;
      const key = `${tokenUrl} ${client.scope} ${(await ctx.secrets.get('nordpool:username')) ?? ''}`;
      if (cached && cached.key === key && now() < cached.expiresAt - EXPIRY_MARGIN_MS) return cached.token;
      // Windows running at once share one grant rather than each asking for a token.
      pending ??= grant(ctx, tokenUrl, key).finally(() => (pending = null));
      return pending;
    },
    invalidate(token) {
      if (cached?.token === token) cached = null;
    },
  };
}

/**
 * GET with a bearer token: a 401 (token expired or revoked early) forgets the token, asks for a new
 * one and tries once more; a second 401, or a 403 (no subscription for this data), is a ConfigError.
 */
export async function getWithToken(tokens: TokenCache, url: string, ctx: FetchContext, check?: (body: Uint8Array) => void) {
  for (let attempt = 1; ; attempt++) {
    const token = await tokens.bearer(ctx);
    const res = await ctx.http.get(url, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      acceptStatus: (s) => s === 401,
      signal: ctx.signal,
      onAttempt: ctx.onAttempt,
      check: check ? (r) => (r.status === 401 ? undefined : check(r.body)) : undefined,
    });
    if (res.status !== 401) return res;
    tokens.invalidate(token);
    if (attempt >= 2) throw new ConfigError(`nordpool: the API refused a fresh token (HTTP 401) for ${url}`, { cause: new HttpError('401', 401) });
    ctx.log.info('nordpool: token refused (HTTP 401), asking for a new one');
  }
}
