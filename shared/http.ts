// The one place where provider requests get their resilience: a per-attempt timeout, retries with
// exponential backoff and jitter that honour Retry-After, and a circuit breaker per upstream.
import {
  BrokenCircuitError,
  ConsecutiveBreaker,
  DelegateBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  wrap,
  type IPolicy,
  type IRetryBackoffContext,
  type IRetryContext,
} from 'cockatiel';
import { ConfigError, HttpError, SourceUnavailableError, errorMessage } from './errors.ts';
import { createRateLimiter } from './rate-limit.ts';

export type HttpPolicyOptions = {
  /** Per attempt, including reading the whole body. */
  timeoutMs: number;
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is cut to it, so one answer cannot park a worker for an hour. */
  maxRetryAfterMs: number;
  breakerThreshold: number;
  breakerHalfOpenAfterMs: number;
  /** Requests per minute across every caller of this client (the upstream's limit, with headroom); unlimited when unset. */
  ratePerMinute?: number;
};

export const DEFAULT_HTTP_POLICY: HttpPolicyOptions = {
  timeoutMs: 30_000,
  maxAttempts: 5,
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 5 * 60_000,
  breakerThreshold: 8,
  breakerHalfOpenAfterMs: 30_000,
};

/** What the client reports for every attempt: the acquisition side writes it to `fetch_log`. */
export type AttemptReport = {
  url: string;
  attempt: number;
  status: number | null;
  latencyMs: number;
  bytes: number;
  error: string | null;
};

export type HttpResponse = { status: number; headers: Headers; body: Uint8Array };

export type RequestOptions = {
  /** GET unless said; a POST (an OAuth2 token request) goes through the same retries and limiter. */
  method?: 'GET' | 'POST';
  /** Request body of a POST; never reported in `onAttempt` (it may hold credentials). */
  body?: string;
  headers?: Record<string, string>;
  /** Statuses that are answers, not failures (ENTSO-E's 400 acknowledgement, JAO's 400 "No Data found"). */
  acceptStatus?: (status: number, body: Uint8Array) => boolean;
  /** Reads a wait from a refusal's body (ENTSO-E: "Requester banned until ..."); Retry-After otherwise. */
  retryAfter?: (res: HttpResponse) => number | null;
  /** Checks a body's integrity (e.g. that JSON is complete); throw SourceUnavailableError to retry. */
  check?: (res: HttpResponse) => void;
  onAttempt?: (report: AttemptReport) => void;
  signal?: AbortSignal;
};

export type HttpClient = {
  get(url: string, options?: RequestOptions): Promise<HttpResponse>;
  /** The breaker's state, for health output. */
  readonly circuit: string;
};

/** The URL with secrets in its query (token, key, secret, password) masked, for logs and fetch_log. */
export function redactUrl(url: string): string {
  return url.replace(/([?&][^=&]*(?:token|key|secret|password)[^=&]*=)[^&]*/gi, '$1***');
}

/** Parses Retry-After as delta-seconds or an HTTP-date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function isRetryable(e: unknown): boolean {
  if (e instanceof HttpError) return e.retryable;
  return e instanceof SourceUnavailableError || e instanceof TaskCancelledError;
}

export function createHttpClient(name: string, options: Partial<HttpPolicyOptions> = {}): HttpClient {
  const o = { ...DEFAULT_HTTP_POLICY, ...options };
  const backoff = new DelegateBackoff((ctx: IRetryBackoffContext<unknown>) => {
    const err = 'error' in ctx.result ? ctx.result.error : undefined;
    if (err instanceof HttpError && err.retryAfterMs !== null) return Math.min(err.retryAfterMs, o.maxRetryAfterMs);
    // Full jitter over an exponential ceiling keeps many workers from retrying in lock-step.
    const ceiling = Math.min(o.maxDelayMs, o.initialDelayMs * 2 ** (ctx.attempt - 1));
    return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
  });
  const retryPolicy = retry(handleWhen(isRetryable), { maxAttempts: o.maxAttempts - 1, backoff });
  // A 429 is the source pacing us, not an outage: it must not open the breaker.
  const breaker = circuitBreaker(
    handleWhen((e) => isRetryable(e) && !(e instanceof HttpError && e.status === 429)),
    { halfOpenAfter: o.breakerHalfOpenAfterMs, breaker: new ConsecutiveBreaker(o.breakerThreshold) },
  );
  const perAttempt = timeout(o.timeoutMs, TimeoutStrategy.Aggressive);
  const policy: IPolicy<IRetryContext> = wrap(retryPolicy, breaker);
  const limiter = o.ratePerMinute ? createRateLimiter(o.ratePerMinute) : null;

  async function attempt(url: string, req: RequestOptions, n: number, signal: AbortSignal): Promise<HttpResponse> {
    const started = performance.now();
    const shown = redactUrl(url);
    const report = (status: number | null, bytes: number, error: string | null) =>
      req.onAttempt?.({ url: shown, attempt: n, status, latencyMs: Math.round(performance.now() - started), bytes, error });
    let res: Response;
    try {
      res = await fetch(url, { method: req.method ?? 'GET', headers: req.headers, body: req.body, signal });
    } catch (e) {
      report(null, 0, errorMessage(e));
      throw new SourceUnavailableError(`${name}: request failed: ${errorMessage(e)}`, { cause: e });
    }
    let body: Uint8Array;
    try {
      body = new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      report(res.status, 0, `body cut off: ${errorMessage(e)}`);
      throw new SourceUnavailableError(`${name}: response body cut off: ${errorMessage(e)}`, { cause: e });
    }
    const response = { status: res.status, headers: res.headers, body };
    if (!res.ok && !(req.acceptStatus?.(res.status, body) ?? false)) {
      const retryAfter = req.retryAfter?.(response) ?? parseRetryAfter(res.headers.get('retry-after'));
      // A ban holds every caller of this upstream, not just this one.
      if (res.status === 429 && retryAfter !== null) limiter?.pauseUntil(new Date(Date.now() + retryAfter));
      const snippet = new TextDecoder().decode(body.subarray(0, 200)).replace(/\s+/g, ' ');
      report(res.status, body.byteLength, `HTTP ${res.status}: ${snippet}`);
      const err = new HttpError(`${name}: HTTP ${res.status}: ${snippet}`, res.status, retryAfter);
      if (!err.retryable && (res.status === 401 || res.status === 403)) {
        throw new ConfigError(`${name}: credentials rejected (HTTP ${res.status})`, { cause: err });
      }
      throw err;
    }
    try {
      req.check?.(response);
    } catch (e) {
      report(res.status, body.byteLength, errorMessage(e));
      throw e;
    }
    report(res.status, body.byteLength, null);
    return response;
  }

  return {
    get circuit() {
      return String(breaker.state);
    },
    async get(url, req = {}) {
      try {
        return await policy.execute(async ({ attempt: n, signal }) => {
          // Waiting for the rate limit (or a ban) is not part of the attempt's timeout.
          await limiter?.take(signal);
          return perAttempt.execute(({ signal: s }) => attempt(url, req, n + 1, s), signal);
        }, req.signal);
      } catch (e) {
        if (e instanceof BrokenCircuitError) {
          throw new SourceUnavailableError(`${name}: circuit open after repeated failures`, { cause: e });
        }
        if (e instanceof TaskCancelledError) {
          throw new SourceUnavailableError(`${name}: timed out after ${o.timeoutMs} ms`, { cause: e });
        }
        throw e;
      }
    },
  };
}
