import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTelemetry, startSpan, type Telemetry } from '../shared/telemetry.ts';
import { traceBatch } from './batch-trace.ts';

const spans = new InMemorySpanExporter();
const processor = new SimpleSpanProcessor(spans);
let t: Telemetry;
before(async () => {
  t = await startTelemetry({ spanProcessors: [processor] }, {});
});
after(() => t.shutdown());

const finished = async () => {
  await processor.forceFlush();
  return spans.getFinishedSpans();
};
const message = (dataset: string, rows: number) => {
  const span = startSpan(`process ${dataset}`, {});
  span.end();
  return { span, provider: 'p', dataset, partition: 'A', runId: `run-${dataset}`, rows };
};

describe('the trace of a batch', () => {
  it('lands each message in its own trace and links the batch to every message', async () => {
    spans.reset();
    const messages = [message('p.a', 3), message('p.b', 4)];
    const traced = traceBatch(messages);
    await traced.upsert(async () => undefined);
    await traced.refresh(async () => undefined);
    traced.committed();
    traced.landed(0);
    traced.landed(1);
    const all = await finished();
    const batch = all.find((s) => s.name === 'ingest batch')!;
    assert.equal(batch.attributes['scalar.rows'], 7);
    assert.deepEqual(batch.links.map((l) => l.context.spanId), messages.map((m) => m.span.spanContext().spanId));
    assert.deepEqual(all.filter((s) => s.parentSpanContext?.spanId === batch.spanContext().spanId).map((s) => s.name), ['upsert', 'cache refresh']);
    for (const m of messages) {
      const land = all.find((s) => s.name === `land ${m.dataset}`)!;
      assert.equal(land.spanContext().traceId, m.span.spanContext().traceId);
      assert.equal(land.parentSpanContext?.spanId, m.span.spanContext().spanId);
    }
  });

  it('puts a failed commit\'s error on the batch and on every message\'s landing', async () => {
    spans.reset();
    const traced = traceBatch([message('p.a', 1), message('p.b', 1)]);
    await assert.rejects(traced.upsert(() => Promise.reject(new Error('store down'))));
    traced.failed(new Error('store down'));
    const failed = (await finished()).filter((s) => s.status.code === 2).map((s) => s.name).sort();
    assert.deepEqual(failed, ['ingest batch', 'land p.a', 'land p.b', 'upsert']);
  });
});
