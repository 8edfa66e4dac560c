// Opening a port (store, bus, cache) is bounded in time and fails with one line naming the URL
// (password masked): an unreachable server must stop a start, not hang it silently.
import { ConfigError, ConnectionError } from './errors.ts';
import { redact } from './redact.ts';

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

// Refusals that no retry fixes: wrong credentials, a database or server that does not exist.
const isConfigCode = (code: string) => /^ER_.*ACCESS_DENIED|^ER_BAD_DB_ERROR$|^ENOTFOUND$|AUTHORIZATION_VIOLATION|PERMISSIONS_VIOLATION/.test(code);

function reason(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const code = (e as { code?: unknown }).code;
  // AggregateError (several addresses tried) carries its reasons inside.
  const inner = e instanceof AggregateError ? e.errors.map((x) => (x as Error).message).join('; ') : '';
  const message = e.message || inner || e.name;
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}

/**
 * Runs `open` for at most `timeoutMs`. A timeout or a refused connection becomes a ConnectionError,
 * a rejected login or unknown database a ConfigError, both naming `what` and the URL. A connection
 * that arrives after the timeout is closed again.
 */
export async function connectWithin<T>(what: string, url: string, timeoutMs: number, open: () => Promise<T>, close: (t: T) => Promise<void> = async () => undefined): Promise<T> {
  const shown = redact(url);
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const attempt = open();
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(new ConnectionError(`${what} ${shown}: no connection within ${timeoutMs / 1000} s`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([attempt, deadline]);
  } catch (e) {
    if (timedOut) attempt.then((t) => close(t), () => undefined).catch(() => undefined);
    if (e instanceof ConnectionError) throw e;
    if (e instanceof ConfigError) throw new ConfigError(redact(e.message), { cause: e });
    const code = (e as { code?: unknown } | null)?.code;
    const Err = typeof code === 'string' && isConfigCode(code) ? ConfigError : ConnectionError;
    throw new Err(`${what} ${shown}: ${redact(reason(e))}`, { cause: e });
  } finally {
    clearTimeout(timer);
  }
}

/** How long a Redis connection may stay silent before it is taken for dead. */
export const REDIS_SILENT_AFTER_MS = 15_000;

/**
 * node-redis settings that notice a black-holed Redis (packets dropped, no reset), which would
 * otherwise hang every command until TCP gives up (many minutes): a PING every third of
 * `silentAfterMs` keeps a healthy idle connection (the pub/sub one too) talking, and a socket that
 * heard nothing for `silentAfterMs` is closed, so the commands under way fail as an outage and the
 * client reconnects.
 */
export function redisLiveness(silentAfterMs = REDIS_SILENT_AFTER_MS): { pingInterval: number; socketTimeout: number } {
  return { pingInterval: Math.ceil(silentAfterMs / 3), socketTimeout: silentAfterMs };
}
