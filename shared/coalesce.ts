// Work handed over item by item and done in groups: the first item starts a wait of a fixed
// interval, and every item handed over until it ends is done together in one run. Runs follow one
// another (never two at once); items handed over during a run wait for the next.

export type CoalescedHook<T> = ((items: readonly T[]) => Promise<void>) & {
  /** Resolves once every item handed over so far has been run (after its interval, as usual). */
  idle(): Promise<void>;
  /** Runs what is pending now, without waiting out the interval, and resolves when it has run (shutdown). */
  flush(): Promise<void>;
};

/**
 * `run` gets every item handed over during one interval; it should not throw (a rejection goes to
 * `onError` and the items are dropped). Handing over never waits for a run.
 */
export function coalesceByTime<T>(intervalMs: number, run: (items: T[]) => Promise<void>, onError: (err: unknown) => void): CoalescedHook<T> {
  let pending: T[] = [];
  let draining: Promise<void> | null = null;
  let hurried = false;
  let endWait: (() => void) | null = null;
  const wait = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => endWait?.(), intervalMs);
      endWait = () => {
        clearTimeout(timer);
        endWait = null;
        resolve();
      };
    });
  async function drain(): Promise<void> {
    try {
      while (pending.length > 0) {
        if (!hurried) await wait();
        const next = pending;
        pending = [];
        await run(next).catch(onError);
      }
    } finally {
      draining = null;
      hurried = false;
    }
  }
  const hook = (items: readonly T[]): Promise<void> => {
    if (items.length === 0) return Promise.resolve();
    for (const i of items) pending.push(i);
    draining ??= drain();
    return Promise.resolve();
  };
  return Object.assign(hook, {
    idle: () => draining ?? Promise.resolve(),
    flush: () => {
      if (!draining) return Promise.resolve();
      hurried = true;
      endWait?.();
      return draining;
    },
  });
}
