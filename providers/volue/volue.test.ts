// Volue Insight: points as [epoch_ms, value] with the curve's frequency, issue dates as `issued`,
// tags as series; the client's OAuth2 client-credentials flow (one token cached, a new one on
// expiry and once on a 401) against the simulator, with the secrets kept out of every report.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { FetchContext } from '../../shared/dataset.ts';
import { ConfigError, ParseError } from '../../shared/errors.ts';
import { createHttpClient, type AttemptReport } from '../../shared/http.ts';
import { createLogger } from '../../shared/log.ts';
import { createTokenSource } from '../../shared/oauth2.ts';
import { envSecrets } from '../../shared/secrets/index.ts';
import { dataPath, fetchCurve } from './client.ts';
import { volueDatasets } from './datasets.ts';
import { volue } from './index.ts';
import { identifyDataset } from '../../shared/identify-dataset.ts';
import { parseVolue } from './parse.ts';
import { SIMULATOR_CLIENT, startVolueSimulator, type VolueSimulator } from './simulator.ts';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
const ds = (id: string) => volueDatasets.find((d) => d.id === id)!;

describe('Volue parser', () => {
  it('an hourly price curve on the CET fall-back day: 25 hours, € as EUR, a null kept', () => {
    const obs = ds('volue.series').parse(fixture('volue_series_pri_de_spot_2025-10-26.json'));
    assert.equal(obs.length, 25);
    assert.equal(obs[0]!.ts.toISOString(), '2025-10-25T22:00:00.000Z');
    assert.equal(obs.at(-1)!.ts.toISOString(), '2025-10-26T22:00:00.000Z');
    assert.deepEqual(obs[0]!.series, { curve: 'pri de spot €/mwh cet h a', area: 'DE', tag: 'none' });
    assert.ok(obs.every((o) => o.unit === 'EUR/MWh' && o.resolution === 'PT60M'));
    assert.equal(obs[7]!.value, null);
    assert.equal(obs[0]!.value, 80);
  });

  it('a quarter-hourly curve on the spring-forward day has 92 points, MWh/h read as MW', () => {
    const obs = ds('volue.series').parse(fixture('volue_series_wnd_de_2025-03-30.json'));
    assert.equal(obs.length, 92);
    assert.ok(obs.every((o) => o.unit === 'MW' && o.resolution === 'PT15M'));
  });

  it('tags are series', () => {
    const obs = ds('volue.tagged_series').parse(fixture('volue_tagged_tt_de_2025-11-05.json'));
    assert.deepEqual([...new Set(obs.map((o) => o.series.tag))], ['Max', 'Min', 'Normal']);
    assert.ok(obs.every((o) => o.unit === '°C'));
  });

  it('instances carry their issue time; where two issues overlap the later one is the value', () => {
    const obs = ds('volue.forecasts').parse(fixture('volue_instances_con_de_ec00_2025-11-05.json'));
    const overlap = obs.find((o) => o.ts.toISOString() === '2025-11-05T23:00:00.000Z')!;
    assert.equal(overlap.issued?.toISOString(), '2025-11-05T00:00:00.000Z');
    const early = obs.find((o) => o.ts.toISOString() === '2025-11-04T23:00:00.000Z')!;
    assert.equal(early.issued?.toISOString(), '2025-11-04T00:00:00.000Z');
    assert.equal(new Set(obs.map((o) => o.ts.getTime())).size, obs.length, 'one value per instant');
  });

  it('ensemble members of one issue are series of their own, issued at the offset instant', () => {
    const obs = ds('volue.ensemble_forecasts').parse(fixture('volue_tagged_instances_spv_de_ec00ens_2025-11-05.json'));
    assert.deepEqual([...new Set(obs.map((o) => o.series.tag))], ['01', '02', 'Avg']);
    assert.ok(obs.every((o) => o.issued?.toISOString() === '2025-11-05T00:00:00.000Z'));
  });

  it('refuses unknown frequencies, instances without issue date and points out of order', () => {
    const payload = (over: Record<string, unknown>, type = 'TIME_SERIES') => JSON.stringify({
      curve: { id: 1, name: 'x', curve_type: type, frequency: 'H', time_zone: 'CET', unit: 'MW', area: 'DE' },
      series: [{ frequency: 'H', points: [[0, 1], [3_600_000, 2]], ...over }],
    });
    assert.throws(() => parseVolue('volue.series', payload({ frequency: 'S' })), /unsupported frequency "S"/);
    assert.throws(() => parseVolue('volue.forecasts', payload({}, 'INSTANCES')), /without issue_date/);
    assert.throws(() => parseVolue('volue.series', payload({ points: [[3_600_000, 1], [0, 2]] })), /out of order/);
    assert.throws(() => parseVolue('volue.series', '{"curve":{}}'), ParseError);
  });

  it('gas-day curves in time zone CEGT or WEGT parse, at the same UTC instants as a CET curve', () => {
    const daily = (tz: string) => JSON.stringify({
      curve: { id: 1, name: `ngas de ttf €/mwh ${tz.toLowerCase()} d s`, curve_type: 'TIME_SERIES', frequency: 'D', time_zone: tz, unit: '€/MWh', area: 'DE' },
      series: [{ id: 1, frequency: 'D', time_zone: tz, points: [[1761458400000, 31.2], [1761544800000, null]] }],
    });
    const instants = (tz: string) => parseVolue('volue.series', daily(tz)).map((o) => [o.ts.toISOString(), o.value, o.resolution]);
    const cet = instants('CET');
    assert.deepEqual(cet, [['2025-10-26T06:00:00.000Z', 31.2, 'P1D'], ['2025-10-27T06:00:00.000Z', null, 'P1D']]);
    assert.deepEqual(instants('CEGT'), cet);
    assert.deepEqual(instants('WEGT'), cet);
    assert.throws(() => parseVolue('volue.series', daily('XYZT')), /time zone "XYZT" is unknown/);
  });

  it('detects the dataset from the curve type', () => {
    for (const d of volueDatasets) for (const f of d.fixtures ?? []) assert.equal(identifyDataset(volue, fixture(f.file)).id, d.id);
  });
});

