// The Energi Data Service response: `{"total", "limit"?, "filters"?, "sort"?, "dataset", "records"}`
// (keys present only when the request sent them). Parsers also accept a bare `records` array, the
// shape tools save when they keep only the rows.
import { z } from 'zod';
import { ParseError } from '../../shared/errors.ts';

export const EnvelopeSchema = z.looseObject({
  total: z.number().int().nonnegative(),
  limit: z.number().int().nonnegative().optional(),
  dataset: z.string().optional(),
  records: z.array(z.record(z.string(), z.unknown())),
});

export type Envelope = z.infer<typeof EnvelopeSchema>;
export type EdsRecord = Record<string, unknown>;

const RecordsSchema = z.array(z.record(z.string(), z.unknown()));

function decodeJson(body: Uint8Array | string): unknown {
  try {
    return JSON.parse(typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch (e) {
    throw new ParseError(`not a JSON document: ${(e as Error).message}`);
  }
}

/** Decodes and checks the response envelope; the client uses it too, to page and to spot cut-off bodies. */
export function readEnvelope(body: Uint8Array | string): Envelope {
  const env = EnvelopeSchema.safeParse(decodeJson(body));
  if (!env.success) {
    const i = env.error.issues[0]!;
    throw new ParseError(`not an Energi Data Service response: ${i.path.join('.') || 'body'}: ${i.message}`);
  }
  return env.data;
}

/** The records of an envelope or of a bare record array, and the envelope's dataset name if it has one. */
export function readRecords(body: Uint8Array | string): { dataset?: string; records: EdsRecord[] } {
  const json = decodeJson(body);
  if (Array.isArray(json)) {
    const rs = RecordsSchema.safeParse(json);
    if (!rs.success) {
      const i = rs.error.issues[0]!;
      throw new ParseError(`not an Energi Data Service response or record array: ${i.path.join('.')}: ${i.message}`);
    }
    return { records: rs.data };
  }
  const env = EnvelopeSchema.safeParse(json);
  if (!env.success) {
    const i = env.error.issues[0]!;
    throw new ParseError(`not an Energi Data Service response: ${i.path.join('.') || 'body'}: ${i.message}`);
  }
  return { dataset: env.data.dataset, records: env.data.records };
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
