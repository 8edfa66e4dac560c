// Error classes decide what happens next: retry the request, fix configuration, or dead-letter a payload.

/** Configuration is wrong: a bad setting, a rejected token, a request the source refuses. Not retried. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The source answered with an HTTP status the client does not accept. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    message: string,
    readonly status: number,
    readonly retryAfterMs: number | null = null,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  get retryable(): boolean {
    return this.status === 429 || this.status >= 500;
  }
}

/** The source could not be read this time (network, timeout, cut-off or garbled body): try again later. */
export class SourceUnavailableError extends Error {
  override name = 'SourceUnavailableError';
}

/**
 * The source has not published this window yet (a day-ahead day before the auction result): not a
 * failure and no alert. Acquisition publishes nothing, keeps the watermark where it is and asks
 * again after `retryAfterMs`.
 */
export class NoDataYetError extends Error {
  override name = 'NoDataYetError';
  constructor(
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

/** A payload could not be turned into observations. Keep the raw bytes; redelivery will not help. */
export class ParseError extends Error {
  override name = 'ParseError';
}

/** Parsed observations that break a dataset's rules (implausible value, forbidden future instant). */
export class ValidationError extends Error {
  override name = 'ValidationError';
}

/** A payload or message that names a dataset or provider this build does not know. */
export class UnknownDatasetError extends Error {
  override name = 'UnknownDatasetError';
}

/** A server a port needs (store, bus, cache) did not answer or refused the connection. Names the URL, password masked. */
export class ConnectionError extends Error {
  override name = 'ConnectionError';
}

/**
 * A server the platform depends on (store, bus, cache, archive) cannot be reached or answered with
 * a transient failure. Retried for as long as the outage lasts; never the fault of a message.
 */
export class InfrastructureUnavailableError extends Error {
  override name = 'InfrastructureUnavailableError';
  constructor(
    readonly component: 'store' | 'bus' | 'cache' | 'archive',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * What happens after a failure, decided by the error's class alone:
 * - `retry`: the cause is outside the payload and passes (a source or server outage, 429/5xx): try again later;
 * - `dead-letter`: the payload itself is bad (parse, validation, unknown dataset): redelivery cannot help;
 * - `stop-worker`: configuration is wrong (a rejected token, a request the source refuses as formed):
 *   retrying would only spend quota and invite a ban, so the worker stops and says why.
 */
export type Outcome = 'retry' | 'dead-letter' | 'stop-worker';

/** The outcome of an error; a wrapper without a class of its own is judged by its cause. Unknown errors are retried. */
export function outcomeOf(e: unknown): Outcome {
  for (let cur: unknown = e, depth = 0; cur instanceof Error && depth < 8; cur = cur.cause, depth++) {
    if (cur instanceof ConfigError) return 'stop-worker';
    if (cur instanceof ParseError || cur instanceof ValidationError || cur instanceof UnknownDatasetError) return 'dead-letter';
    if (cur instanceof HttpError) return cur.retryable ? 'retry' : 'stop-worker';
    if (cur instanceof SourceUnavailableError || cur instanceof InfrastructureUnavailableError) return 'retry';
  }
  return 'retry';
}

/** Error codes of a server that cannot be reached or dropped the connection (Node sockets, mysql2, node-redis). */
const OUTAGE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_CON_COUNT_ERROR', 'ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT',
]);
const OUTAGE_NAMES = new Set(['ClientClosedError', 'ConnectionTimeoutError', 'SocketClosedUnexpectedlyError', 'SocketTimeoutError', 'ReconnectStrategyError']);

/**
 * True for the failures of a server the platform depends on (store, bus, cache): retried for as
 * long as the outage lasts and never counted against a message's deliveries.
 */
export function isInfrastructureOutage(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur instanceof Error && depth < 8; cur = cur.cause, depth++) {
    if (cur instanceof InfrastructureUnavailableError) return true;
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && OUTAGE_CODES.has(code)) return true;
    if (OUTAGE_NAMES.has(cur.name) || OUTAGE_NAMES.has(cur.constructor.name)) return true;
  }
  return false;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** A request parameter (API query string, CLI option) that is missing or malformed; names the parameter. */
export class ParameterError extends Error {
  override name = 'ParameterError';
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(`${parameter}: ${message}`);
  }
}
