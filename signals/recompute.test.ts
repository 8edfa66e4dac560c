import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Observation } from '../shared/observation.ts';
import { derivationId, touches } from './recompute.ts';
import { affected } from './role.ts';
import { buildSignals } from './index.ts';
import { TEST_DATASETS } from './test-kit.ts';

const signals = buildSignals(TEST_DATASETS);

const out = (ts: string, resolution: string): Observation => ({ dataset: 's', series: {}, ts: new Date(ts), resolution, value: 1, unit: 'MW' });
const range = (from: string, to: string) => ({ from: new Date(from), to: new Date(to) });

test('an hour changed at 21:30Z touches the 25-hour local day of 2025-10-26 (starts 22:00Z the day before) and its own hour only', () => {
  const changed = range('2025-10-26T21:30:00Z', '2025-10-26T21:30:00.001Z');
  assert.equal(touches(out('2025-10-25T22:00:00Z', 'P1D'), changed), true);
  assert.equal(touches(out('2025-10-26T23:00:00Z', 'P1D'), changed), false);
  assert.equal(touches(out('2025-10-26T21:00:00Z', 'PT60M'), changed), true);
  assert.equal(touches(out('2025-10-26T20:00:00Z', 'PT60M'), changed), false);
});

test('an event reaches the signals reading one of its datasets, with the union of their ranges', () => {
  const event = {
    schema: 'scalar.landed/v1' as const,
    datasets: [
      { dataset: 'alpha.load', seriesKeys: [], from: new Date('2025-01-01T00:00:00Z'), to: new Date('2025-01-01T01:00:00Z') },
      { dataset: 'alpha.generation', seriesKeys: [], from: new Date('2025-01-01T05:00:00Z'), to: new Date('2025-01-01T06:00:00Z') },
    ],
    payloads: [],
  };
  assert.deepEqual(affected(signals, event).map((a) => [a.signal.id, a.changed]), [
    ['signals.residual_load', range('2025-01-01T00:00:00Z', '2025-01-01T06:00:00Z')],
    // One forecast descriptor per zone (BE, DK1), both reading load and generation.
    ['signals.imbalance_price_forecast', range('2025-01-01T00:00:00Z', '2025-01-01T06:00:00Z')],
    ['signals.imbalance_price_forecast', range('2025-01-01T00:00:00Z', '2025-01-01T06:00:00Z')],
  ]);
});

test('the derivation id changes with any input value and only then', () => {
  const a = [[out('2025-01-01T00:00:00Z', 'PT60M')]];
  const b = [[{ ...out('2025-01-01T00:00:00Z', 'PT60M'), value: 2 }]];
  assert.equal(derivationId('signals.x', a), derivationId('signals.x', [[out('2025-01-01T00:00:00Z', 'PT60M')]]));
  assert.notEqual(derivationId('signals.x', a), derivationId('signals.x', b));
});
