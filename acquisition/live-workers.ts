// The lifecycle both long-lived worker kinds share (stream subscriptions, file-drop polls): while
// running, worker_config is re-read; what got enabled starts, what got disabled stops, and what
// runs with changed parameters restarts.
import type { Dataset } from '../shared/dataset.ts';
import { errorMessage } from '../shared/errors.ts';
import type { AcquisitionDeps } from './run-window.ts';
import { WorkerParametersSchema, type WorkerParameters } from './worker-config.ts';

export type LiveWorker = { stop(): Promise<void> };

type Running = { signature: string; worker: LiveWorker };

export abstract class LiveWorkers<Wanted> {
  protected readonly deps: AcquisitionDeps;
  readonly #datasets: ReadonlyMap<string, Dataset>;
  readonly #environment: string;
  readonly #configRefreshMs: number;
  readonly #running = new Map<string, Running>();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #refreshing: Promise<void> = Promise.resolve();

  constructor(deps: AcquisitionDeps, datasets: readonly Dataset[], environment: string, configRefreshMs: number) {
    this.deps = deps;
    this.#datasets = new Map(datasets.filter((d) => this.runs(d)).map((d) => [d.id, d]));
    this.#environment = environment;
    this.#configRefreshMs = configRefreshMs;
  }

  /** Is this dataset of this worker kind? */
  protected abstract runs(ds: Dataset): boolean;
  /** What an enabled worker asks for; undefined when there is nothing to run. */
  protected abstract wanted(ds: Dataset, params: WorkerParameters): Wanted | undefined;
  protected abstract launch(ds: Dataset, wanted: Wanted): LiveWorker;
  /** For logs: `stream workers`. */
  protected abstract readonly kind: string;

  /** Workers running now, by dataset id. */
  get running(): string[] {
    return [...this.#running.keys()];
  }

  start(): void {
    const loop = () => {
      if (this.#stopped) return;
      this.#refreshing = this.refresh()
        .catch((e: unknown) => this.deps.log.error({ err: e }, `${this.kind}: ${errorMessage(e)}`))
        .finally(() => {
          // These workers are few and long-lived: a second is soon enough to notice a toggle, and
          // spares the store a second fast poll beside the scheduler's.
          if (!this.#stopped) this.#timer = setTimeout(loop, Math.max(this.#configRefreshMs, 1000));
        });
    };
    loop();
  }

  /** Starts workers newly enabled in worker_config, stops those disabled, restarts those whose parameters changed. */
  async refresh(): Promise<void> {
    if (this.#datasets.size === 0) return;
    const rows = await this.deps.store.listWorkerConfig(this.#environment);
    const wanted = new Map<string, Wanted>();
    for (const row of rows) {
      const ds = this.#datasets.get(row.workerId);
      if (!row.enabled || !ds) continue;
      const params = WorkerParametersSchema.safeParse(row.parameters);
      if (!params.success) continue; // the window scheduler reports bad parameters
      const w = this.wanted(ds, params.data);
      if (w !== undefined) wanted.set(ds.id, w);
    }
    for (const [id, r] of this.#running) {
      const w = wanted.get(id);
      if (w === undefined || JSON.stringify(w) !== r.signature) {
        this.#running.delete(id);
        await r.worker.stop();
      }
    }
    for (const [id, w] of wanted) {
      if (this.#stopped || this.#running.has(id)) continue;
      this.#running.set(id, { signature: JSON.stringify(w), worker: this.launch(this.#datasets.get(id)!, w) });
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#refreshing;
    const all = [...this.#running.values()];
    this.#running.clear();
    await Promise.all(all.map((r) => r.worker.stop()));
  }
}

/** Waits `ms`, or less when the signal aborts (a stopping worker wakes at once, without an error). */
export function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const wake = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', wake);
      resolve();
    };
    const t = setTimeout(wake, ms);
    signal?.addEventListener('abort', wake, { once: true });
  });
}
