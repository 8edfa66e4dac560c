import { randomUUID } from 'node:crypto';
import { cacheContract } from './contract.ts';
import { RedisCache } from './redis.ts';

const REDIS = process.env.SCALAR_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

// A fresh key prefix per test keeps runs apart on a shared server.
cacheContract('redis', () => RedisCache.open(`${REDIS}?prefix=scalar-test-${randomUUID().slice(0, 8)}`));
