// Bus on Apache Pulsar through `pulsar-client` (an optional dependency: its install downloads a
// native binary, so it is loaded lazily and only when a pulsar:// URL is configured).
// Topics: persistent://<tenant>/<environment>/<topic>; one producer per topic with a stable name
// (broker-side de-duplication drops re-sent windows); consumers on a Shared subscription starting at
// the earliest message; nack → redelivery after redeliveryDelayMs; after maxDeliveries the bus
// publishes the message to <topic>.dlq with its reason and acknowledges it.
import { hostname } from 'node:os';
import { ConfigError } from '../errors.ts';
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

// The few pulsar-client types used, declared here so the project type-checks without the module.
type PulsarMessage = {
  getData(): Buffer;
  getProperties(): Record<string, string>;
  getRedeliveryCount(): number;
  getPartitionKey(): string;
};
type PulsarProducer = { send(m: { data: Buffer; properties?: Record<string, string>; partitionKey?: string; orderingKey?: string }): Promise<unknown>; flush(): Promise<null>; close(): Promise<null> };
type PulsarConsumer = {
  receive(timeoutMs?: number): Promise<PulsarMessage>;
  acknowledge(m: PulsarMessage): Promise<null>;
  negativeAcknowledge(m: PulsarMessage): void;
  close(): Promise<null>;
};
type PulsarClient = {
  createProducer(c: Record<string, unknown>): Promise<PulsarProducer>;
  subscribe(c: Record<string, unknown>): Promise<PulsarConsumer>;
  close(): Promise<null>;
};
type PulsarModule = { Client: new (c: Record<string, unknown>) => PulsarClient; AuthenticationToken: new (c: { token: string }) => unknown };

export type PulsarBusOptions = BusOptions & { environment: string; tenant: string; token?: string };

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
  readonly #producers = new Map<string, Promise<PulsarProducer>>();
  #closed = false;

  private constructor(client: PulsarClient, o: PulsarBusOptions) {
    // Kept referenced for the bus's lifetime: a collected Client closes its producers (pulsar-client-node#399).
    this.#client = client;
    this.#o = o;
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

  #producer(topic: string): Promise<PulsarProducer> {
    let p = this.#producers.get(topic);
    if (!p) {
      p = this.#client.createProducer({
        topic: this.#topic(topic),
        // Stable per host and topic, so the broker's de-duplication recognises a re-sent window.
        producerName: `scalar-${this.#o.environment}-${hostname()}-${topic}`,
        sendTimeoutMs: 0,
        batchingEnabled: false,
        blockIfQueueFull: true,
        maxPendingMessages: 100,
        compressionType: 'LZ4',
      });
      p.catch(() => this.#producers.delete(topic));
      this.#producers.set(topic, p);
    }
    return p;
  }

  async publish(topic: string, message: BusMessage): Promise<void> {
    if (this.#closed) throw new Error('bus is closed');
    const producer = await this.#producer(topic);
    await producer.send({ data: Buffer.from(message.data), properties: message.properties, ...(message.key ? { partitionKey: message.key, orderingKey: message.key } : {}) });
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
    let outstanding = 0;
    let wake: (() => void) | undefined;
    const loop = (async () => {
      while (!stopped) {
        while (outstanding >= options.maxInFlight && !stopped) await new Promise<void>((r) => (wake = r));
        let m: PulsarMessage;
        try {
          // receive(timeout) so that a close can end the loop (pulsar-client-node#152).
          m = await consumer.receive(500);
        } catch {
          continue;
        }
        outstanding += 1;
        let done = false;
        const settle = () => {
          done = true;
          outstanding -= 1;
          wake?.();
        };
        const message: BusMessage = { data: new Uint8Array(m.getData()), properties: m.getProperties(), key: m.getPartitionKey() || undefined };
        const deliveryCount = m.getRedeliveryCount() + 1;
        const deadLetter = async (reason: string) => {
          await this.publish(deadLetterTopic(topic), { ...message, properties: { ...message.properties, [DEAD_LETTER_REASON]: reason, [DEAD_LETTER_FROM]: topic } });
          await consumer.acknowledge(m);
        };
        const delivery: Delivery = {
          topic,
          message,
          deliveryCount,
          ack: async () => {
            if (done) return;
            settle();
            await consumer.acknowledge(m);
          },
          nack: () => {
            if (done) return;
            settle();
            if (deliveryCount >= this.#o.maxDeliveries) void deadLetter(`failed ${deliveryCount} deliveries`).catch(() => consumer.negativeAcknowledge(m));
            else consumer.negativeAcknowledge(m);
          },
          deadLetter: async (reason) => {
            if (done) return;
            settle();
            await deadLetter(reason);
          },
        };
        Promise.resolve()
          .then(() => handler(delivery))
          .catch(() => delivery.nack());
      }
    })();
    return async () => {
      stopped = true;
      wake?.();
      await loop;
      // Closing the consumer hands its unacknowledged messages to the subscription's other consumers.
      await consumer.close();
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const p of this.#producers.values()) {
      const producer = await p.catch(() => null);
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
