// The dataset kit's conformance checks, run over every Elia dataset (the kit's suite will run them
// for all providers; this keeps Elia honest until then).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { DateTime } from 'luxon';
import { validateObservations } from '../../ingestion/validate.ts';
import { createHttpClient } from '../../shared/http.ts';
import { silentLogger } from '../../shared/log.ts';
import { observationToJson } from '../../shared/observation.ts';
import { envSecrets } from '../../shared/secrets/index.ts';
import { ELIA_TZ } from './family.ts';
import { elia } from './index.ts';
import { startEliaSimulator, type EliaSimulator } from './simulator.ts';

const file = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

describe('elia datasets keep the kit contract', () => {
  let sim: EliaSimulator;
  before(async () => {
    sim = await startEliaSimulator();
  });
  after(() => sim.close());

  for (const ds of elia.datasets) {
    describe(ds.id, () => {
      it('has fixtures, each parsing to its golden file', () => {
        assert.ok((ds.fixtures ?? []).length > 0);
        for (const f of ds.fixtures!) {
          const golden = file(f.file.replace(/\.json$/, '.expected.jsonl'));
          assert.ok(existsSync(golden), `${f.file} has no golden file`);
          const expected = readFileSync(golden, 'utf8').trim().split('\n');
          const actual = ds.parse(new Uint8Array(readFileSync(file(f.file)))).map((o) => JSON.stringify(observationToJson(o)));
          assert.equal(actual.length, expected.length, f.file);
          assert.deepEqual(actual, expected, f.file);
        }
      });

      it('emits rows that pass validation and carry exactly the declared dimensions', () => {
        for (const f of ds.fixtures!) {
          const obs = ds.parse(new Uint8Array(readFileSync(file(f.file))));
          assert.ok(obs.length > 0, f.file);
          const latest = new Date(Math.max(...obs.map((o) => o.ts.getTime())));
          validateObservations(ds, obs, latest);
          for (const o of obs) assert.deepEqual(Object.keys(o.series).sort(), [...ds.dimensions].sort(), f.file);
        }
      });

      it('is the one dataset that claims its fixtures', () => {
        for (const f of ds.fixtures!) {
          const body = new Uint8Array(readFileSync(file(f.file)));
          assert.deepEqual(elia.datasets.filter((d) => d.detect!(body)).map((d) => d.id), [ds.id], f.file);
        }
      });

      it('has worker defaults for development and production', () => {
        assert.equal(typeof ds.workers?.development?.enabled, 'boolean');
        assert.equal(ds.workers?.production?.enabled, true);
      });

      it('fetches yesterday from the simulator and parses it to rows', async () => {
        const today = DateTime.now().setZone(ELIA_TZ).startOf('day');
        const window = { from: today.minus({ days: 1 }).toJSDate(), to: today.toJSDate() };
        const payload = await ds.fetch(window, ds.partitions[0]!, {
          http: createHttpClient('elia', { timeoutMs: 5000, maxAttempts: 2 }),
          secrets: envSecrets({}),
          baseUrl: sim.url,
          log: silentLogger,
          onAttempt: () => {},
        });
        const obs = ds.parse(payload.body);
        assert.ok(obs.length > 0);
        assert.ok(obs.every((o) => o.ts >= window.from && o.ts < window.to));
        validateObservations(ds, obs, new Date());
      });
    });
  }
});

describe('elia.total_load across the split of 22/05/2024', () => {
  const ds = elia.datasets.find((d) => d.id === 'elia.total_load')!;
  it('expects the measurement under the name of the set that serves the day: totalload (ods001) before, measured (ods002) after', () => {
    const on = (iso: string) => ds.expected!.series('BE', { start: new Date(iso), resolution: 'PT15M' });
    assert.deepEqual(on('2024-05-20T22:00:00Z'), [{ metric: 'totalload' }]);
    assert.deepEqual(on('2024-05-21T22:00:00Z'), [{ metric: 'measured' }]);
  });

  it('gives both names as the load actual, so signals and reconciliation read the history too', () => {
    const actual = (ds.measures ?? []).filter((m) => m.quantity === 'load' && m.kind === 'actual').map((m) => m.where);
    assert.deepEqual(actual, [{ metric: 'totalload' }, { metric: 'measured' }]);
  });
});

describe('elia.imbalance_prices across the split of 22/05/2024', () => {
  it('gives the dual-price history (its positive imbalance price) and the single price as the imbalance price actual', () => {
    const ds = elia.datasets.find((d) => d.id === 'elia.imbalance_prices_qh')!;
    const actual = (ds.measures ?? []).filter((m) => m.quantity === 'price.imbalance' && m.kind === 'actual').map((m) => m.where);
    assert.deepEqual(actual, [{ metric: 'positiveimbalanceprice' }, { metric: 'imbalanceprice' }]);
  });
});
