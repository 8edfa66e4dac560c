// `scalar demo` as a child process exporting over OTLP/HTTP (JSON) to an in-process receiver:
// traces, metrics and logs arrive, a window's trace runs from the HTTP request to the commit, and
// with no endpoint set the demo exports nothing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { METRICS } from '../shared/metrics.ts';
import { attrs, startOtlpReceiver, type OtlpReceiver } from './otlp-receiver.ts';

const bin = fileURLToPath(new URL('../bin/scalar.js', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'scalar-otel-'));

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('scalar demo exporting to an OTLP/HTTP receiver', () => {
  let receiver: OtlpReceiver;
  let demo: { code: number | null; stdout: string; stderr: string };
  before(async () => {
    receiver = await startOtlpReceiver();
    demo = await run(['demo', '--duration', '8', '--data-dir', join(dataDir, 'on'), '--faults', '0.2'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'scalar-demo-test',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test',
      OTEL_METRIC_EXPORT_INTERVAL: '60000',
    });
  });
  after(async () => {
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('exits cleanly and flushes spans under the configured service name', () => {
    assert.equal(demo.code, 0, demo.stderr);
    assert.ok(receiver.spans.length > 0, 'no span arrived');
    assert.deepEqual(new Set(receiver.spans.map((s) => s.service)), new Set(['scalar-demo-test']));
  });

  it('puts a window\'s request, publish, consume, parse and landing in one trace', () => {
    const publish = receiver.spans.find((s) => s.name.startsWith('publish ') && receiver.spans.some((c) => c.traceId === s.traceId && c.name.startsWith('land ')));
    assert.ok(publish, 'no published window landed within the demo');
    const trace = receiver.spans.filter((s) => s.traceId === publish.traceId);
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const root = trace.find((s) => s.name.startsWith('acquire '));
    assert.ok(root, 'no window span');
    assert.equal(root.parentSpanId ?? '', '');
    const a = attrs(root.attributes);
    assert.ok(a['scalar.provider'] && a['scalar.dataset'] && a['scalar.partition'] && a['scalar.window.from'], JSON.stringify(a));
    assert.equal(typeof a['scalar.bytes'], 'number');
    const get = trace.find((s) => s.name === 'GET');
    assert.equal(get?.parentSpanId, root.spanId);
    const consumer = trace.find((s) => s.name.startsWith('process '));
    assert.ok(consumer, 'no consumer span in the window\'s trace');
    assert.equal(consumer.parentSpanId, publish.spanId, 'the consumer span continues the publish span');
    assert.equal(trace.find((s) => s.name === 'parse')?.parentSpanId, consumer.spanId);
    const land = trace.find((s) => s.name.startsWith('land '))!;
    assert.equal(land.parentSpanId, consumer.spanId);
    assert.ok(Number(attrs(land.attributes)['scalar.rows']) > 0);
    // The batch span (its own trace) links the message and holds the upsert and cache spans.
    const batch = receiver.spans.find((s) => s.name === 'ingest batch' && s.links?.some((l) => l.spanId === consumer.spanId));
    assert.ok(batch, 'no batch span links the message');
    const children = receiver.spans.filter((s) => s.parentSpanId === batch.spanId).map((s) => s.name).sort();
    assert.deepEqual(children, ['cache refresh', 'upsert']);
    for (const s of trace) if (s.parentSpanId) assert.ok(byId.has(s.parentSpanId), `${s.name}'s parent is not in the trace`);
  });

  it('records failed attempts (the simulator\'s faults) as errors on their span', () => {
    const failed = receiver.spans.filter((s) => s.name === 'GET' && s.status?.code === 2);
    assert.ok(failed.length > 0, 'no failed attempt with 20 % faults');
    assert.ok(failed.some((s) => s.events?.some((e) => e.name === 'exception')));
  });

  it('exports the pipeline metrics by the names in shared/metrics.ts', () => {
    for (const name of ['scalar.fetch.requests', 'scalar.fetch.duration', 'scalar.ingest.rows', 'scalar.ingest.upsert.duration', 'scalar.ingest.batch.rows', 'scalar.bus.published']) {
      assert.ok(receiver.metricNames.has(name), `${name} not exported (got ${[...receiver.metricNames].join(', ')})`);
    }
    for (const name of receiver.metricNames) assert.ok(name in METRICS, `${name} is not in the catalogue`);
  });

  it('exports log records, those written inside a span tied to its trace', () => {
    assert.ok(receiver.logs.some((l) => l.body === 'landed'), 'no "landed" log record arrived');
    assert.ok(receiver.logs.every((l) => l.service === 'scalar-demo-test'));
    const traced = receiver.logs.filter((l) => l.body.startsWith('request failed'));
    assert.ok(traced.length > 0, 'no failed-request log with 20 % faults');
    for (const l of traced) assert.ok(receiver.spans.some((s) => s.traceId === l.traceId), `log "${l.body}" names no exported trace`);
  });
});

describe('scalar demo without an endpoint', () => {
  it('sends nothing anywhere and still runs', async () => {
    const receiver = await startOtlpReceiver();
    // The receiver listens, but nothing names it: the default localhost:4318 is not it either.
    const demo = await run(['demo', '--duration', '2', '--data-dir', join(dataDir, 'off')], { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
    await receiver.close();
    assert.equal(demo.code, 0, demo.stderr);
    assert.match(demo.stdout, /summary after/);
    assert.equal(receiver.bodies.length, 0);
  });
});
