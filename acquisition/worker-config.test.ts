import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Dataset } from '../shared/dataset.ts';
import { ConfigError } from '../shared/errors.ts';
import { readWorkerOverrides, workerSeeds } from './worker-config.ts';

// Only the fields seeding reads; the rest of a descriptor does not matter here.
const dataset = (id: string, workers: Dataset['workers']) => ({ id, partitions: ['DK1', 'DK2', 'FR'], workers }) as unknown as Dataset;
const prices = dataset('p.prices', { development: { enabled: true, backfill: 'P3D', partitions: ['DK1'] }, production: { enabled: true, backfill: 'P60D' } });
const history = dataset('p.history', { production: { enabled: false } });

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('worker seeds', () => {
  it('seeds every dataset in every environment: its defaults there, disabled where it names none', () => {
    assert.deepEqual(workerSeeds([prices, history], 'development'), [
      { workerId: 'p.prices', environment: 'development', enabled: true, parameters: { backfill: 'P3D', partitions: ['DK1'] } },
      { workerId: 'p.history', environment: 'development', enabled: false, parameters: {} },
    ]);
    assert.deepEqual(workerSeeds([prices, history], 'staging').map((w) => [w.workerId, w.enabled]), [['p.prices', false], ['p.history', false]]);
  });

  it('lets an override replace enabled and the parameters it gives, keeping the other defaults', () => {
    const [w] = workerSeeds([prices], 'development', [{ id: 'p.prices', enabled: false, parameters: { partitions: ['FR', 'DK2'] } }]);
    assert.deepEqual(w, { workerId: 'p.prices', environment: 'development', enabled: false, parameters: { backfill: 'P3D', partitions: ['FR', 'DK2'] } });
  });

  it('refuses an override of an unknown dataset or partition', () => {
    assert.throws(() => workerSeeds([prices], 'development', [{ id: 'p.nope', enabled: true }]), (e: unknown) => e instanceof ConfigError && /unknown dataset p\.nope/.test(e.message));
    assert.throws(() => workerSeeds([prices], 'development', [{ id: 'p.prices', parameters: { partitions: ['SE4'] } }]), /unknown partition\(s\) SE4/);
  });

  it('reads an overrides file written for its environment only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scalar-workers-'));
    dirs.push(dir);
    const path = join(dir, 'development.yaml');
    writeFileSync(path, 'environment: development\nworkers:\n  - id: p.prices\n    enabled: false\n');
    assert.deepEqual(readWorkerOverrides(path, 'development'), [{ id: 'p.prices', enabled: false }]);
    assert.throws(() => readWorkerOverrides(path, 'production'), /written for environment development, not production/);
    writeFileSync(path, 'environment: development\nworkers:\n  - id: p.prices\n    paused: true\n');
    assert.throws(() => readWorkerOverrides(path, 'development'), ConfigError);
  });
});
