import { busContract } from './contract.ts';
import { MemoryBus } from './memory.ts';

busContract('memory', {
  open: async () => new MemoryBus({ maxDeliveries: 3, redeliveryDelayMs: 20, capacity: 50 }),
  maxDeliveries: 3,
  capacity: 50,
});
