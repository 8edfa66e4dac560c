// The one place where provider requests get their resilience: a per-attempt timeout, retries with
// exponential backoff and jitter that honour Retry-After, and a circuit breaker per upstream.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BrokenCircuitError,
  ConsecutiveBreaker,
  ConstantBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  wrap,
  type IPolicy,
  type IRetryContext,
} from 'cockatiel';
import { ConfigError, HttpError, SourceUnavailableError, errorMessage } from './errors.ts';
import { observeBreaker, recordBan, recordRateLimitWait } from './metrics.ts';
import { createRateLimiter, type RateLimiter } from './rate-limit.ts';
import { redact } from './redact.ts';
import { SpanKind, withSpan } from './telemetry.ts';

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
  /** A limiter shared beyond this client (across processes, in Redis); wins over `ratePerMinute`. */
  limiter?: RateLimiter;
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
  /** Aborts the request: the attempt under way and any retry. */
  signal?: AbortSignal;
  /**
   * The caller is stopping: no further attempt starts and a retry's wait ends at once, while the
   * attempt under way may still finish (its answer is used) until `signal` aborts it.
   */
  stopping?: AbortSignal;
};

export type HttpClient = {
  get(url: string, options?: RequestOptions): Promise<HttpResponse>;
  /** The breaker's state, for health output. */
  readonly circuit: string;
};

/** fetch_log's error for an attempt the caller aborted (stopping), which says nothing about the source. */
export const ABORTED_BY_CALLER = 'aborted: the caller stopped';

