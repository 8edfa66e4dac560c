// Latest values in Redis: one hash per series (`<prefix>:latest:<dataset>:<series_key>`), a set of
// series keys per dataset, and a pub/sub channel carrying every change for live views.
// node-redis directly rather than redis-om: redis-om's HASH save drops what it does not model and
// it does not support node-redis 5 (redis-om#264); the two commands below are all a cache needs.
import { createClient, type RedisClientType } from 'redis';
import type { Cache, CacheListener, LatestValue } from './types.ts';

// Newer instant wins; the same instant with another value is a revision. Returns 1 when it changed.
const REFRESH = `
local cur = redis.call('HGET', KEYS[1], 'ts')
if cur and tonumber(cur) > tonumber(ARGV[1]) then return 0 end
if cur and tonumber(cur) == tonumber(ARGV[1]) and redis.call('HGET', KEYS[1], 'value') == ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'ts', ARGV[1], 'value', ARGV[2], 'unit', ARGV[3], 'resolution', ARGV[4], 'series', ARGV[5])
redis.call('SADD', KEYS[2], ARGV[6])
return 1`;

type Wire = { dataset: string; seriesKey: string; series: Record<string, string>; ts: number; value: number | null; unit: string; resolution: string };

const toWire = (v: LatestValue): Wire => ({ ...v, series: { ...v.series }, ts: v.ts.getTime() });
const fromWire = (w: Wire): LatestValue => ({ ...w, ts: new Date(w.ts) });

export class RedisCache implements Cache {
  readonly #client: RedisClientType;
  readonly #prefix: string;
  #subscriber: RedisClientType | undefined;
  readonly #listeners = new Set<CacheListener>();

  private constructor(client: RedisClientType, prefix: string) {
    this.#client = client;
    this.#prefix = prefix;
  }

  /** `redis://host:6379[/db][?prefix=scalar]` */
  static async open(url: string, connectTimeoutMs = 10_000): Promise<RedisCache> {
    const u = new URL(url);
    const prefix = u.searchParams.get('prefix') ?? 'scalar';
    u.search = '';
    // The first connection must succeed or fail (node-redis would otherwise retry it forever and
    // `connect()` never settles); once up, it reconnects by itself with backoff.
    let connected = false;
    const client = createClient({
      url: u.toString(),
      socket: {
        connectTimeout: connectTimeoutMs,
        reconnectStrategy: (retries: number, cause: Error) => (connected ? Math.min(100 * 2 ** retries, 5000) : cause),
      },
    }) as RedisClientType;
    client.on('error', () => undefined); // commands fail while it is down
    await client.connect();
    connected = true;
    return new RedisCache(client, prefix);
  }

  #key(dataset: string, seriesKey: string) {
    return `${this.#prefix}:latest:${dataset}:${seriesKey}`;
  }

  #index(dataset: string) {
    return `${this.#prefix}:series:${dataset}`;
  }

  get #channel() {
    return `${this.#prefix}:changes`;
  }

  async refresh(values: readonly LatestValue[]): Promise<LatestValue[]> {
    const results = await Promise.all(
      values.map((v) =>
        this.#client.eval(REFRESH, {
          keys: [this.#key(v.dataset, v.seriesKey), this.#index(v.dataset)],
          arguments: [String(v.ts.getTime()), v.value === null ? '' : String(v.value), v.unit, v.resolution, JSON.stringify(v.series), v.seriesKey],
        }),
      ),
    );
    const changed = values.filter((_, i) => results[i] === 1);
    if (changed.length > 0) await this.#client.publish(this.#channel, JSON.stringify(changed.map(toWire)));
    return changed;
  }

  async latest(dataset: string, seriesKey?: string): Promise<LatestValue[]> {
    const keys = seriesKey === undefined ? (await this.#client.sMembers(this.#index(dataset))).sort() : [seriesKey];
    const out: LatestValue[] = [];
    for (const k of keys) {
      const h = await this.#client.hGetAll(this.#key(dataset, k));
      if (!h.ts) continue;
      out.push({
        dataset,
        seriesKey: k,
        series: JSON.parse(h.series ?? '{}') as Record<string, string>,
        ts: new Date(Number(h.ts)),
        value: h.value === '' || h.value === undefined ? null : Number(h.value),
        unit: h.unit ?? '',
        resolution: h.resolution ?? '',
      });
    }
    return out;
  }

  onChange(listener: CacheListener): () => void {
    this.#listeners.add(listener);
    if (!this.#subscriber) {
      const sub = this.#client.duplicate() as RedisClientType;
      this.#subscriber = sub;
      sub.on('error', () => undefined);
      void sub.connect().then(() =>
        sub.subscribe(this.#channel, (message) => {
          const changed = (JSON.parse(message) as Wire[]).map(fromWire);
          for (const l of this.#listeners) l(changed);
        }),
      );
    }
    return () => this.#listeners.delete(listener);
  }

  /** Resolves once the change feed is subscribed (tests wait for it; changes before it are not seen). */
  async ready(): Promise<void> {
    for (let i = 0; i < 100 && !this.#subscriber?.isReady; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
  }

  async ping(): Promise<void> {
    await this.#client.ping();
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    if (this.#subscriber?.isOpen) await this.#subscriber.quit();
    if (this.#client.isOpen) await this.#client.quit();
  }
}
