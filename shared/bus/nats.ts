// Bus on NATS JetStream: one stream per environment (`SCALAR_<ENV>`, subjects `scalar.<env>.>`),
// a subject per topic, durable pull consumers with explicit ack. A nacked message comes back after
// the redelivery delay; once it has failed `maxDeliveries` times it is published to the topic's
// dead-letter subject with its reason and terminated. Publishing waits for the stream's ack.
// The connection reconnects without limit (an outage of any length is waited out, with a log line
// on each disconnect and reconnect); a publish during an outage is retried up to publishTimeoutMs
// and then fails, so the window fails and is fetched again rather than hanging. Delivery semantics
// (settle once, in-flight bound, nack → redelivery → dead letter) are shared/bus/delivery.ts.
import { headers as natsHeaders, type NatsConnection } from '@nats-io/nats-core';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { InfrastructureUnavailableError, errorMessage } from '../errors.ts';
import type { Logger } from '../log.ts';
import { createDelivery, inFlightLimit, runHandler, type DeliveryCoreOptions } from './delivery.ts';
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

export type NatsBusOptions = BusOptions & {
  environment: string;
  ackWaitMs: number;
  maxAgeDays: number;
  /** How long a publish keeps trying through an outage before it fails. */
  publishTimeoutMs?: number;
  /** Connect timeout of the first connection (a broker down at start fails the start). */
  connectTimeoutMs?: number;
  log?: Logger;
};

/** Ping period of the connection; with two pings allowed out, a dead link is noticed within 15 s. */
const NATS_PING_INTERVAL_MS = 5_000;
/** Lifetime of a pull request (its idle heartbeat is half of it). */
const NATS_PULL_EXPIRES_MS = 5_000;

const token = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');

export class NatsBus implements Bus {
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #o: NatsBusOptions;
  readonly #stream: string;
  readonly #core: DeliveryCoreOptions;
  #closed = false;
  #fail!: (e: Error) => void;
  /** Resolves when the bus cannot go on (its connection closed for good): the process should exit non-zero. */
  readonly failed: Promise<Error> = new Promise((r) => (this.#fail = r));

  private constructor(nc: NatsConnection, js: JetStreamClient, jsm: JetStreamManager, o: NatsBusOptions) {
    this.#nc = nc;
    this.#js = js;
    this.#jsm = jsm;
    this.#o = o;
    this.#stream = `SCALAR_${token(o.environment).toUpperCase()}`;
    this.#core = {
      ...o,
      onTransportError: (e, what) => o.log?.warn(`NATS: ${what} failed (the message is redelivered later): ${errorMessage(e)}`),
    };
    void this.#watch();
  }

  /** Logs disconnects and reconnects; a connection closed while the bus is open is fatal. */
  async #watch(): Promise<void> {
    const log = this.#o.log;
    (async () => {
      for await (const st of this.#nc.status()) {
        if (st.type === 'disconnect') log?.warn(`NATS: disconnected from ${st.server}; reconnecting without limit`);
        else if (st.type === 'reconnect') log?.warn(`NATS: reconnected to ${st.server}`);
        else if (st.type === 'error') log?.warn(`NATS: ${errorMessage(st.error)}`);
      }
    })().catch(() => undefined);
    const err = await this.#nc.closed();
    if (!this.#closed) {
      const e = new InfrastructureUnavailableError('bus', `NATS connection closed for good${err ? `: ${errorMessage(err)}` : ''}`);
      log?.error(e.message);
      this.#fail(e);
    }
  }

