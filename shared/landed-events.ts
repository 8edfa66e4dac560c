// The `events` topic: after each committed ingestion batch, one small message saying which series
// of which datasets landed over which time range, and from which payloads. Downstream roles
// (signals) react to new and revised data from it without polling the store.
import { z } from 'zod';
import type { StoredObservation } from './store/index.ts';
import { ValidationError, errorMessage } from './errors.ts';
import type { Bus, Subscription } from './bus/index.ts';
import type { Logger } from './log.ts';

export const EVENTS_TOPIC = 'events';
export const LANDED_SCHEMA = 'scalar.landed/v1';

const instant = z.iso.datetime({ offset: false }).transform((s) => new Date(s));

export const landedEventSchema = z.object({
  schema: z.literal(LANDED_SCHEMA),
  datasets: z
    .array(z.object({ dataset: z.string().min(1), seriesKeys: z.array(z.string()), from: instant, to: instant }))
    .min(1),
  payloads: z.array(z.string().regex(/^[0-9a-f]{64}$/)),
});

export type LandedEvent = z.output<typeof landedEventSchema>;
export type LandedDataset = LandedEvent['datasets'][number];

/**
 * The event of one committed batch: per dataset the touched series keys and [first ts, last ts + one
 * interval of the latest row's resolution) — approximated as [min ts, max ts] + 1 ms when the end
 * is calendar-dependent; consumers widen to their own windows anyway. Null for an empty batch.
 */
export function buildLandedEvent(rows: readonly StoredObservation[]): LandedEvent | null {
  if (rows.length === 0) return null;
  const byDataset = new Map<string, { keys: Set<string>; from: number; to: number }>();
  const payloads = new Set<string>();
  for (const r of rows) {
    payloads.add(r.payloadSha256);
    const t = r.ts.getTime();
    const d = byDataset.get(r.dataset) ?? { keys: new Set<string>(), from: t, to: t };
    d.keys.add(r.seriesKey);
    d.from = Math.min(d.from, t);
    // Exclusive end: one millisecond past the last interval start, so `to` covers it in a [from, to) query.
    d.to = Math.max(d.to, t + 1);
    byDataset.set(r.dataset, d);
  }
  return {
    schema: LANDED_SCHEMA,
    datasets: [...byDataset].map(([dataset, d]) => ({ dataset, seriesKeys: [...d.keys].sort(), from: new Date(d.from), to: new Date(d.to) })),
    payloads: [...payloads].sort(),
  };
}

export function encodeLandedEvent(e: LandedEvent): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({ ...e, datasets: e.datasets.map((d) => ({ ...d, from: d.from.toISOString(), to: d.to.toISOString() })) }),
  );
}

/** Throws ValidationError for a message that is not a `scalar.landed/v1` event. */
export function decodeLandedEvent(data: Uint8Array): LandedEvent {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(data));
  } catch (e) {
    throw new ValidationError(`landed event on ${EVENTS_TOPIC}: not JSON (${(e as Error).message})`);
  }
  const r = landedEventSchema.safeParse(json);
  if (!r.success) throw new ValidationError(`landed event on ${EVENTS_TOPIC}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

/**
 * A downstream role's subscription to the events topic: a message that is not a landed event goes
 * to the dead-letter topic; when `handle` fails the message comes back (handlers are idempotent);
 * it is acknowledged once handled.
 */
export function followLandedEvents(
  bus: Bus,
  o: { role: string; subscription: string; maxInFlight: number; log: Logger; onFailed(error: string): void },
  handle: (event: LandedEvent) => Promise<void>,
): Promise<Subscription> {
  return bus.subscribe([EVENTS_TOPIC], { subscription: o.subscription, maxInFlight: o.maxInFlight }, async (d) => {
    let event: LandedEvent;
    try {
      event = decodeLandedEvent(d.message.data);
    } catch (e) {
      o.log.warn(`dead-lettering a message on ${EVENTS_TOPIC}: ${errorMessage(e)}`);
      await d.deadLetter(errorMessage(e));
      return;
    }
    try {
      await handle(event);
    } catch (e) {
      o.log.error({ err: e }, `${o.role}: handling a landed event failed, redelivering: ${errorMessage(e)}`);
      o.onFailed(errorMessage(e));
      d.nack();
      return;
    }
    try {
      await d.ack();
    } catch (e) {
      o.log.warn(`${o.role}: ack failed, the event comes back and is handled again (idempotently): ${errorMessage(e)}`);
    }
  });
}
