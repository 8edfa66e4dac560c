// Runs every enabled dataset worker on its cadence. worker_config is re-read while running, so a
// worker enabled or disabled in the store starts or stops without a restart. A dataset behind its
// target (first run, after downtime) runs window after window until it has caught up.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Cadence, Dataset } from '../shared/dataset.ts';
import { NoDataYetError, errorMessage } from '../shared/errors.ts';
import type { Interval } from '../shared/time.ts';
import { runWindow, type AcquisitionDeps, type WindowResult } from './run-window.ts';
import { isBehind, nextRunAt, nextWindow } from './window.ts';
import type { GapRepairs } from '../completeness/repair.ts';
import { WorkerParametersSchema, type WorkerParameters } from './worker-config.ts';

export type AcquisitionEvent =
  | ({ type: 'published'; dataset: string; partition: string; window: Interval } & WindowResult)
  | { type: 'failed'; dataset: string; partition: string; window: Interval; error: string; retryInMs: number }
  /** The source has not published the window yet: nothing was published, the watermark stays, no alert. */
  | { type: 'no-data-yet'; dataset: string; partition: string; window: Interval; retryInMs: number }
  | { type: 'workers'; enabled: string[] };

export type SchedulerOptions = {
  environment: string;
  tickMs: number;
  configRefreshMs: number;
  /** Windows fetched at once. */
  concurrency: number;
  /** Longest wait before a failing window is tried again. */
  maxRetryDelayMs?: number;
  /** Wait before asking again for a window the source has not published (unless the source says). */
  noDataRetryMs?: number;
  now?: () => Date;
  /** A fixed period replacing every worker's cadence (the demo shows runs within seconds). */
  every?: string;
  /**
   * Who holds this scheduler's leases. A stable identity (the same after a restart) takes back the
   * leases a killed incarnation left at once; unset, a random one per process, whose leases others
   * may take once the heartbeat stops for `leaseMs`. Must differ between processes running at once.
   */
  owner?: string;
  /** How long a (dataset, partition) lease lasts without a heartbeat (the holder died mid-window). */
  leaseMs?: number;
  /** How often the holder renews its leases; a third of `leaseMs` by default. */
  renewEveryMs?: number;
  /**
   * On start, fetch again the windows published since this long ago that never landed: what a
   * non-durable (in-process) bus lost when the process died. 0 turns it off (durable brokers).
   */
  repairLookbackMs?: number;
  onEvent?: (e: AcquisitionEvent) => void;
  /** completeness: targeted re-fetches of ledger holes (completeness/repair.ts); none when unset. */
  gaps?: GapRepairs;
};

type Slot = { running: boolean; nextCadenceAt: Date | null; retryAt: Date | null; failures: number };

type ActiveWorker = { ds: Dataset; params: WorkerParameters };

export class Scheduler {
  readonly #deps: AcquisitionDeps;
  readonly #datasets: ReadonlyMap<string, Dataset>;
  readonly #o: Required<Omit<SchedulerOptions, 'onEvent' | 'every' | 'owner' | 'renewEveryMs' | 'gaps'>> & Pick<SchedulerOptions, 'onEvent' | 'every' | 'gaps'>;
  readonly #owner: string;
  /** Leases held by windows under way, renewed by the heartbeat. */
  readonly #held = new Set<string>();
  #heartbeat: NodeJS.Timeout | undefined;
  readonly #renewEveryMs: number;
  readonly #slots = new Map<string, Slot>();
  readonly #inFlight = new Set<Promise<void>>();
  #workers: ActiveWorker[] = [];
  #configReadAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #ticking = false;
  /** Settles when the pass under way ends: stop waits for it, or a lease it just took would outlive the process. */
  #tickDone: Promise<void> = Promise.resolve();
  #stopped = false;
  #lastTickAt = 0;
  #badParams = new Set<string>();
  /** Aborts windows under way when the scheduler stops, so a stop never waits out retries. */
  readonly #abort = new AbortController();
  #repairs: { dataset: string; partition: string; windowFrom: Date; windowTo: Date }[] | undefined;

