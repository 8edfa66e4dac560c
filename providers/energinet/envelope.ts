// The Energi Data Service response: `{"total", "limit"?, "filters"?, "sort"?, "dataset", "records"}`
// (keys present only when the request sent them). Parsers also accept a bare `records` array, the
// shape tools save when they keep only the rows.
import { z } from 'zod';
import { ParseError } from '../../shared/errors.ts';

// Records are checked one by one where they are read (a zod record schema over 100 000 rows costs
// more than the parse itself).
export const EnvelopeSchema = z.looseObject({
  total: z.number().int().nonnegative(),
  limit: z.number().int().nonnegative().optional(),
  dataset: z.string().optional(),
  records: z.array(z.unknown()),
});

export type EdsRecord = Record<string, unknown>;
/** The envelope's known keys (others, like `filters` and `sort`, pass through). */
export type Envelope = { total: number; limit?: number; dataset?: string; records: EdsRecord[]; [key: string]: unknown };

/** The records as objects; anything else is a ParseError naming its index. */
function asRecords(rows: unknown[], what: string): EdsRecord[] {
  rows.forEach((r, i) => {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) {
      throw new ParseError(`${what}: records.${i}: expected a record object, got ${JSON.stringify(r)}`);
    }
  });
  return rows as EdsRecord[];
}

function decodeJson(body: Uint8Array | string): unknown {
  try {
    return JSON.parse(typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch (e) {
    throw new ParseError(`not a JSON document: ${(e as Error).message}`);
  }
}

/** Decodes and checks the response envelope; the client uses it too, to page and to spot cut-off bodies. */
export function readEnvelope(body: Uint8Array | string): Envelope {
  return checkEnvelope(decodeJson(body));
}

function checkEnvelope(json: unknown): Envelope {
  const env = EnvelopeSchema.safeParse(json);
  if (!env.success) {
    const i = env.error.issues[0]!;
    throw new ParseError(`not an Energi Data Service response: ${i.path.join('.') || 'body'}: ${i.message}`);
  }
  return { ...env.data, records: asRecords(env.data.records, 'not an Energi Data Service response') };
}

/** The records of an envelope or of a bare record array, and the envelope's dataset name if it has one. */
export function readRecords(body: Uint8Array | string): { dataset?: string; records: EdsRecord[] } {
  const json = decodeJson(body);
  if (Array.isArray(json)) return { records: asRecords(json, 'not an Energi Data Service response or record array') };
  const env = checkEnvelope(json);
  return { dataset: env.dataset, records: env.records };
}

/** What detection looks at: the envelope's `dataset` key, and the field names of the first record. */
export type PayloadSummary = { dataset?: string; fields: ReadonlySet<string> } | null;

// Detection asks every dataset of the provider about the same bytes; decode them once.
const summaries = new WeakMap<Uint8Array, PayloadSummary>();

function summarize(body: Uint8Array): PayloadSummary {
  try {
    const { dataset, records } = readRecords(body);
    return { dataset, fields: new Set(Object.keys(records[0] ?? {})) };
  } catch {
    return null;
  }
}

/** Never throws: null for a payload that is not an Energi Data Service response or record array. */
export function payloadSummary(body: Uint8Array): PayloadSummary {
  if (!summaries.has(body)) summaries.set(body, summarize(body));
  return summaries.get(body)!;
}
