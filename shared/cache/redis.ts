// Latest values in Redis: one hash per dataset (`<prefix>:latest:<dataset>`), a field per series
// key holding `<ts ms>\t<value>\t<JSON [unit, resolution, series]>`, and a pub/sub channel carrying
// every change for live views. One field per series (rather than a hash per series and an index set)
// lets a whole batch be compared with one HMGET and written with one variadic HSET, and `latest` of
// a dataset is one HGETALL. Values are numbers and the rest is JSON, which escapes tabs: a field holds
// exactly two raw tabs.
// node-redis directly rather than redis-om: redis-om's HASH save drops what it does not model and
// it does not support node-redis 5 (redis-om#264); the two commands below are all a cache needs.
import { createHash } from 'node:crypto';
import { createClient, type RedisClientType } from 'redis';
import { redisLiveness } from '../connect.ts';
import type { Cache, CacheListener, LatestValue } from './types.ts';

// Newer instant wins; the same instant with another value is a revision. One call refreshes a chunk
// of one dataset: KEYS[1] is its hash, ARGV[1] the dataset, ARGV[2] the change channel, then (series
// key, packed value) pairs. It publishes what it wrote ([dataset, [key, packed, ...]] in MessagePack:
// cmsgpack copies the strings, cjson escapes every quote and costs as much as the writes) itself, so
// a refresh is one round trip and the client never encodes the change feed. It answers the number
// of pairs when every one changed (the usual case, a reply of one integer), else the 1-based
// positions of the pairs that changed. A series given twice in a chunk is compared with what the
// chunk took before (`taken`), as if the pairs came one by one. Loaded once and called by its SHA
// (EVALSHA), so the script text is not resent.
const REFRESH = `
local n = (#ARGV - 2) / 2
local fields = {}
for i = 1, n do fields[i] = ARGV[2 * i + 1] end
local cur = redis.call('HMGET', KEYS[1], unpack(fields))
local writes, changed, taken = {}, {}, {}
for i = 1, n do
  local new, old = ARGV[2 * i + 2], taken[fields[i]] or cur[i]
  local take = true
  if old then
    local ot, ov = string.match(old, '^([^\t]*)\t([^\t]*)')
    local nt, nv = string.match(new, '^([^\t]*)\t([^\t]*)')
    ot, nt = tonumber(ot), tonumber(nt)
    take = not (ot > nt or (ot == nt and ov == nv))
  end
  if take then
    writes[#writes + 1] = fields[i]
    writes[#writes + 1] = new
    taken[fields[i]] = new
    changed[#changed + 1] = i
  end
end
if #writes > 0 then
  redis.call('HSET', KEYS[1], unpack(writes))
  redis.call('PUBLISH', ARGV[2], cmsgpack.pack({ARGV[1], writes}))
end
if #changed == n then return n end
return changed`;
const REFRESH_SHA = createHash('sha1').update(REFRESH).digest('hex');
/**
 * Series per script call: large enough to amortise the call (~1 µs a series on the server), small
 * enough not to hold Redis for long, and within Lua's `unpack` limit (8000 values).
 */
const REFRESH_CHUNK = 1000;

/**
 * A message on the change channel: [dataset, [series key, packed value, ...]] as cmsgpack writes it.
 * Only strings and arrays occur, so this reads just those (no library for ~20 lines).
 */
