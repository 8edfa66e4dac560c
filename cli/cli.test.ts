import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

const bin = fileURLToPath(new URL('../bin/scalar.js', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`../providers/energinet/fixtures/${name}`, import.meta.url));
const scalar = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, SCALAR_LOG_LEVEL: 'error' }, timeout: 60_000 });
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('scalar parse', () => {
  it('prints a DST day as jsonl in UTC', () => {
    const r = scalar('parse', 'energinet', fixture('DayAheadPrices_DK1-DK2_2025-10-26_fall_back.json'));
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 400);
    assert.deepEqual(lines[0], { dataset: 'energinet.day_ahead_prices', series: { area: 'DK1', currency: 'EUR' }, ts: '2025-10-25T22:00:00Z', resolution: 'PT15M', value: 53.369999, unit: 'EUR/MWh' });
    assert.ok(lines.every((l) => String(l.ts).endsWith('Z')));
  });

  it('prints csv and table with the series dimensions as columns', () => {
    const csv = scalar('parse', 'energinet', fixture('Elspotprices_DK1-DK2_2025-09-30.json'), '--format', 'csv').stdout.split('\n');
    assert.equal(csv[0], 'dataset,area,currency,ts,resolution,value,unit');
    assert.equal(csv[1], 'energinet.elspot_prices,DK1,EUR,2025-09-29T22:00:00Z,PT60M,63.07,EUR/MWh');
    const table = scalar('parse', 'energinet', fixture('Elspotprices_DK1-DK2_2025-09-30.json'), '--format', 'table').stdout.split('\n');
    assert.match(table[0]!, /^dataset\s+area\s+currency\s+ts\s+resolution\s+value\s+unit$/);
  });

  it('exits non-zero and prints no observation for a bad payload', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scalar-cli-'));
    dirs.push(dir);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"total": 2, "dataset": "DayAheadPrices", "records": [{"TimeUTC": "2025-11-04T23:00:00", "PriceArea": "DK1", "DayAheadPriceEUR": 1, "DayAheadPriceDKK": 7}, {"TimeUTC": "2025-11-04T23:15:00", "PriceArea": "DK1", "DayAheadPriceEUR": "x"}]}');
    const r = scalar('parse', 'energinet', bad);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /ParseError: DayAheadPrices record 1: DayAheadPriceEUR is not a number: "x"/);
    assert.match(scalar('parse', 'nope', bad).stderr, /unknown provider nope/);
  });
});

describe('scalar parse entsoe', () => {
  const entsoeFixture = (name: string) => fileURLToPath(new URL(`../providers/entsoe/fixtures/${name}`, import.meta.url));

  it('detects the document type and prints exact observations', () => {
    const r = scalar('parse', 'entsoe', entsoeFixture('a75_se4_a03_pt60m.xml'));
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 355);
    assert.deepEqual(lines[0], { dataset: 'entsoe.generation_actual', series: { area: '10Y1001A1001A47J', psr_type: 'B04', direction: 'generation', resolution: 'PT60M' }, ts: '2025-10-20T11:00:00Z', resolution: 'PT60M', value: 0.9, unit: 'MW' });
  });

  it('names the acknowledgement it cannot place, prints nothing for it as a named dataset, and fails on an HTML error page', () => {
    const unplaced = scalar('parse', 'entsoe', entsoeFixture('ack_999_no_matching_data.xml'));
    assert.deepEqual([unplaced.status, unplaced.stdout], [1, '']);
    assert.match(unplaced.stderr, /no dataset recognises this payload \(XML with root element <Acknowledgement_MarketDocument>.*No matching data found/);
    const ack = scalar('parse', 'entsoe', entsoeFixture('ack_999_no_matching_data.xml'), '--dataset', 'day_ahead_prices');
    assert.deepEqual([ack.status, ack.stdout], [0, '']);
    const dir = mkdtempSync(join(tmpdir(), 'scalar-cli-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'error.html'), '<html><body>503 Service Unavailable</body></html>');
    const html = scalar('parse', 'entsoe', join(dir, 'error.html'));
    assert.deepEqual([html.status, html.stdout], [1, '']);
    assert.match(html.stderr, /an HTML page: 503 Service Unavailable/);
  });
});

describe('scalar parse: choosing the dataset and reading the file', () => {
  const entsoeFixture = (name: string) => fileURLToPath(new URL(`../providers/entsoe/fixtures/${name}`, import.meta.url));

  it('--dataset forces one dataset; a document of another is refused', () => {
    const forced = scalar('parse', 'entsoe', entsoeFixture('a65_dk1_actual_load_a16.xml'), '--dataset', 'entsoe.load_actual');
    assert.equal(forced.status, 0, forced.stderr);
    assert.equal(forced.stdout.trim().split('\n').length, 47);
    const wrong = scalar('parse', 'entsoe', entsoeFixture('a65_dk1_actual_load_a16.xml'), '--dataset', 'load_forecast');
    assert.deepEqual([wrong.status, wrong.stdout], [1, '']);
    assert.match(wrong.stderr, /expected a entsoe.load_forecast document, got entsoe.load_actual/);
    assert.match(scalar('parse', 'entsoe', entsoeFixture('a65_dk1_actual_load_a16.xml'), '--dataset', 'nope').stderr, /entsoe has no dataset nope/);
  });

  it('names the keys of a JSON payload no dataset recognises', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'scalar-parse-')), 'unknown.json');
    writeFileSync(file, JSON.stringify({ total: 1, dataset: 'GasDailyBalancingPrice', records: [{ GasDay: '2025-11-05', PriceEUR: 31.2 }] }));
    const r = scalar('parse', 'energinet', file);
    assert.deepEqual([r.status, r.stdout], [1, '']);
    assert.match(r.stderr, /no dataset recognises this payload \(a JSON object with top-level keys total, dataset, records; records with fields GasDay, PriceEUR/);
  });

  it('reports a missing file or a directory in one line, exit non-zero', () => {
    for (const path of [join(tmpdir(), 'no-such-payload.xml'), tmpdir()]) {
      const r = scalar('parse', 'entsoe', path);
      assert.notEqual(r.status, 0);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^scalar: ConfigError: cannot read .*: (no such file|is a directory)\n$/);
    }
  });

  it('prints a dimension that repeats a column only once in a table', () => {
    const table = scalar('parse', 'entsoe', entsoeFixture('a44_fr_a01_pt60m_2ts.xml'), '--format', 'table').stdout.split('\n');
    assert.match(table[0]!, /^dataset\s+area\s+sequence\s+ts\s+resolution\s+value\s+unit$/);
    const csv = scalar('parse', 'entsoe', entsoeFixture('a44_fr_a01_pt60m_2ts.xml'), '--format', 'csv').stdout.split('\n');
    assert.equal(csv[1], 'entsoe.day_ahead_prices,10YFR-RTE------C,1,2023-05-06T22:00:00Z,PT60M,106.78,EUR/MWh');
  });
});

