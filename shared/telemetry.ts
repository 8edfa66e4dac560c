// OpenTelemetry at the edge: the SDK is started here (by bin/scalar.js, before the CLI and every
// instrumented module is imported) and configured only by the standard OTEL_* variables. The rest of
// the code uses @opentelemetry/api alone (no-op until an SDK is registered) through `withSpan`.
//
// With no OTLP endpoint set, no SDK is started for traces or logs and nothing is exported; the
// only exception is `scalar start`, which registers a meter provider read by its /metrics endpoint.
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';
import { logs, SeverityNumber } from '@opentelemetry/api-logs';
import type { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import type { LogRecordExporter, LogRecordProcessor, SdkLogRecord } from '@opentelemetry/sdk-logs';
import type { MetricReader, PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';

const TRACER = 'scalar';
/** Longest a clean stop waits for the last export. */
const SHUTDOWN_MS = 5000;

/**
 * The one place a redaction function applies to what leaves the process over OTLP: span attributes,
 * span event attributes (exception messages) and log records. Identity until `useRedaction` plugs
 * one in (shared/redact.ts, built separately).
 */
let redact: (value: string) => string = (v) => v;

export function useRedaction(fn: (value: string) => string): void {
  redact = fn;
}

function redactAttributes(attrs: Attributes | undefined): void {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) if (typeof v === 'string') attrs[k] = redact(v);
}

/** Applies `redact` to a finished span before any exporter sees it (attributes are plain objects by then). */
const redactingSpanProcessor: SpanProcessor = {
  onStart() {},
  onEnd(span: ReadableSpan) {
    redactAttributes(span.attributes as Attributes);
    for (const e of span.events) redactAttributes(e.attributes as Attributes | undefined);
    if (span.status.message) (span.status as { message?: string }).message = redact(span.status.message);
  },
  forceFlush: async () => undefined,
  shutdown: async () => undefined,
};

const redactingLogProcessor: LogRecordProcessor = {
  onEmit(record: SdkLogRecord) {
    if (typeof record.body === 'string') record.setBody(redact(record.body));
    for (const [k, v] of Object.entries(record.attributes)) if (typeof v === 'string') record.setAttribute(k, redact(v));
  },
  forceFlush: async () => undefined,
  shutdown: async () => undefined,
};

export type TelemetryOptions = {
  /** Register a meter provider for the Prometheus /metrics endpoint even without OTLP (`scalar start`). */
  prometheus?: boolean;
  /** Extra span processors (the bench and tests use in-memory exporters); they start tracing without OTLP. */
  spanProcessors?: SpanProcessor[];
};

export type Telemetry = {
  /** True when traces, metrics and logs go to an OTLP endpoint. */
  readonly exporting: boolean;
  /** The Prometheus reader behind /metrics, when registered. */
  readonly prometheus: PrometheusExporter | null;
  /** Flushes and stops; awaited on a clean stop so the last spans, metrics and logs are delivered. False when the flush was abandoned (collector unreachable). */
  shutdown(): Promise<boolean>;
};

const NOTHING: Telemetry = { exporting: false, prometheus: null, shutdown: async () => true };
let current: Telemetry = NOTHING;
let logsExported = false;

/** The running telemetry (NOTHING until `startTelemetry`): the health server reads its Prometheus reader. */
export function telemetry(): Telemetry {
  return current;
}

/** Whether any OTLP endpoint is configured (general or per signal). */
export function otlpConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return ['', 'TRACES_', 'METRICS_', 'LOGS_'].some((s) => (env[`OTEL_EXPORTER_OTLP_${s}ENDPOINT`] ?? '').trim() !== '');
}

function protocol(env: NodeJS.ProcessEnv, signal: 'TRACES' | 'METRICS' | 'LOGS'): string {
  return (env[`OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`] ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? '').trim() || 'http/protobuf';
}

