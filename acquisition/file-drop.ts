// The file-drop worker kind, beside the windowed scheduler and the stream worker: for every enabled
// dataset that declares `files`, a poll of its drop directory. A file lands when it has looked the
// same (size and mtime) on two polls in a row — one still being written changes between them — and
// its (name, size, mtime) is not in file_drops yet. Its bytes are published as the raw payload
// through the same path as windows; the content hash is recorded, so a re-upload with new content
// lands again and a re-upload of the same bytes (new mtime) is recorded without publishing twice.
// worker_config is re-read while running, like the stream worker does.
import { randomUUID } from 'node:crypto';
import type { Dataset, DroppedFile, FileDropSession } from '../shared/dataset.ts';
import { ConfigError, errorMessage } from '../shared/errors.ts';
import { sha256Hex } from '../shared/raw-message.ts';
import type { FetchLogEntry, FileDropRecord } from '../shared/store/index.ts';
import { nominalDurationMs } from '../shared/time.ts';
import { publishPayload, type AcquisitionDeps } from './run-window.ts';
import { LiveWorkers, pause, type LiveWorker } from './live-workers.ts';
import type { WorkerParameters } from './worker-config.ts';

export type FileDropEvent =
  | { type: 'file-landed'; dataset: string; file: string; bytes: number; sha256: string }
  | { type: 'file-unchanged'; dataset: string; file: string }
  | { type: 'file-failed'; dataset: string; file: string | null; error: string };

export type FileDropOptions = {
  environment: string;
  configRefreshMs: number;
  /** A fixed poll period replacing every dataset's cadence (the demo's `--every`). */
  every?: string;
  onEvent?: (e: FileDropEvent) => void;
};

const key = (f: Pick<DroppedFile, 'name' | 'size' | 'mtime'>) => `${f.name}|${f.size}|${f.mtime.getTime()}`;

/**
 * One dataset's drop directory between polls: which (name, size, mtime) were seen last time and
 * which are recorded. Pure bookkeeping, so the landing rule is testable without a server.
 */
export function dropState(recorded: readonly FileDropRecord[]) {
  const known = new Set(recorded.map(key));
  const contents = new Set(recorded.map((r) => `${r.name}|${r.sha256}`));
  let previous = new Map<string, string>();
  return {
    /** Files to download now: stable since the previous poll and not recorded. */
    due(listed: readonly DroppedFile[]): DroppedFile[] {
      const now = new Map(listed.map((f) => [f.name, key(f)]));
      const due = listed.filter((f) => !known.has(key(f)) && previous.get(f.name) === key(f));
      previous = now;
      return due;
    },
    /** Was this exact content of this file landed before (under another mtime)? */
    landedBefore: (name: string, sha256: string) => contents.has(`${name}|${sha256}`),
    remember(r: FileDropRecord): void {
      known.add(key(r));
      contents.add(`${r.name}|${r.sha256}`);
    },
  };
}

type Poll = { everyMs: number; moveTo: string | null };

export class FileDropWorkers extends LiveWorkers<Poll> {
  protected readonly kind = 'file-drop workers';
  readonly #o: FileDropOptions;

  constructor(deps: AcquisitionDeps, datasets: readonly Dataset[], options: FileDropOptions) {
    super(deps, datasets, options.environment, options.configRefreshMs);
    this.#o = options;
  }

  protected runs(ds: Dataset): boolean {
    return ds.files !== undefined;
  }

  /** How often to poll and where landed files go; a poll restarts when either changes. */
  protected wanted(ds: Dataset, params: WorkerParameters): Poll {
    const every = params.every ?? this.#o.every ?? ('every' in ds.cadence ? ds.cadence.every : 'PT1M');
    const configured = params.moveLandedTo;
    const after = ds.files!.afterLanding;
    const moveTo = configured !== undefined ? configured || null : after === 'leave' ? null : after.moveTo;
    return { everyMs: nominalDurationMs(every), moveTo };
  }

  protected launch(ds: Dataset, poll: Poll): LiveWorker {
    return this.#startPolling(ds, poll.everyMs, poll.moveTo);
  }

