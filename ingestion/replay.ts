// Re-drives dead-lettered payloads once their cause is fixed (a parser or validation fix, a dataset
// this build now knows): the bytes come from the raw archive by sha256, land like any payload, and
// the dead letter is marked replayed. One that still fails stays dead, with the new reason shown.
import type { Dataset } from '../shared/dataset.ts';
import { errorMessage } from '../shared/errors.ts';
import type { PayloadArchive } from '../shared/payload-archive.ts';
import type { DeadLetterRecord, Store } from '../shared/store/index.ts';
import { toStoredRows } from './consumer.ts';
import { validateObservations } from './validate.ts';

export type ReplayResult = {
  replayed: { dead: DeadLetterRecord; rows: number }[];
  failed: { dead: DeadLetterRecord; error: string }[];
  /** Dead letters that carry no payload to replay (a message that was not even a raw payload). */
  skipped: DeadLetterRecord[];
};

export async function replayDeadLetters(
  deps: { store: Store; archive: PayloadArchive; findDataset(id: string): Dataset },
  q: { dataset?: string; since?: Date; limit?: number },
): Promise<ReplayResult> {
  const result: ReplayResult = { replayed: [], failed: [], skipped: [] };
  const dead = await deps.store.listDeadLetters({ ...q, limit: q.limit ?? 10_000, notReplayed: true });
  const done = new Set<string>();
  // Oldest first, so a later revision of the same instant lands last.
  for (const d of dead.reverse()) {
    if (!d.sha256 || !d.dataset || d.id === undefined) {
      result.skipped.push(d);
      continue;
    }
    try {
      // The same payload dead-lettered twice (redelivered) lands once; both records are marked.
      const key = `${d.dataset}\u0000${d.sha256}`;
      let rows = 0;
      if (!done.has(key)) {
        const ds = deps.findDataset(d.dataset);
        const body = await deps.archive.get(d.sha256);
        const kept = (await deps.store.listRawPayloads({ dataset: d.dataset, from: d.windowFrom ?? undefined, to: d.windowTo ?? undefined })).find((p) => p.sha256 === d.sha256);
        const observations = ds.parse(body, kept ? { partition: kept.partition } : {});
        validateObservations(ds, observations, kept?.fetchedAt ?? d.at);
        await deps.store.upsertObservations(toStoredRows(observations, d.sha256));
        if (d.runId) await deps.store.setFetchRows(d.runId, observations.length);
        rows = observations.length;
        done.add(key);
      }
      await deps.store.markDeadLetterReplayed(d.id, new Date());
      result.replayed.push({ dead: d, rows });
    } catch (e) {
      result.failed.push({ dead: d, error: errorMessage(e) });
    }
  }
  return result;
}
