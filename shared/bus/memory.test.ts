import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Delivery } from './types.ts';
import { busContract } from './contract.ts';
import { MemoryBus } from './memory.ts';

busContract('memory', {
  open: async () => new MemoryBus({ maxDeliveries: 3, redeliveryDelayMs: 20, capacity: 50 }),
  maxDeliveries: 3,
  capacity: 50,
});

// --- throughput: byte bound ---

it('memory bus: publish waits while a subscription holds capacityBytes of data, and a single larger message still passes', async () => {
  const bus = new MemoryBus({ capacity: 1000, capacityBytes: 100 });
  const held: Delivery[] = [];
  await bus.subscribe(['t'], { subscription: 's', maxInFlight: 10 }, async (d) => void held.push(d));
  await bus.publish('t', { data: new Uint8Array(500), properties: {} });
  let second = false;
  const publishing = bus.publish('t', { data: new Uint8Array(10), properties: {} }).then(() => (second = true));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(second, false, 'waits: 500 bytes held, more than the 100 allowed');
  while (held.length === 0) await new Promise((r) => setTimeout(r, 5));
  await held[0]!.ack();
  await publishing;
  assert.equal(second, true);
  await bus.close();
});
// --- end throughput ---
