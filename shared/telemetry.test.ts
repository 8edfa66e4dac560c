// The span helpers against the real SDK with an in-memory exporter (this file's process only).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { metrics } from '@opentelemetry/api';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { observe, recordWindow } from './metrics.ts';
import { SpanKind, activeTraceIds, extractContext, injectContext, startTelemetry, useRedaction, withSpan, type Telemetry } from './telemetry.ts';

const spans = new InMemorySpanExporter();
const processor = new SimpleSpanProcessor(spans);
/** Ended spans reach the exporter asynchronously (after the resource is settled). */
const finished = async () => {
  await processor.forceFlush();
  return spans.getFinishedSpans();
};
let t: Telemetry;
before(async () => {
  t = await startTelemetry({ spanProcessors: [processor] }, {});
});
after(() => t.shutdown());

describe('withSpan', () => {
  it('records an error on its span and rethrows it', async () => {
    spans.reset();
    await assert.rejects(withSpan('failing', { 'scalar.dataset': 'd' }, async () => {
      throw new Error('HTTP 503: upstream down');
    }), /upstream down/);
    const [s] = (await finished());
    assert.equal(s?.name, 'failing');
    assert.equal(s?.status.code, 2);
    assert.equal(s?.status.message, 'HTTP 503: upstream down');
    assert.equal(s?.events[0]?.name, 'exception');
  });

  it('gives log lines inside a span its trace and span id', async () => {
    spans.reset();
    let ids: ReturnType<typeof activeTraceIds> = {};
    await withSpan('logged', {}, async () => {
      ids = activeTraceIds();
    });
    const [s] = (await finished());
    assert.deepEqual(ids, { trace_id: s!.spanContext().traceId, span_id: s!.spanContext().spanId });
    assert.deepEqual(activeTraceIds(), {});
  });
});

describe('trace context in message properties', () => {
  it('carries the publish span as traceparent, and the consumer span continues it', async () => {
    spans.reset();
    const properties = await withSpan('publish raw', {}, async () => injectContext({ dataset: 'x' }), { kind: SpanKind.PRODUCER });
    assert.match(properties.traceparent ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    await withSpan('process raw', {}, async () => undefined, { kind: SpanKind.CONSUMER, parent: extractContext(properties) });
    const [producer, consumer] = (await finished());
    assert.equal(consumer!.spanContext().traceId, producer!.spanContext().traceId);
    assert.equal(consumer!.parentSpanContext?.spanId, producer!.spanContext().spanId);
    assert.equal(properties.traceparent, `00-${producer!.spanContext().traceId}-${producer!.spanContext().spanId}-01`);
  });

  it('starts a new trace for a message without traceparent', async () => {
    spans.reset();
    await withSpan('process raw', {}, async () => undefined, { parent: extractContext({}) });
    assert.equal((await finished())[0]?.parentSpanContext, undefined);
  });
});

describe('the redaction hook', () => {
  it('applies to span attributes and exception messages before export', async () => {
    spans.reset();
    useRedaction((v) => v.replaceAll('s3cr3t', '***'));
    try {
      await withSpan('GET', { 'url.full': 'https://x/api?securityToken=s3cr3t' }, async () => {
        throw new Error('rejected token s3cr3t');
      }).catch(() => undefined);
    } finally {
      useRedaction((v) => v);
    }
    const [s] = (await finished());
    assert.equal(s!.attributes['url.full'], 'https://x/api?securityToken=***');
    assert.doesNotMatch(JSON.stringify(s!.events), /s3cr3t/);
    assert.equal(s!.status.message, 'rejected token ***');
  });
});

describe('metrics', () => {
  it('creates instruments on the provider registered when first used, and observes registered sources', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    recordWindow('p', 'p.d', false);
    recordWindow('p', 'p.d', false);
    const stop = observe('backlog', () => [{ attributes: { topic: 't', subscription: 'ingestion' }, value: 7 }]);
    const { resourceMetrics } = await reader.collect();
    stop();
    const all = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    const point = (name: string) => all.find((m) => m.descriptor.name === name)?.dataPoints[0];
    assert.equal(point('scalar.fetch.windows')?.value, 2);
    assert.deepEqual(point('scalar.fetch.windows')?.attributes, { provider: 'p', dataset: 'p.d', outcome: 'failed' });
    assert.equal(point('scalar.fetch.consecutive_failures')?.value, 2);
    assert.equal(point('scalar.bus.backlog')?.value, 7);
    await reader.shutdown();
  });
});