/** The OTLP exporters OTEL_EXPORTER_OTLP[_<SIGNAL>]_PROTOCOL asks for; unknown values fall back to http/protobuf, the specification's default. */
async function exporters(env: NodeJS.ProcessEnv): Promise<{ trace: SpanExporter; metric: PushMetricExporter; log: LogRecordExporter }> {
  const kind = (signal: 'TRACES' | 'METRICS' | 'LOGS') => {
    const p = protocol(env, signal);
    return p === 'grpc' ? 'grpc' : p === 'http/json' ? 'http' : 'proto';
  };
  const [t, m, l] = [kind('TRACES'), kind('METRICS'), kind('LOGS')];
  // Only the packages the protocol needs are loaded (the gRPC ones pull in @grpc/grpc-js).
  return {
    trace: new (await import(`@opentelemetry/exporter-trace-otlp-${t}`) as { OTLPTraceExporter: new () => SpanExporter }).OTLPTraceExporter(),
    metric: new (await import(`@opentelemetry/exporter-metrics-otlp-${m}`) as { OTLPMetricExporter: new () => PushMetricExporter }).OTLPMetricExporter(),
    log: new (await import(`@opentelemetry/exporter-logs-otlp-${l}`) as { OTLPLogExporter: new () => LogRecordExporter }).OTLPLogExporter(),
  };
}

/**
 * Starts the SDK once per process. No endpoint, no Prometheus, no extra processors: nothing is
 * registered and the API stays a no-op. OTEL_SDK_DISABLED=true wins over everything.
 */
export async function startTelemetry(options: TelemetryOptions = {}, env: NodeJS.ProcessEnv = process.env): Promise<Telemetry> {
  if (current !== NOTHING) return current;
  const disabled = (env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true';
  const exporting = !disabled && otlpConfigured(env);
  const extra = options.spanProcessors ?? [];
  if (disabled || (!exporting && !options.prometheus && extra.length === 0)) return NOTHING;

  // Loaded only here: the SDK costs ~200 ms of imports that a process without telemetry never pays.
  const [{ NodeSDK }, { PeriodicExportingMetricReader }, { BatchSpanProcessor }, { BatchLogRecordProcessor }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/sdk-metrics'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/sdk-logs'),
  ]);
  const readers: MetricReader[] = [];
  // The exporter serves nothing itself: /metrics on the health port calls its request handler.
  const prometheus = options.prometheus
    ? new (await import('@opentelemetry/exporter-prometheus')).PrometheusExporter({ preventServerStart: true })
    : null;
  if (prometheus) readers.push(prometheus);
  const out = exporting ? await exporters(env) : null;
  // OTEL_<SIGNAL>_EXPORTER=none turns one signal off, as the specification has it.
  const wanted = (signal: 'TRACES' | 'METRICS' | 'LOGS') => !(env[`OTEL_${signal}_EXPORTER`] ?? '').split(',').map((x) => x.trim()).includes('none');
  logsExported = out !== null && wanted('LOGS');
  if (out && wanted('METRICS')) {
    const interval = Number(env.OTEL_METRIC_EXPORT_INTERVAL ?? '');
    const exportIntervalMillis = Number.isFinite(interval) && interval > 0 ? interval : 60_000;
    readers.push(new PeriodicExportingMetricReader({ exporter: out.metric, exportIntervalMillis, exportTimeoutMillis: Math.min(30_000, exportIntervalMillis) }));
  }
  const spanProcessors: SpanProcessor[] = [redactingSpanProcessor, ...extra];
  const tracing = (out !== null && wanted('TRACES')) || extra.length > 0;
  if (out && wanted('TRACES')) spanProcessors.push(new BatchSpanProcessor(out.trace));
  const sdk = new NodeSDK({
    // OTEL_SERVICE_NAME (read by the env detector) wins over this default.
    serviceName: env.OTEL_SERVICE_NAME ? undefined : 'scalar',
    metricReaders: readers,
    // Without any span processor but the redacting one, tracing stays a no-op.
    spanProcessors: tracing ? spanProcessors : [],
    logRecordProcessors: out && logsExported ? [redactingLogProcessor, new BatchLogRecordProcessor({ exporter: out.log })] : [],
    // No auto-instrumentation: the spans that matter (window, HTTP attempt, publish, consume, parse,
    // upsert, cache) are made by hand with the attributes we need; see README "Observability".
    instrumentations: [],
  });
  sdk.start();
  let stopped: Promise<boolean> | undefined;
  current = {
    exporting,
    prometheus,
    shutdown() {
      // An unreachable collector makes each exporter retry until its timeout: a stop must not wait
      // that long (compose kills after 10 s), so the flush gets SHUTDOWN_MS and is then abandoned.
      let timer: NodeJS.Timeout | undefined;
      const giveUp = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => {
          process.stderr.write(`scalar: telemetry not flushed within ${SHUTDOWN_MS} ms (collector unreachable?); the last spans, metrics and logs are lost\n`);
          resolve(false);
        }, SHUTDOWN_MS);
        timer.unref();
      });
      const flushed = sdk.shutdown().then(
        () => true,
        (e: unknown) => {
          process.stderr.write(`scalar: telemetry shutdown: ${e instanceof Error ? e.message : String(e)}\n`);
          return true;
        },
      );
      stopped ??= Promise.race([flushed, giveUp]).finally(() => clearTimeout(timer));
      return stopped;
    },
  };
  return current;
}

