// Parsing large payloads off the event loop: a fixed number of worker threads, each parsing one
// payload at a time, the rest waiting in order. A 10 MB document then costs the consumer's thread
// only the copy of its bytes and of the observations back, not the seconds of parsing, so smaller
// messages keep landing meanwhile. Errors come back as the class they were thrown as (ParseError,
// ValidationError, UnknownDatasetError, with their own fields), so dead-lettering reads the same.
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { ParseError, UnknownDatasetError, ValidationError } from './errors.ts';
import type { ParseContext } from './dataset.ts';
import type { Observation } from './observation.ts';

export type ParsePool = {
  /** Parses `body` as dataset `datasetId` on a worker thread; the parser's notes come back into `context.notes`. */
  parse(datasetId: string, body: Uint8Array, context?: ParseContext): Promise<Observation[]>;
  /** Stops the threads; parses still waiting are rejected. */
  close(): Promise<void>;
};

type Request = { id: number; datasetId: string; body: Uint8Array; partition?: string };
/** `classes`: the error's class names, its own first (a subclass of ParseError comes back as a ParseError). */
type SentError = { name: string; classes: string[]; message: string; stack?: string; fields: Record<string, unknown> };
type Reply = { id: number; observations: Observation[]; notes: string[] } | { id: number; error: SentError };

const TYPED: Record<string, new (message: string) => Error> = { ParseError, ValidationError, UnknownDatasetError };

function sendable(e: unknown): SentError {
  if (!(e instanceof Error)) return { name: 'Error', classes: [], message: String(e), fields: {} };
  const classes: string[] = [];
  for (let p = Object.getPrototypeOf(e) as object | null; p && p !== Error.prototype; p = Object.getPrototypeOf(p) as object | null) classes.push(p.constructor.name);
  // Own fields (provider, dataset, window…) as far as they survive a structured clone.
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) {
    if (k === 'name' || k === 'message' || k === 'stack') continue;
    try {
      fields[k] = structuredClone(v);
    } catch {
      fields[k] = String(v);
    }
  }
  return { name: e.name, classes, message: e.message, stack: e.stack, fields };
}

/** The error as thrown on the worker: its nearest typed class, same name, message and fields. */
function revive(sent: SentError): Error {
  const known = sent.classes.find((c) => TYPED[c] !== undefined);
  const e = known ? new TYPED[known]!(sent.message) : new Error(sent.message);
  e.name = sent.name;
  Object.assign(e, sent.fields);
  if (sent.stack) e.stack = sent.stack;
  return e;
}

/** The worker side: answers parse requests with `parse` (called once in the worker module). */
export function serveParse(parse: (datasetId: string, body: Uint8Array, context: ParseContext) => Observation[]): void {
  if (isMainThread || !parentPort) throw new Error('serveParse runs in a worker thread');
  const port = parentPort;
  port.on('message', (r: Request) => {
    let reply: Reply;
    try {
      const notes: string[] = [];
      const observations = parse(r.datasetId, r.body, r.partition === undefined ? { notes } : { partition: r.partition, notes });
      reply = { id: r.id, observations, notes };
    } catch (e) {
      reply = { id: r.id, error: sendable(e) };
    }
    port.postMessage(reply);
  });
}

type Job = Request & { notes?: string[]; resolve: (o: Observation[]) => void; reject: (e: Error) => void };

/**
 * `workerModule`: a module that calls serveParse. TypeScript modules are loaded through tsx in the
 * thread (as the CLI runs its sources); `threads` workers start lazily, on the first parse.
 */
export function startParsePool(workerModule: URL, o: { threads: number }): ParsePool {
  if (!Number.isInteger(o.threads) || o.threads < 1) throw new Error(`parse pool: threads must be a whole number ≥ 1, got ${o.threads}`);
  const queue: Job[] = [];
  const idle: Worker[] = [];
  const busy = new Map<Worker, Job>();
  let started = 0;
  let nextId = 0;
  let closed = false;
  const source = workerModule.href.endsWith('.ts')
    ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(workerModule.href)}); });`
    : `import(${JSON.stringify(workerModule.href)});`;

  function spawn(): Worker {
    started++;
    const w = new Worker(source, { eval: true });
    w.on('message', (reply: Reply) => {
      const job = busy.get(w);
      if (!job || job.id !== reply.id) return;
      busy.delete(w);
      if ('error' in reply) job.reject(revive(reply.error));
      else {
        job.notes?.push(...reply.notes);
        job.resolve(reply.observations);
      }
      // An idle thread does not keep the process alive; a busy one does (its caller waits on it).
      w.unref();
      idle.push(w);
      pump();
    });
    // A thread that dies (out of memory on one payload) fails its job and is replaced on demand.
    const died = (e: Error) => {
      started--;
      const i = idle.indexOf(w);
      if (i >= 0) idle.splice(i, 1);
      const job = busy.get(w);
      busy.delete(w);
      job?.reject(new Error(`parse thread stopped while parsing ${job.datasetId}: ${e.message}`));
      pump();
    };
    w.on('error', died);
    w.on('exit', (code) => {
      if (busy.has(w) || idle.includes(w)) died(new Error(`exit code ${code}`));
    });
    return w;
  }

  function pump(): void {
    while (!closed && queue.length > 0) {
      const w = idle.pop() ?? (started < o.threads ? spawn() : undefined);
      if (!w) return;
      const job = queue.shift()!;
      busy.set(w, job);
      w.ref();
      w.postMessage({ id: job.id, datasetId: job.datasetId, body: job.body, ...(job.partition === undefined ? {} : { partition: job.partition }) } satisfies Request);
    }
  }

  return {
    parse(datasetId, body, context) {
      if (closed) return Promise.reject(new Error('parse pool is closed'));
      return new Promise<Observation[]>((resolve, reject) => {
        queue.push({ id: nextId++, datasetId, body, ...(context?.partition === undefined ? {} : { partition: context.partition }), notes: context?.notes, resolve, reject });
        pump();
      });
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.reject(new Error('parse pool closed'));
      for (const [, job] of busy) job.reject(new Error('parse pool closed'));
      const all = [...idle, ...busy.keys()];
      idle.length = 0;
      busy.clear();
      await Promise.all(all.map((w) => w.terminate()));
    },
  };
}
