// Bus on Apache Pulsar through `pulsar-client` (an optional dependency: its install downloads a
// native binary, so it is loaded lazily and only when a pulsar:// URL is configured).
// Topics: persistent://<tenant>/<environment>/<topic>. A raw window is sent by a producer named
// after its dataset and partition, with a sequence id derived from the window's run (see
// windowSequence), so the broker's de-duplication drops a re-sent window; other messages go through
// one producer per topic. Producers are kept for the bus's life (creating one is a broker round
// trip and a topic lookup), re-created after a failed send, and a window producer idle for
// PRODUCER_IDLE_MS is closed so that the process now holding that partition's lease can take the
// name. Consumers on a Shared subscription starting at the earliest message;
// delivery semantics (settle once, in-flight bound, nack → redelivery → dead letter after
// maxDeliveries, handler errors by class) are shared/bus/delivery.ts.
import { hostname } from 'node:os';
import { ConfigError, errorMessage } from '../errors.ts';
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

// The few pulsar-client types used, declared here so the project type-checks without the module.
type PulsarMessage = {
  getData(): Buffer;
  getProperties(): Record<string, string>;
  getRedeliveryCount(): number;
  getPartitionKey(): string;
};
type PulsarProducer = {
  send(m: { data: Buffer; properties?: Record<string, string>; partitionKey?: string; orderingKey?: string; sequenceId?: number }): Promise<unknown>;
  flush(): Promise<null>;
  close(): Promise<null>;
};
type PulsarConsumer = {
  receive(timeoutMs?: number): Promise<PulsarMessage>;
  acknowledge(m: PulsarMessage): Promise<null>;
  negativeAcknowledge(m: PulsarMessage): void;
  close(): Promise<null>;
};
/** The part of pulsar-client's Client the bus uses (exported for tests that inject one). */
export type PulsarClient = {
  createProducer(c: Record<string, unknown>): Promise<PulsarProducer>;
  subscribe(c: Record<string, unknown>): Promise<PulsarConsumer>;
  close(): Promise<null>;
};

/**
 * A window producer unused this long is closed. Its name (environment, dataset, partition) can be
 * connected once per broker: kept open forever, it would lock out the process that takes over the
 * partition's lease.
 */
const PRODUCER_IDLE_MS = 60_000;

type CachedProducer = { producer: Promise<PulsarProducer>; sending: number; lastUsed: number };
type PulsarModule = { Client: new (c: Record<string, unknown>) => PulsarClient; AuthenticationToken: new (c: { token: string }) => unknown };

export type PulsarBusOptions = BusOptions & {
  environment: string;
  tenant: string;
  token?: string;
  log?: Logger;
  /** How long an unused window producer stays open (default 60 s). */
  producerIdleMs?: number;
};

/**
 * Producer name and sequence id of a raw window for broker de-duplication, or null for messages
 * that are not raw windows. The producer is named after environment, dataset and partition (not the
 * host), so a window re-sent by a restarted or another process is recognised; the sequence id is the
 * instant the window was fetched (ms), which every re-send of that run carries (publish retries, the
 * archive recovery) while a later run of the same window (a lookback re-read bringing revisions)
 * carries a larger one. Window start/end alone would not do: the broker drops any sequence id not
 * above the last, and a lookback re-reads windows that end at or before earlier ones.
 */
export function windowSequence(environment: string, properties: Readonly<Record<string, string>>): { producerName: string; sequenceId: number } | null {
  const { dataset, partition } = properties;
  const fetchedAt = Date.parse(properties['fetched-at'] ?? '');
  if (!dataset || !partition || !Number.isFinite(fetchedAt) || properties[DEAD_LETTER_REASON] !== undefined) return null;
  const name = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, '_');
  return { producerName: `scalar-${name(environment)}-${name(dataset)}-${name(partition)}`, sequenceId: fetchedAt };
}

export const PULSAR_MISSING =
  'SCALAR_BUS_URL is pulsar://… but the optional module pulsar-client is not installed (its install downloads a native binary). ' +
  'Install it where Pulsar is reachable: npm install pulsar-client@^1.18 (or use the Docker image, which has it).';

async function loadPulsar(): Promise<PulsarModule> {
  try {
    const name = 'pulsar-client';
    const mod = (await import(name)) as { default?: PulsarModule } & Partial<PulsarModule>;
    const m = (mod.default ?? mod) as PulsarModule;
    if (typeof m.Client !== 'function') throw new Error('no Client export');
    return m;
  } catch (e) {
    throw new ConfigError(PULSAR_MISSING, { cause: e });
  }
}

export function pulsarTopic(tenant: string, environment: string, topic: string): string {
  return `persistent://${tenant}/${environment}/${topic}`;
}

export class PulsarBus implements Bus {
  readonly #client: PulsarClient;
  readonly #o: PulsarBusOptions;
  /** By topic (foreign messages) or by producer name (raw windows). */
  readonly #producers = new Map<string, CachedProducer>();
  /** Producers being closed, by key: a new one under the same name waits for it. */
  readonly #closing = new Map<string, Promise<void>>();
  readonly #sweep: NodeJS.Timeout;
  readonly #core: DeliveryCoreOptions;
  #closed = false;

