// Fetching from the providers' simulators as acquisition would, for tests that need real provider
// output in a store without running the pipeline: each dataset from its own simulator, one delivery
// day per request (Nord Pool's portal answers one day at a time), parsed and zone-annotated.
import { toStoredRows } from '../ingestion/consumer.ts';
import type { Simulator } from '../shared/dataset.ts';
import { createHttpClient } from '../shared/http.ts';
import { silentLogger } from '../shared/log.ts';
import { sha256Hex } from '../shared/raw-message.ts';
import { envName, envSecrets } from '../shared/secrets/index.ts';
import type { StoredObservation } from '../shared/store/index.ts';
import { findDataset, findProvider } from './index.ts';
import { annotateZones } from './zones.ts';

export type SimulatedFetch = { dataset: string; from: Date; to: Date };

/** The rows each dataset's simulator serves for `zone` over its span, keyed by dataset id, as ingestion stores them. */
export async function fetchFromSimulators(zone: string, fetches: readonly SimulatedFetch[]): Promise<Map<string, StoredObservation[]>> {
  const annotate = annotateZones(() => {});
  const served = new Map<string, StoredObservation[]>();
  const sims: Simulator[] = [];
  try {
    for (const { dataset: id, from, to } of fetches) {
      const ds = findDataset(id);
      const sim = await findProvider(ds.provider).startSimulator();
      sims.push(sim);
      const secrets = envSecrets(Object.fromEntries(Object.entries(sim.secrets ?? {}).map(([k, v]) => [envName(k), v])));
      const http = createHttpClient(ds.provider, { timeoutMs: 20_000, maxAttempts: 2, initialDelayMs: 5, maxDelayMs: 20 });
      const rows: StoredObservation[] = [];
      for (let t = from.getTime(); t < to.getTime(); t += 86_400_000) {
        const window = { from: new Date(t), to: new Date(Math.min(t + 86_400_000, to.getTime())) };
        const payload = await ds.fetch(window, zone, { http, secrets, baseUrl: sim.url, onAttempt: () => {}, log: silentLogger });
        rows.push(...toStoredRows(annotate(ds, ds.parse(payload.body, { partition: zone })), sha256Hex(payload.body)));
      }
      served.set(id, rows);
    }
  } finally {
    for (const s of sims) await s.close();
  }
  return served;
}