  /** `nats://host:4222`; creates the environment's stream when missing. */
  static async open(url: string, o: NatsBusOptions): Promise<NatsBus> {
    const u = new URL(url);
    const nc = await connect({
      servers: `${u.hostname}:${u.port || 4222}`,
      user: u.username || undefined,
      pass: u.password || undefined,
      name: 'scalar',
      timeout: o.connectTimeoutMs ?? 10_000,
      // An outage of any length is waited out (the default gives up after 10 attempts and leaves
      // the process alive with a closed connection).
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
      reconnectJitter: 500,
      // A black-holed link (packets dropped, no reset) is noticed by pings left unanswered: the
      // client gives up on the connection at the third tick without an answer, 10–15 s after the
      // link died (the default, 2 min × 2, took up to 6 minutes; 10 s × 2 took up to 30 s).
      pingInterval: NATS_PING_INTERVAL_MS,
      maxPingOut: 2,
    });
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
    // Header values cannot hold line breaks (a multi-line dead-letter reason, e.g. a ZodError).
    for (const [k, v] of Object.entries(message.properties)) h.set(k, v.replace(/[\r\n]+\s*/g, ' '));
    if (message.key) h.set('scalar-key', message.key);
    // A message id lets the stream drop a re-sent publish within its duplicate window.
    const id = message.properties.sha256 && message.properties['run-id'] ? `${message.properties['run-id']}:${message.properties.sha256}` : undefined;
    // Through an outage: try again (the message id makes a retry that did reach the stream a no-op)
    // until publishTimeoutMs, then fail so the caller does not hang.
    const deadline = Date.now() + (this.#o.publishTimeoutMs ?? 60_000);
    for (let attempt = 1; ; attempt++) {
      try {
        // An attempt never outlives the deadline (a 5 s attempt made a 1.5 s bound fail after 5 s).
        const timeout = Math.max(250, Math.min(5000, deadline - Date.now()));
        await this.#js.publish(this.subject(topic), message.data, { headers: h, msgID: id, timeout });
        return;
      } catch (e) {
        if (this.#closed || Date.now() >= deadline) {
          throw new InfrastructureUnavailableError('bus', `NATS publish to ${topic} failed after ${attempt} attempt(s): ${errorMessage(e)}`, { cause: e });
        }
        await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** (attempt - 1))));
      }
    }
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
          // Unlimited: the bus dead-letters by itself (after maxDeliveries failed handlings). A server
          // cap would silently drop a message redelivered often for other reasons (consumers killed
          // while holding it): the window would be lost without a dead letter.
          max_deliver: -1,
          max_ack_pending: Math.max(options.maxInFlight * 16, 256),
        });
      }
      loops.push(await this.#consume(topic, durable, options, handler));
    }
    return { close: async () => void (await Promise.all(loops.map((l) => l.stop()))) };
  }

  async #consume(topic: string, durable: string, { maxInFlight, maxInFlightBytes }: SubscribeOptions, handler: DeliveryHandler) {
    const consumer = await this.#js.consumers.get(this.#stream, durable);
    // Pull requests expire after 5 s (the client's default is 30 s), with an idle heartbeat every
    // 2.5 s: a pull lost with its connection, or a consumer that stopped answering, is noticed after
    // two missed heartbeats, and the client's consumer check after a reconnect, when it fails, is
    // retried after 5 s rather than 30 (that wait made a black-holed link recover in up to 100 s).
    // Pulled by count (max_bytes would be exclusive of it, and a message larger than a pull's bytes
    // is never delivered): what the client buffers is bounded by maxInFlight × the server's
    // max_payload; what the handler holds, by maxInFlightBytes as well.
    const messages = await consumer.consume({ max_messages: maxInFlight, expires: NATS_PULL_EXPIRES_MS });
    const limit = inFlightLimit(maxInFlight, maxInFlightBytes);
    let stopped = false;
    // A consumer deleted on the server (or its stream) never delivers again, while the iterator
    // keeps waiting: fatal, so the process exits and its restart creates the consumer afresh.
    void (async () => {
      for await (const st of messages.status()) {
        if ((st.type === 'consumer_deleted' || st.type === 'consumer_not_found' || st.type === 'stream_not_found') && !stopped && !this.#closed) {
          this.#fail(new InfrastructureUnavailableError('bus', `NATS consumer ${durable} cannot go on: ${st.type}`));
        }
      }
    })().catch(() => undefined);
    const loop = (async () => {
      for await (const m of messages) {
        const bytes = m.data.byteLength;
        if (!(await limit.take(() => stopped, bytes))) {
          m.nak();
          continue;
        }
        const properties: Record<string, string> = {};
        for (const k of m.headers?.keys() ?? []) if (k !== 'scalar-key') properties[k] = m.headers!.get(k);
        const message: BusMessage = { data: m.data, properties, key: m.headers?.get('scalar-key') || undefined };
        const delivery = createDelivery(
          topic,
          message,
          m.info.deliveryCount,
          {
            ack: async () => void (await m.ackAck({ timeout: 5000 })),
            redeliver: (delayMs) => m.nak(delayMs),
            deadLetter: (reason) => this.#deadLetter(topic, message, reason, m),
            extend: () => m.working(),
          },
          this.#core,
          // After a stop the message is left to come back after ack_wait, as after a crash.
          () => {
            limit.release(bytes);
            return !stopped;
          },
        );
        runHandler(handler, delivery, this.#core);
      }
    })();
    // A consumer that ends on its own (deleted, or its iterator failed) cannot go on: fatal, so the
    // process exits and is restarted rather than staying up consuming nothing.
    loop.then(
      () => !stopped && !this.#closed && this.#fail(new InfrastructureUnavailableError('bus', `NATS consumer ${durable} ended`)),
      (e: unknown) => !stopped && !this.#closed && this.#fail(new InfrastructureUnavailableError('bus', `NATS consumer ${durable} ended: ${errorMessage(e)}`, { cause: e })),
    );
    return {
      stop: async () => {
        stopped = true;
        limit.wakeAll();
        await messages.close();
        await loop.catch(() => undefined);
      },
    };
  }

  async #deadLetter(topic: string, message: BusMessage, reason: string, m: JsMsg): Promise<void> {
    await this.publish(deadLetterTopic(topic), { ...message, properties: { ...message.properties, [DEAD_LETTER_REASON]: reason, [DEAD_LETTER_FROM]: topic, 'run-id': `${message.properties['run-id'] ?? 'x'}:dlq:${m.seq}` } });
    // No reason on TERM: with one, this nats-server kept redelivering the message (seen in npm run chaos).
    m.term();
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