export function decodeChanges(message: Buffer): { dataset: string; written: string[] } {
  let at = 0;
  const length = (tag: number, small: number, bytes8: number): number => {
    if (tag === bytes8) return message[at++]!;
    if (tag === bytes8 + 1) return (at += 2), message.readUInt16BE(at - 2);
    if (tag === bytes8 + 2) return (at += 4), message.readUInt32BE(at - 4);
    return tag & small;
  };
  const read = (): string | unknown[] => {
    const tag = message[at++]!;
    if ((tag & 0xe0) === 0xa0 || (tag >= 0xd9 && tag <= 0xdb)) {
      const n = length(tag, 0x1f, 0xd9);
      return message.toString('utf8', at, (at += n));
    }
    if ((tag & 0xf0) === 0x90 || tag === 0xdc || tag === 0xdd) {
      const n = tag === 0xdc ? ((at += 2), message.readUInt16BE(at - 2)) : tag === 0xdd ? ((at += 4), message.readUInt32BE(at - 4)) : tag & 0x0f;
      return Array.from({ length: n }, read);
    }
    throw new Error(`change feed: unexpected MessagePack tag 0x${tag.toString(16)}`);
  };
  const [dataset, written] = read() as [string, string[]];
  return { dataset, written };
}

const pack = (v: LatestValue) => `${v.ts.getTime()}\t${v.value === null ? '' : v.value}\t${JSON.stringify([v.unit, v.resolution, v.series])}`;

function unpack(dataset: string, seriesKey: string, field: string): LatestValue {
  const a = field.indexOf('\t');
  const b = field.indexOf('\t', a + 1);
  const [unit, resolution, series] = JSON.parse(field.slice(b + 1)) as [string, string, Record<string, string>];
  const value = field.slice(a + 1, b);
  return { dataset, seriesKey, series, ts: new Date(Number(field.slice(0, a))), value: value === '' ? null : Number(value), unit, resolution };
}

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

  #key(dataset: string) {
    return `${this.#prefix}:latest:${dataset}`;
  }

  get #channel() {
    return `${this.#prefix}:changes`;
  }

  async refresh(values: readonly LatestValue[]): Promise<LatestValue[]> {
    // One script call per dataset and chunk; the calls are sent together (node-redis pipelines
    // commands written in the same tick).
    const byDataset = new Map<string, number[]>();
    for (let i = 0; i < values.length; i++) {
      const at = byDataset.get(values[i]!.dataset);
      if (at) at.push(i);
      else byDataset.set(values[i]!.dataset, [i]);
    }
    const calls: Promise<void>[] = [];
    const changedAt: number[] = [];
    for (const [dataset, positions] of byDataset) {
      for (let c = 0; c < positions.length; c += REFRESH_CHUNK) {
        const chunk = positions.slice(c, c + REFRESH_CHUNK);
        const args: string[] = new Array<string>(2 + chunk.length * 2);
        args[0] = dataset;
        args[1] = this.#channel;
        for (let j = 0; j < chunk.length; j++) {
          const v = values[chunk[j]!]!;
          args[2 * j + 2] = v.seriesKey;
          args[2 * j + 3] = pack(v);
        }
        calls.push(this.#refreshScript([this.#key(dataset)], args).then((changed) => {
          if (typeof changed === 'number') changedAt.push(...chunk);
          else for (const k of changed as number[]) changedAt.push(chunk[k - 1]!);
        }));
      }
    }
    await Promise.all(calls);
    return changedAt.sort((a, b) => a - b).map((i) => values[i]!);
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
    if (seriesKey !== undefined) {
      const field = await this.#client.hGet(this.#key(dataset), seriesKey);
      return field === null || field === undefined ? [] : [unpack(dataset, seriesKey, field)];
    }
    const all = await this.#client.hGetAll(this.#key(dataset));
    return Object.keys(all).sort().map((k) => unpack(dataset, k, all[k]!));
  }

  onChange(listener: CacheListener): () => void {
    this.#listeners.add(listener);
    if (!this.#subscriber) {
      const sub = this.#client.duplicate() as RedisClientType;
      this.#subscriber = sub;
      sub.on('error', () => undefined);
      void sub.connect().then(() =>
        sub.subscribe(this.#channel, (message) => {
          const { dataset, written } = decodeChanges(message);
          const changed: LatestValue[] = [];
          for (let i = 0; i < written.length; i += 2) changed.push(unpack(dataset, written[i]!, written[i + 1]!));
          for (const l of this.#listeners) l(changed);
        }, true),
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
