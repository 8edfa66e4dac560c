// Baltic transparency: positional values, direction from labels or from the repeated column pair,
// exact UTC instants across the EET fall-back, nulls kept, and the HTML decoy never parsed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ParseError, SourceUnavailableError } from '../../shared/errors.ts';
import { createHttpClient, type AttemptReport } from '../../shared/http.ts';
import { createLogger } from '../../shared/log.ts';
import { envSecrets } from '../../shared/secrets/index.ts';
import { exportUrl, fetchExport } from './client.ts';
import { balticDatasets } from './datasets.ts';
import { baltic } from './index.ts';
import { identifyDataset } from '../../shared/identify-dataset.ts';
import { parseBalticExport } from './parse.ts';
import { startBalticSimulator, type BalticSimulator } from './simulator.ts';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
const ds = (id: string) => balticDatasets.find((d) => d.id === id)!;

describe('Baltic transparency parser', () => {
  it('imbalance prices: one series per area and column label, values positional to the columns', () => {
    const obs = ds('baltic.imbalance_prices').parse(fixture('baltic_imbalance_prices_2025-10-21.json'));
    assert.equal(obs.length, 96 * 8);
    const first = obs.filter((o) => o.ts.toISOString() === '2025-10-20T21:00:00.000Z');
    assert.deepEqual(first.map((o) => [o.series.area, o.series.metric, o.value]).slice(0, 3), [
      ['Baltics', 'final', 95],
      ['Baltics', 'preliminary', 95.5],
      ['Estonia', 'final', 96],
    ]);
    assert.ok(obs.every((o) => o.unit === 'EUR/MWh' && o.resolution === 'PT15M' && o.series.direction === 'none'));
    // Preliminary values missing late in the day stay null.
    assert.equal(obs.filter((o) => o.value === null).length, 15 * 4);
  });

  it('imbalance volumes on the EET fall-back day: 100 quarter-hours, exact UTC, a null kept', () => {
    const obs = ds('baltic.imbalance_volumes').parse(fixture('baltic_imbalance_volumes_2025-10-26_dst.json'));
    const lv = obs.filter((o) => o.series.area === 'Latvia');
    assert.equal(lv.length, 100);
    assert.equal(lv[0]!.ts.toISOString(), '2025-10-25T21:00:00.000Z');
    assert.equal(lv.at(-1)!.ts.toISOString(), '2025-10-26T21:45:00.000Z');
    assert.equal(lv.filter((o) => o.value === null).length, 1);
  });

  it('a country listed twice without labels is the upward then the downward column', () => {
    const obs = ds('baltic.normal_activations').parse(fixture('baltic_normal_activations_total_2025-10-21.json'));
    const ee = obs.filter((o) => o.series.area === 'Estonia' && o.ts.toISOString() === '2025-10-20T21:00:00.000Z');
    assert.deepEqual(ee.map((o) => o.series.direction), ['up', 'down']);
    assert.ok(ee[0]!.value! >= 0 && ee[1]!.value! <= 0);
  });

  it('group levels give area and direction, the label the metric', () => {
    const obs = ds('baltic.afrr_bid_prices').parse(fixture('baltic_afrr_bid_prices_2025-10-21.json'));
    const series = [...new Set(obs.map((o) => `${o.series.area}/${o.series.direction}/${o.series.metric}`))];
    assert.deepEqual(series, ['Baltics/up/min_bid', 'Baltics/up/max_bid', 'Baltics/up/average_bid', 'Baltics/down/min_bid', 'Baltics/down/max_bid', 'Baltics/down/average_bid']);
    const reserves = ds('baltic.procured_reserve_prices').parse(fixture('baltic_price_procured_reserves_2025-10-21.json'));
    assert.deepEqual([...new Set(reserves.map((o) => o.series.metric))], ['fcr', 'afrr', 'mfrr']);
  });

  it('refuses the decoy page, a value that is not a number and a row of the wrong width', () => {
    assert.throws(() => parseBalticExport('baltic.imbalance_prices', '<!DOCTYPE html><html><body>app</body></html>'), /decoy/);
    const one = (values: unknown[], from = '2025-10-20T21:00:00+00:00') =>
      JSON.stringify({ data: { id: 'imbalance_volumes', measurement_unit: 'MWh', resolution: 'PT15M', columns: [{ index: 0, group_level_0: 'Estonia' }], timeseries: [{ from, values }] } });
    assert.throws(() => parseBalticExport('baltic.imbalance_volumes', one(['12'])), /not a number/);
    assert.throws(() => parseBalticExport('baltic.imbalance_volumes', one([1, 2])), /2 values for 1 columns/);
    assert.throws(() => parseBalticExport('baltic.imbalance_volumes', one([1], '2025-10-20T21:00:00')), /offset/);
    assert.throws(() => parseBalticExport('baltic.imbalance_volumes', JSON.stringify({ data: { id: 'x', measurement_unit: 'MWh', resolution: 'PT15M', columns: [{ index: 0, group_level_0: 'Narnia' }], timeseries: [] } })), ParseError);
  });

  it('recognises each export by the id it carries', () => {
    for (const d of balticDatasets) assert.equal(identifyDataset(baltic, fixture(d.fixture)).id, d.id);
    assert.throws(() => identifyDataset(baltic, new TextEncoder().encode('{"data":{"id":"neutrality","columns":[],"timeseries":[]}}')), /no dataset recognises/);
  });
});

