// Acquisition workers per environment: list with watermarks, enable, disable. A running scheduler
// reads worker_config on its refresh, so a toggle needs no restart.
import { ParameterError } from '../shared/errors.ts';
import type { Store, Watermark, WorkerConfig } from '../shared/store/index.ts';

export type WorkerRow = WorkerConfig & { watermarks: Watermark[] };

/** `seed` fills worker_config with the environment's defaults first (rows already there are kept). */
export async function listWorkers(store: Store, environment: string, seed: () => Promise<unknown>): Promise<WorkerRow[]> {
  await seed();
  const watermarks = await store.listWatermarks();
  return (await store.listWorkerConfig(environment)).map((w) => ({ ...w, watermarks: watermarks.filter((m) => m.dataset === w.workerId) }));
}

/** Enables or disables a worker; an unknown id is a ParameterError naming `id`. */
export async function setWorker(store: Store, environment: string, id: string, enabled: boolean, seed: () => Promise<unknown>): Promise<void> {
  await seed();
  if (!(await store.setWorkerEnabled(environment, id, enabled))) throw new ParameterError('id', `no worker ${id} in environment ${environment}`);
}
