// The HTTP endpoints of a `scalar start` role: /healthz (the process answers), /readyz (bus, store
// and cache reachable, the role's loop running) and /metrics (Prometheus text of the same
// instruments the OTLP exporter sends). Orchestrators probe these; compose health checks use them.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { errorMessage } from '../shared/errors.ts';
import type { Logger } from '../shared/log.ts';

/** A readiness check resolves when the dependency answers; rejects (or times out) when it does not. */
export type ReadinessChecks = Readonly<Record<string, () => Promise<void>>>;

export type HealthEndpoints = { port: number; close(): Promise<void> };

const CHECK_TIMEOUT_MS = 2000;

/** Runs every check at once, each bounded by a timeout: the probe answers within ~2 s whatever hangs. */
export async function runChecks(checks: ReadinessChecks, timeoutMs = CHECK_TIMEOUT_MS): Promise<{ ready: boolean; checks: Record<string, string> }> {
  const results = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([check(), timeout]);
        return [name, 'ok'] as const;
      } catch (e) {
        return [name, e instanceof Error ? e.message : String(e)] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { ready: results.every(([, r]) => r === 'ok'), checks: Object.fromEntries(results) };
}

export async function serveHealth(port: number, checks: ReadinessChecks, prometheus: PrometheusExporter | null, log: Logger): Promise<HealthEndpoints | null> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      void runChecks(checks).then((r) => {
        res.writeHead(r.ready ? 200 : 503, { 'content-type': 'application/json' }).end(`${JSON.stringify({ status: r.ready ? 'ready' : 'not ready', checks: r.checks })}\n`);
      });
    } else if (path === '/metrics' && prometheus) {
      prometheus.getMetricsRequestHandler(req, res);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /healthz, /readyz or /metrics\n');
    }
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, () => resolve());
    });
  } catch (e) {
    // A second role on one host must not die for its probe port: it runs, unprobed, and says so.
    log.error({ err: e }, `health port ${port} unavailable (${errorMessage(e)}): /healthz, /readyz and /metrics are not served`);
    return null;
  }
  const bound = (server.address() as AddressInfo).port;
  log.info({ port: bound }, `serving /healthz, /readyz, /metrics on port ${bound}`);
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections of a prober would hold close() open.
        server.closeAllConnections();
      }),
  };
}
