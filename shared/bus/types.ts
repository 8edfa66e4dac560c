// The Bus port: topics of raw messages with acknowledge, negative-acknowledge, redelivery and
// dead-lettering. Every implementation passes the same contract suite (shared/bus/contract.ts).

export type BusMessage = {
  data: Uint8Array;
  properties: Record<string, string>;
  /** Ordering / routing key (the dataset); implementations that shard keep one key in order. */
  key?: string;
};

export type Delivery = {
  topic: string;
  message: BusMessage;
  /** 1 on the first delivery, 2 on the first redelivery, ... */
  deliveryCount: number;
  /** The message is done with; the bus forgets it. */
  ack(): Promise<void>;
  /** Processing failed: redeliver later, or dead-letter once `maxDeliveries` is reached. */
  nack(): void;
  /** The message can never succeed: move it to the dead-letter topic now, with the reason. */
  deadLetter(reason: string): Promise<void>;
  /** Processing is waiting out an outage: ask the bus for more time before it redelivers. */
  extend?(): void;
};

export type SubscribeOptions = {
  /** Consumers with the same subscription name share its messages (each message to one of them). */
  subscription: string;
  /** At most this many delivered-but-unacknowledged messages per consumer: the backpressure bound. */
  maxInFlight: number;
  /**
   * At most this many bytes of message data delivered but unacknowledged per consumer, beside the
   * count (64 messages of 10 MB are 640 MB); a single larger message is still delivered, alone.
   * Unbounded when left out.
   */
  maxInFlightBytes?: number;
};

export type DeliveryHandler = (delivery: Delivery) => void | Promise<void>;

export type Subscription = {
  /** Stops delivering; unacknowledged messages go back to the subscription for redelivery. */
  close(): Promise<void>;
};

export type Bus = {
  /** Resolves once the bus holds the message durably (the acknowledgement acquisition waits for). Waits while the topic is full. */
  publish(topic: string, message: BusMessage): Promise<void>;
  subscribe(topics: readonly string[], options: SubscribeOptions, handler: DeliveryHandler): Promise<Subscription>;
  /**
   * Waits (up to `timeoutMs`) until every published message is acknowledged or dead-lettered;
   * resolves false on timeout. Only a bus that loses queued messages on close (the in-process
   * one) needs it: a clean shutdown drains it before closing.
   */
  drain?(timeoutMs: number): Promise<boolean>;
  /** Resolves when the broker answers (readiness probe); rejects when it does not. */
  ping?(): Promise<void>;
  /** Messages waiting or unacknowledged on `topic` for `subscription` (the backlog gauge); buses that cannot tell cheaply leave it out. */
  backlog?(topic: string, subscription: string): Promise<number>;
  /**
   * Resolves when the bus cannot go on (a broker connection closed for good): the process must
   * exit non-zero so a supervisor restarts it, never stay up publishing nothing.
   */
  readonly failed?: Promise<Error>;
  close(): Promise<void>;
};

export type BusOptions = {
  /** Deliveries after which a nacked message is dead-lettered. */
  maxDeliveries: number;
  redeliveryDelayMs: number;
};

/** Properties a dead-lettered message carries besides its own. */
export const DEAD_LETTER_REASON = 'dead-letter-reason';
export const DEAD_LETTER_FROM = 'dead-letter-from';

export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

export function isDeadLetterTopic(topic: string): boolean {
  return topic.endsWith('.dlq');
}
