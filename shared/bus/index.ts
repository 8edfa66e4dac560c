import { connectWithin, DEFAULT_CONNECT_TIMEOUT_MS } from '../connect.ts';
import { ConfigError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { redact } from '../redact.ts';
import { MemoryBus, type MemoryBusOptions } from './memory.ts';
import type { Bus } from './types.ts';

export * from './types.ts';
export { MemoryBus } from './memory.ts';

/** Picks the bus from its URL: `memory:` (options as query: `memory:?capacity=500&maxDeliveries=3`), `nats://host:4222` or `pulsar://host:6650[?tenant=scalar]`. */
export async function openBus(
  url: string,
  defaults: Partial<MemoryBusOptions> & { environment?: string; ackWaitMs?: number; connectTimeoutMs?: number; publishTimeoutMs?: number; log?: Logger } = {},
): Promise<Bus> {
  const timeout = defaults.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const close = (b: Bus) => b.close();
  if (url.startsWith('pulsar://') || url.startsWith('pulsar+ssl://')) {
    const { PulsarBus } = await import('./pulsar.ts');
    return connectWithin('bus', url, timeout, () => PulsarBus.open(url, {
      environment: defaults.environment ?? 'development',
      maxDeliveries: defaults.maxDeliveries ?? 5,
      redeliveryDelayMs: defaults.redeliveryDelayMs ?? 1000,
      token: process.env.PULSAR__TOKEN,
      log: defaults.log,
    }), close);
  }
  if (url.startsWith('nats://')) {
    const { NatsBus } = await import('./nats.ts');
    return connectWithin('bus', url, timeout, () => NatsBus.open(url, {
      environment: defaults.environment ?? 'development',
      maxDeliveries: defaults.maxDeliveries ?? 5,
      redeliveryDelayMs: defaults.redeliveryDelayMs ?? 1000,
      ackWaitMs: defaults.ackWaitMs ?? 30_000,
      maxAgeDays: 7,
      publishTimeoutMs: defaults.publishTimeoutMs,
      log: defaults.log,
    }), close);
  }
  if (url === 'memory:' || url.startsWith('memory:?')) {
    const q = new URLSearchParams(url.slice('memory:'.length));
    // capacity 0 would make every publish wait forever; the upper bounds keep timers and memory sane.
    const num = (k: keyof MemoryBusOptions, min: number, max: number) => {
      const v = q.get(k);
      if (v === null) return defaults[k];
      const n = /^\d+$/.test(v) ? Number(v) : Number.NaN;
      if (!(n >= min && n <= max)) throw new ConfigError(`bus URL ${url}: ${k} must be a whole number from ${min} to ${max}`);
      return n;
    };
    for (const k of q.keys()) {
      if (!['capacity', 'capacityBytes', 'maxDeliveries', 'redeliveryDelayMs'].includes(k)) throw new ConfigError(`bus URL ${url}: unknown option ${k} (capacity, capacityBytes, maxDeliveries, redeliveryDelayMs)`);
    }
    return new MemoryBus({ capacity: num('capacity', 1, 10_000_000), capacityBytes: num('capacityBytes', 1, 2 ** 40), maxDeliveries: num('maxDeliveries', 1, 1000), redeliveryDelayMs: num('redeliveryDelayMs', 0, 2 ** 31 - 1) });
  }
  throw new ConfigError(`bus URL ${redact(url)}: unsupported scheme (supported: memory:, nats://, pulsar://)`);
}
