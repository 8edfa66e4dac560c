// The HTTP API and the web view: every route calls the application layer (app/), the same code the
// CLI runs. JSON schemas on every route; the OpenAPI document is generated from them.
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { datasetParameter, listDatasets, listSeries, seriesLabels } from '../app/catalog.ts';
import { latestToJson, latestValues } from '../app/latest.ts';
import { csvWriter, instantParameter, jsonlLine, observationPages, observationQuery, whereParameter } from '../app/observations.ts';
import { flagToJson, qualityDays, qualityFlags, qualityToJson } from '../app/quality.ts';
import { reconcile, reconcileParameters, reconciliationToJson } from '../app/reconcile.ts';
import { healthToJson, providerHealth, readStatus } from '../app/status.ts';
import { valueChangeToJson, valueChanges } from '../app/revisions.ts';
import { listWorkers, setWorker } from '../app/workers.ts';
import { deskOrders, deskPnl, deskPositions, parseGroupBy, parseOrderStatus } from '../app/execution.ts'; // execution
import { datasets, providers } from '../providers/index.ts';
import { observationToJson } from '../shared/observation.ts';
import type { Cache } from '../shared/cache/index.ts';
import { ParameterError } from '../shared/errors.ts';
import type { Logger } from '../shared/log.ts';
import { redact } from '../shared/redact.ts';
import type { Secrets } from '../shared/secrets/index.ts';
import type { Store } from '../shared/store/index.ts';
import { matchesWhere } from '../shared/store/rows.ts';
import { isoUtc } from '../shared/time.ts';
import { changeFeed, type ChangeFeed, type FeedEvent } from './change-feed.ts';
import { checkBearer } from './tokens.ts';

export type ApiDeps = {
  store: Store;
  cache: Cache;
  secrets: Secrets;
  environment: string;
  /** Fills worker_config with the environment's seeds (rows already there are kept). */
  seedWorkers(): Promise<unknown>;
  /** SSE heartbeat period (a comment line that keeps proxies from closing an idle stream). */
  heartbeatMs?: number;
  /** Where unexpected (500) errors are logged. */
  log?: Logger;
};

export type Api = { app: FastifyInstance; feed: ChangeFeed };

const HEARTBEAT_MS = 15_000;
/** Unsent SSE bytes after which a client counts as gone. */
const SLOW_CLIENT_BYTES = 1 << 20;
const DAY = 86_400_000;

const str = { type: 'string' } as const;
const nullableStr = { type: ['string', 'null'] } as const;
const dims = { type: 'object', additionalProperties: { type: 'string' } } as const;
const whereParam = { type: 'array', items: { type: 'string' }, description: 'series dimension filter key=value (repeatable); readable zone names are accepted' } as const;
const datasetParam = { type: 'string', description: 'dataset id, e.g. energinet.day_ahead_prices' } as const;
const errorBody = { type: 'object', properties: { error: str, parameter: str }, required: ['error'] } as const;
const latestItem = {
  type: 'object',
  properties: { dataset: str, seriesKey: str, series: dims, labels: dims, ts: str, value: { type: ['number', 'null'] }, unit: str, resolution: str },
} as const;

const WEB_DIR = fileURLToPath(new URL('./web/', import.meta.url));
const UPLOT_DIR = fileURLToPath(new URL('../node_modules/uplot/dist/', import.meta.url));
/** The only files the web view serves: a fixed list, so no path from a request reaches the file system. */
const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: `${WEB_DIR}index.html`, type: 'text/html; charset=utf-8' },
  '/web/app.js': { file: `${WEB_DIR}app.js`, type: 'text/javascript; charset=utf-8' },
  '/web/style.css': { file: `${WEB_DIR}style.css`, type: 'text/css; charset=utf-8' },
  '/vendor/uplot.js': { file: `${UPLOT_DIR}uPlot.iife.min.js`, type: 'text/javascript; charset=utf-8' },
  '/vendor/uplot.css': { file: `${UPLOT_DIR}uPlot.min.css`, type: 'text/css; charset=utf-8' },
};

function sseEvent(e: FeedEvent): string {
  return `id: ${e.id}\nevent: latest\ndata: ${JSON.stringify(latestToJson(e.value))}\n\n`;
}

