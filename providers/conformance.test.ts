// Every dataset of every provider keeps the plugin contract. Datasets are found from the registry:
// a new descriptor is checked here without anyone listing it.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { nextRunAt, nextWindow } from '../acquisition/window.ts';
import { readWorkerOverrides, workerOverridesPath, workerSeeds } from '../acquisition/worker-config.ts';
import { validateObservations } from '../ingestion/validate.ts';
import type { Dataset, Provider, Simulator } from '../shared/dataset.ts';
import { createHttpClient } from '../shared/http.ts';
import { seriesCarries } from '../shared/measures.ts';
import { silentLogger } from '../shared/log.ts';
import { seriesKey, type Observation } from '../shared/observation.ts';
import { envName, envSecrets } from '../shared/secrets/index.ts';
import { addDuration, maxDate, parseDuration } from '../shared/time.ts';
import { goldenDifferences, parseFixture, readFixture, readGolden, renderGolden } from './golden-files.ts';
import { datasets, providers } from './index.ts';

const WORKERS_DIR = fileURLToPath(new URL('../deployment/workers/', import.meta.url));
const ENVIRONMENTS = readdirSync(WORKERS_DIR).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));
const seeds = new Map(ENVIRONMENTS.map((env) => [env, workerSeeds(datasets, env, readWorkerOverrides(workerOverridesPath(WORKERS_DIR, env), env))]));

/** Series whose keys are not exactly the declared dimensions (plus any of the optional ones). */
function dimensionDrift(ds: Dataset, observations: readonly Observation[]): string[] {
  const required = new Set(ds.dimensions);
  const allowed = new Set([...ds.dimensions, ...(ds.optionalDimensions ?? [])]);
  const problems = new Set<string>();
  for (const o of observations) {
    const keys = Object.keys(o.series);
    const missing = [...required].filter((k) => !(k in o.series));
    const extra = keys.filter((k) => !allowed.has(k));
    if (missing.length > 0 || extra.length > 0) problems.add(`${JSON.stringify(o.series)}: missing [${missing.join(', ')}], undeclared [${extra.join(', ')}]`);
  }
  return [...problems];
}

const NOT_PAYLOADS = ['', '{}', '[]', 'null', '{"records": 5}', '<html><body>503</body></html>', '<?xml version="1.0"?><x/>', 'not json {', '\u0000\u0001']
  .map((t) => new TextEncoder().encode(t))
  .concat([new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0xff, 0xff])]);

/** A fetch time at which every observation of a recorded payload had already started: the end of the last interval. */
const fetchedAfter = (ds: Dataset, observations: readonly Observation[]) =>
  observations.reduce((latest, o) => maxDate(latest, addDuration(o.ts, o.resolution, ds.window.tz)), new Date(0));

describe('provider conformance', () => {
  it('has unique dataset ids of the form provider.snake_case', () => {
    assert.equal(new Set(datasets.map((d) => d.id)).size, datasets.length);
    for (const d of datasets) assert.match(d.id, new RegExp(`^${d.provider}\\.[a-z0-9_]+$`));
  });

  it('has worker override files for development and production', () => {
    for (const env of ['development', 'production']) assert.ok(ENVIRONMENTS.includes(env), env);
  });

  for (const p of providers) {
    describe(p.id, () => {
      let sim: Simulator | undefined;
      before(async () => {
        sim = await p.startSimulator();
      });
      after(async () => {
        await sim?.close();
      });

      it('its simulator listens on loopback', () => {
        // HTTP for most; sftp:// for a file-drop provider (its drop directory as the path).
        assert.match(sim!.url, /^(http|sftp):\/\/127\.0\.0\.1:\d+(\/\w*)?$/);
      });

      for (const d of p.datasets) describeDataset(p, d, () => sim!);
    });
  }
});

