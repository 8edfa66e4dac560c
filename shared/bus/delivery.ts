// The delivery semantics every bus shares, so that memory, NATS and Pulsar differ only in transport:
// a delivery settles once (a second ack, nack or dead-letter is ignored); nack redelivers after a
// delay until maxDeliveries, then dead-letters; a handler's error is mapped by its class (a payload
// that can never succeed is dead-lettered at once, anything else nacked); the number of deliveries a
// consumer holds is bounded; and a transport that fails to settle (broker unreachable) never
// surfaces as an unhandled rejection: the message simply comes back later.
import { errorMessage, outcomeOf } from '../errors.ts';
import type { BusMessage, BusOptions, Delivery, DeliveryHandler } from './types.ts';

/** What a transport does to settle one message it delivered. */
export type TransportSettlement = {
  ack(): Promise<void>;
  /** Hands the message back for redelivery after `delayMs` (the transport counts the delivery). */
  redeliver(delayMs: number): void | Promise<void>;
  /** Moves the message to its dead-letter topic with the reason, and forgets it. */
  deadLetter(reason: string): Promise<void>;
  /** Asks for more time before the broker redelivers (a handler waiting out an outage). */
  extend?(): void;
};

export type DeliveryCoreOptions = BusOptions & {
  /** A settlement the transport could not carry out (the message comes back by redelivery). */
  onTransportError?(e: unknown, what: string): void;
};

/**
 * One delivery. `claim` is asked once, at the first settlement: false when the transport no longer
 * holds the message (its consumer closed and handed it back), and the settlement is then dropped.
 */
export function createDelivery(
  topic: string,
  message: BusMessage,
  deliveryCount: number,
  transport: TransportSettlement,
  o: DeliveryCoreOptions,
  claim: () => boolean,
): Delivery {
  let settled = false;
  const first = () => {
    if (settled) return false;
    settled = true;
    return claim();
  };
  const report = (what: string) => (e: unknown) => o.onTransportError?.(e, `${what} on ${topic}`);
  return {
    topic,
    message,
    deliveryCount,
    async ack() {
      if (first()) await transport.ack();
    },
    nack() {
      if (!first()) return;
      const op =
        deliveryCount >= o.maxDeliveries
          ? transport.deadLetter(`failed ${deliveryCount} deliveries`)
          : transport.redeliver(o.redeliveryDelayMs);
      Promise.resolve(op).catch(report('nack'));
    },
    async deadLetter(reason) {
      if (first()) await transport.deadLetter(reason);
    },
    extend() {
      if (!settled) transport.extend?.();
    },
  };
}

/** Runs the handler; its error decides the outcome (dead-letter for a bad payload, nack otherwise). Never rejects. */
export function runHandler(handler: DeliveryHandler, d: Delivery, o: DeliveryCoreOptions): void {
  Promise.resolve()
    .then(() => handler(d))
    .catch((e: unknown) => (outcomeOf(e) === 'dead-letter' ? d.deadLetter(errorMessage(e)) : d.nack()))
    .catch((e: unknown) => o.onTransportError?.(e, `settling a failed delivery on ${d.topic}`));
}

/**
 * The bound on deliveries a consumer holds at once, by count and by bytes (backpressure for pull
 * transports). A message larger than the byte bound is taken once nothing else is held.
 */
export function inFlightLimit(max: number, maxBytes = Number.POSITIVE_INFINITY) {
  let held = 0;
  let heldBytes = 0;
  const waiters: (() => void)[] = [];
  const fits = (bytes: number) => held < max && (held === 0 || heldBytes + bytes <= maxBytes);
  const hold = (bytes: number) => {
    held += 1;
    heldBytes += bytes;
  };
  return {
    get held() {
      return held;
    },
    get heldBytes() {
      return heldBytes;
    },
    /** Whether a message of `bytes` may be taken now: what a transport that dispatches synchronously asks. */
    fits,
    /** Takes room for a message the caller saw `fits`, without waiting. */
    hold,
    /** Waits for room for a message of `bytes` (or until `stopped()`); true when it was taken. */
    async take(stopped: () => boolean, bytes = 0): Promise<boolean> {
      while (!fits(bytes) && !stopped()) await new Promise<void>((r) => waiters.push(r));
      if (stopped()) return false;
      hold(bytes);
      return true;
    },
    release(bytes = 0): void {
      held = Math.max(0, held - 1);
      heldBytes = Math.max(0, heldBytes - bytes);
      // Every waiter looks again: one release of a large message can make room for several small ones.
      for (const w of waiters.splice(0)) w();
    },
    wakeAll(): void {
      for (const w of waiters.splice(0)) w();
    },
  };
}
