// Lands again what a non-durable bus lost: acquisition keeps every payload in the raw archive before
// publishing it, so a window fetched but never landed (the in-process bus died with the process) is
// published once more from the archive on the next start, without asking the provider again.
import { randomBytes } from 'node:crypto';
import type { Bus } from '../shared/bus/index.ts';
import { errorMessage } from '../shared/errors.ts';
import type { Logger } from '../shared/log.ts';
import type { PayloadArchive } from '../shared/payload-archive.ts';
import { rawProperties } from '../shared/raw-message.ts';
import type { RawPayloadRecord, Store } from '../shared/store/index.ts';
import { formatInterval } from '../shared/time.ts';

export type RecoverDeps = { store: Store; archive: PayloadArchive; bus: Bus; log: Logger; topicFor(provider: string): string };

export type RecoverResult = { republished: number; missing: string[] };

/** Re-publishes the archived payload of every window fetched since `since` that never landed and was not dead-lettered. */
export async function republishUnlanded(deps: RecoverDeps, since: Date): Promise<RecoverResult> {
  const result: RecoverResult = { republished: 0, missing: [] };
  for (const w of await deps.store.listUnlandedWindows(since)) {
    const label = `${w.dataset} [${w.partition} ${formatInterval({ from: w.windowFrom, to: w.windowTo })}]`;
    const kept = (await deps.store.listRawPayloads({ dataset: w.dataset, from: w.windowFrom, to: w.windowTo })).filter(
      (p) => p.partition === w.partition && p.windowFrom.getTime() === w.windowFrom.getTime() && p.windowTo.getTime() === w.windowTo.getTime(),
    );
    // The newest fetch of the window is what it would have landed.
    const p: RawPayloadRecord | undefined = kept.at(-1);
    if (!p) {
      // Fetched by a build that did not archive before publishing: the regular run's lookback fetches it again.
      result.missing.push(label);
      continue;
    }
    let body: Uint8Array;
    try {
      body = await deps.archive.get(p.sha256);
    } catch (e) {
      deps.log.warn(`lost window ${label}: archived payload unreadable: ${errorMessage(e)}`);
      result.missing.push(label);
      continue;
    }
    const properties = rawProperties({
      provider: p.provider,
      dataset: p.dataset,
      partition: p.partition,
      window: { from: p.windowFrom, to: p.windowTo },
      runId: p.runId,
      fetchedAt: p.fetchedAt,
      contentType: p.contentType,
      sha256: p.sha256,
      traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`,
    });
    await deps.bus.publish(deps.topicFor(p.provider), { data: body, properties, key: p.dataset });
    result.republished += 1;
  }
  if (result.republished > 0) deps.log.info(`re-published ${result.republished} archived window(s) that never landed`);
  return result;
}
