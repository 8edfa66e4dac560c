// A token bucket shared by every worker that talks to one upstream, plus a pause that a ban
// (429 "banned until ...") imposes on all of them at once.

export type RateLimiter = {
  /** Resolves when a request may be sent. */
  take(signal?: AbortSignal): Promise<void>;
  /** No request leaves before `until` (a source's ban). */
  pauseUntil(until: Date): void;
};

/** Resolves after `ms`, or rejects with the signal's reason when it aborts (also when it already has). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    // An already aborted signal fires no event: check it first, or a stop waits out a ban.
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason);
    }, { once: true });
  });
}

/** In-process: the embedded deployment, and the fallback of the shared (Redis) limiter. */
export function createRateLimiter(perMinute: number, burst = Math.max(1, Math.floor(perMinute / 20))): RateLimiter {
  const refillPerMs = perMinute / 60_000;
  let tokens = burst;
  let last = Date.now();
  let pausedUntil = 0;
  let chain: Promise<void> = Promise.resolve();
  return {
    take(signal) {
      // Callers queue in order, so a burst of workers is spread out rather than racing.
      const turn = chain.then(async () => {
        for (;;) {
          const now = Date.now();
          if (now < pausedUntil) {
            await sleep(pausedUntil - now, signal);
            continue;
          }
          tokens = Math.min(burst, tokens + (now - last) * refillPerMs);
          last = now;
          if (tokens >= 1) {
            tokens -= 1;
            return;
          }
          await sleep(Math.ceil((1 - tokens) / refillPerMs), signal);
        }
      });
      chain = turn.catch(() => undefined);
      return turn;
    },
    pauseUntil(until) {
      pausedUntil = Math.max(pausedUntil, until.getTime());
    },
  };
}
