// In-process bus with the semantics of a broker subscription: per-subscription queues, explicit
// ack, nack with delayed redelivery, dead-lettering, and bounded queues that make publishers wait.
import {
  DEAD_LETTER_FROM,
  DEAD_LETTER_REASON,
  deadLetterTopic,
  type Bus,
  type BusMessage,
  type BusOptions,
  type DeliveryHandler,
  type SubscribeOptions,
  type Subscription,
} from './types.ts';
import { createDelivery, inFlightLimit, runHandler, type TransportSettlement } from './delivery.ts';

type Entry = { id: number; topic: string; message: BusMessage; deliveryCount: number };

/** `inFlight` maps each held entry to its bytes, which `limit` releases when it is settled. */
type Consumer = { handler: DeliveryHandler; limit: ReturnType<typeof inFlightLimit>; inFlight: Map<number, number>; closed: boolean };

type SubscriptionState = {
  queue: Entry[];
  unacked: Map<number, { entry: Entry; consumer: Consumer }>;
  consumers: Consumer[];
  next: number;
};

type TopicState = {
  /** Messages published before any subscription existed; the first subscription takes them over (like an earliest-position subscription). */
  backlog: Entry[];
  subscriptions: Map<string, SubscriptionState>;
  waiters: (() => void)[];
};

export type MemoryBusOptions = BusOptions & {
  /** Messages a subscription (or the backlog) may hold, queued or unacknowledged, before publish waits. */
  capacity: number;
  /**
   * Bytes of message data a subscription (or the backlog) may hold before publish waits: a count
   * alone lets a run of 10 MB documents fill gigabytes. A single larger message still goes through.
   */
  capacityBytes: number;
};

export const DEFAULT_MEMORY_BUS: MemoryBusOptions = { maxDeliveries: 5, redeliveryDelayMs: 1000, capacity: 256, capacityBytes: 64 * 1024 * 1024 };

const heldBytes = (entries: Iterable<Entry>) => {
  let n = 0;
  for (const e of entries) n += e.message.data.byteLength;
  return n;
};

export class MemoryBus implements Bus {
  readonly #o: MemoryBusOptions;
  readonly #topics = new Map<string, TopicState>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #nextId = 1;
  #closed = false;
  /** The largest message published so far: while count × this stays under capacityBytes, no sum is needed. */
  #largest = 0;

  constructor(options: Partial<MemoryBusOptions> = {}) {
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    this.#o = { ...DEFAULT_MEMORY_BUS, ...given };
  }

