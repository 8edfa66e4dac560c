// Fault injection shared by every provider simulator: each request may be answered with a fault
// instead of data, chosen by a seeded random stream so that a test run is repeatable.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export type FaultKind = 'rateLimit' | 'serverError' | 'unavailable' | 'slow' | 'truncated' | 'malformed' | 'badRecord';

export type FaultPlan = {
  /** Probability per request of each fault (their sum should stay ≤ 1). */
  rates: Partial<Record<FaultKind, number>>;
  /** Retry-After the 429 answers carry. */
  retryAfterSeconds: number;
  /** How long a slow answer takes (make it longer than the client's timeout). */
  slowMs: number;
  seed: number;
};

export const NO_FAULTS: FaultPlan = { rates: {}, retryAfterSeconds: 1, slowMs: 60_000, seed: 1 };

/** mulberry32: small, fast, seedable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  #plan: FaultPlan = NO_FAULTS;
  #random = seededRandom(NO_FAULTS.seed);
  readonly served: Record<FaultKind | 'ok', number> = {
    ok: 0, rateLimit: 0, serverError: 0, unavailable: 0, slow: 0, truncated: 0, malformed: 0, badRecord: 0,
  };

  set(plan: Partial<FaultPlan>): void {
    this.#plan = { ...NO_FAULTS, ...plan };
    this.#random = seededRandom(this.#plan.seed);
  }

  get plan(): FaultPlan {
    return this.#plan;
  }

  /** The fault for the next request, or null to answer normally. */
  next(): FaultKind | null {
    const r = this.#random();
    let acc = 0;
    for (const [kind, rate] of Object.entries(this.#plan.rates) as [FaultKind, number][]) {
      acc += rate;
      if (r < acc) {
        this.served[kind] += 1;
        return kind;
      }
    }
    this.served.ok += 1;
    return null;
  }

  /**
   * Answers a transport-level fault. Returns false for faults that need the provider's own body
   * (badRecord), which the simulator then builds itself.
   */
  answer(kind: FaultKind, res: ServerResponse, body: string, contentType: string): boolean {
    switch (kind) {
      case 'rateLimit':
        res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': String(this.#plan.retryAfterSeconds) });
        res.end('Too Many Requests');
        return true;
      case 'serverError':
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('Internal Server Error');
        return true;
      case 'unavailable':
        res.writeHead(503, { 'content-type': 'text/html' });
        res.end('<html><body><h1>503 Service Unavailable</h1></body></html>');
        return true;
      case 'slow': {
        const timer = setTimeout(() => {
          if (!res.destroyed) res.writeHead(200, { 'content-type': contentType }).end(body);
        }, this.#plan.slowMs);
        res.on('close', () => clearTimeout(timer));
        return true;
      }
      case 'truncated': {
        // Promise the whole body, send half of it, then drop the connection.
        const bytes = Buffer.from(body);
        res.writeHead(200, { 'content-type': contentType, 'content-length': String(bytes.length) });
        res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.socket?.destroy());
        return true;
      }
      case 'malformed': {
        const bytes = Buffer.from(body.slice(0, Math.max(1, Math.floor(body.length / 3))));
        res.writeHead(200, { 'content-type': contentType, 'content-length': String(bytes.length) });
        res.end(bytes);
        return true;
      }
      case 'badRecord':
        return false;
    }
  }
}

/** Listens on loopback and resolves with the base URL. */
export function listen(server: Server, port = 0): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const addr = server.address();
      if (!addr || typeof addr === 'string') return reject(new Error('no address'));
      resolve(`http://127.0.0.1:${addr.port}`);
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** `POST /__sim/faults` with a FaultPlan JSON switches faults at run time; `GET /__sim/stats` reports what was served. */
export async function handleControl(req: IncomingMessage, res: ServerResponse, faults: FaultInjector): Promise<boolean> {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (path === '/__sim/stats') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ plan: faults.plan, served: faults.served }));
    return true;
  }
  if (path === '/__sim/faults' && req.method === 'POST') {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    try {
      faults.set(JSON.parse(text) as Partial<FaultPlan>);
      res.writeHead(204).end();
    } catch (e) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end(`bad fault plan: ${(e as Error).message}`);
    }
    return true;
  }
  return false;
}

/**
 * Serves `handle` on loopback: the fault-control routes first, a handler error as a 500 (a
 * simulator bug must not hang its client). Resolves with the base URL and a close function.
 */
export async function serveSimulator(
  faults: FaultInjector,
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  port = 0,
  /** WebSocket upgrades on the same port (a streaming simulator); refused when unset. */
  onUpgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    (async () => {
      if (!(await handleControl(req, res, faults))) await handle(req, res);
    })().catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(e));
    });
  });
  if (onUpgrade) server.on('upgrade', onUpgrade);
  return { url: await listen(server, port), close: () => closeServer(server) };
}