export async function buildApi(deps: ApiDeps): Promise<Api> {
  const app = Fastify({ logger: false, ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false } } });
  const feed = changeFeed(deps.cache);
  app.addHook('onClose', async () => feed.close());

  await app.register(swagger, {
    openapi: {
      info: { title: 'Scalar API', version: '0.1.0', description: 'European energy-market observations, latest values, status and workers' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });

  app.setErrorHandler((e: Error & { validation?: unknown; statusCode?: number; validationContext?: string }, _req, reply) => {
    if (e instanceof ParameterError) return reply.code(400).send({ error: e.message, parameter: e.parameter });
    if (e.validation) {
      // Fastify names the parameter as `querystring/limit`; the body says it plainly.
      const parameter = /^(?:querystring|params|body)\/(\w+)/.exec(e.message)?.[1] ?? /must have required property '(\w+)'/.exec(e.message)?.[1];
      return reply.code(400).send({ error: e.message.replace(/^(querystring|params|body)\//, ''), ...(parameter ? { parameter } : {}) });
    }
    if (e.statusCode && e.statusCode < 500) return reply.code(e.statusCode).send({ error: e.message });
    deps.log?.error({ err: e }, 'API request failed');
    return reply.code(500).send({ error: redact(`${e.name}: ${e.message}`) });
  });

  /** False when the request was answered 401/403 (a boolean: a reply is thenable, awaiting it would hide that). */
  const authorized = async (authorization: string | undefined, reply: FastifyReply): Promise<boolean> => {
    const check = await checkBearer(deps.secrets, authorization);
    if (check === 'missing') void reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'Authorization: Bearer <token> required' });
    else if (check === 'wrong') void reply.code(403).send({ error: 'token not accepted' });
    return check === 'ok';
  };

  app.get('/favicon.ico', { schema: { hide: true } }, async (_req, reply) => reply.code(204).send());
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  for (const [path, s] of Object.entries(STATIC)) {
    app.get(path, { schema: { hide: true } }, async (_req, reply) => reply.type(s.type).header('cache-control', 'no-cache').send(await readFile(s.file)));
  }

  app.get('/api/datasets', {
    schema: {
      summary: 'The catalogue: every dataset with its unit, dimensions and newest observation',
      response: {
        200: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              id: str, provider: str, title: str, stream: { type: 'boolean' }, resolution: str, unit: str,
              dimensions: { type: 'array', items: str }, optionalDimensions: { type: 'array', items: str }, partitions: { type: 'array', items: str },
              cadence: { type: 'object', additionalProperties: true }, newest: nullableStr,
            },
          },
        },
      },
    },
  }, async () => (await listDatasets(deps.store)).map((d) => ({ ...d, newest: d.newest && isoUtc(d.newest) })));

  app.get('/api/series', {
    schema: {
      summary: 'The series of a dataset in the store',
      querystring: { type: 'object', properties: { dataset: datasetParam }, required: ['dataset'] },
      response: {
        200: { type: 'array', items: { type: 'object', properties: { seriesKey: str, series: dims, labels: dims, resolution: str, unit: str, firstTs: nullableStr, lastTs: nullableStr } } },
        400: errorBody,
      },
    },
  }, async (req) => {
    const { dataset } = req.query as { dataset: string };
    const id = datasetParameter(dataset).id;
    return (await listSeries(deps.store, id)).map((s) => ({ ...s, labels: seriesLabels(id, s.series), firstTs: s.firstTs && isoUtc(s.firstTs), lastTs: s.lastTs && isoUtc(s.lastTs) }));
  });

  app.get('/api/observations', {
    schema: {
      summary: 'Observations in [from, to), streamed: json (an array), jsonl (the `scalar query` lines) or csv',
      querystring: {
        type: 'object',
        properties: {
          dataset: datasetParam,
          from: { type: 'string', description: 'first instant (inclusive), ISO 8601 with a zone or a date' },
          to: { type: 'string', description: 'last instant (exclusive)' },
          where: whereParam,
          limit: { type: 'integer', minimum: 0 },
          asOf: { type: 'string', description: 'vintages: what was known at this instant (values ingested by then; replaced ones from their revisions)' },
          issued: { type: 'string', description: 'vintages: per instant, the forecast issue current at this instant (latest issued at or before it)' },
          format: { type: 'string', enum: ['json', 'jsonl', 'csv'], default: 'json' },
        },
        required: ['dataset'],
      },
      response: { 400: errorBody },
    },
  }, async (req, reply) => {
    const p = req.query as { dataset: string; from?: string; to?: string; where?: string[]; limit?: number; asOf?: string; issued?: string; format: 'json' | 'jsonl' | 'csv' };
    const q = observationQuery(p);
    const pages = observationPages(deps.store, q);
    let body: AsyncGenerator<string>;
    if (p.format === 'jsonl') {
      reply.type('application/x-ndjson; charset=utf-8');
      body = (async function* () {
        for await (const page of pages) yield page.map(jsonlLine).join('');
      })();
    } else if (p.format === 'csv') {
      const series = (await listSeries(deps.store, q.dataset)).filter((s) => matchesWhere(s.series, q.where));
      const csv = csvWriter(series.flatMap((s) => Object.keys(s.series)));
      reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${q.dataset}.csv"`);
      body = (async function* () {
        yield csv.header;
        for await (const page of pages) yield page.map(csv.line).join('');
      })();
    } else {
      reply.type('application/json; charset=utf-8');
      body = (async function* () {
        let first = true;
        yield '[';
        for await (const page of pages) {
          const text = page.map((o) => JSON.stringify(observationToJson(o))).join(',');
          if (text) yield (first ? '' : ',') + text;
          if (text) first = false;
        }
        yield ']';
      })();
    }
    return reply.send(Readable.from(body));
  });

  // --- vintages ---
  app.get('/api/revisions', {
    schema: {
      summary: 'How values changed: each replaced value with the one that replaced it, its issue time, ingestion and replacement instants and payload',
      querystring: {
        type: 'object',
        properties: { dataset: datasetParam, from: str, to: str, where: whereParam, limit: { type: 'integer', minimum: 0 } },
        required: ['dataset'],
      },
      response: { 400: errorBody },
    },
  }, async (req) => {
    const p = req.query as { dataset: string; from?: string; to?: string; where?: string[]; limit?: number };
    return (await valueChanges(deps.store, p)).map(valueChangeToJson);
  });
  // --- end vintages ---

  app.get('/api/latest', {
    schema: {
      summary: 'The latest value of every matching series, from the cache',
      querystring: { type: 'object', properties: { dataset: datasetParam, where: whereParam }, required: ['dataset'] },
      response: { 200: { type: 'array', items: latestItem }, 400: errorBody },
    },
  }, async (req) => {
    const { dataset, where } = req.query as { dataset: string; where?: string[] };
    const id = datasetParameter(dataset).id;
    return (await latestValues(deps.cache, id, whereParameter(id, where))).map(latestToJson);
  });

  // --- reconciliation ---
  app.get('/api/reconcile', {
    schema: {
      summary: 'Cross-provider reconciliation per check and zone over [from, to): agreement, per-source counts and status, the largest differences (read only; `scalar reconcile` also stores the result)',
      querystring: {
        type: 'object',
        properties: {
          check: { type: 'string', description: 'one check id; every check when left out' },
          from: { type: 'string', description: 'first instant (inclusive), ISO 8601; default three days ago' },
          to: { type: 'string', description: 'last instant (exclusive); default the end of tomorrow' },
        },
      },
      response: { 200: { type: 'array', items: { type: 'object', additionalProperties: true } }, 400: errorBody },
    },
  }, async (req) => {
    const options = reconcileParameters(req.query as { check?: string; from?: string; to?: string });
    return (await reconcile(deps.store, options)).map(reconciliationToJson);
  });
  // --- end reconciliation ---

  app.get('/api/status', {
    schema: {
      summary: 'Watermarks, recent failed requests and dead letters',
      response: {
        200: {
          type: 'object',
          properties: {
            watermarks: { type: 'array', items: { type: 'object', properties: { dataset: str, partition: str, watermark: str, updatedAt: str } } },
            failures: { type: 'array', items: { type: 'object', properties: { at: str, dataset: str, partition: str, status: { type: ['integer', 'null'] }, error: nullableStr, url: str } } },
            deadLetters: { type: 'array', items: { type: 'object', properties: { at: str, topic: str, dataset: nullableStr, reason: str, windowFrom: nullableStr, windowTo: nullableStr } } },
          },
        },
      },
    },
  }, async () => {
    const s = await readStatus(deps.store);
    const iso = (d: Date | null) => d && isoUtc(d);
    return {
      watermarks: s.watermarks.map((w) => ({ ...w, watermark: isoUtc(w.watermark), updatedAt: isoUtc(w.updatedAt) })),
      failures: s.failures.map((f) => ({ at: isoUtc(f.at), dataset: f.dataset, partition: f.partition, status: f.status, error: f.error, url: f.url })),
      deadLetters: s.deadLetters.map((d) => ({ at: isoUtc(d.at), topic: d.topic, dataset: d.dataset, reason: d.reason, windowFrom: iso(d.windowFrom), windowTo: iso(d.windowTo) })),
    };
  });

  // --- quality ---
  const qualityRange = (p: { from?: string; to?: string }) => {
    const to = instantParameter('to', p.to) ?? new Date();
    const from = instantParameter('from', p.from) ?? new Date(to.getTime() - 2 * DAY);
    if (to < from) throw new ParameterError('to', 'must not be before from');
    return { from, to };
  };
  const dayRange = { from: { type: 'string', description: 'first delivery day (inclusive), ISO 8601; default two days before `to`' }, to: { type: 'string', description: 'last delivery day (inclusive); default today' } } as const;
  app.get('/api/quality', {
    schema: {
      summary: 'Quality score 0–100 per dataset and delivery day with its components (the `scalar quality --format json` report)',
      querystring: { type: 'object', properties: { dataset: datasetParam, ...dayRange } },
      response: { 200: { type: 'object', additionalProperties: true }, 400: errorBody },
    },
  }, async (req) => {
    const p = req.query as { dataset?: string; from?: string; to?: string };
    const dataset = p.dataset === undefined ? undefined : datasetParameter(p.dataset).id;
    return qualityToJson(await qualityDays(deps.store, datasets, { dataset, ...qualityRange(p) }));
  });

  app.get('/api/quality/flags', {
    schema: {
      summary: 'Values plausibility rules flagged in [from, to) (stored as they came; `scalar quality --flags`)',
      querystring: { type: 'object', properties: { dataset: datasetParam, from: { type: 'string' }, to: { type: 'string' }, rule: { type: 'string', enum: ['range', 'jump', 'capacity', 'balance'] }, limit: { type: 'integer', minimum: 1, maximum: 10_000 } } },
      response: { 200: { type: 'array', items: { type: 'object', additionalProperties: true } }, 400: errorBody },
    },
  }, async (req) => {
    const p = req.query as { dataset?: string; from?: string; to?: string; rule?: string; limit?: number };
    const dataset = p.dataset === undefined ? undefined : datasetParameter(p.dataset).id;
    return (await qualityFlags(deps.store, { dataset, from: instantParameter('from', p.from), to: instantParameter('to', p.to), rule: p.rule, limit: p.limit })).map(flagToJson);
  });
  // --- end quality ---

  app.get('/api/health', {
    schema: {
      summary: 'Provider connectivity from fetch_log (the `scalar health --format json` report)',
      querystring: { type: 'object', properties: { provider: { type: 'array', items: str } } },
      response: { 200: { type: 'object', additionalProperties: true }, 400: errorBody },
    },
  }, async (req) => {
    const { provider } = req.query as { provider?: string[] };
    const known = new Set(providers.map((p) => p.id));
    const unknown = provider?.find((p) => !known.has(p));
    if (unknown) throw new ParameterError('provider', `unknown provider ${unknown} (known: ${[...known].join(', ')})`);
    const now = new Date();
    return healthToJson(await providerHealth(deps.store, { providers: provider?.length ? provider : undefined, sinceMs: DAY, now }), now, DAY);
  });

  // --- execution: the paper-trading desk (app/execution.ts, as `scalar orders|positions|pnl`) ---
  const deskRows = { type: 'array', items: { type: 'object', additionalProperties: true } } as const;
  const deskQuery = {
    type: 'object',
    properties: {
      book: { type: 'string', description: 'one book (strategy)' },
      by: { type: 'string', description: 'aggregate by these, comma-separated: book, trader, desk, zone, delivery, product, currency, side' },
      snapshot: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'an end-of-day snapshot (Brussels desk day) instead of live' },
    },
  } as const;
  app.get('/api/orders', {
    schema: {
      summary: 'The desk\'s orders: open, filled, expired, rejected (with the reason) or cancelled',
      querystring: { type: 'object', properties: { book: str, status: str, limit: { type: 'integer', minimum: 1 } } },
      response: { 200: deskRows, 400: errorBody },
    },
  }, async (req) => {
    const q = req.query as { book?: string; status?: string; limit?: number };
    return deskOrders(deps.store, { book: q.book, status: parseOrderStatus(q.status), limit: q.limit });
  });
  app.get('/api/positions', {
    schema: { summary: 'The desk\'s positions per product and side with average price, live or an end-of-day snapshot', querystring: deskQuery, response: { 200: deskRows, 400: errorBody } },
  }, async (req) => {
    const q = req.query as { book?: string; by?: string; snapshot?: string };
    return deskPositions(deps.store, { book: q.book, snapshot: q.snapshot, by: parseGroupBy(q.by) });
  });
  app.get('/api/pnl', {
    schema: { summary: 'The desk\'s P&L: marked to market, settled against the imbalance price where published', querystring: deskQuery, response: { 200: deskRows, 400: errorBody } },
  }, async (req) => {
    const q = req.query as { book?: string; by?: string; snapshot?: string };
    return deskPnl(deps.store, { book: q.book, snapshot: q.snapshot, by: parseGroupBy(q.by) });
  });
  // --- end execution ---

  app.get('/api/workers', {
    schema: {
      summary: 'Acquisition workers of this environment and their watermarks',
      response: { 200: { type: 'array', items: { type: 'object', properties: { workerId: str, environment: str, enabled: { type: 'boolean' }, parameters: { type: 'object', additionalProperties: true }, watermarks: { type: 'array', items: { type: 'object', properties: { partition: str, watermark: str } } } } } } },
    },
  }, async () =>
    (await listWorkers(deps.store, deps.environment, deps.seedWorkers)).map((w) => ({ ...w, watermarks: w.watermarks.map((m) => ({ partition: m.partition, watermark: isoUtc(m.watermark) })) })),
  );

  for (const action of ['enable', 'disable'] as const) {
    app.post(`/api/workers/:id/${action}`, {
      schema: {
        summary: `${action === 'enable' ? 'Enable' : 'Disable'} a worker (a running scheduler picks it up without a restart)`,
        security: [{ bearer: [] }],
        params: { type: 'object', properties: { id: { type: 'string', description: 'worker id (the dataset id)' } }, required: ['id'] },
        response: { 200: { type: 'object', properties: { workerId: str, environment: str, enabled: { type: 'boolean' } } }, 400: errorBody, 401: errorBody, 403: errorBody },
      },
    }, async (req, reply) => {
      // The token first: an unauthenticated caller learns nothing, not even whether the id exists.
      if (!(await authorized(req.headers.authorization, reply))) return reply;
      const { id } = req.params as { id: string };
      await setWorker(deps.store, deps.environment, id, action === 'enable', deps.seedWorkers);
      return { workerId: id, environment: deps.environment, enabled: action === 'enable' };
    });
  }

  app.get('/api/stream', {
    schema: {
      summary: 'Server-Sent Events: every change of the latest values (event `latest`, `id:` per event; Last-Event-ID resumes; a comment line every 15 s)',
      querystring: { type: 'object', properties: { dataset: { type: 'string', description: 'only this dataset (all when unset)' }, where: whereParam } },
      response: { 400: errorBody },
    },
  }, (req, reply) => {
    const { dataset, where } = req.query as { dataset?: string; where?: string[] };
    const id = dataset ? datasetParameter(dataset).id : undefined;
    const filter = id ? whereParameter(id, where) : {};
    if (!id && where?.length) throw new ParameterError('where', 'needs dataset');
    const lastHeader = req.headers['last-event-id'];
    const lastId = typeof lastHeader === 'string' && /^\d+$/.test(lastHeader) ? Number(lastHeader) : null;
    const wanted = (e: FeedEvent) => (id === undefined || e.value.dataset === id) && matchesWhere(e.value.series, filter);

    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write('retry: 3000\n\n');
    if (lastId !== null) for (const e of feed.since(lastId)) if (wanted(e)) res.write(sseEvent(e));
    const unsubscribe = feed.subscribe((e) => {
      if (!wanted(e)) return;
      // A client that stops reading must not grow this process's memory: it is cut off and
      // resumes from the ring buffer with Last-Event-ID when it reconnects.
      if (res.writableLength > SLOW_CLIENT_BYTES) return void res.destroy();
      res.write(sseEvent(e));
    });
    const heartbeat = setInterval(() => res.write(`: heartbeat ${isoUtc(new Date())}\n\n`), deps.heartbeatMs ?? HEARTBEAT_MS);
    heartbeat.unref();
    req.raw.once('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });

  return { app, feed };
}

/** Listens on host:port; the address it bound is returned (port 0 picks a free one). */
export async function serveApi(deps: ApiDeps, port: number, host = '127.0.0.1'): Promise<Api & { url: string }> {
  const api = await buildApi(deps);
  await api.app.listen({ port, host });
  const address = api.app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return { ...api, url: `http://${host}:${bound}` };
}
