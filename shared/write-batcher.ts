// Many concurrent callers, one write: items handed in within `maxWaitMs` (or until `maxItems`, or
// `maxBytes` by `sizeOf`, since a count alone lets a run of large items hold any amount) are written together, and each caller's promise settles with the write its item went out in. A failed
// write rejects every caller of that batch alike, so each decides on its own whether to try again.

export type WriteBatcher<T> = {
  /** Resolves once the batch holding `item` was written; rejects with that write's error. */
  add(item: T): Promise<void>;
  /** Writes what is collected now. */
  flush(): Promise<void>;
};

export type WriteBatcherOptions<T> = {
  maxItems: number;
  maxWaitMs: number;
  /** With `sizeOf`: a batch is also written once its items reach this many bytes. */
  maxBytes?: number;
  sizeOf?: (item: T) => number;
};

export function writeBatcher<T>(write: (items: T[]) => Promise<void>, o: WriteBatcherOptions<T>): WriteBatcher<T> {
  if (!(o.maxItems >= 1) || !(o.maxWaitMs >= 0)) throw new Error('writeBatcher: maxItems must be at least 1 and maxWaitMs not negative');
  if ((o.maxBytes === undefined) !== (o.sizeOf === undefined) || (o.maxBytes !== undefined && !(o.maxBytes >= 1))) {
    throw new Error('writeBatcher: maxBytes (at least 1) and sizeOf go together');
  }
  let items: T[] = [];
  let bytes = 0;
  let waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  let timer: NodeJS.Timeout | undefined;

  function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    if (items.length === 0) return Promise.resolve();
    const batch = items;
    const settle = waiters;
    items = [];
    bytes = 0;
    waiters = [];
    return write(batch).then(
      () => settle.forEach((w) => w.resolve()),
      (e: unknown) => settle.forEach((w) => w.reject(e)),
    );
  }

  return {
    add(item) {
      const done = new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }));
      items.push(item);
      if (o.sizeOf) bytes += o.sizeOf(item);
      if (items.length >= o.maxItems || (o.maxBytes !== undefined && bytes >= o.maxBytes)) void flush();
      else timer ??= setTimeout(() => void flush(), o.maxWaitMs);
      return done;
    },
    flush,
  };
}
