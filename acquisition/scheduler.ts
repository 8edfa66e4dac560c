// Runs every enabled dataset worker on its cadence. worker_config is re-read while running, so a
// worker enabled or disabled in the store starts or stops without a restart. A dataset behind its
// target (first run, after downtime) runs window after window until it has caught up.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Cadence, Dataset } from '../shared/dataset.ts';
import { NoDataYetError, errorMessage, outcomeOf } from '../shared/errors.ts';
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
  /** A failure retrying cannot fix (rejected token, refused request): the partition's worker runs no more until it is re-enabled or restarted. */
  | { type: 'worker-stopped'; dataset: string; partition: string; error: string }
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
   * On stop, how long windows under way may take to finish before they are aborted. A request
   * already sent is usually answered within it; aborting it would spend the quota twice (the
   * window is fetched again on the next start).
   */
  stopGraceMs?: number;
  onEvent?: (e: AcquisitionEvent) => void;
  /** completeness: targeted re-fetches of ledger holes (completeness/repair.ts); none when unset. */
  gaps?: GapRepairs;
};

type Slot = {
  running: boolean;
  nextCadenceAt: Date | null;
  /** Wall-clock ms (Date.now) before which a failed window is not tried again: a retry delay is real time, whatever the data clock says. */
  retryAt: number | null;
  failures: number;
  stoppedBy: string | null;
};

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
  #lastTickAt = 0;
  readonly #slots = new Map<string, Slot>();
  readonly #inFlight = new Set<Promise<void>>();
  #workers: ActiveWorker[] = [];
  #configReadAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #ticking = false;
  /** The scheduling pass under way: stop waits for it, so no window starts after stop. */
  #tickDone: Promise<void> = Promise.resolve();
  #stopped = false;
  #badParams = new Set<string>();
  /** Aborts windows under way when the stop's grace is over. */
  readonly #abort = new AbortController();
  /** Fired as the stop begins: windows under way start no retry (a retry's wait ends), their request under way may finish. */
  readonly #stopping = new AbortController();

  constructor(deps: AcquisitionDeps, datasets: readonly Dataset[], options: SchedulerOptions) {
    this.#deps = deps;
    this.#datasets = new Map(datasets.map((d) => [d.id, d]));
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as SchedulerOptions;
    this.#o = { maxRetryDelayMs: 5 * 60_000, noDataRetryMs: 10 * 60_000, now: () => new Date(), leaseMs: 30_000, stopGraceMs: 5000, ...given };
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

  /**
   * Stops scheduling: waits for the scheduling pass under way (which then starts nothing), lets the
   * windows under way finish the request they are making (no retry starts, a retry's wait ends) for
   * up to stopGraceMs, and aborts what is left.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopping.abort(new Error('acquisition stopping'));
    clearTimeout(this.#timer);
    await this.#tickDone.catch(() => undefined);
    const all = Promise.allSettled([...this.#inFlight]);
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      all.then(() => true),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), this.#o.stopGraceMs))),
    ]);
    clearTimeout(timer);
    // An aborted window is not published and its watermark stays: the next start fetches it again.
    if (!finished) this.#abort.abort(new Error('acquisition stopping'));
    await all;
    clearInterval(this.#heartbeat);
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
      if (ds?.stream || ds?.files) continue; // streams and file drops: acquisition/stream-worker.ts, acquisition/file-drop.ts
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
    const enabled = new Set(workers.map((w) => w.ds.id));
    for (const [key, slot] of this.#slots) if (!enabled.has(key.split('\u0000')[0]!) && !slot.running) this.#slots.delete(key);
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
  tick(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#ticking) return this.#tickDone;
    this.#ticking = true;
    this.#tickDone = this.#pass().finally(() => (this.#ticking = false));
    return this.#tickDone;
  }

  async #pass(): Promise<void> {
    if (Date.now() - this.#configReadAt >= this.#o.configRefreshMs || this.#configReadAt === 0) {
      await this.#refreshWorkers();
    }
    await this.#repairGaps(); // completeness
    for (const { ds, params } of this.#workers) {
      const every = this.#o.every ?? params.every;
      const cadence: Cadence = every ? { every } : ds.cadence;
      for (const partition of this.#partitions(ds, params)) {
        if (this.#inFlight.size >= this.#o.concurrency || this.#stopped) return;
        await this.#maybeRun(ds, params, cadence, partition);
      }
    }
  }

  /**
   * Runs one window in the background under its lease: reports the outcome, lets `settle` update
   * the slot (returning the retry delay on failure), releases the lease, and looks for more work.
   * Returns false, starting nothing, once the scheduler is stopping.
   */
  #launch(
    ds: Dataset,
    partition: string,
    window: Interval,
    lease: string,
    settle: (failure: { error: string; cause: unknown } | { waitMs: number } | null) => number,
    done: () => void = () => undefined,
  ): boolean {
    if (this.#stopped) return false;
    this.#held.add(lease);
    const run = runWindow({ ...this.#deps, signal: this.#abort.signal, stopping: this.#stopping.signal }, ds, partition, window)
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
        const retryInMs = settle({ error: errorMessage(e), cause: e });
        this.#o.onEvent?.({ type: 'failed', dataset: ds.id, partition, window, error: errorMessage(e), retryInMs });
        if (outcomeOf(e) === 'stop-worker') this.#o.onEvent?.({ type: 'worker-stopped', dataset: ds.id, partition, error: errorMessage(e) });
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
    return true;
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

  async #maybeRun(ds: Dataset, params: WorkerParameters, cadence: Cadence, partition: string): Promise<void> {
    const key = `${ds.id}\u0000${partition}`;
    let slot = this.#slots.get(key);
    const now = this.#o.now();
    if (!slot) {
      slot = { running: false, nextCadenceAt: nextRunAt(cadence, now), retryAt: null, failures: 0, stoppedBy: null };
      this.#slots.set(key, slot);
    }
    if (slot.running || slot.stoppedBy !== null || (slot.retryAt !== null && slot.retryAt > Date.now())) return;
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

    const s = slot;
    const started = this.#launch(ds, partition, window, lease, (failure) => {
      if (!failure) {
        s.failures = 0;
        s.retryAt = null;
        return 0;
      }
      if ('waitMs' in failure) {
        s.failures = 0;
        s.retryAt = Date.now() + failure.waitMs;
        return failure.waitMs;
      }
      if (outcomeOf(failure.cause) === 'stop-worker') {
        // Retrying a rejected token or a refused request only spends quota (and invites a ban).
        s.stoppedBy = failure.error;
        this.#deps.log.error({ dataset: ds.id, partition }, `worker stopped until it is re-enabled or restarted: ${failure.error}`);
        return 0;
      }
      s.failures += 1;
      const delay = Math.min(this.#o.maxRetryDelayMs, 1000 * 2 ** (s.failures - 1));
      s.retryAt = Date.now() + delay;
      this.#deps.log.warn({ dataset: ds.id, partition }, failure.error);
      return delay;
    }, () => (s.running = false));
    if (started) s.running = true;
    return started;
  }
}