  private constructor(client: PulsarClient, o: PulsarBusOptions) {
    // Kept referenced for the bus's lifetime: a collected Client closes its producers (pulsar-client-node#399).
    this.#client = client;
    this.#o = o;
    this.#core = { ...o, onTransportError: (e, what) => o.log?.warn(`Pulsar: ${what} failed (the message is redelivered later): ${errorMessage(e)}`) };
    this.#sweep = setInterval(() => this.#closeIdle(Date.now() - (o.producerIdleMs ?? PRODUCER_IDLE_MS)), Math.min(o.producerIdleMs ?? PRODUCER_IDLE_MS, 10_000));
    this.#sweep.unref();
  }

  /** The bus over a client made elsewhere (tests inject a minimal one). */
  static over(client: PulsarClient, o: PulsarBusOptions): PulsarBus {
    return new PulsarBus(client, o);
  }

  /** `pulsar://host:6650[?tenant=scalar]`. */
  static async open(url: string, o: Omit<PulsarBusOptions, 'tenant'> & { tenant?: string }): Promise<PulsarBus> {
    const pulsar = await loadPulsar();
    const u = new URL(url);
    const tenant = u.searchParams.get('tenant') ?? o.tenant ?? 'scalar';
    u.search = '';
    const client = new pulsar.Client({
      serviceUrl: u.toString().replace(/\/$/, ''),
      operationTimeoutSeconds: 30,
      ...(o.token ? { authentication: new pulsar.AuthenticationToken({ token: o.token }) } : {}),
    });
    return new PulsarBus(client, { ...o, tenant });
  }

  #topic(topic: string): string {
    return pulsarTopic(this.#o.tenant, this.#o.environment, topic);
  }