describe('Baltic transparency client', () => {
  let sim: BalticSimulator;
  const NOW = new Date('2025-10-22T12:00:00Z');
  before(async () => {
    sim = await startBalticSimulator({ now: () => NOW });
  });
  after(() => sim.close());
  const context = (attempts: AttemptReport[], maxAttempts = 3) => ({
    http: createHttpClient('baltic', { maxAttempts, initialDelayMs: 1, maxDelayMs: 5, timeoutMs: 5000 }),
    secrets: envSecrets({}),
    baseUrl: sim.url,
    onAttempt: (a: AttemptReport) => attempts.push(a),
    log: createLogger('silent'),
  });
  const window = { from: new Date('2025-10-20T21:00:00Z'), to: new Date('2025-10-21T21:00:00Z') };

  it('asks for UTC wall-clock dates', () => {
    assert.equal(exportUrl('https://api-baltic.transparency-dashboard.eu', 'imbalance_prices', window),
      'https://api-baltic.transparency-dashboard.eu/api/v1/export?id=imbalance_prices&start_date=2025-10-20T21%3A00&end_date=2025-10-21T21%3A00&output_time_zone=UTC&output_format=json');
  });

  it('fetches a day that parses to 96 quarter-hours per series', async () => {
    const payload = await fetchExport('local_marginal_price_mfrr', window, context([]));
    const obs = ds('baltic.mfrr_marginal_prices').parse(payload.body);
    assert.equal(obs.length, 96 * 8);
  });

  it('retries the decoy page and lands the real export', async () => {
    sim.setDecoyRate(0.6);
    try {
      const attempts: AttemptReport[] = [];
      const payload = await fetchExport('imbalance_volumes', window, context(attempts, 10));
      assert.ok(attempts.some((a) => a.error?.includes('decoy')), 'the decoy was met at least once');
      assert.equal(ds('baltic.imbalance_volumes').parse(payload.body).length, 96 * 4);
    } finally {
      sim.setDecoyRate(0);
    }
  });

  it('a decoy that never goes away fails the window, never lands an HTML page', async () => {
    sim.setDecoyRate(1);
    try {
      await assert.rejects(fetchExport('imbalance_volumes', window, context([], 2)), SourceUnavailableError);
    } finally {
      sim.setDecoyRate(0);
    }
  });
});