/** True when log lines go over OTLP too (an endpoint is set and OTEL_LOGS_EXPORTER is not none). */
export function exportingLogs(): boolean {
  return logsExported;
}

/** Sends one pino line (already JSON) to the OTLP logger, keeping its fields as attributes. */
export function emitLogRecord(record: Record<string, unknown>): void {
  const { msg, level, time, ...rest } = record;
  const severity = typeof level === 'number' ? pinoSeverity(level) : SeverityNumber.INFO;
  const attributes: Attributes = {};
  for (const [k, v] of Object.entries(rest)) {
    if (v === undefined || v === null) continue;
    attributes[k] = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : JSON.stringify(v);
  }
  logs.getLogger(TRACER).emit({
    body: typeof msg === 'string' ? msg : '',
    severityNumber: severity,
    severityText: SeverityNumber[severity],
    timestamp: typeof time === 'number' ? time : Date.now(),
    attributes,
    context: context.active(),
  });
}

function pinoSeverity(level: number): SeverityNumber {
  if (level >= 60) return SeverityNumber.FATAL;
  if (level >= 50) return SeverityNumber.ERROR;
  if (level >= 40) return SeverityNumber.WARN;
  if (level >= 30) return SeverityNumber.INFO;
  if (level >= 20) return SeverityNumber.DEBUG;
  return SeverityNumber.TRACE;
}

/** trace_id/span_id of the active span, for log lines; empty when none (or telemetry is off). */
export function activeTraceIds(): { trace_id?: string; span_id?: string } {
  const sc = trace.getActiveSpan()?.spanContext();
  return sc && trace.isSpanContextValid(sc) ? { trace_id: sc.traceId, span_id: sc.spanId } : {};
}

export type SpanOptions = { kind?: SpanKind; links?: Link[]; parent?: Context };

/**
 * Runs `fn` inside a new active span; an error is recorded on the span (exception event + error
 * status) and rethrown. With no SDK registered this costs a no-op span.
 */
export function withSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T>, o: SpanOptions = {}): Promise<T> {
  const tracer = trace.getTracer(TRACER);
  return tracer.startActiveSpan(name, { kind: o.kind ?? SpanKind.INTERNAL, attributes, links: o.links }, o.parent ?? context.active(), async (span) => {
    try {
      return await fn(span);
    } catch (e) {
      recordError(span, e);
      throw e;
    } finally {
      span.end();
    }
  });
}

/** A span the caller ends (one that outlives the function that starts it: a message's landing). */
export function startSpan(name: string, attributes: Attributes, o: SpanOptions = {}): Span {
  return trace.getTracer(TRACER).startSpan(name, { kind: o.kind ?? SpanKind.INTERNAL, attributes, links: o.links }, o.parent ?? context.active());
}

export function recordError(span: Span, e: unknown): void {
  span.recordException(e instanceof Error ? e : String(e));
  span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.message : String(e) });
}

/** The active context as message properties (`traceparent`, plus `tracestate`/`baggage` when present). */
export function injectContext(into: Record<string, string> = {}): Record<string, string> {
  propagation.inject(context.active(), into);
  return into;
}

/** The context a message's properties carry (a fresh root when they carry none). */
export function extractContext(properties: Readonly<Record<string, string>>): Context {
  return propagation.extract(ROOT_CONTEXT, properties);
}

/** A link to a span, for batch spans; null when the span is a no-op (telemetry off). */
export function linkTo(span: Span): Link | null {
  const sc = span.spanContext();
  return trace.isSpanContextValid(sc) ? { context: sc } : null;
}

export { SpanKind };