  #topic(name: string): TopicState {
    let t = this.#topics.get(name);
    if (!t) {
      t = { backlog: [], subscriptions: new Map(), waiters: [] };
      this.#topics.set(name, t);
    }
    return t;
  }

  #isFull(t: TopicState): boolean {
    const bytes = this.#o.capacityBytes;
    if (t.subscriptions.size === 0) return t.backlog.length >= this.#o.capacity || (t.backlog.length * this.#largest >= bytes && heldBytes(t.backlog) >= bytes);
    for (const s of t.subscriptions.values()) {
      const held = s.queue.length + s.unacked.size;
      if (held >= this.#o.capacity) return true;
      // Summed when it could matter (at most `capacity` entries), rather than a count kept right through
      // every settle path; a publish of small messages then costs no walk over the queue.
      if (held * this.#largest >= bytes && heldBytes(s.queue) + heldBytes([...s.unacked.values()].map((u) => u.entry)) >= bytes) return true;
    }
    return false;
  }

  #wake(t: TopicState): void {
    while (t.waiters.length > 0 && !this.#isFull(t)) t.waiters.shift()!();
  }

  async publish(topic: string, message: BusMessage): Promise<void> {
    if (this.#closed) throw new Error('bus is closed');
    const t = this.#topic(topic);
    this.#largest = Math.max(this.#largest, message.data.byteLength);
    while (this.#isFull(t)) {
      await new Promise<void>((resolve) => t.waiters.push(resolve));
      if (this.#closed) throw new Error('bus is closed');
    }
    this.#enqueue(topic, { data: message.data, properties: { ...message.properties }, key: message.key }, 0);
  }

  #enqueue(topic: string, message: BusMessage, deliveryCount: number): void {
    const t = this.#topic(topic);
    const base = { topic, message, deliveryCount };
    if (t.subscriptions.size === 0) {
      t.backlog.push({ id: this.#nextId++, ...base });
      return;
    }
    for (const s of t.subscriptions.values()) {
      s.queue.push({ id: this.#nextId++, ...base });
      this.#dispatch(s);
    }
  }

  #dispatch(s: SubscriptionState): void {
    while (s.queue.length > 0) {
      const bytes = s.queue[0]!.message.data.byteLength;
      const open = s.consumers.filter((c) => !c.closed && c.limit.fits(bytes));
      if (open.length === 0) return;
      const consumer = open[s.next++ % open.length]!;
      const entry = s.queue.shift()!;
      entry.deliveryCount += 1;
      consumer.inFlight.set(entry.id, bytes);
      consumer.limit.hold(bytes);
      s.unacked.set(entry.id, { entry, consumer });
      this.#deliver(s, consumer, entry);
    }
  }

  #deliver(s: SubscriptionState, consumer: Consumer, entry: Entry): void {
    const after = () => {
      this.#wake(this.#topic(entry.topic));
      this.#dispatch(s);
    };
    const transport: TransportSettlement = {
      ack: async () => after(),
      redeliver: (delayMs) => {
        const timer = setTimeout(() => {
          this.#timers.delete(timer);
          if (this.#closed) return;
          s.queue.push(entry);
          this.#dispatch(s);
        }, delayMs);
        this.#timers.add(timer);
        after();
      },
      deadLetter: async (reason) => {
        this.#toDeadLetter(entry, reason);
        after();
      },
    };
    // A closed consumer handed the entry back: its late settlement is dropped.
    const claim = () => {
      if (!s.unacked.has(entry.id)) return false;
      s.unacked.delete(entry.id);
      consumer.limit.release(consumer.inFlight.get(entry.id));
      consumer.inFlight.delete(entry.id);
      return true;
    };
    const delivery = createDelivery(entry.topic, entry.message, entry.deliveryCount, transport, this.#o, claim);
    queueMicrotask(() => runHandler(consumer.handler, delivery, this.#o));
  }

  #toDeadLetter(entry: Entry, reason: string): void {
    const properties = { ...entry.message.properties, [DEAD_LETTER_REASON]: reason, [DEAD_LETTER_FROM]: entry.topic };
    this.#enqueue(deadLetterTopic(entry.topic), { ...entry.message, properties }, 0);
  }

  async subscribe(topics: readonly string[], options: SubscribeOptions, handler: DeliveryHandler): Promise<Subscription> {
    if (this.#closed) throw new Error('bus is closed');
    const consumer: Consumer = {
      handler,
      limit: inFlightLimit(options.maxInFlight, options.maxInFlightBytes),
      inFlight: new Map(),
      closed: false,
    };
    const states: SubscriptionState[] = [];
    for (const topic of topics) {
      const t = this.#topic(topic);
      let s = t.subscriptions.get(options.subscription);
      if (!s) {
        s = { queue: t.subscriptions.size === 0 ? t.backlog.splice(0) : [], unacked: new Map(), consumers: [], next: 0 };
        t.subscriptions.set(options.subscription, s);
      }
      s.consumers.push(consumer);
      states.push(s);
    }
    for (const s of states) this.#dispatch(s);
    return {
      close: async () => {
        consumer.closed = true;
        for (const s of states) {
          s.consumers = s.consumers.filter((c) => c !== consumer);
          // What this consumer held goes back to the front, as after a consumer crash.
          const back = [...s.unacked.values()].filter((u) => u.consumer === consumer);
          for (const { entry } of back) s.unacked.delete(entry.id);
          s.queue.unshift(...back.map((u) => u.entry));
          this.#dispatch(s);
        }
        consumer.inFlight.clear();
      },
    };
  }

  /** Messages waiting or unacknowledged on a topic's subscription (or its backlog), for tests and status output. */
  depth(topic: string, subscription?: string): number {
    const t = this.#topics.get(topic);
    if (!t) return 0;
    if (!subscription) return t.backlog.length;
    const s = t.subscriptions.get(subscription);
    return s ? s.queue.length + s.unacked.size : 0;
  }

  async ping(): Promise<void> {
    if (this.#closed) throw new Error('bus is closed');
  }

  async backlog(topic: string, subscription: string): Promise<number> {
    return this.depth(topic, subscription) + this.depth(topic);
  }

  #outstanding(): number {
    let n = this.#timers.size;
    for (const t of this.#topics.values()) {
      n += t.backlog.length;
      for (const s of t.subscriptions.values()) n += s.queue.length + s.unacked.size;
    }
    return n;
  }

  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.#outstanding() > 0) {
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
    return true;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const t of this.#topics.values()) for (const w of t.waiters.splice(0)) w();
  }
}
