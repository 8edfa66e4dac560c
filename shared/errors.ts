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
