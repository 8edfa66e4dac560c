// worker_config: which dataset workers run in which environment, seeded from the datasets' own
// worker defaults plus the environment's overrides file, and re-read while running.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
    /** File-drop datasets: move landed files into this sub-directory of the drop ('' leaves them). */
    moveLandedTo: z.string().regex(/^[A-Za-z0-9_.-]*$/, 'a plain sub-directory name').optional(),
    every: duration.refine((s) => { try { return nominalDurationMs(s) >= 1000; } catch { return false; } }, 'at least one second (PT1S)').optional(),
  })
  .strict();

export type WorkerParameters = z.infer<typeof WorkerParametersSchema>;

const OverrideFileSchema = z
  .object({
    environment: z.string().min(1),
    workers: z
      .array(z.object({ id: z.string().min(1), enabled: z.boolean().optional(), parameters: WorkerParametersSchema.optional() }).strict())
      .nullish()
      .transform((w) => w ?? []),
  })
  .strict();

export type WorkerOverride = { id: string; enabled?: boolean; parameters?: WorkerParameters };

/** Reads `<environment>.yaml`: overrides of the datasets' worker defaults, by dataset id. */
export function readWorkerOverrides(path: string, environment: string): WorkerOverride[] {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(`worker overrides ${path}: ${(e as Error).message}`);
  }
  const parsed = OverrideFileSchema.safeParse(doc);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new ConfigError(`worker overrides ${path}: ${i.path.join('.')}: ${i.message}`);
  }
  if (parsed.data.environment !== environment) {
    throw new ConfigError(`worker overrides ${path}: written for environment ${parsed.data.environment}, not ${environment}`);
  }
  return parsed.data.workers;
}

/**
 * The worker_config seeds of an environment: every dataset, with its descriptor's defaults for the
 * environment (disabled when it names none), then the overrides by id (a parameter given there
 * replaces the default's). An override naming no dataset, or a partition the dataset lacks, is a ConfigError.
 */
export function workerSeeds(datasets: readonly Dataset[], environment: string, overrides: readonly WorkerOverride[] = []): WorkerConfig[] {
  const byId = new Map(overrides.map((o) => [o.id, o]));
  for (const id of byId.keys()) {
    if (!datasets.some((d) => d.id === id)) throw new ConfigError(`worker overrides for ${environment}: unknown dataset ${id}`);
  }
  return datasets.map((d) => {
    const defaults = d.workers[environment] ?? { enabled: false };
    const override = byId.get(d.id);
    const { enabled: defaultEnabled, ...defaultParameters } = defaults;
    const parameters: WorkerParameters = { ...defaultParameters, ...override?.parameters } as WorkerParameters;
    const checked = WorkerParametersSchema.safeParse(parameters);
    if (!checked.success) throw new ConfigError(`worker ${d.id} in ${environment}: ${checked.error.issues[0]!.path.join('.')}: ${checked.error.issues[0]!.message}`);
    const unknown = (checked.data.partitions ?? []).filter((p) => !d.partitions.includes(p));
    if (unknown.length > 0) throw new ConfigError(`worker ${d.id} in ${environment}: unknown partition(s) ${unknown.join(', ')}`);
    return { workerId: d.id, environment, enabled: override?.enabled ?? defaultEnabled, parameters: checked.data };
  });
}

/** `<dir>/<environment>.yaml`: where an environment's overrides live. */
export const workerOverridesPath = (dir: string, environment: string) => join(dir, `${environment}.yaml`);
