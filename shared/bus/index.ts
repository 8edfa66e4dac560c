import { ConfigError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { MemoryBus, type MemoryBusOptions } from './memory.ts';
import type { Bus } from './types.ts';

export * from './types.ts';
export { MemoryBus } from './memory.ts';

/** Picks the bus from its URL: `memory:` (options as query: `memory:?capacity=500&maxDeliveries=3`), `nats://host:4222` or `pulsar://host:6650[?tenant=scalar]`. */
export async function openBus(
  url: string,
  defaults: Partial<MemoryBusOptions> & { environment?: string; ackWaitMs?: number; publishTimeoutMs?: number; log?: Logger } = {},
): Promise<Bus> {
  if (url.startsWith('pulsar://') || url.startsWith('pulsar+ssl://')) {
    const { PulsarBus } = await import('./pulsar.ts');
    return PulsarBus.open(url, {
      environment: defaults.environment ?? 'development',
      maxDeliveries: defaults.maxDeliveries ?? 5,
      redeliveryDelayMs: defaults.redeliveryDelayMs ?? 1000,
      token: process.env.PULSAR__TOKEN,
      log: defaults.log,
    });
  }
  if (url.startsWith('nats://')) {
    const { NatsBus } = await import('./nats.ts');
    return NatsBus.open(url, {
      environment: defaults.environment ?? 'development',
      maxDeliveries: defaults.maxDeliveries ?? 5,
      redeliveryDelayMs: defaults.redeliveryDelayMs ?? 1000,
      ackWaitMs: defaults.ackWaitMs ?? 30_000,
      maxAgeDays: 7,
      publishTimeoutMs: defaults.publishTimeoutMs,
      log: defaults.log,
    });
  }
  if (url === 'memory:' || url.startsWith('memory:?')) {
    const q = new URLSearchParams(url.slice('memory:'.length));
    const num = (k: keyof MemoryBusOptions) => {
      const v = q.get(k);
      if (v === null) return defaults[k];
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) throw new ConfigError(`bus URL ${url}: ${k} must be a non-negative number`);
      return n;
    };
    return new MemoryBus({ capacity: num('capacity'), maxDeliveries: num('maxDeliveries'), redeliveryDelayMs: num('redeliveryDelayMs') });
  }
  throw new ConfigError(`bus URL ${url}: unsupported scheme (supported: memory:, nats://, pulsar://)`);
}
