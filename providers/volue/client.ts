// Volue Insight curves API (https://api.volueinsight.com/api/...): OAuth2 client credentials
// (`volue:client_id`, `volue:client_secret` from the secrets port) against the auth service, bearer
// tokens cached until shortly before expiry and fetched again once on a 401. A window's payload is
// the curve's metadata plus what its data endpoint answered (see parse.ts).
import type { FetchContext, FetchedPayload } from '../../shared/dataset.ts';
import { ConfigError, HttpError, ParseError } from '../../shared/errors.ts';
import type { HttpResponse } from '../../shared/http.ts';
import { createTokenSource, type TokenSource } from '../../shared/oauth2.ts';
import type { Interval } from '../../shared/time.ts';
import { VoluePayloadSchema, type VolueCurve } from './parse.ts';

export const VOLUE_API = 'https://api.volueinsight.com';
export const VOLUE_TOKEN_URL = 'https://auth.volueinsight.com/oauth2/token';

export type CurveType = VolueCurve['curve_type'];

// One token source per (token endpoint, client): tokens outlive a window.
const tokenSources = new Map<string, TokenSource>();

export function volueTokens(ctx: Pick<FetchContext, 'baseUrl' | 'secrets'>): TokenSource {
  const tokenUrl = ctx.baseUrl ? `${ctx.baseUrl.replace(/\/$/, '')}/oauth2/token` : VOLUE_TOKEN_URL;
  let source = tokenSources.get(tokenUrl);
  if (!source) {
    source = createTokenSource(async () => ({
      tokenUrl,
      clientId: await ctx.secrets.require('volue:client_id'),
      clientSecret: await ctx.secrets.require('volue:client_secret'),
      grant: { type: 'client_credentials' },
    }));
    tokenSources.set(tokenUrl, source);
  }
  return source;
}

const isUnauthorized = (e: unknown) => e instanceof ConfigError && e.cause instanceof HttpError && e.cause.status === 401;

/** GET with the bearer token; a 401 (expired or revoked token) fetches a new token once. */
async function authorizedGet(path: string, ctx: FetchContext): Promise<HttpResponse> {
  const tokens = volueTokens(ctx);
  const url = `${(ctx.baseUrl ?? VOLUE_API).replace(/\/$/, '')}${path}`;
  const get = async () =>
    ctx.http.get(url, {
      headers: { authorization: `Bearer ${await tokens.token(ctx.signal)}`, accept: 'application/json' },
      signal: ctx.signal,
      onAttempt: ctx.onAttempt,
      // No data in the range is 204 (or 404 for a series without data): an empty answer.
      acceptStatus: (status) => status === 204,
    });
  try {
    return await get();
  } catch (e) {
    if (!isUnauthorized(e)) throw e;
    tokens.invalidate();
    return get();
  }
}

function json(res: HttpResponse, what: string): unknown {
  if (res.status === 204 || res.body.byteLength === 0) return null;
  try {
    return JSON.parse(new TextDecoder().decode(res.body));
  } catch (e) {
    throw new ParseError(`volue ${what}: not a JSON answer: ${(e as Error).message}`);
  }
}

const iso = (d: Date) => d.toISOString();

/** The data request for a curve over a window: data range for series, issue-date range for instances; pure. */
export function dataPath(curve: Pick<VolueCurve, 'id' | 'curve_type'>, window: Interval, tags: readonly string[] = []): string {
  const q = new URLSearchParams();
  for (const t of tags) q.append('tag', t);
  switch (curve.curve_type) {
    case 'TIME_SERIES':
      q.set('from', iso(window.from));
      q.set('to', iso(window.to));
      return `/api/series/${curve.id}?${q}`;
    case 'TAGGED':
      q.set('from', iso(window.from));
      q.set('to', iso(window.to));
      return `/api/series/tagged/${curve.id}?${q}`;
    case 'INSTANCES':
    case 'TAGGED_INSTANCES':
      // A window of instance curves is the forecasts issued in it, each with all its data.
      q.set('issue_date_from', iso(window.from));
      q.set('issue_date_to', iso(window.to));
      q.set('with_data', 'true');
      return `/api/instances/${curve.curve_type === 'TAGGED_INSTANCES' ? 'tagged/' : ''}${curve.id}?${q}`;
  }
}

/** Fetches one curve's window: its metadata by name, then the data of its type. */
export async function fetchCurve(name: string, expected: CurveType, window: Interval, ctx: FetchContext, tags: readonly string[] = []): Promise<FetchedPayload> {
  const meta = VoluePayloadSchema.shape.curve.safeParse(json(await authorizedGet(`/api/curves/get?${new URLSearchParams({ name })}`, ctx), `curve ${name}`));
  if (!meta.success) throw new ParseError(`volue curve ${name}: unreadable metadata: ${meta.error.issues[0]?.message ?? ''}`);
  const curve = meta.data;
  if (curve.curve_type !== expected) throw new ConfigError(`volue curve ${name} is ${curve.curve_type}, this dataset reads ${expected} curves`);
  const answer = json(await authorizedGet(dataPath(curve, window, tags), ctx), `curve ${name} data`);
  // A time series answers one series, the other types a list of them.
  const series = answer === null ? [] : Array.isArray(answer) ? answer : [answer];
  return { body: new TextEncoder().encode(JSON.stringify({ curve, series })), contentType: 'application/json' };
}
