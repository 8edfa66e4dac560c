// The message acquisition publishes for one fetched window: the bytes as the provider sent them plus
// metadata in properties. Ingestion validates the properties here, where the message enters.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ValidationError } from './errors.ts';
import { parseStrictInstant } from './strict.ts';
import type { Interval } from './time.ts';

export const RAW_SCHEMA = 'scalar.raw/v1';

// Strictly: Date.parse rolls 2023-02-30 over to March and takes zones other than Z.
const isoInstant = z.string().refine((s) => {
  if (!s.endsWith('Z')) return false;
  try {
    parseStrictInstant(s, 'instant');
    return true;
  } catch {
    return false;
  }
}, 'an ISO instant in UTC');

export const RawPropertiesSchema = z.object({
  schema: z.literal(RAW_SCHEMA),
  provider: z.string().min(1),
  dataset: z.string().min(1),
  partition: z.string().min(1),
  'window-from': isoInstant,
  'window-to': isoInstant,
  'run-id': z.string().min(1),
  'fetched-at': isoInstant,
  'content-type': z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  traceparent: z.string().regex(/^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/).optional(),
});

export type RawProperties = z.infer<typeof RawPropertiesSchema>;

export type RawPayload = {
  provider: string;
  dataset: string;
  partition: string;
  window: Interval;
  runId: string;
  fetchedAt: Date;
  contentType: string;
  sha256: string;
  /** W3C trace context of the run that fetched the window. */
  traceparent?: string;
  body: Uint8Array;
};

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function rawProperties(p: Omit<RawPayload, 'body'>): RawProperties {
  return {
    schema: RAW_SCHEMA,
    provider: p.provider,
    dataset: p.dataset,
    partition: p.partition,
    'window-from': p.window.from.toISOString(),
    'window-to': p.window.to.toISOString(),
    'run-id': p.runId,
    'fetched-at': p.fetchedAt.toISOString(),
    'content-type': p.contentType,
    sha256: p.sha256,
    ...(p.traceparent ? { traceparent: p.traceparent } : {}),
  };
}

/** Reads a bus message back into a payload; throws a ValidationError naming each bad property, or a sha mismatch. */
export function readRawMessage(properties: Record<string, string>, body: Uint8Array): RawPayload {
  const parsed = RawPropertiesSchema.safeParse(properties);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(properties)'}: ${i.message}`);
    throw new ValidationError(`raw message properties: ${problems.join('; ')}`);
  }
  const p = parsed.data;
  if (new Date(p['window-from']) >= new Date(p['window-to'])) throw new ValidationError(`raw message window ${p['window-from']}/${p['window-to']} is empty or reversed`);
  const actual = sha256Hex(body);
  if (actual !== p.sha256) throw new ValidationError(`sha256 mismatch: properties say ${p.sha256}, body is ${actual}`);
  return {
    provider: p.provider,
    dataset: p.dataset,
    partition: p.partition,
    window: { from: new Date(p['window-from']), to: new Date(p['window-to']) },
    runId: p['run-id'],
    fetchedAt: new Date(p['fetched-at']),
    contentType: p['content-type'],
    sha256: p.sha256,
    traceparent: p.traceparent,
    body,
  };
}
