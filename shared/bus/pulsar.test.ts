// The bus contract on Pulsar when PULSAR_URL is set (reported as skipped otherwise), and the
// behaviour without the optional pulsar-client module.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../errors.ts';
import { busContract } from './contract.ts';
import { openBus } from './index.ts';
import { PulsarBus, pulsarInitPlan, windowSequence, type PulsarClient } from './pulsar.ts';

const hasClient = await import('pulsar-client' as string).then(() => true, () => false);

describe('pulsar de-duplication keys', () => {
  const window = { dataset: 'entsoe.load', partition: '10YFR-RTE------C', 'window-from': '2025-11-01T00:00:00.000Z', 'window-to': '2025-11-02T00:00:00.000Z' };

  it('gives every re-send of a window run the same producer and sequence id, and a later run a larger one', () => {
    const first = windowSequence('production', { ...window, 'fetched-at': '2025-11-02T10:00:00.000Z' });
    const resent = windowSequence('production', { ...window, 'fetched-at': '2025-11-02T10:00:00.000Z', 'run-id': 'other' });
    const later = windowSequence('production', { ...window, 'fetched-at': '2025-11-02T10:15:00.000Z' });
    assert.deepEqual(resent, first);
    assert.equal(later!.producerName, first!.producerName);
    assert.ok(later!.sequenceId > first!.sequenceId);
    assert.match(first!.producerName, /^scalar-production-entsoe\.load-10YFR-RTE------C$/);
  });

  it('leaves dead letters and foreign messages without a sequence id', () => {
    assert.equal(windowSequence('production', { ...window, 'fetched-at': '2025-11-02T10:00:00.000Z', 'dead-letter-reason': 'x' }), null);
    assert.equal(windowSequence('production', { schema: 'nope' }), null);
  });
});

/** The part of pulsar-client the bus calls, recording what the adapter does with its producers. */
function fakeClient(o: { failSends?: number } = {}) {
  let failSends = o.failSends ?? 0;
  const producers: { name: string; topic: string; sent: { sequenceId?: number; data: string }[]; closed: boolean }[] = [];
  const client: PulsarClient = {
    async createProducer(c) {
      const p = { name: String(c.producerName), topic: String(c.topic), sent: [] as { sequenceId?: number; data: string }[], closed: false };
      producers.push(p);
      return {
        async send(m) {
          if (p.closed) throw new Error('AlreadyClosed');
          if (failSends > 0) {
            failSends -= 1;
            throw new Error('ProducerBlockedQuotaExceededError');
          }
          p.sent.push({ sequenceId: m.sequenceId, data: m.data.toString() });
          return null;
        },
        flush: async () => null,
        async close() {
          p.closed = true;
          return null;
        },
      };
    },
    subscribe: async () => assert.fail('not subscribed in these tests'),
    close: async () => null,
  };
  return { client, producers };
}

