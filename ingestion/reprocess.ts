// Re-parses kept raw payloads into the store without calling the provider: the way a parser fix
// reaches data that was already fetched.
import type { Dataset } from '../shared/dataset.ts';
import { errorMessage } from '../shared/errors.ts';
import type { PayloadArchive } from '../shared/payload-archive.ts';
import type { Store, StoredObservation } from '../shared/store/index.ts';
import { formatInterval } from '../shared/time.ts';
import { toStoredRows, type IngestionDeps } from './consumer.ts';
import { validateObservations } from './validate.ts';

export type ReprocessResult = { payloads: number; rows: number; failed: { sha256: string; window: string; error: string }[] };

export async function reprocess(
  deps: { store: Store; archive: PayloadArchive; annotateZones?: IngestionDeps['annotateZones'] },
  ds: Dataset,
  range: { from?: Date; to?: Date },
  options: { batchRows: number; onProgress?: (done: number, total: number, rows: number) => void },
): Promise<ReprocessResult> {
  const payloads = await deps.store.listRawPayloads({ dataset: ds.id, ...range });
  const result: ReprocessResult = { payloads: payloads.length, rows: 0, failed: [] };
  let batch: StoredObservation[] = [];
  const commit = async () => {
    await deps.store.upsertObservations(batch);
    result.rows += batch.length;
    batch = [];
  };
  // Oldest fetch first, so a later revision of the same instant wins, as it did when it was ingested.
  for (const [i, p] of payloads.entries()) {
    try {
      const body = await deps.archive.get(p.sha256);
      // The same zone dimension as at ingestion, or a re-parse would write series without it.
      // The partition it was fetched for, as at ingestion (some answers do not repeat their request).
      const parsed = ds.parse(body, { partition: p.partition });
      const observations = deps.annotateZones ? deps.annotateZones(ds, parsed) : parsed;
      validateObservations(ds, observations, p.fetchedAt);
      const inRange = observations.filter((o) => (!range.from || o.ts >= range.from) && (!range.to || o.ts < range.to));
      batch.push(...toStoredRows(inRange, p.sha256));
    } catch (e) {
      result.failed.push({ sha256: p.sha256, window: formatInterval({ from: p.windowFrom, to: p.windowTo }), error: errorMessage(e) });
    }
    if (batch.length >= options.batchRows) await commit();
    options.onProgress?.(i + 1, payloads.length, result.rows + batch.length);
  }
  await commit();
  return result;
}