  constructor(deps: AcquisitionDeps, datasets: readonly Dataset[], options: SchedulerOptions) {
    this.#deps = deps;
    this.#datasets = new Map(datasets.map((d) => [d.id, d]));
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as SchedulerOptions;
    this.#o = { maxRetryDelayMs: 5 * 60_000, noDataRetryMs: 10 * 60_000, now: () => new Date(), leaseMs: 30_000, repairLookbackMs: 0, ...given };
    this.#owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.#renewEveryMs = options.renewEveryMs ?? Math.max(1, Math.floor(this.#o.leaseMs / 3));
  }

  /** Extends every lease a window under way holds; a lease found lost is reported (another process may now fetch that partition). */
  async #renew(): Promise<void> {
    for (const key of [...this.#held]) {
      const kept = await this.#deps.store.renewLease(key, this.#owner, this.#o.leaseMs).catch((e: unknown) => {
        this.#deps.log.warn(`lease ${key}: heartbeat failed: ${errorMessage(e)}`);
        return true; // store unreachable: the lease may still be ours; try again at the next beat
      });
      if (!kept && this.#held.has(key)) this.#deps.log.warn(`lease ${key} was lost (no heartbeat for ${this.#o.leaseMs} ms); another process may fetch this partition`);
    }
  }

  start(): void {
    this.#heartbeat = setInterval(() => void this.#renew(), this.#renewEveryMs);
    this.#heartbeat.unref();
    const loop = () => {
      if (this.#stopped) return;
      this.tick()
        .catch((e: unknown) => this.#deps.log.error({ err: e }, `acquisition tick failed: ${errorMessage(e)}`))
        .finally(() => {
          this.#lastTickAt = Date.now();
          if (!this.#stopped) this.#timer = setTimeout(loop, this.#o.tickMs);
        });
    };
    loop();
  }

  /** Stops scheduling and waits for windows already under way. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearInterval(this.#heartbeat);
    // An aborted window is not published and its watermark stays: the next start fetches it again.
    this.#abort.abort(new Error('acquisition stopping'));
    // A pass under way may be between taking a lease and starting its window: let it finish first.
    await this.#tickDone;
    await Promise.allSettled([...this.#inFlight]);
  }

  /** Whether the scheduling loop runs: started, not stopped, and its last pass ended within `withinMs` (readiness). */
  alive(withinMs: number): boolean {
    return !this.#stopped && this.#lastTickAt > 0 && Date.now() - this.#lastTickAt <= withinMs;
  }

  /** Windows currently being fetched or published. */
  get busy(): number {
    return this.#inFlight.size;
  }

  /** Enabled (dataset, partition) pairs that are still behind their target. */
  async pending(): Promise<number> {
    let n = 0;
    for (const { ds, params } of this.#workers) {
      for (const p of this.#partitions(ds, params)) {
        if (isBehind(ds.window, await this.#deps.store.getWatermark(ds.id, p), this.#o.now())) n += 1;
      }
    }
    return n;
  }

  async #refreshWorkers(): Promise<void> {
    const rows = await this.#deps.store.listWorkerConfig(this.#o.environment);
    const workers: ActiveWorker[] = [];
    for (const row of rows) {
      if (!row.enabled) continue;
      const ds = this.#datasets.get(row.workerId);
      if (ds?.stream) continue; // a streaming dataset: acquisition/stream-worker.ts runs it
      const params = WorkerParametersSchema.safeParse(row.parameters);
      const problem = !ds ? 'names no known dataset' : !params.success ? `has bad parameters: ${params.error.message}` : null;
      if (problem) {
        if (!this.#badParams.has(row.workerId)) this.#deps.log.error(`worker ${row.workerId} ${problem}; skipped`);
        this.#badParams.add(row.workerId);
        continue;
      }
      workers.push({ ds: ds!, params: params.data! });
    }
    const before = this.#workers.map((w) => w.ds.id).join(',');
    this.#workers = workers;
    this.#configReadAt = Date.now();
    if (workers.map((w) => w.ds.id).join(',') !== before) {
      this.#o.onEvent?.({ type: 'workers', enabled: workers.map((w) => w.ds.id) });
    }
  }

  #partitions(ds: Dataset, params: WorkerParameters): readonly string[] {
    return params.partitions ? ds.partitions.filter((p) => params.partitions!.includes(p)) : ds.partitions;
  }

  /** One scheduling pass: starts every due window (up to the concurrency limit). */
  async tick(): Promise<void> {
    if (this.#ticking || this.#stopped) return;
    this.#ticking = true;
    let done!: () => void;
    this.#tickDone = new Promise<void>((r) => (done = r));
    try {
      if (Date.now() - this.#configReadAt >= this.#o.configRefreshMs || this.#configReadAt === 0) {
        await this.#refreshWorkers();
      }
      await this.#repair();
      await this.#repairGaps(); // completeness
      for (const { ds, params } of this.#workers) {
        const every = this.#o.every ?? params.every;
        const cadence: Cadence = every ? { every } : ds.cadence;
        for (const partition of this.#partitions(ds, params)) {
          if (this.#inFlight.size >= this.#o.concurrency) return;
          await this.#maybeRun(ds, params, cadence, partition);
        }
      }
    } finally {
      this.#ticking = false;
      done();
    }
  }

  /**
   * Runs one window in the background under its lease: reports the outcome, lets `settle` update
   * the slot (returning the retry delay on failure), releases the lease, and looks for more work.
   */
  #launch(
    ds: Dataset,
    partition: string,
    window: Interval,
    lease: string,
    settle: (failure: { error: string } | { waitMs: number } | null) => number,
    done: () => void = () => undefined,
  ): void {
    this.#held.add(lease);
    const run = runWindow({ ...this.#deps, signal: this.#abort.signal }, ds, partition, window)
      .then((result) => {
        settle(null);
        this.#o.onEvent?.({ type: 'published', dataset: ds.id, partition, window, ...result });
      })
      .catch((e: unknown) => {
        if (e instanceof NoDataYetError) {
          const retryInMs = settle({ waitMs: e.retryAfterMs ?? this.#o.noDataRetryMs });
          this.#o.onEvent?.({ type: 'no-data-yet', dataset: ds.id, partition, window, retryInMs });
          return;
        }
        const retryInMs = settle({ error: errorMessage(e) });
        this.#o.onEvent?.({ type: 'failed', dataset: ds.id, partition, window, error: errorMessage(e), retryInMs });
      })
      .finally(async () => {
        this.#held.delete(lease);
        await this.#deps.store.releaseLease(lease, this.#owner).catch(() => undefined);
        done();
        this.#inFlight.delete(run);
        // A finished window frees a slot: look again now rather than a tick later (catch-up speed).
        if (!this.#stopped) setImmediate(() => void this.tick().catch(() => undefined));
      });
    this.#inFlight.add(run);
  }

  // --- completeness: ledger holes past due are fetched again through the same launch path ---
  async #repairGaps(): Promise<void> {
    const gaps = this.#o.gaps;
    const room = this.#o.concurrency - this.#inFlight.size;
    if (!gaps || room <= 0) return;
    const active = this.#workers.map(({ ds, params }) => ({ ds, partitions: this.#partitions(ds, params) }));
    for (const g of await gaps.due(active, this.#o.now(), room)) {
      const worker = this.#workers.find((w) => w.ds.id === g.dataset);
      const lease = `${g.dataset}/${g.partition}`;
      // Held by the regular worker: the attempt stays booked and the day's backoff brings it back.
      if (!worker || !(await this.#deps.store.acquireLease(lease, this.#owner, this.#o.leaseMs))) continue;
      this.#launch(worker.ds, g.partition, g.window, lease, (failure) => {
        gaps.settled(g, failure && 'error' in failure ? failure.error : null);
        return 0;
      });
    }
  }
  // --- end completeness ---

  /** Re-fetches lost windows once after start, before regular work; the watermark never moves back. */
  async #repair(): Promise<void> {
    if (this.#o.repairLookbackMs <= 0) return;
    this.#repairs ??= await this.#deps.store.listUnlandedWindows(new Date(Date.now() - this.#o.repairLookbackMs));
    while (this.#repairs.length > 0 && this.#inFlight.size < this.#o.concurrency) {
      const r = this.#repairs.shift()!;
      const worker = this.#workers.find((w) => w.ds.id === r.dataset);
      if (!worker) continue;
      const lease = `${r.dataset}/${r.partition}`;
      if (!(await this.#deps.store.acquireLease(lease, this.#owner, this.#o.leaseMs))) {
        // Held elsewhere (or by a dead holder whose lease has not expired yet): try again at a later tick, never drop it.
        this.#repairs.push(r);
        break;
      }
      const window = { from: r.windowFrom, to: r.windowTo };
      this.#launch(worker.ds, r.partition, window, lease, (failure) => {
        // A repair that fails is not retried here: the window stays unlanded and is found again on the next start.
        if (failure && 'error' in failure) this.#deps.log.warn({ dataset: r.dataset, partition: r.partition }, `repair of a lost window failed: ${failure.error}`);
        return 0;
      });
    }
  }

  async #maybeRun(ds: Dataset, params: WorkerParameters, cadence: Cadence, partition: string): Promise<void> {
    const key = `${ds.id}\u0000${partition}`;
    let slot = this.#slots.get(key);
    const now = this.#o.now();
    if (!slot) {
      slot = { running: false, nextCadenceAt: nextRunAt(cadence, now), retryAt: null, failures: 0 };
      this.#slots.set(key, slot);
    }
    if (slot.running || (slot.retryAt && slot.retryAt > now)) return;
    // Cheap check first; the watermark is read again under the lease, where another process may have moved it.
    const dueByCadence = slot.nextCadenceAt !== null && now >= slot.nextCadenceAt;
    if (!dueByCadence && !isBehind(ds.window, await this.#deps.store.getWatermark(ds.id, partition), now)) return;
    // Another acquisition process may be on this partition: only the lease holder fetches.
    const lease = `${ds.id}/${partition}`;
    if (!(await this.#deps.store.acquireLease(lease, this.#owner, this.#o.leaseMs))) return;
    if (this.#stopped) return void (await this.#deps.store.releaseLease(lease, this.#owner));
    let handedOver = false;
    try {
      handedOver = await this.#startWindow(ds, params, cadence, partition, slot, now, lease);
    } finally {
      if (!handedOver) await this.#deps.store.releaseLease(lease, this.#owner);
    }
  }

  /** Starts the due window, if any; true when a run now owns the lease (and releases it when done). */
  async #startWindow(ds: Dataset, params: WorkerParameters, cadence: Cadence, partition: string, slot: Slot, now: Date, lease: string): Promise<boolean> {
    const watermark = await this.#deps.store.getWatermark(ds.id, partition);
    const cadenceDue = slot.nextCadenceAt !== null && now >= slot.nextCadenceAt;
    if (!cadenceDue && !isBehind(ds.window, watermark, now)) return false;
    if (cadenceDue) slot.nextCadenceAt = nextRunAt(cadence, now);
    const window = nextWindow(ds.window, watermark, now, params.backfill);
    if (!window) return false;

    slot.running = true;
    const s = slot;
    this.#launch(ds, partition, window, lease, (failure) => {
      if (!failure) {
        s.failures = 0;
        s.retryAt = null;
        return 0;
      }
      if ('waitMs' in failure) {
        s.failures = 0;
        s.retryAt = new Date(this.#o.now().getTime() + failure.waitMs);
        return failure.waitMs;
      }
      s.failures += 1;
      const delay = Math.min(this.#o.maxRetryDelayMs, 1000 * 2 ** (s.failures - 1));
      s.retryAt = new Date(this.#o.now().getTime() + delay);
      this.#deps.log.warn({ dataset: ds.id, partition }, failure.error);
      return delay;
    }, () => (s.running = false));
    return true;
  }
}