function describeDataset(p: Provider, d: Dataset, simulator: () => Simulator): void {
  describe(d.id, () => {
    it('has well-formed cadence, windows, rules and worker defaults', () => {
      assert.equal(d.provider, p.id);
      assert.ok(d.partitions.length > 0);
      assert.ok(nextRunAt(d.cadence, new Date('2025-11-05T00:00:00Z')) > new Date('2025-11-05T00:00:00Z'));
      for (const k of ['align', 'maxSpan', 'lookback', 'horizon', 'backfill'] as const) parseDuration(d.window[k]);
      parseDuration(d.validation.maxLead);
      for (const [unit, [lo, hi]] of Object.entries(d.validation.plausible)) assert.ok(lo < hi, unit);
      assert.ok(d.workers.development && d.workers.production, 'worker defaults for development and production');
      assert.deepEqual(d.dimensions.filter((x) => d.optionalDimensions?.includes(x)), [], 'a dimension is either required or optional');
    });

    it('selects measures by dimensions it has, and a horizon only on forecasts and schedules', () => {
      const known = new Set([...d.dimensions, ...(d.optionalDimensions ?? [])]);
      for (const m of d.measures ?? []) {
        for (const dim of Object.keys(m.where ?? {})) assert.ok(known.has(dim), `${m.quantity}: where ${dim} is no dimension of ${d.id} (${[...known].join(', ')})`);
        if (m.horizon !== undefined) assert.notEqual(m.kind, 'actual', `${m.quantity}: an actual has no horizon`);
      }
    });

    // Catches a misspelt `where` value (`Onshore wind` for `Onshore Wind`); a fixture need not hold every currency.
    it('has fixtures with series carrying its measures (one at least), in the measure\'s unit', { skip: d.measures ? false : 'no measures' }, () => {
      const observations = d.fixtures.flatMap((f) => parseFixture(d, f));
      const carried = (d.measures ?? []).filter((m) => observations.some((o) => seriesCarries(m, o.series) && (m.unit === undefined || o.unit === m.unit)));
      assert.ok(carried.length > 0, `no fixture series carries any of ${JSON.stringify(d.measures)}`);
    });

    // Catches an `expected` naming series the dataset never produces (a misspelt metric): the ledger would chase them forever.
    it('expects series its fixtures carry, in one partition at least', { skip: d.expected ? false : 'no expected slots' }, () => {
      const observations = d.fixtures.flatMap((f) => parseFixture(d, f));
      const first = observations[0]!;
      const carries = (want: Readonly<Record<string, string>>) => observations.some((o) => Object.entries(want).every(([k, v]) => o.series[k] === v));
      const resolution = [...d.expected!.resolutions].reverse().find((r) => !r.from || r.from <= first.ts)!.resolution;
      const covered = d.partitions.filter((p) => d.expected!.series(p, { start: first.ts, resolution }).every(carries));
      assert.ok(covered.length > 0, `no partition's expected series are in the fixtures: ${JSON.stringify(d.expected!.series(d.partitions[0]!, { start: first.ts, resolution }))}`);
    });

    it('appears in every environment\'s worker seeds', () => {
      for (const [env, rows] of seeds) assert.equal(rows.filter((w) => w.workerId === d.id).length, 1, `${d.id} in ${env}`);
    });

    it('detect turns down what is no payload of its provider, without throwing', () => {
      for (const body of NOT_PAYLOADS) assert.equal(d.detect(body), false, JSON.stringify(new TextDecoder().decode(body).slice(0, 40)));
    });

    it('has at least one fixture', () => {
      assert.ok(d.fixtures.length > 0);
    });

    for (const f of d.fixtures) {
      describe(f.file, () => {
        it('parses to its golden file', () => {
          const expected = readGolden(d, f);
          assert.ok(expected !== null, `no golden file for ${f.file}: review the parse, then npm run golden -- --write ${d.id}`);
          const actual = renderGolden(d, f);
          assert.ok(actual === expected, `${f.file} differs from its golden file:\n${goldenDifferences(expected, actual).join('\n')}`);
        });

        it('passes validation, every series with exactly the declared dimensions', () => {
          const observations = parseFixture(d, f);
          assert.ok(observations.length > 0, 'the fixture holds observations');
          validateObservations(d, observations, fetchedAfter(d, observations));
          assert.deepEqual(dimensionDrift(d, observations), []);
        });

        // Ingestion computes a row's series key once per series object: one object per observation
        // made that per row (a tenth of its CPU), and held one object per row in memory.
        it('shares series objects among the observations of a series', () => {
          const bySeries = new Map<string, { rows: number; objects: Set<object> }>();
          for (const o of parseFixture(d, f)) {
            const k = seriesKey(o.series);
            let s = bySeries.get(k);
            if (s === undefined) bySeries.set(k, (s = { rows: 0, objects: new Set() }));
            s.rows += 1;
            s.objects.add(o.series);
          }
          const unshared = [...bySeries].filter(([, s]) => s.rows >= 4 && s.objects.size * 2 > s.rows).map(([k, s]) => `${k}: ${s.objects.size} objects for ${s.rows} rows`);
          assert.deepEqual(unshared, []);
        });

        it('is claimed by this dataset\'s detect and by no other dataset of the provider (but those it declares alike)', () => {
          const body = readFixture(d, f);
          const claimed = p.datasets.filter((x) => x.detect(body)).map((x) => x.id).sort();
          assert.deepEqual(claimed, [d.id, ...(d.sharesPayloadWith ?? [])].sort());
        });
      });
    }

    // A live stream has no windows to fetch; its worker is tested with its provider.
    it('fetches one window from the simulator that parses to rows with the declared dimensions', { skip: d.stream ? 'a live stream: no windows' : d.files ? 'a file drop: no windows (its worker is tested with its provider)' : false }, async () => {
      const sim = simulator();
      const defaults = d.workers.development;
      const partition = defaults?.partitions?.[0] ?? d.partitions[0]!;
      // The first window a run started two days ago would fetch: one the simulator has published at
      // any hour. From today, the newest window (a forecast for the day after tomorrow, an auction not
      // yet held, a day begun a minute ago) is empty or 204 for hours after local midnight.
      const window = nextWindow(d.window, null, new Date(Date.now() - 2 * 86_400_000), defaults?.backfill);
      assert.ok(window, 'a first run has a window to fetch');
      const secrets = envSecrets(Object.fromEntries(Object.entries(sim.secrets ?? {}).map(([k, v]) => [envName(k), v])));
      const http = createHttpClient(p.id, { timeoutMs: 10_000, maxAttempts: 2, initialDelayMs: 5, maxDelayMs: 20 });
      const payload = await d.fetch(window, partition, { http, secrets, baseUrl: sim.url, onAttempt: () => {}, log: silentLogger });
      // Told its partition, as ingestion tells it (Nord Pool's aggregates name no currency).
      const observations = d.parse(payload.body, { partition });
      assert.ok(observations.length > 0, `no rows for ${partition} ${window.from.toISOString()}/${window.to.toISOString()}`);
      assert.deepEqual(dimensionDrift(d, observations), []);
    });
  });
}
