import { cacheContract } from './contract.ts';
import { MemoryCache } from './memory.ts';

cacheContract('memory', async () => new MemoryCache());
