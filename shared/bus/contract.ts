// The behaviour every Bus implementation must show. Run by each implementation's test file
// against a fresh bus; topics are unique per test so a shared real broker works too.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { DEAD_LETTER_FROM, DEAD_LETTER_REASON, deadLetterTopic, type Bus, type Delivery } from './types.ts';

export type BusContractOptions = {
  /** A bus whose nacked messages come back quickly and dead-letter after `maxDeliveries`. */
  open(): Promise<Bus>;
  maxDeliveries: number;
  /** Capacity of a topic, when the implementation bounds it by message count (publish then waits). */
  capacity?: number;
};

const text = (d: Delivery) => new TextDecoder().decode(d.message.data);
const msg = (s: string, properties: Record<string, string> = {}) => ({ data: new TextEncoder().encode(s), properties, key: 'k' });

/** Resolves with the first `n` deliveries seen by a fresh subscription. */
function collect(bus: Bus, topics: string[], n: number, opts: { subscription?: string; maxInFlight?: number; maxInFlightBytes?: number; onDelivery?: (d: Delivery) => void | Promise<void> } = {}) {
  const got: Delivery[] = [];
  let resolveAll: (d: Delivery[]) => void;
  const done = new Promise<Delivery[]>((r) => (resolveAll = r));
  const sub = bus.subscribe(topics, { subscription: opts.subscription ?? 'test', maxInFlight: opts.maxInFlight ?? 10, maxInFlightBytes: opts.maxInFlightBytes }, async (d) => {
    got.push(d);
    await opts.onDelivery?.(d);
    if (got.length === n) resolveAll(got);
  });
  return { done: withTimeout(done, 10_000, `expected ${n} deliveries`), sub };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms))),
  ]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function busContract(name: string, o: BusContractOptions): void {
  describe(`bus contract: ${name}`, () => {
    const topic = () => `t-${randomUUID().slice(0, 8)}`;

    it('delivers bytes and properties intact, and an acked message never comes back', async () => {
      const bus = await o.open();
      const t = topic();
      await bus.publish(t, msg('héllo', { dataset: 'x.y', sha256: 'abc' }));
      const first = collect(bus, [t], 1, { onDelivery: (d) => d.ack() });
      const [d] = await first.done;
      assert.equal(text(d!), 'héllo');
      assert.equal(d!.message.properties.dataset, 'x.y');
      assert.equal(d!.deliveryCount, 1);
      await (await first.sub).close();
      const again = collect(bus, [t], 1);
      await assert.rejects(withTimeout(again.done, 500, 'no redelivery'), /timed out/);
      await (await again.sub).close();
      await bus.close();
    });

    it('answers a ping, and counts waiting plus unacknowledged messages as the backlog', async () => {
      const bus = await o.open();
      await bus.ping?.();
      if (bus.backlog) {
        const t = topic();
        const held = collect(bus, [t], 1);
        await held.sub;
        for (const s of ['a', 'b', 'c']) await bus.publish(t, msg(s, { dataset: 'x.y' }));
        await held.done;
        // Delivered but not acknowledged, or not yet delivered: either way the backlog.
        for (let i = 0; i < 50 && (await bus.backlog(t, 'test')) !== 3; i++) await sleep(20);
        assert.equal(await bus.backlog(t, 'test'), 3);
        await (await held.sub).close();
      }
      await bus.close();
    });

    it('redelivers a nacked message with a higher delivery count', async () => {
      const bus = await o.open();
      const t = topic();
      await bus.publish(t, msg('retry me'));
      const c = collect(bus, [t], 2, { onDelivery: (d) => (d.deliveryCount === 1 ? d.nack() : d.ack()) });
      const [a, b] = await c.done;
      assert.deepEqual([a!.deliveryCount, b!.deliveryCount], [1, 2]);
      assert.equal(text(b!), 'retry me');
      await (await c.sub).close();
      await bus.close();
    });

    it('dead-letters a message after maxDeliveries failed deliveries, with the reason', async () => {
      const bus = await o.open();
      const t = topic();
      await bus.publish(t, msg('poison', { dataset: 'x.y' }));
      const failing = collect(bus, [t], o.maxDeliveries, { onDelivery: (d) => d.nack() });
      const dlq = collect(bus, [deadLetterTopic(t)], 1, { subscription: 'dlq', onDelivery: (d) => d.ack() });
      await failing.done;
      const [dead] = await dlq.done;
      assert.equal(text(dead!), 'poison');
      assert.equal(dead!.message.properties.dataset, 'x.y');
      assert.equal(dead!.message.properties[DEAD_LETTER_FROM], t);
      assert.match(dead!.message.properties[DEAD_LETTER_REASON] ?? '', /deliveries/);
      for (const s of [failing.sub, dlq.sub]) await (await s).close();
      await bus.close();
    });

    it('dead-letters at once when told the message can never succeed', async () => {
      const bus = await o.open();
      const t = topic();
      await bus.publish(t, msg('bad'));
      await bus.publish(t, msg('good'));
      const seen: string[] = [];
      const c = collect(bus, [t], 2, { onDelivery: (d) => { seen.push(text(d)); return text(d) === 'bad' ? d.deadLetter('ParseError: nope') : d.ack(); } });
      const dlq = collect(bus, [deadLetterTopic(t)], 1, { subscription: 'dlq', onDelivery: (d) => d.ack() });
      await c.done;
      const [dead] = await dlq.done;
      assert.equal(dead!.message.properties[DEAD_LETTER_REASON], 'ParseError: nope');
      assert.deepEqual(seen.sort(), ['bad', 'good']);
      for (const s of [c.sub, dlq.sub]) await (await s).close();
      await bus.close();
    });

    it('never delivers again a message it dead-lettered, whatever its reason holds (quotes, line breaks)', async () => {
      const bus = await o.open();
      const t = topic();
      await bus.publish(t, msg('poison', { 'run-id': 'r1', sha256: 'abc' }));
      let deliveries = 0;
      const sub = await bus.subscribe([t], { subscription: 'test', maxInFlight: 4 }, async (d) => {
        deliveries += 1;
        await d.deadLetter('ParseError: record 0: "yesterday" is not a timestamp\n  at line 2');
      });
      const dlq = collect(bus, [deadLetterTopic(t)], 1, { subscription: 'dlq', onDelivery: (d) => d.ack() });
      const [dead] = await dlq.done;
      assert.match(dead!.message.properties[DEAD_LETTER_REASON] ?? '', /"yesterday" is not a timestamp/);
      // longer than any test bus's ack wait: an unsettled message would be back by now
      await sleep(2500);
      assert.equal(deliveries, 1);
      await sub.close();
      await (await dlq.sub).close();
      await bus.close();
    });

    it('hands unacknowledged messages to the next consumer when one goes away (crash)', async () => {
      const bus = await o.open();
      const t = topic();
      for (const s of ['a', 'b', 'c']) await bus.publish(t, msg(s));
      const crashing = collect(bus, [t], 3); // receives, never acks
      await crashing.done;
      await (await crashing.sub).close();
      const next = collect(bus, [t], 3, { onDelivery: (d) => d.ack() });
      const got = await next.done;
      assert.deepEqual(got.map(text).sort(), ['a', 'b', 'c']);
      assert.ok(got.every((d) => d.deliveryCount >= 2));
      await (await next.sub).close();
      await bus.close();
    });

    it('shares a subscription between consumers: each message to exactly one of them', async () => {
      const bus = await o.open();
      const t = topic();
      const seen: string[] = [];
      let resolve: () => void;
      const all = new Promise<void>((r) => (resolve = r));
      const handler = async (d: Delivery) => {
        seen.push(text(d));
        await d.ack();
        if (seen.length === 20) resolve();
      };
      const s1 = await bus.subscribe([t], { subscription: 'shared', maxInFlight: 2 }, handler);
      const s2 = await bus.subscribe([t], { subscription: 'shared', maxInFlight: 2 }, handler);
      for (let i = 0; i < 20; i++) await bus.publish(t, msg(String(i)));
      await withTimeout(all, 10_000, '20 deliveries');
      await sleep(200);
      assert.equal(seen.length, 20);
      assert.equal(new Set(seen).size, 20);
      await s1.close();
      await s2.close();
      await bus.close();
    });

    it('keeps publish order for one consumer and never exceeds maxInFlight', async () => {
      const bus = await o.open();
      const t = topic();
      for (let i = 0; i < 30; i++) await bus.publish(t, msg(String(i)));
      let inFlight = 0;
      let peak = 0;
      const order: number[] = [];
      const c = collect(bus, [t], 30, {
        maxInFlight: 3,
        onDelivery: async (d) => {
          inFlight += 1;
          peak = Math.max(peak, inFlight);
          order.push(Number(text(d)));
          await sleep(5);
          inFlight -= 1;
          await d.ack();
        },
      });
      await c.done;
      assert.ok(peak <= 3, `peak in flight ${peak}`);
      assert.deepEqual(order, [...order].sort((a, b) => a - b));
      await (await c.sub).close();
      await bus.close();
    });

    it('never holds more than maxInFlightBytes of message data, and delivers a larger message alone', async () => {
      const bus = await o.open();
      const t = topic();
      const sizes = [...Array<number>(8).fill(1000), 5000, ...Array<number>(4).fill(1000)];
      for (const [i, n] of sizes.entries()) await bus.publish(t, { data: new Uint8Array(n).fill(48 + (i % 10)), properties: { i: String(i) }, key: 'k' });
      const held = new Set<Delivery>();
      let peak = 0;
      let heldWithLarge = -1;
      const c = collect(bus, [t], sizes.length, {
        maxInFlight: 10,
        maxInFlightBytes: 3000,
        onDelivery: async (d) => {
          held.add(d);
          const bytes = [...held].reduce((n, x) => n + x.message.data.byteLength, 0);
          if (d.message.data.byteLength === 5000) heldWithLarge = held.size - 1;
          else peak = Math.max(peak, bytes);
          await sleep(20);
          held.delete(d);
          await d.ack();
        },
      });
      await c.done;
      assert.ok(peak <= 3000, `peak ${peak} bytes in flight`);
      assert.ok(peak > 1000, `deliveries overlapped (peak ${peak} bytes)`);
      assert.equal(heldWithLarge, 0, 'the 5000-byte message was held beside others');
      await (await c.sub).close();
      await bus.close();
    });

    if (o.capacity !== undefined) {
      const capacity = o.capacity;
      it(`makes a publisher wait once ${capacity} messages are outstanding (backpressure)`, async () => {
        const bus = await o.open();
        const t = topic();
        for (let i = 0; i < capacity; i++) await bus.publish(t, msg(String(i)));
        let published = false;
        const blocked = bus.publish(t, msg('one too many')).then(() => (published = true));
        await sleep(100);
        assert.equal(published, false, 'publish should wait while the topic is full');
        const c = collect(bus, [t], capacity + 1, { onDelivery: (d) => d.ack() });
        await blocked;
        assert.equal(published, true);
        await c.done;
        await (await c.sub).close();
        await bus.close();
      });
    }

    it('closes cleanly, and refuses to publish afterwards', async () => {
      const bus = await o.open();
      await bus.close();
      await assert.rejects(bus.publish(topic(), msg('late')));
    });
  });
}
