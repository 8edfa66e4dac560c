// worker_config: which dataset workers run in which environment, seeded from
// deployment/workers/<environment>.yaml and re-read while running.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Dataset } from '../shared/dataset.ts';
import { ConfigError } from '../shared/errors.ts';
import type { WorkerConfig } from '../shared/store/index.ts';
import { nominalDurationMs, parseDuration } from '../shared/time.ts';

const duration = z.string().refine((s) => {
  try {
    parseDuration(s);
    return true;
  } catch {
    return false;
  }
}, 'an ISO 8601 duration such as PT10S or P3D');

/** What a worker's `parameters` may hold. */
export const WorkerParametersSchema = z
  .object({
    /** Only these partitions (e.g. price areas); all of the dataset's when unset. */
    partitions: z.array(z.string().min(1)).min(1).optional(),
    /** First-run depth, overriding the dataset's. */
    backfill: duration.optional(),
    /** A fixed period replacing the dataset's cadence (the demo uses it to show runs quickly); at least a second, or a worker spins. */
    every: duration.refine((s) => { try { return nominalDurationMs(s) >= 1000; } catch { return false; } }, 'at least one second (PT1S)').optional(),
  })
  .strict();

export type WorkerParameters = z.infer<typeof WorkerParametersSchema>;

const SeedFileSchema = z
  .object({
    environment: z.string().min(1),
    workers: z.array(
      z.object({ id: z.string().min(1), enabled: z.boolean(), parameters: WorkerParametersSchema.default({}) }).strict(),
    ),
  })
  .strict();

/** Reads a seed file; every worker must name a known dataset. */
export function readWorkerSeed(path: string, datasets: readonly Dataset[]): WorkerConfig[] {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(`worker seed ${path}: ${(e as Error).message}`);
  }
  const parsed = SeedFileSchema.safeParse(doc);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new ConfigError(`worker seed ${path}: ${i.path.join('.')}: ${i.message}`);
  }
  const known = new Set(datasets.map((d) => d.id));
  for (const w of parsed.data.workers) {
    if (!known.has(w.id)) throw new ConfigError(`worker seed ${path}: unknown dataset ${w.id}`);
  }
  return parsed.data.workers.map((w) => ({
    workerId: w.id,
    environment: parsed.data.environment,
    enabled: w.enabled,
    parameters: w.parameters,
  }));
}

export function workerSeedPath(environment: string): URL {
  return new URL(`../deployment/workers/${environment}.yaml`, import.meta.url);
}
