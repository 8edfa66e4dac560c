// Baltic Transparency Dashboard (Elering, AST, Litgrid): `GET /api/v1/export?id=<dataset>&start_date=
// &end_date=&output_time_zone=UTC&output_format=json`. No auth. Dates are naive wall-clock times in
// `output_time_zone`; asking for UTC keeps DST out of the request. Some answers are a decoy: HTTP 200
// with an HTML single-page app instead of JSON (seen by cloud and CI addresses) — retried, never parsed.
import type { FetchContext, FetchedPayload } from '../../shared/dataset.ts';
import { SourceUnavailableError } from '../../shared/errors.ts';
import { toLocalNaive, type Interval } from '../../shared/time.ts';
import { isHtmlDecoy, readExport } from './parse.ts';

export const BALTIC_API = 'https://api-baltic.transparency-dashboard.eu';
/** Several balancing datasets are published with about two days' delay. */
export const BALTIC_PUBLICATION_LAG = 'P2D';

/** The export URL for one window; pure. */
export function exportUrl(base: string, apiId: string, window: Interval): string {
  const q = new URLSearchParams({
    id: apiId,
    start_date: toLocalNaive(window.from, 'UTC'),
    end_date: toLocalNaive(window.to, 'UTC'),
    output_time_zone: 'UTC',
    output_format: 'json',
  });
  return `${base.replace(/\/$/, '')}/api/v1/export?${q}`;
}

export async function fetchExport(apiId: string, window: Interval, ctx: FetchContext): Promise<FetchedPayload> {
  const res = await ctx.http.get(exportUrl(ctx.baseUrl ?? BALTIC_API, apiId, window), {
    headers: { accept: 'application/json' },
    signal: ctx.signal,
    onAttempt: ctx.onAttempt,
    check: (r) => {
      const type = r.headers.get('content-type') ?? '';
      if (isHtmlDecoy(r.body) || type.includes('text/html')) {
        throw new SourceUnavailableError(`baltic ${apiId}: an HTML page instead of the export (the API's decoy answer); retrying`);
      }
      try {
        const ex = readExport(r.body);
        if (ex.id !== undefined && ex.id !== apiId) throw new Error(`asked for ${apiId}, got ${ex.id}`);
      } catch (e) {
        throw new SourceUnavailableError(`baltic ${apiId}: unreadable export: ${(e as Error).message}`);
      }
    },
  });
  return { body: res.body, contentType: 'application/json' };
}
