// Latest values in Redis: one hash per series (`<prefix>:latest:<dataset>:<series_key>`), a set of
// series keys per dataset, and a pub/sub channel carrying every change for live views.
// node-redis directly rather than redis-om: redis-om's HASH save drops what it does not model and
// it does not support node-redis 5 (redis-om#264); the two commands below are all a cache needs.
import { createHash } from 'node:crypto';
import { createClient, type RedisClientType } from 'redis';
import { redisLiveness } from '../connect.ts';
import type { Cache, CacheListener, LatestValue } from './types.ts';

// Newer instant wins; the same instant with another value is a revision. One call refreshes a whole
// chunk: KEYS are (hash, series index) pairs, ARGV six values per series; answers a 1/0 per series
// (1 = changed). Loaded once and called by its SHA (EVALSHA), so the script text is not resent.
const REFRESH = `
local changed = {}
for i = 1, #KEYS / 2 do
  local key, index, a = KEYS[2 * i - 1], KEYS[2 * i], (i - 1) * 6
  local ts = tonumber(ARGV[a + 1])
  local cur = redis.call('HMGET', key, 'ts', 'value')
  local curTs = cur[1] and tonumber(cur[1])
  if curTs and (curTs > ts or (curTs == ts and cur[2] == ARGV[a + 2])) then
    changed[i] = 0
  else
    redis.call('HSET', key, 'ts', ARGV[a + 1], 'value', ARGV[a + 2], 'unit', ARGV[a + 3], 'resolution', ARGV[a + 4], 'series', ARGV[a + 5])
    redis.call('SADD', index, ARGV[a + 6])
    changed[i] = 1
  end
end
return changed`;
const REFRESH_SHA = createHash('sha1').update(REFRESH).digest('hex');
/** Series per script call: large enough to amortise the round trip, small enough not to hold Redis for long. */
const REFRESH_CHUNK = 500;

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
  static async open(url: string, connectTimeoutMs = 10_000, o: { silentAfterMs?: number } = {}): Promise<RedisCache> {
    const u = new URL(url);
    const prefix = u.searchParams.get('prefix') ?? 'scalar';
    u.search = '';
    // The first connection must succeed or fail (node-redis would otherwise retry it forever and
    // `connect()` never settles); once up, it reconnects by itself with backoff.
    let connected = false;
    const { pingInterval, socketTimeout } = redisLiveness(o.silentAfterMs);
    const client = createClient({
      url: u.toString(),
      pingInterval,
      socket: {
        connectTimeout: connectTimeoutMs,
        socketTimeout,
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
    // Chunks are sent together (node-redis pipelines commands written in the same tick).
    const chunks: Promise<unknown>[] = [];
    for (let i = 0; i < values.length; i += REFRESH_CHUNK) {
      const keys: string[] = [];
      const args: string[] = [];
      for (const v of values.slice(i, i + REFRESH_CHUNK)) {
        keys.push(this.#key(v.dataset, v.seriesKey), this.#index(v.dataset));
        args.push(String(v.ts.getTime()), v.value === null ? '' : String(v.value), v.unit, v.resolution, JSON.stringify(v.series), v.seriesKey);
      }
      chunks.push(this.#refreshScript(keys, args));
    }
    const results = (await Promise.all(chunks)).flatMap((r) => r as number[]);
    const changed = values.filter((_, i) => results[i] === 1);
    if (changed.length > 0) await this.#client.publish(this.#channel, JSON.stringify(changed.map(toWire)));
    return changed;
  }

  /** EVALSHA; when the server does not know the script (restart, SCRIPT FLUSH) it is loaded and called again. */
  async #refreshScript(keys: string[], args: string[]): Promise<unknown> {
    try {
      return await this.#client.evalSha(REFRESH_SHA, { keys, arguments: args });
    } catch (e) {
      if (!String((e as Error).message).startsWith('NOSCRIPT')) throw e;
      await this.#client.scriptLoad(REFRESH);
      return this.#client.evalSha(REFRESH_SHA, { keys, arguments: args });
    }
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
