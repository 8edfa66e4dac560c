// The bus contract on Pulsar when PULSAR_URL is set (reported as skipped otherwise), and the
// behaviour without the optional pulsar-client module.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../errors.ts';
import { busContract } from './contract.ts';
import { openBus } from './index.ts';
import { PulsarBus, pulsarInitPlan, windowSequence } from './pulsar.ts';

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
