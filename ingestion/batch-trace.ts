// Telemetry of one committed batch, kept beside the consumer so its commit path stays readable:
// an `ingest batch` span (its own trace, linking every message's consumer span) with `upsert` and
// `cache refresh` children, and per message a `land <dataset>` span under its consumer span, so a
// window's trace runs from the provider request to the commit. Also the batch metrics.
import { ROOT_CONTEXT, trace, type Span } from '@opentelemetry/api';
import { recordBatch, recordLanded } from '../shared/metrics.ts';
import { linkTo, recordError, startSpan, withSpan } from '../shared/telemetry.ts';

export type TracedMessage = { span: Span; provider: string; dataset: string; partition: string; runId: string; rows: number };

export type BatchTrace = {
  upsert<T>(fn: () => Promise<T>): Promise<T>;
  refresh<T>(fn: () => Promise<T>): Promise<T>;
  /** The batch failed: the error goes on the batch and every message's landing. */
  failed(e: unknown): void;
  /** The batch committed (before the messages are acknowledged one by one). */
  committed(): void;
  /** Message `i` is acknowledged: its landing ends. */
  landed(i: number): void;
};

const under = (span: Span) => trace.setSpan(ROOT_CONTEXT, span);

export function traceBatch(messages: readonly TracedMessage[]): BatchTrace {
  const rows = messages.reduce((n, m) => n + m.rows, 0);
  const links = messages.map((m) => linkTo(m.span)).filter((l) => l !== null);
  const batch = startSpan('ingest batch', { 'scalar.rows': rows, 'scalar.messages': messages.length }, { parent: ROOT_CONTEXT, links });
  const toBatch = [linkTo(batch)].filter((l) => l !== null);
  const lands = messages.map((m) =>
    startSpan(`land ${m.dataset}`, { 'scalar.dataset': m.dataset, 'scalar.partition': m.partition, 'scalar.rows': m.rows, 'scalar.run_id': m.runId }, { parent: under(m.span), links: toBatch }),
  );
  const started = performance.now();
  let upsertMs: number | null = null;
  let open = lands.length;
  const endBatch = () => {
    if (--open <= 0) batch.end();
  };
  if (open === 0) batch.end();
  return {
    async upsert(fn) {
      try {
        return await withSpan('upsert', { 'scalar.rows': rows }, fn, { parent: under(batch) });
      } finally {
        upsertMs = performance.now() - started;
      }
    },
    refresh: (fn) => withSpan('cache refresh', { 'scalar.rows': rows }, fn, { parent: under(batch) }),
    failed(e) {
      recordBatch({ rows, messages: messages.length, upsertMs: upsertMs ?? performance.now() - started, ok: false });
      recordError(batch, e);
      for (const l of lands) {
        recordError(l, e);
        l.end();
      }
      batch.end();
    },
    committed() {
      recordBatch({ rows, messages: messages.length, upsertMs: upsertMs ?? 0, ok: true });
    },
    landed(i) {
      const m = messages[i];
      if (!m) return;
      lands[i]!.end();
      recordLanded(m.provider, m.dataset, m.rows);
      endBatch();
    },
  };
}