/** The URL with secrets masked (query parameters named like a credential, userinfo password, registered secrets), for logs and fetch_log. */
export function redactUrl(url: string): string {
  return redact(url).replace(/([?&][^=&]*(?:token|key|secret|password)[^=&]*=)[^&]*/gi, '$1***');
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
  /** The wait before retry number `retry` (1 for the first) after `err`. */
  const backoffMs = (err: unknown, retry: number): number => {
    if (err instanceof HttpError && err.retryAfterMs !== null) return Math.min(err.retryAfterMs, o.maxRetryAfterMs);
    // Full jitter over an exponential ceiling keeps many workers from retrying in lock-step.
    const ceiling = Math.min(o.maxDelayMs, o.initialDelayMs * 2 ** (retry - 1));
    return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
  };
  // The policy retries at once; the wait is taken at the start of the next attempt (get), where an
  // abort or a stop can end it: cockatiel's own backoff delay cannot be cut short, so a stopping
  // worker would sit out up to maxDelayMs before giving up.
  const retryPolicy = retry(handleWhen(isRetryable), { maxAttempts: o.maxAttempts - 1, backoff: new ConstantBackoff(0) });
  // A 429 is the source pacing us, not an outage: it must not open the breaker.
  const breaker = circuitBreaker(
    handleWhen((e) => isRetryable(e) && !(e instanceof HttpError && e.status === 429)),
    { halfOpenAfter: o.breakerHalfOpenAfterMs, breaker: new ConsecutiveBreaker(o.breakerThreshold) },
  );
  const perAttempt = timeout(o.timeoutMs, TimeoutStrategy.Aggressive);
  const policy: IPolicy<IRetryContext> = wrap(retryPolicy, breaker);
  const limiter = o.limiter ?? (o.ratePerMinute ? createRateLimiter(o.ratePerMinute) : null);
  observeBreaker(name, () => breaker.state);

  /** One client span per attempt, a child of the window's span. */
  function tracedAttempt(url: string, req: RequestOptions, n: number, signal: AbortSignal): Promise<HttpResponse> {
    const attributes = { 'http.request.method': 'GET', 'url.full': redactUrl(url), 'http.request.resend_count': n - 1, 'scalar.provider': name };
    return withSpan('GET', attributes, async (span) => {
      try {
        const res = await attempt(url, req, n, signal);
        span.setAttributes({ 'http.response.status_code': res.status, 'http.response.body.size': res.body.byteLength });
        return res;
      } catch (e) {
        const status = e instanceof HttpError ? e.status : e instanceof ConfigError && e.cause instanceof HttpError ? e.cause.status : null;
        if (status !== null) span.setAttribute('http.response.status_code', status);
        throw e;
      }
    }, { kind: SpanKind.CLIENT });
  }

  async function attempt(url: string, req: RequestOptions, n: number, signal: AbortSignal): Promise<HttpResponse> {
    const started = performance.now();
    const shown = redactUrl(url);
    // What leaves the client (fetch_log rows, error messages) is redacted here: an error page may echo the URL and its token.
    const report = (status: number | null, bytes: number, error: string | null) =>
      req.onAttempt?.({ url: shown, attempt: n, status, latencyMs: Math.round(performance.now() - started), bytes, error: error === null ? null : redact(error) });
    let res: Response;
    // An abort is either this attempt's timeout or the caller stopping (a worker shut down): only
    // the first says something about the source, so fetch_log tells them apart (scalar health).
    const whyFailed = (e: unknown) => (req.signal?.aborted ? ABORTED_BY_CALLER : signal.aborted ? `timed out after ${o.timeoutMs} ms` : errorMessage(e));
    try {
      res = await fetch(url, { method: req.method ?? 'GET', headers: req.headers, body: req.body, signal });
    } catch (e) {
      report(null, 0, whyFailed(e));
      throw new SourceUnavailableError(redact(`${name}: request failed: ${errorMessage(e)}`), { cause: e });
    }
    let body: Uint8Array;
    try {
      body = new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      report(res.status, 0, signal.aborted ? whyFailed(e) : `body cut off: ${errorMessage(e)}`);
      throw new SourceUnavailableError(redact(`${name}: response body cut off: ${errorMessage(e)}`), { cause: e });
    }
    const response = { status: res.status, headers: res.headers, body };
    if (!res.ok && !(req.acceptStatus?.(res.status, body) ?? false)) {
      const retryAfter = req.retryAfter?.(response) ?? parseRetryAfter(res.headers.get('retry-after'));
      // A ban holds every caller of this upstream, not just this one.
      if (res.status === 429 && retryAfter !== null && limiter) {
        limiter.pauseUntil(new Date(Date.now() + retryAfter));
        recordBan(name);
      }
      // Redact before cutting to 200 characters, so a secret cut in half at the edge is still caught whole.
      const snippet = redact(new TextDecoder().decode(body.subarray(0, 4096)).replace(/\s+/g, ' ')).slice(0, 200);
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
      let wait = 0;
      try {
        return await policy.execute(async ({ attempt: n, signal }) => {
          if (n > 0) {
            // Not retried once the caller stops; the wait ends with a stop or an abort (an AbortError,
            // which no policy retries or counts as the source failing).
            const until = req.stopping ? AbortSignal.any([signal, req.stopping]) : signal;
            until.throwIfAborted();
            await sleep(wait, undefined, { signal: until });
          }
          // Waiting for the rate limit (or a ban) is not part of the attempt's timeout.
          if (limiter) {
            const waitStarted = performance.now();
            await limiter.take(signal);
            recordRateLimitWait(name, performance.now() - waitStarted);
          }
          try {
            return await perAttempt.execute(({ signal: s }) => tracedAttempt(url, req, n + 1, s), signal);
          } catch (e) {
            wait = backoffMs(e, n + 1);
            throw e;
          }
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

/** `client` with every request told `stopping` (a worker shutting down): no retry starts after it fires. */
export function stoppingWith(client: HttpClient, stopping: AbortSignal): HttpClient {
  return {
    get: (url, req = {}) => client.get(url, { ...req, stopping: req.stopping ? AbortSignal.any([req.stopping, stopping]) : stopping }),
    get circuit() {
      return client.circuit;
    },
  };
}