describe('scalar datasets', () => {
  it('lists every dataset with provider, resolution, unit, dimensions and whether it runs in the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scalar-datasets-'));
    dirs.push(dir);
    const r = scalar('datasets', '--data-dir', dir, '--env', 'production', '--format', 'json');
    assert.equal(r.status, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as { id: string; provider: string; dimensions: string[]; enabled: boolean | null }[];
    const byId = new Map(rows.map((x) => [x.id, x]));
    assert.deepEqual(byId.get('entsoe.load_forecast')?.dimensions, ['area', 'horizon', 'resolution']);
    assert.equal(byId.get('energinet.elspot_prices')?.enabled, false);
    assert.equal(byId.get('entsoe.imbalance_prices')?.enabled, true);
    assert.ok(rows.every((x) => x.enabled !== null), 'every dataset is seeded in every environment');
    const table = scalar('datasets', '--data-dir', dir).stdout;
    assert.match(table, /entsoe\.imbalance_prices\s+entsoe\s.*area business_type resolution \[category\].*\sno\n/);
    // signals: the derived datasets follow, with the datasets their quantities resolve to.
    assert.match(table, /\nSignals \(derived datasets/);
    assert.match(table, /signals\.residual_load\s+PT60M\s+MW\s+zone source\s+.*entsoe\.load_actual/);
  });
});

describe('scalar demo then query', () => {
  it('lands the simulated rows once each and reads them back from the store', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scalar-demo-'));
    dirs.push(dir);
    const demo = scalar('demo', '--duration', '10', '--data-dir', dir);
    assert.equal(demo.status, 0, demo.stderr);
    assert.match(demo.stdout, /landed\s+energinet\.day_ahead_prices\s+DK1/);
    assert.match(demo.stdout, /summary after/);
    const q = scalar('query', 'energinet.day_ahead_prices', '--data-dir', dir, '--format', 'jsonl');
    assert.equal(q.status, 0, q.stderr);
    const rows = q.stdout.trim().split('\n').map((l) => JSON.parse(l) as { series: { area: string; currency: string }; ts: string });
    const keys = rows.map((r) => `${r.series.area}|${r.series.currency}|${r.ts}`);
    assert.ok(rows.length >= 4 * 96, `only ${rows.length} rows`);
    assert.equal(new Set(keys).size, keys.length, 'a row came back twice');
    assert.equal(rows.length % 4, 0, 'every instant in all four series');
    const dk2 = scalar('query', 'energinet.day_ahead_prices', '--data-dir', dir, '--where', 'area=DK2', '--where', 'currency=EUR');
    assert.equal(dk2.stdout.trim().split('\n').length, rows.length / 4);
    assert.match(scalar('query', 'energinet.day_ahead_prices', '--data-dir', dir, '--from', 'yesterday').stderr, /not an ISO 8601 instant/);
    // ENTSO-E landed too, and a zone can be named by its short name or its EIC code
    assert.match(demo.stdout, /landed\s+entsoe\.day_ahead_prices\s+FR/);
    const byName = scalar('query', 'entsoe.day_ahead_prices', '--data-dir', dir, '--where', 'area=FR').stdout.trim().split('\n');
    const byEic = scalar('query', 'entsoe.day_ahead_prices', '--data-dir', dir, '--where', 'area=10YFR-RTE------C').stdout.trim().split('\n');
    assert.ok(byName.length >= 96, `only ${byName.length} FR prices`);
    assert.deepEqual(byName, byEic);
    // Elia landed too (the demo's worker seeds run a representative Elia set), and reads back.
    assert.match(demo.stdout, /landed\s+elia\.imbalance_prices_qh\s+all/);
    const elia = scalar('query', 'elia.imbalance_prices_qh', '--data-dir', dir, '--where', 'metric=imbalanceprice');
    assert.equal(elia.status, 0, elia.stderr);
    const eliaRows = elia.stdout.trim().split('\n').map((l) => JSON.parse(l) as { ts: string; unit: string });
    assert.ok(eliaRows.length >= 4 && eliaRows.every((r) => r.ts.endsWith('Z') && r.unit === 'EUR/MWh'), `Elia rows: ${eliaRows.length}`);
  });
});
