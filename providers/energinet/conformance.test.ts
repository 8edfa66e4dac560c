// What the kit's conformance suite will check for every registered dataset, run over Energinet's
// own: fixture → golden file, validation, declared dimensions, detection, a simulator round trip,
// worker defaults. Golden files are rewritten only on request: WRITE_GOLDEN=1 node --import tsx --test <this file>
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { nextWindow } from '../../acquisition/window.ts';
import { validateObservations } from '../../ingestion/validate.ts';
import { createHttpClient } from '../../shared/http.ts';
import { silentLogger } from '../../shared/log.ts';
import { observationToJson } from '../../shared/observation.ts';
import { envSecrets } from '../../shared/secrets/index.ts';
import { addDuration } from '../../shared/time.ts';
import { energinetDatasets } from './datasets.ts';
import { energinet } from './index.ts';
import { startEnerginetSimulator, type EnerginetSimulator } from './simulator.ts';

const NOW = new Date('2025-11-05T14:00:00Z');
const fixtureUrl = (file: string) => new URL(`./fixtures/${file}`, import.meta.url);
const goldenUrl = (file: string) => fixtureUrl(file.replace(/\.[^.]+$/, '.expected.jsonl'));

describe('energinet conformance', () => {
  let sim: EnerginetSimulator;
  before(async () => (sim = await startEnerginetSimulator({ now: () => NOW })));
  after(() => sim.close());

  it('lists each dataset once, as the provider does', () => {
    assert.deepEqual(energinet.datasets, energinetDatasets);
    assert.equal(new Set(energinetDatasets.map((d) => d.id)).size, energinetDatasets.length);
    assert.equal(new Set(energinetDatasets.map((d) => d.source.layout.apiName)).size, energinetDatasets.length);
  });

  for (const ds of energinetDatasets) {
    describe(ds.id, () => {
      it('has fixtures and worker defaults for development and production', () => {
        assert.ok((ds.fixtures ?? []).length > 0);
        assert.ok(ds.workers?.development && ds.workers.production);
        for (const w of Object.values(ds.workers)) for (const p of w.partitions ?? []) assert.ok(ds.partitions.includes(p), p);
      });

      for (const { file } of ds.fixtures ?? []) {
        it(`parses ${file} to its golden file; every row valid, with exactly the declared dimensions`, () => {
          const body = new Uint8Array(readFileSync(fixtureUrl(file)));
          const obs = ds.parse(body);
          assert.ok(obs.length > 0);
          const jsonl = obs.map((o) => JSON.stringify(observationToJson(o))).join('\n') + '\n';
          if (process.env.WRITE_GOLDEN === '1') writeFileSync(goldenUrl(file), jsonl);
          assert.equal(jsonl, readFileSync(goldenUrl(file), 'utf8'));
          const latest = new Date(Math.max(...obs.map((o) => o.ts.getTime())));
          validateObservations(ds, obs, addDuration(latest, ds.resolution));
          const dims = [...ds.dimensions].sort();
          for (const o of obs) assert.deepEqual(Object.keys(o.series).sort(), dims);
        });

        it(`is the one dataset that claims ${file}`, () => {
          const body = new Uint8Array(readFileSync(fixtureUrl(file)));
          assert.deepEqual(energinetDatasets.filter((d) => d.detect(body)).map((d) => d.id), [ds.id]);
          assert.equal(energinet.identify(body), ds);
        });
      }

      it('fetches a window from the simulator that parses to rows', async () => {
        const window = nextWindow(ds.window, null, NOW, 'P7D');
        assert.ok(window);
        const ctx = {
          http: createHttpClient('energinet', { timeoutMs: 10_000, maxAttempts: 2, initialDelayMs: 5, maxDelayMs: 20 }),
          secrets: envSecrets({}),
          baseUrl: sim.url,
          log: silentLogger,
          onAttempt: () => {},
        };
        const obs = ds.parse((await ds.fetch(window, ds.partitions[0]!, ctx)).body);
        assert.ok(obs.length > 0);
        assert.ok(obs.every((o) => o.ts >= window.from && o.ts < window.to));
        validateObservations(ds, obs, NOW);
      });
    });
  }
});
