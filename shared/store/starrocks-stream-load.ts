// StarRocks Stream Load: the bulk path for observations (HTTP PUT of the rows as JSON lines to the
// FE, which redirects to a BE). Every INSERT is a new version of each tablet (StarRocks#20368);
// one Stream Load per batch is one version however many rows it carries. The label is derived
// from the batch's payload hashes: a retried load of the same batch carries the same label and the
// server answers "Label Already Exists" instead of loading it twice.
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { StoredObservation } from './types.ts';

export type StreamLoadTarget = {
  /** The FE's HTTP address, e.g. http://127.0.0.1:8030 */
  httpUrl: string;
  database: string;
  user: string;
  password: string;
};

export type StreamLoadRequest = { method: 'PUT'; url: string; headers: Record<string, string>; body: Buffer };

const COLUMNS = ['dataset', 'series_key', 'ts', 'value', 'payload_sha256', 'ingested_at', 'issued', 'quality'] as const;

const instant = (d: Date) => d.toISOString().slice(0, 23).replace('T', ' ');

/** Same payloads, same rows, same label: sha256 over the table, the sorted distinct payload hashes and the row count. */
export function streamLoadLabel(table: string, rows: readonly StoredObservation[]): string {
  const hashes = [...new Set(rows.map((r) => r.payloadSha256))].sort();
  const digest = createHash('sha256').update(`${table}\n${rows.length}\n${hashes.join('\n')}`).digest('hex');
  return `scalar_${table}_${digest.slice(0, 48)}`;
}

/** The PUT that loads `rows` into `table` (JSON lines; instants in UTC as DATETIME text). */
export function streamLoadRequest(target: StreamLoadTarget, table: string, rows: readonly StoredObservation[], now: Date): StreamLoadRequest {
  const at = instant(now);
  const lines = rows.map((r) =>
    JSON.stringify({
      dataset: r.dataset, series_key: r.seriesKey, ts: instant(r.ts), value: r.value, payload_sha256: r.payloadSha256, ingested_at: at,
      issued: r.issued === undefined ? null : instant(r.issued), quality: r.quality ?? null,
    }),
  );
  const base = target.httpUrl.replace(/\/+$/, '');
  return {
    method: 'PUT',
    url: `${base}/api/${encodeURIComponent(target.database)}/${encodeURIComponent(table)}/_stream_load`,
    headers: {
      authorization: `Basic ${Buffer.from(`${target.user}:${target.password}`).toString('base64')}`,
      label: streamLoadLabel(table, rows),
      format: 'json',
      read_json_by_line: 'true',
      columns: COLUMNS.join(', '),
      // The FE answers 307 to a BE before the body is sent.
      expect: '100-continue',
      'content-type': 'application/json',
    },
    body: Buffer.from(lines.join('\n')),
  };
}

type StreamLoadAnswer = { Status?: string; Message?: string; ExistingJobStatus?: string };

/** Sends the request, following the FE's redirect to a BE (credentials re-sent); throws unless the rows are loaded (or were, under this label). */
export async function sendStreamLoad(req: StreamLoadRequest, timeoutMs = 60_000, redirects = 3): Promise<void> {
  const { status, location, text } = await new Promise<{ status: number; location?: string; text: string }>((resolve, reject) => {
    const r = httpRequest(req.url, { method: req.method, headers: { ...req.headers, 'content-length': String(req.body.length) }, timeout: timeoutMs }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, text: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    r.on('timeout', () => r.destroy(new Error(`Stream Load timed out after ${timeoutMs} ms`)));
    r.on('error', reject);
    // With Expect: 100-continue the body waits for the server's go-ahead (or is never sent on a redirect).
    r.on('continue', () => r.end(req.body));
    r.on('response', () => r.end());
  });
  if ((status === 307 || status === 302) && location && redirects > 0) return sendStreamLoad({ ...req, url: location }, timeoutMs, redirects - 1);
  let answer: StreamLoadAnswer;
  try {
    answer = JSON.parse(text) as StreamLoadAnswer;
  } catch {
    throw new Error(`Stream Load answered HTTP ${status}: ${text.slice(0, 200)}`);
  }
  if (answer.Status === 'Success' || answer.Status === 'Publish Timeout') return;
  if (answer.Status === 'Label Already Exists' && answer.ExistingJobStatus === 'FINISHED') return;
  throw new Error(`Stream Load ${answer.Status ?? `HTTP ${status}`}: ${answer.Message ?? text.slice(0, 200)}`);
}
