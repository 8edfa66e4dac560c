// The dataset-kit checks, run over every Nord Pool dataset: fixture → golden file, rows valid,
// dimensions as declared, detection unambiguous, a simulator window parses to rows.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { validateObservations } from '../../ingestion/validate.ts';
import type { FetchContext } from '../../shared/dataset.ts';
import { createHttpClient } from '../../shared/http.ts';
import { silentLogger } from '../../shared/log.ts';
import { observationToJson } from '../../shared/observation.ts';
import { envSecrets } from '../../shared/secrets/index.ts';
import { nordpool } from './index.ts';
import { startNordpoolSimulator, type NordpoolSimulator } from './simulator.ts';

const file = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

describe('Nord Pool datasets keep the dataset kit contract', () => {
  for (const ds of nordpool.datasets) {
    describe(ds.id, () => {
      it('declares fixtures, detection and worker defaults for development and production', () => {
        assert.ok((ds.fixtures ?? []).length > 0);
        assert.ok(ds.detect);
        assert.ok(ds.workers?.development && ds.workers.production);
        for (const env of Object.values(ds.workers)) {
          for (const p of env.partitions ?? []) assert.ok(ds.partitions.includes(p), `${p} is a partition of ${ds.id}`);
        }
      });

      for (const fx of ds.fixtures ?? []) {
        it(`${fx.file}: parses to its golden file; rows valid; dimensions as declared; detected by this dataset only`, () => {
          const body = file(fx.file);
          const obs = ds.parse(body);
          const golden = String(file(fx.file.replace(/\.json$/, '.expected.jsonl'))).split('\n').filter(Boolean).map((l) => JSON.parse(l));
          assert.deepEqual(obs.map((o) => JSON.parse(JSON.stringify(observationToJson(o)))), golden);
          assert.ok(obs.length > 0);
          const latest = new Date(Math.max(...obs.map((o) => o.ts.getTime())));
          validateObservations(ds, obs, latest);
          for (const o of obs) assert.deepEqual(Object.keys(o.series).sort(), [...ds.dimensions].sort());
          assert.deepEqual(nordpool.datasets.filter((d) => d.detect?.(body)).map((d) => d.id), [ds.id]);
          assert.equal(nordpool.identify(body), ds);
        });
      }
    });
  }

  it('identify names what it saw when no dataset claims a payload', () => {
    assert.throws(() => nordpool.identify(new TextEncoder().encode('{"hello":1}')), /no dataset recognises this payload/);
  });

  describe('a window fetched from the simulator parses to rows', () => {
    let sim: NordpoolSimulator;
    before(async () => {
      sim = await startNordpoolSimulator({ now: () => new Date('2025-11-05T15:00:00Z'), stream: { running: false } });
    });
    after(() => sim.close());
    const day = { from: new Date('2025-11-04T23:00:00Z'), to: new Date('2025-11-05T23:00:00Z') };
    const year = { from: new Date('2024-12-31T23:00:00Z'), to: new Date('2025-12-31T23:00:00Z') };
    for (const ds of nordpool.datasets.filter((d) => !d.stream)) {
      it(ds.id, async () => {
        const ctx: FetchContext = {
          http: createHttpClient('nordpool-conformance', { maxAttempts: 2, initialDelayMs: 5 }),
          secrets: envSecrets(Object.fromEntries(Object.entries(sim.secrets ?? {}).map(([k, v]) => [k.replace(':', '__').toUpperCase(), v]))),
          baseUrl: sim.url,
          onAttempt: () => undefined,
          log: silentLogger,
        };
        const partition = ds.partitions.includes('SE3') ? 'SE3' : ds.partitions[0]!;
        const payload = await ds.fetch(ds.window.align === 'P1Y' ? year : day, partition, ctx);
        const obs = ds.parse(payload.body);
        assert.ok(obs.length > 0);
        validateObservations(ds, obs, new Date('2025-11-05T15:00:00Z'));
        assert.ok(ds.detect!(payload.body));
      });
    }
  });
});
