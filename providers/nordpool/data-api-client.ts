// Market Data API v2 client (https://data-api.nordpoolgroup.com/api/v2, OAuth2). One request per
// CET delivery day and area. An empty answer (204, `[]`, or areas without entries) is a day not
// published yet.
import type { FetchContext, FetchedPayload } from '../../shared/dataset.ts';
import { NoDataYetError, SourceUnavailableError } from '../../shared/errors.ts';
import type { Interval } from '../../shared/time.ts';
import { getWithToken, type TokenCache } from './oauth.ts';
import { deliveryDate, splitPartition } from './portal-client.ts';
import { readJson } from './portal-parse.ts';

export const DATA_API = 'https://data-api.nordpoolgroup.com';

export const DATA_API_ENDPOINTS = ['Auction/Prices/ByAreas', 'PowerSystem/Exchanges/ByAreas', 'Auction/Capacities/ByAreas'] as const;
export type DataApiEndpoint = (typeof DATA_API_ENDPOINTS)[number];
/** Path prefix of every Market Data API v2 endpoint. */
export const DATA_API_PREFIX = '/api/v2/';

/** The list of entries in one area object, by endpoint: how "published" is told apart from "not yet". */
const ENTRIES: Record<DataApiEndpoint, string> = {
  'Auction/Prices/ByAreas': 'prices',
  'PowerSystem/Exchanges/ByAreas': 'exchanges',
  'Auction/Capacities/ByAreas': 'capacities',
};

export function dataApiUrl(base: string, endpoint: DataApiEndpoint, date: string, partition: string): string {
  const { area, currency } = splitPartition(partition);
  const q = new URLSearchParams({ areas: area });
  if (endpoint === 'Auction/Prices/ByAreas') q.set('currency', currency);
  if (endpoint !== 'PowerSystem/Exchanges/ByAreas') q.set('market', 'DayAhead');
  q.set('date', date);
  return `${base.replace(/\/$/, '')}${DATA_API_PREFIX}${endpoint}?${q}`;
}

function hasEntries(json: unknown, endpoint: DataApiEndpoint): boolean {
  if (!Array.isArray(json)) return true; // not our shape: let the parser say what is wrong
  return json.some((a) => {
    const list = a && typeof a === 'object' ? (a as Record<string, unknown>)[ENTRIES[endpoint]] : undefined;
    return !Array.isArray(list) || list.length > 0;
  });
}

export async function fetchDataApi(tokens: TokenCache, endpoint: DataApiEndpoint, window: Interval, partition: string, ctx: FetchContext): Promise<FetchedPayload> {
  const date = deliveryDate(window);
  const url = dataApiUrl(ctx.baseUrl ?? DATA_API, endpoint, date, partition);
  const res = await getWithToken(tokens, url, ctx, (body) => {
    try {
      readJson(body, 'nordpool data api');
    } catch (e) {
      throw new SourceUnavailableError(`nordpool ${endpoint}: unreadable response: ${(e as Error).message}`);
    }
  });
  const json = readJson(res.body, 'nordpool data api');
  if (res.status === 204 || json === null || !hasEntries(json, endpoint)) {
    throw new NoDataYetError(`nordpool ${endpoint} ${partition} ${date}: not published yet (HTTP ${res.status})`);
  }
  return { body: res.body, contentType: 'application/json' };
}