describe('pulsar producers', () => {
  const o = { environment: 'production', tenant: 'scalar', maxDeliveries: 3, redeliveryDelayMs: 100 };
  const raw = (partition: string, fetchedAt: string) => ({
    data: new TextEncoder().encode(`${partition} ${fetchedAt}`),
    properties: { dataset: 'entsoe.load', partition, 'window-from': '2025-11-01T00:00:00.000Z', 'window-to': '2025-11-02T00:00:00.000Z', 'fetched-at': fetchedAt },
  });

  it('creates one producer per partition name and per topic, reuses it for every later send, and closes them all on close', async () => {
    const { client, producers } = fakeClient();
    const bus = PulsarBus.over(client, o);
    await bus.publish('entsoe', raw('FR', '2025-11-02T10:00:00.000Z'));
    await bus.publish('entsoe', raw('FR', '2025-11-02T10:15:00.000Z'));
    await bus.publish('entsoe', raw('DE', '2025-11-02T10:01:00.000Z'));
    await bus.publish('entsoe', { data: new Uint8Array([1]), properties: { schema: 'other' } });
    await bus.publish('entsoe', { data: new Uint8Array([2]), properties: { schema: 'other' } });
    assert.deepEqual(producers.map((p) => p.name).sort(), [
      'scalar-production-entsoe.load-DE',
      'scalar-production-entsoe.load-FR',
      producers.find((p) => !p.name.includes('entsoe.load'))!.name,
    ].sort());
    const fr = producers.find((p) => p.name.endsWith('-FR'))!;
    // The window-derived sequence ids still go out, each on its partition's producer.
    assert.deepEqual(fr.sent.map((m) => m.sequenceId), [Date.parse('2025-11-02T10:00:00.000Z'), Date.parse('2025-11-02T10:15:00.000Z')]);
    assert.equal(producers.find((p) => !p.name.includes('entsoe.load'))!.sent.length, 2);
    assert.ok(producers.every((p) => !p.closed), 'a producer was closed while the bus is open');
    await bus.close();
    assert.ok(producers.every((p) => p.closed), 'a producer outlived its bus');
  });

  it('re-creates a producer after a send failed on it, and the failed window goes out again with the same sequence id', async () => {
    const { client, producers } = fakeClient({ failSends: 1 });
    const bus = PulsarBus.over(client, o);
    const w = raw('FR', '2025-11-02T10:00:00.000Z');
    await assert.rejects(bus.publish('entsoe', w), /ProducerBlockedQuotaExceededError/);
    await bus.publish('entsoe', w);
    assert.equal(producers.length, 2);
    assert.equal(producers[0]!.closed, true, 'the failed producer was not closed');
    assert.deepEqual(producers[1]!.sent.map((m) => m.sequenceId), [Date.parse('2025-11-02T10:00:00.000Z')]);
    await bus.publish('entsoe', raw('FR', '2025-11-02T10:15:00.000Z'));
    assert.equal(producers.length, 2, 'the new producer was not reused');
    await bus.close();
  });

  it('closes a window producer left idle, so the process that takes over the partition can use the name, and creates it again when needed', async () => {
    const { client, producers } = fakeClient();
    const bus = PulsarBus.over(client, { ...o, producerIdleMs: 100 });
    await bus.publish('entsoe', raw('FR', '2025-11-02T10:00:00.000Z'));
    for (let i = 0; i < 100 && !producers[0]!.closed; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(producers[0]!.closed, true, 'the idle producer was not closed');
    await bus.publish('entsoe', raw('FR', '2025-11-02T10:15:00.000Z'));
    assert.equal(producers.length, 2);
    assert.equal(producers[1]!.closed, false);
    await bus.close();
  });
});

describe('pulsar bus', () => {
  it('says what is missing and how to install it when pulsar-client is absent', { skip: hasClient ? 'pulsar-client is installed here' : false }, async () => {
    await assert.rejects(openBus('pulsar://127.0.0.1:6650'), (e: unknown) => e instanceof ConfigError && /npm install pulsar-client/.test(e.message));
  });

  it('plans the admin calls of `scalar pulsar init`', () => {
    const plan = pulsarInitPlan({ tenant: 'scalar', environments: ['production'], topics: ['entsoe'], cluster: 'standalone', retentionMinutes: 10080, retentionMb: 2048 });
    assert.deepEqual(plan.map((c) => `${c.method} ${c.path}`), [
      'PUT /admin/v2/tenants/scalar',
      'PUT /admin/v2/namespaces/scalar/production',
      'POST /admin/v2/namespaces/scalar/production/deduplication',
      'POST /admin/v2/namespaces/scalar/production/retention',
      'PUT /admin/v2/persistent/scalar/production/entsoe',
      'PUT /admin/v2/persistent/scalar/production/entsoe.dlq',
    ]);
  });
});

if (process.env.PULSAR_URL) {
  busContract('pulsar', {
    open: () => PulsarBus.open(process.env.PULSAR_URL!, { environment: 'default', tenant: 'public', maxDeliveries: 3, redeliveryDelayMs: 100 }),
    maxDeliveries: 3,
  });
} else {
  describe('bus contract: pulsar', () => {
    it('skipped: PULSAR_URL is not set (e.g. pulsar://127.0.0.1:6650)', { skip: 'PULSAR_URL not set' }, () => {});
  });
}
