// Energi Data Service client: https://api.energidataservice.dk/dataset/<Name>. No auth.
// `start`/`end` are Danish local wall-clock times (end exclusive); windows are aligned on local
// midnight, so the fall-back hour's ambiguity never reaches a request. One function serves every
// dataset: the descriptor supplies the API name, the time field to sort by, and whether the
// partition is a `PriceArea` filter or there is no partition at all.
import type { FetchContext, FetchedPayload } from '../../shared/dataset.ts';
import { SourceUnavailableError } from '../../shared/errors.ts';
import { toLocalNaive, type Interval } from '../../shared/time.ts';
import type { EnerginetSource } from './descriptor.ts';
import { readEnvelope } from './envelope.ts';

export const ENERGINET_API = 'https://api.energidataservice.dk';
export const ENERGINET_TZ = 'Europe/Copenhagen';
/** Rows per page; a 7-day window of one area holds 672 quarter-hours, a day of 1-minute rows 1 440. */
export const PAGE_SIZE = 5000;

/** What a request needs to know about a dataset. */
export type DatasetRequest = Pick<EnerginetSource, 'partitionField'> & { layout: Pick<EnerginetSource['layout'], 'apiName' | 'timeField'> };

/** The request for one page; pure, so tests can pin the exact query. */
export function buildRequestUrl(
  base: string,
  request: DatasetRequest,
  window: Interval,
  partition: string,
  page: { limit: number; offset: number },
): string {
  const q = new URLSearchParams({
    start: toLocalNaive(window.from, ENERGINET_TZ),
    end: toLocalNaive(window.to, ENERGINET_TZ),
  });
  if (request.partitionField) q.set('filter', JSON.stringify({ [request.partitionField]: [partition] }));
  q.set('sort', `${request.layout.timeField} asc`);
  q.set('limit', String(page.limit));
  q.set('offset', String(page.offset));
  return `${base.replace(/\/$/, '')}/dataset/${request.layout.apiName}?${q}`;
}

/**
 * Fetches a window (of one partition), following `offset` until `total` rows are in. One page is
 * published as the exact bytes received; several pages are joined into one envelope of the same shape.
 */
export async function fetchDataset(
  request: DatasetRequest,
  window: Interval,
  partition: string,
  ctx: FetchContext,
  pageSize = PAGE_SIZE,
): Promise<FetchedPayload> {
  const base = ctx.baseUrl ?? ENERGINET_API;
  const { apiName } = request.layout;
  const pages: Uint8Array[] = [];
  const records: unknown[] = [];
  let total = 0;
  let envelope: Record<string, unknown> = {};
  do {
    const url = buildRequestUrl(base, request, window, partition, { limit: pageSize, offset: records.length });
    const res = await ctx.http.get(url, {
      signal: ctx.signal,
      onAttempt: ctx.onAttempt,
      // A body that does not decode is a transport fault (cut off, garbled): retry, don't publish.
      check: (r) => {
        try {
          readEnvelope(r.body);
        } catch (e) {
          throw new SourceUnavailableError(`energinet ${apiName}: unreadable response: ${(e as Error).message}`);
        }
      },
    });
    const env = readEnvelope(res.body);
    pages.push(res.body);
    records.push(...env.records);
    total = env.total;
    envelope = env;
    if (env.records.length === 0) break;
  } while (records.length < total);
  if (pages.length === 1) return { body: pages[0]!, contentType: 'application/json' };
  const joined = { ...envelope, total, limit: records.length, records };
  return { body: new TextEncoder().encode(JSON.stringify(joined)), contentType: 'application/json' };
}