describe('Volue client', () => {
  let sim: VolueSimulator;
  let clock = new Date('2025-11-06T12:00:00Z');
  before(async () => {
    sim = await startVolueSimulator({ now: () => clock });
  });
  after(() => sim.close());
  const context = (attempts: AttemptReport[], secret = SIMULATOR_CLIENT.secret): FetchContext => ({
    http: createHttpClient('volue', { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 5, timeoutMs: 5000 }),
    secrets: envSecrets({ VOLUE__CLIENT_ID: SIMULATOR_CLIENT.id, VOLUE__CLIENT_SECRET: secret }),
    baseUrl: sim.url,
    onAttempt: (a) => attempts.push(a),
    log: createLogger('silent'),
  });
  const day = { from: new Date('2025-11-04T00:00:00Z'), to: new Date('2025-11-05T00:00:00Z') };

  it('asks series by data range and instances by issue range', () => {
    assert.equal(dataPath({ id: 7, curve_type: 'TIME_SERIES' }, day), '/api/series/7?from=2025-11-04T00%3A00%3A00.000Z&to=2025-11-05T00%3A00%3A00.000Z');
    assert.equal(dataPath({ id: 7, curve_type: 'TAGGED_INSTANCES' }, day, ['Avg']), '/api/instances/tagged/7?tag=Avg&issue_date_from=2025-11-04T00%3A00%3A00.000Z&issue_date_to=2025-11-05T00%3A00%3A00.000Z&with_data=true');
  });

  it('fetches a curve by name with one cached token, and a new one once every token expired', async () => {
    const attempts: AttemptReport[] = [];
    const before = sim.tokensIssued();
    const a = await fetchCurve('pri de spot €/mwh cet h a', 'TIME_SERIES', day, context(attempts));
    await fetchCurve('wnd de mwh/h cet min15 a', 'TIME_SERIES', day, context(attempts));
    assert.equal(sim.tokensIssued() - before, 1, 'one token for both windows');
    assert.equal(ds('volue.series').parse(a.body).length, 24);
    sim.expireTokens();
    const b = await fetchCurve('con de ec00 mwh/h cet min15 f', 'INSTANCES', day, context(attempts));
    assert.equal(sim.tokensIssued() - before, 2, 'a 401 fetched a new token once');
    assert.ok(attempts.some((x) => x.status === 401));
    const obs = ds('volue.forecasts').parse(b.body);
    assert.ok(obs.length > 0 && obs.every((o) => o.issued?.toISOString() === '2025-11-04T00:00:00.000Z'));
  });

  it('wrong credentials are a configuration error that names no secret', async () => {
    // A fresh simulator: no token cached for it yet.
    const other = await startVolueSimulator({ now: () => clock });
    try {
      const attempts: AttemptReport[] = [];
      const ctx = { ...context(attempts, 'not-the-secret'), baseUrl: other.url };
      const err = await fetchCurve('pri de spot €/mwh cet h a', 'TIME_SERIES', day, ctx).then(() => null, (e: unknown) => e as Error);
      assert.ok(err instanceof ConfigError, String(err));
      assert.match(err.message, /refused the credentials \(HTTP 401, invalid_client\)/);
      assert.ok(!err.message.includes('not-the-secret') && !err.message.includes(SIMULATOR_CLIENT.id));
    } finally {
      await other.close();
    }
  });

  it('never reports a token or secret in the attempts it logs', async () => {
    const attempts: AttemptReport[] = [];
    await fetchCurve('pri de spot €/mwh cet h a', 'TIME_SERIES', day, context(attempts));
    const text = JSON.stringify(attempts);
    assert.ok(!text.includes(SIMULATOR_CLIENT.secret) && !/Bearer|access_token/.test(text));
  });

  it('a curve of another type than the dataset reads is a configuration error', async () => {
    await assert.rejects(fetchCurve('pri de spot €/mwh cet h a', 'INSTANCES', day, context([])), /is TIME_SERIES, this dataset reads INSTANCES/);
  });
});

describe('OAuth2 token source', () => {
  it('reuses a token until shortly before expiry and shares one request between concurrent callers', async () => {
    let t = 0;
    const sim = await startVolueSimulator({ tokenLifetimeS: 600, now: () => new Date(1_000_000 + t) });
    try {
      const source = createTokenSource(async () => ({ tokenUrl: `${sim.url}/oauth2/token`, clientId: SIMULATOR_CLIENT.id, clientSecret: SIMULATOR_CLIENT.secret, grant: { type: 'client_credentials' } }), () => t);
      const [a, b] = await Promise.all([source.token(), source.token()]);
      assert.equal(a, b);
      assert.equal(source.fetched, 1);
      t = 539_000; // 60 s early refresh: still valid at 539 s of 600
      assert.equal(await source.token(), a);
      t = 541_000;
      assert.notEqual(await source.token(), a);
      assert.equal(source.fetched, 2);
    } finally {
      await sim.close();
    }
  });
});
