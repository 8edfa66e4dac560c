import { randomUUID } from 'node:crypto';
import { busContract } from './contract.ts';
import { NatsBus } from './nats.ts';

const NATS = process.env.SCALAR_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

// A fresh environment (stream) per test keeps runs apart on the shared server.
busContract('nats jetstream', {
  open: () => NatsBus.open(NATS, { environment: `test-${randomUUID().slice(0, 8)}`, maxDeliveries: 3, redeliveryDelayMs: 50, ackWaitMs: 1500, maxAgeDays: 1 }),
  maxDeliveries: 3,
});
