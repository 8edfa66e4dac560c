// Bus on NATS JetStream: one stream per environment (`SCALAR_<ENV>`, subjects `scalar.<env>.>`),
// a subject per topic, durable pull consumers with explicit ack. A nacked message comes back after
// the redelivery delay; once it has failed `maxDeliveries` times it is published to the topic's
// dead-letter subject with its reason and terminated. Publishing waits for the stream's ack.
import { headers as natsHeaders, type NatsConnection } from '@nats-io/nats-core';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import {
  DEAD_LETTER_FROM,
  DEAD_LETTER_REASON,
  deadLetterTopic,
  type Bus,
  type BusMessage,
  type BusOptions,
  type Delivery,
  type DeliveryHandler,
  type SubscribeOptions,
  type Subscription,
} from './types.ts';

export type NatsBusOptions = BusOptions & { environment: string; ackWaitMs: number; maxAgeDays: number };

const token = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');

export class NatsBus implements Bus {
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #o: NatsBusOptions;
  readonly #stream: string;
  #closed = false;

  private constructor(nc: NatsConnection, js: JetStreamClient, jsm: JetStreamManager, o: NatsBusOptions) {
    this.#nc = nc;
    this.#js = js;
    this.#jsm = jsm;
    this.#o = o;
    this.#stream = `SCALAR_${token(o.environment).toUpperCase()}`;
  }

  /** `nats://host:4222`; creates the environment's stream when missing. */
  static async open(url: string, o: NatsBusOptions): Promise<NatsBus> {
    const u = new URL(url);
    const nc = await connect({ servers: `${u.hostname}:${u.port || 4222}`, user: u.username || undefined, pass: u.password || undefined, name: 'scalar' });
    const jsm = await jetstreamManager(nc);
    const bus = new NatsBus(nc, jetstream(nc), jsm, o);
    const subjects = [`scalar.${token(o.environment)}.>`];
    try {
      await jsm.streams.info(bus.#stream);
    } catch {
      // Raw payloads stay on the stream (replay, reprocess) for maxAgeDays, acked or not.
      await jsm.streams.add({ name: bus.#stream, subjects, max_age: o.maxAgeDays * 86_400 * 1e9, duplicate_window: 120 * 1e9 });
    }
    return bus;
  }

  subject(topic: string): string {
    return `scalar.${token(this.#o.environment)}.${topic.split('.').map(token).join('.')}`;
  }

  async publish(topic: string, message: BusMessage): Promise<void> {
    if (this.#closed) throw new Error('bus is closed');
    const h = natsHeaders();
    for (const [k, v] of Object.entries(message.properties)) h.set(k, v);
    if (message.key) h.set('scalar-key', message.key);
    // A message id lets the stream drop a re-sent publish within its duplicate window.
    const id = message.properties.sha256 && message.properties['run-id'] ? `${message.properties['run-id']}:${message.properties.sha256}` : undefined;
    await this.#js.publish(this.subject(topic), message.data, { headers: h, msgID: id });
  }

  async subscribe(topics: readonly string[], options: SubscribeOptions, handler: DeliveryHandler): Promise<Subscription> {
    if (this.#closed) throw new Error('bus is closed');
    const loops: { stop(): Promise<void> }[] = [];
    for (const topic of topics) {
      const durable = token(`${options.subscription}-${topic}`);
      try {
        await this.#jsm.consumers.info(this.#stream, durable);
      } catch {
        await this.#jsm.consumers.add(this.#stream, {
          durable_name: durable,
          filter_subject: this.subject(topic),
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          ack_wait: this.#o.ackWaitMs * 1e6,
          // The bus dead-letters itself; this only stops a message that could not even be dead-lettered.
          max_deliver: this.#o.maxDeliveries + 5,
          max_ack_pending: Math.max(options.maxInFlight * 16, 256),
        });
      }
      loops.push(await this.#consume(topic, durable, options.maxInFlight, handler));
    }
    return { close: async () => void (await Promise.all(loops.map((l) => l.stop()))) };
  }

  async #consume(topic: string, durable: string, maxInFlight: number, handler: DeliveryHandler) {
    const consumer = await this.#js.consumers.get(this.#stream, durable);
    const messages = await consumer.consume({ max_messages: maxInFlight });
    const outstanding = new Set<JsMsg>();
    let wake: (() => void) | undefined;
    let stopped = false;
    const settle = (m: JsMsg) => {
      outstanding.delete(m);
      wake?.();
    };
    const loop = (async () => {
      for await (const m of messages) {
        if (stopped) {
          m.nak();
          continue;
        }
        while (outstanding.size >= maxInFlight && !stopped) await new Promise<void>((r) => (wake = r));
        outstanding.add(m);
        let done = false;
        const once = (fn: () => void | Promise<void>) => async () => {
          if (done || stopped) return;
          done = true;
          await fn();
          settle(m);
        };
        const properties: Record<string, string> = {};
        for (const k of m.headers?.keys() ?? []) if (k !== 'scalar-key') properties[k] = m.headers!.get(k);
        const message: BusMessage = { data: m.data, properties, key: m.headers?.get('scalar-key') || undefined };
        const delivery: Delivery = {
          topic,
          message,
          deliveryCount: m.info.deliveryCount,
          ack: once(async () => void (await m.ackAck())),
          nack: () =>
            void once(async () => {
              if (m.info.deliveryCount >= this.#o.maxDeliveries) await this.#deadLetter(topic, message, `failed ${m.info.deliveryCount} deliveries`, m);
              else m.nak(this.#o.redeliveryDelayMs);
            })(),
          deadLetter: (reason) => once(() => this.#deadLetter(topic, message, reason, m))(),
        };
        Promise.resolve()
          .then(() => handler(delivery))
          .catch(() => delivery.nack());
      }
    })();
    return {
      stop: async () => {
        stopped = true;
        wake?.();
        await messages.close();
        await loop.catch(() => undefined);
        // What this consumer held comes back to the subscription after ack_wait, as after a crash.
        // (A nak here races the closed consumer's pending pull and can deliver twice.)
        outstanding.clear();
      },
    };
  }

  async #deadLetter(topic: string, message: BusMessage, reason: string, m: JsMsg): Promise<void> {
    await this.publish(deadLetterTopic(topic), { ...message, properties: { ...message.properties, [DEAD_LETTER_REASON]: reason, [DEAD_LETTER_FROM]: topic, 'run-id': `${message.properties['run-id'] ?? 'x'}:dlq:${m.seq}` } });
    m.term(reason);
  }

  async ping(): Promise<void> {
    await this.#nc.flush();
  }

  async backlog(topic: string, subscription: string): Promise<number> {
    // The durable consumer's own counts: not yet delivered plus delivered and unacknowledged.
    const info = await this.#jsm.consumers.info(this.#stream, token(`${subscription}-${topic}`)).catch(() => null);
    return info ? info.num_pending + info.num_ack_pending : 0;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#nc.drain().catch(() => this.#nc.close());
  }
}