  #startPolling(ds: Dataset, everyMs: number, moveTo: string | null): LiveWorker {
    const abort = new AbortController();
    const log = this.deps.log.child({ dataset: ds.id });
    const loop = async () => {
      const store = this.deps.store;
      if (!store.listFileDrops || !store.recordFileDrop) throw new ConfigError(`${ds.id}: this store does not record file drops`);
      const state = dropState(await store.listFileDrops(ds.id));
      while (!abort.signal.aborted) {
        await pollOnce(this.deps, ds, state, moveTo, this.#o.onEvent).catch((e: unknown) => {
          log.warn(`file drop ${ds.id}: ${errorMessage(e)}`);
          this.#o.onEvent?.({ type: 'file-failed', dataset: ds.id, file: null, error: errorMessage(e) });
        });
        await pause(everyMs, abort.signal);
      }
    };
    const done = loop().catch((e: unknown) => log.error({ err: e }, `file drop ${ds.id} stopped: ${errorMessage(e)}`));
    return {
      async stop() {
        abort.abort();
        await done;
      },
    };
  }
}

/**
 * One poll: list, then download, publish and record each due file in turn (one operation at a
 * time on the session). A failing file is logged in fetch_log and left for the next poll; the
 * others go on. Rejects only when the session cannot be opened or listed.
 */
export async function pollOnce(
  deps: AcquisitionDeps,
  ds: Dataset,
  state: ReturnType<typeof dropState>,
  moveTo: string | null,
  onEvent?: (e: FileDropEvent) => void,
): Promise<void> {
  const files = ds.files!;
  const started = new Date();
  const logRow = (runId: string, url: string, f: DroppedFile | null, error: string | null, bytes: number): FetchLogEntry => ({
    // rows: 0 keeps these rows out of the lost-window repair: a file is not a window to re-fetch.
    runId, dataset: ds.id, partition: ds.partitions[0] ?? 'all', windowFrom: f?.mtime ?? started, windowTo: new Date((f?.mtime ?? started).getTime() + 1),
    url, attempt: 1, status: null, latencyMs: Date.now() - started.getTime(), bytes, error, at: new Date(), rows: 0,
  });
  let session: FileDropSession;
  try {
    session = await files.open({ secrets: deps.secrets, baseUrl: deps.baseUrls[ds.provider], log: deps.log.child({ dataset: ds.id }), signal: deps.signal });
  } catch (e) {
    await deps.store.appendFetchLog([logRow(randomUUID(), `files:${ds.id}`, null, `connect failed: ${errorMessage(e)}`, 0)]);
    throw e;
  }
  try {
    const listed = (await session.list()).filter((f) => files.matches(f.name));
    for (const f of state.due(listed)) {
      const runId = randomUUID();
      try {
        const body = await session.read(f.name);
        // Grew or shrank since the listing: still being written; the next polls see it settle.
        if (body.byteLength !== f.size) continue;
        const sha256 = sha256Hex(body);
        const record: FileDropRecord = { dataset: ds.id, name: f.name, size: f.size, mtime: f.mtime, sha256, runId, landedAt: new Date() };
        if (state.landedBefore(f.name, sha256)) {
          await deps.store.recordFileDrop!(record);
          state.remember(record);
          onEvent?.({ type: 'file-unchanged', dataset: ds.id, file: f.name });
          continue;
        }
        await publishPayload(deps, ds, ds.partitions[0] ?? 'all', { from: f.mtime, to: new Date(f.mtime.getTime() + 1) }, runId, { body, contentType: files.contentType });
        await deps.store.appendFetchLog([logRow(runId, session.describe(f.name), f, null, body.byteLength)]);
        // Recorded only after the bus acknowledged it: a crash in between lands the file again (at least once).
        await deps.store.recordFileDrop!(record);
        state.remember(record);
        onEvent?.({ type: 'file-landed', dataset: ds.id, file: f.name, bytes: body.byteLength, sha256 });
        if (moveTo) await session.move(f.name, moveTo);
      } catch (e) {
        await deps.store.appendFetchLog([logRow(runId, session.describe(f.name), f, errorMessage(e), 0)]);
        onEvent?.({ type: 'file-failed', dataset: ds.id, file: f.name, error: errorMessage(e) });
      }
    }
  } finally {
    await session.close();
  }
}
