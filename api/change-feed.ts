// The cache's change feed as numbered events for Server-Sent Events: one cache listener for all
// clients, a small ring buffer so a client that reconnects with Last-Event-ID gets what it missed.
import type { Cache, LatestValue } from '../shared/cache/index.ts';

export type FeedEvent = { id: number; value: LatestValue };
export type FeedListener = (e: FeedEvent) => void;

export type ChangeFeed = {
  /** Events after `lastId` still in the buffer (all of them when the id is older than the buffer). */
  since(lastId: number): FeedEvent[];
  subscribe(listener: FeedListener): () => void;
  /** Clients currently following (the leak test counts them). */
  readonly listeners: number;
  close(): void;
};

export function changeFeed(cache: Cache, capacity = 1000): ChangeFeed {
  const ring: FeedEvent[] = [];
  const listeners = new Set<FeedListener>();
  let next = 1;
  const stop = cache.onChange((changed) => {
    for (const value of changed) {
      const e = { id: next++, value };
      ring.push(e);
      if (ring.length > capacity) ring.shift();
      for (const l of listeners) l(e);
    }
  });
  return {
    since: (lastId) => ring.filter((e) => e.id > lastId),
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    get listeners() {
      return listeners.size;
    },
    close() {
      stop();
      listeners.clear();
    },
  };
}