  /**
   * Sends through the producer cached under `key`, creating it on first use. A send that fails
   * closes and forgets the producer (its connection or the producer itself may be broken), so the
   * next send creates a new one.
   */
  async #send(key: string, config: () => Record<string, unknown>, send: Parameters<PulsarProducer['send']>[0]): Promise<void> {
    let entry = this.#producers.get(key);
    if (!entry) {
      // A producer name is connected once per broker: the one being replaced must be closed first.
      await this.#closing.get(key);
      entry = this.#producers.get(key);
    }
    if (!entry) {
      const created: CachedProducer = { producer: this.#client.createProducer(config()), sending: 0, lastUsed: Date.now() };
      created.producer.catch(() => this.#producers.get(key) === created && this.#producers.delete(key));
      this.#producers.set(key, created);
      entry = created;
    }
    entry.sending += 1;
    try {
      await (await entry.producer).send(send);
    } catch (e) {
      this.#forget(key, entry);
      throw e;
    } finally {
      entry.sending -= 1;
      entry.lastUsed = Date.now();
    }
  }

  /** Drops a cached producer and closes it (sends still under way on it fail and are retried by their callers). */
  #forget(key: string, entry: CachedProducer): void {
    if (this.#producers.get(key) !== entry) return;
    this.#producers.delete(key);
    const closing = entry.producer.then((p) => p.close(), () => null).then(() => undefined, () => undefined);
    this.#closing.set(key, closing);
    void closing.then(() => this.#closing.get(key) === closing && this.#closing.delete(key));
  }

  #closeIdle(before: number): void {
    for (const [key, entry] of this.#producers) if (key.startsWith('name:') && entry.sending === 0 && entry.lastUsed < before) this.#forget(key, entry);
  }

  async publish(topic: string, message: BusMessage): Promise<void> {
    if (this.#closed) throw new Error('bus is closed');
    const send = { data: Buffer.from(message.data), properties: message.properties, ...(message.key ? { partitionKey: message.key, orderingKey: message.key } : {}) };
    const seq = windowSequence(this.#o.environment, message.properties);
    if (!seq) {
      await this.#send(`topic:${topic}`, () => ({
        topic: this.#topic(topic),
        // Stable per host and topic, so the broker's de-duplication recognises a re-sent message.
        producerName: `scalar-${this.#o.environment}-${hostname()}-${topic}`,
        sendTimeoutMs: 0,
        batchingEnabled: false,
        blockIfQueueFull: true,
        maxPendingMessages: 100,
        compressionType: 'LZ4',
      }), send);
      return;
    }
    // One producer per window name (environment, dataset, partition): the broker drops a sequence
    // id not above the last one *of that producer*, so windows of different partitions, fetched
    // concurrently, must not share one.
    await this.#send(`name:${topic}:${seq.producerName}`, () => ({
      topic: this.#topic(topic),
      producerName: seq.producerName,
      sendTimeoutMs: 30_000,
      batchingEnabled: false,
      compressionType: 'LZ4',
    }), { ...send, sequenceId: seq.sequenceId });
  }

  async subscribe(topics: readonly string[], options: SubscribeOptions, handler: DeliveryHandler): Promise<Subscription> {
    if (this.#closed) throw new Error('bus is closed');
    const loops = await Promise.all(topics.map((t) => this.#consume(t, options, handler)));
    return { close: async () => void (await Promise.all(loops.map((l) => l()))) };
  }

  async #consume(topic: string, options: SubscribeOptions, handler: DeliveryHandler): Promise<() => Promise<void>> {
    const consumer = await this.#client.subscribe({
      topic: this.#topic(topic),
      subscription: options.subscription,
      subscriptionType: 'Shared',
      subscriptionInitialPosition: 'Earliest',
      ackTimeoutMs: 0,
      nAckRedeliverTimeoutMs: Math.max(1, this.#o.redeliveryDelayMs),
      receiverQueueSize: options.maxInFlight,
    });
    let stopped = false;
    // receiverQueueSize bounds the client's prefetch by count only; what the handler holds is bounded
    // by maxInFlightBytes as well.
    const limit = inFlightLimit(options.maxInFlight, options.maxInFlightBytes);
    const loop = (async () => {
      while (!stopped) {
        if (!(await limit.take(() => stopped))) break;
        let m: PulsarMessage;
        try {
          // receive(timeout) so that a close can end the loop (pulsar-client-node#152).
          m = await consumer.receive(500);
        } catch {
          limit.release();
          continue;
        }
        const message: BusMessage = { data: new Uint8Array(m.getData()), properties: m.getProperties(), key: m.getPartitionKey() || undefined };
        // The slot taken above holds the count; now the message's bytes (room for them may take longer).
        const bytes = message.data.byteLength;
        limit.release();
        if (!(await limit.take(() => stopped, bytes))) {
          consumer.negativeAcknowledge(m);
          break;
        }
        const delivery = createDelivery(
          topic,
          message,
          m.getRedeliveryCount() + 1,
          {
            ack: async () => void (await consumer.acknowledge(m)),
            redeliver: () => consumer.negativeAcknowledge(m),
            deadLetter: async (reason) => {
              try {
                await this.publish(deadLetterTopic(topic), { ...message, properties: { ...message.properties, [DEAD_LETTER_REASON]: reason, [DEAD_LETTER_FROM]: topic } });
              } catch (e) {
                consumer.negativeAcknowledge(m);
                throw e;
              }
              await consumer.acknowledge(m);
            },
          },
          this.#core,
          () => {
            limit.release(bytes);
            return true;
          },
        );
        runHandler(handler, delivery, this.#core);
      }
    })();
    return async () => {
      stopped = true;
      limit.wakeAll();
      await loop;
      // Closing the consumer hands its unacknowledged messages to the subscription's other consumers.
      await consumer.close();
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweep);
    const entries = [...this.#producers.values()];
    this.#producers.clear();
    await Promise.all(this.#closing.values());
    for (const e of entries) {
      const producer = await e.producer.catch(() => null);
      await producer?.flush().catch(() => undefined);
      await producer?.close().catch(() => undefined);
    }
    await this.#client.close();
  }
}

/** The admin REST calls `scalar pulsar init` makes: tenant, namespace per environment, de-duplication, retention, topics. Pure. */
export function pulsarInitPlan(o: { tenant: string; environments: readonly string[]; topics: readonly string[]; cluster: string; retentionMinutes: number; retentionMb: number }) {
  const calls: { method: 'PUT' | 'POST'; path: string; body?: unknown }[] = [
    { method: 'PUT', path: `/admin/v2/tenants/${o.tenant}`, body: { allowedClusters: [o.cluster] } },
  ];
  for (const env of o.environments) {
    const ns = `${o.tenant}/${env}`;
    calls.push({ method: 'PUT', path: `/admin/v2/namespaces/${ns}` });
    calls.push({ method: 'POST', path: `/admin/v2/namespaces/${ns}/deduplication`, body: true });
    calls.push({ method: 'POST', path: `/admin/v2/namespaces/${ns}/retention`, body: { retentionTimeInMinutes: o.retentionMinutes, retentionSizeInMB: o.retentionMb } });
    for (const t of o.topics.flatMap((t) => [t, deadLetterTopic(t)])) calls.push({ method: 'PUT', path: `/admin/v2/persistent/${ns}/${t}` });
  }
  return calls;
}

/** Runs the plan against the admin API; 409 Conflict (already there) counts as done. */
export async function pulsarInit(adminUrl: string, plan: ReturnType<typeof pulsarInitPlan>, log: (line: string) => void): Promise<void> {
  for (const c of plan) {
    const res = await fetch(`${adminUrl.replace(/\/$/, '')}${c.path}`, {
      method: c.method,
      headers: { 'content-type': 'application/json' },
      body: c.body === undefined ? undefined : JSON.stringify(c.body),
    });
    if (!res.ok && res.status !== 409) throw new Error(`${c.method} ${c.path}: HTTP ${res.status} ${await res.text()}`);
    log(`${c.method} ${c.path} ${res.status === 409 ? 'already there' : 'ok'}`);
  }
}
