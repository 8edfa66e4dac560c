// A tiny in-process OTLP/HTTP receiver for tests: accepts OTLP/JSON (OTEL_EXPORTER_OTLP_PROTOCOL=
// http/json) on /v1/traces, /v1/metrics and /v1/logs and keeps what arrived, decoded just enough to
// assert on span names, trace ids, attributes, metric names and log bodies.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

const AnyValue: z.ZodType<unknown> = z.lazy(() =>
  z.object({
    stringValue: z.string().optional(),
    intValue: z.union([z.string(), z.number()]).optional(),
    doubleValue: z.number().optional(),
    boolValue: z.boolean().optional(),
    arrayValue: z.object({ values: z.array(AnyValue).optional() }).optional(),
  }),
);
const KeyValue = z.object({ key: z.string(), value: AnyValue });
const Attributes = z.array(KeyValue).optional();
const Resource = z.object({ attributes: Attributes }).optional();

const SpanSchema = z.object({
  traceId: z.string(),
  spanId: z.string(),
  parentSpanId: z.string().optional(),
  name: z.string(),
  kind: z.number().optional(),
  attributes: Attributes,
  links: z.array(z.object({ traceId: z.string(), spanId: z.string() })).optional(),
  status: z.object({ code: z.number().optional(), message: z.string().optional() }).optional(),
  events: z.array(z.object({ name: z.string(), attributes: Attributes })).optional(),
});
const TracesSchema = z.object({
  resourceSpans: z.array(z.object({ resource: Resource, scopeSpans: z.array(z.object({ spans: z.array(SpanSchema).optional() })).optional() })),
});
const MetricsSchema = z.object({
  resourceMetrics: z.array(z.object({ resource: Resource, scopeMetrics: z.array(z.object({ metrics: z.array(z.object({ name: z.string() }).loose()).optional() })).optional() })),
});
const LogsSchema = z.object({
  resourceLogs: z.array(z.object({
    resource: Resource,
    scopeLogs: z.array(z.object({ logRecords: z.array(z.object({ body: AnyValue.optional(), attributes: Attributes, traceId: z.string().optional(), spanId: z.string().optional(), severityText: z.string().optional() })).optional() })).optional(),
  })),
});

export type ReceivedSpan = z.infer<typeof SpanSchema> & { service: string };
export type ReceivedLog = { body: string; attributes: Record<string, unknown>; traceId?: string; service: string };

/** Attributes as a plain object (string, number or boolean values). */
export function attrs(list: z.infer<typeof Attributes>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list ?? []) {
    const v = kv.value as { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean };
    out[kv.key] = v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined) ?? v.doubleValue ?? v.boolValue;
  }
  return out;
}

export type OtlpReceiver = {
  url: string;
  spans: ReceivedSpan[];
  metricNames: Set<string>;
  logs: ReceivedLog[];
  /** Raw request bodies, for greps (a secret must not appear in any of them). */
  bodies: string[];
  close(): Promise<void>;
};

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const r: Omit<OtlpReceiver, 'url' | 'close'> = { spans: [], metricNames: new Set(), logs: [], bodies: [] };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      r.bodies.push(text);
      try {
        const json: unknown = JSON.parse(text);
        if (req.url === '/v1/traces') {
          for (const rs of TracesSchema.parse(json).resourceSpans) {
            const service = String(attrs(rs.resource?.attributes)['service.name']);
            for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) r.spans.push({ ...s, service });
          }
        } else if (req.url === '/v1/metrics') {
          for (const rm of MetricsSchema.parse(json).resourceMetrics) for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) r.metricNames.add(m.name);
        } else if (req.url === '/v1/logs') {
          for (const rl of LogsSchema.parse(json).resourceLogs) {
            const service = String(attrs(rl.resource?.attributes)['service.name']);
            for (const sl of rl.scopeLogs ?? []) {
              for (const l of sl.logRecords ?? []) {
                const body = (l.body as { stringValue?: string } | undefined)?.stringValue ?? '';
                r.logs.push({ body, attributes: attrs(l.attributes), traceId: l.traceId, service });
              }
            }
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch (e) {
        res.writeHead(400).end(String(e));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ...r,
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
