import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ParseError } from '../../shared/errors.ts';
import { isoUtc } from '../../shared/time.ts';
import { generationByFuel, generationFamily } from './datasets/generation.ts';
import { imbalancePricesQh, imbalancePricesQhFamily } from './datasets/imbalance-prices.ts';
import { solar, solarFamily, wind } from './datasets/renewables.ts';
import { totalLoad } from './datasets/total-load.ts';
import { elia } from './index.ts';
import { identifyDataset } from '../../shared/identify-dataset.ts';
import { parseFamily, parseOffsetTimestamp, readPayload } from './parse.ts';

const fixturePath = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const fixture = (name: string) => new Uint8Array(readFileSync(fixturePath(name)));
const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const ODS032 = 'ods032_solar_belgium_2023-03-26_utcday.json';
const bin = fileURLToPath(new URL('../../bin/scalar.js', import.meta.url));

describe('elia: scalar parse on the recorded ods032 export', () => {
  const r = spawnSync(process.execPath, [bin, 'parse', 'elia', fixturePath(ODS032)], { encoding: 'utf8', env: { ...process.env, SCALAR_LOG_LEVEL: 'error' }, timeout: 60_000 });
  const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { dataset: string; series: Record<string, string>; ts: string; value: number | null; unit: string; resolution: string });

  it('prints one row per (timestamp, region, metric): 96 quarter-hours × 15 numeric fields', () => {
    assert.equal(r.status, 0, r.stderr);
    assert.equal(rows.length, 96 * 15);
    const keys = new Set(rows.map((o) => `${o.ts}|${o.series.region}|${o.series.metric}`));
    assert.equal(keys.size, rows.length);
    assert.ok(rows.every((o) => o.dataset === 'elia.solar' && o.resolution === 'PT15M' && o.series.region === 'Belgium'));
    assert.deepEqual(Object.keys(rows[0]!.series), ['region', 'metric']);
  });

  it('gives exact UTC instants: the UTC day 00:00Z to 23:45Z, whatever Brussels did that night', () => {
    const ts = [...new Set(rows.map((o) => o.ts))];
    assert.equal(ts.length, 96);
    assert.equal(ts[0], '2023-03-26T00:00:00Z');
    assert.equal(ts.at(-1), '2023-03-26T23:45:00Z');
    for (let i = 1; i < ts.length; i++) assert.equal(Date.parse(ts[i]!) - Date.parse(ts[i - 1]!), 900_000);
  });

  it('keeps the recorded values at 12:00Z, loadfactor in %', () => {
    const at = (metric: string) => rows.find((o) => o.ts === '2023-03-26T12:00:00Z' && o.series.metric === metric)!;
    assert.equal(at('measured').value, 1430.901);
    assert.equal(at('mostrecentforecast').value, 1103.754);
    assert.equal(at('dayaheadforecast').value, 704.163);
    assert.equal(at('dayahead11hforecast').value, 596.663);
    assert.equal(at('weekaheadforecast').value, 792.809);
    assert.equal(at('monitoredcapacity').value, 7348.182);
    assert.deepEqual([at('loadfactor').value, at('loadfactor').unit, at('measured').unit], [19.473, '%', 'MW']);
    assert.equal(Math.max(...rows.filter((o) => o.series.metric === 'measured').map((o) => o.value ?? -1)), 1430.901);
  });
});

describe('elia parse', () => {
  it('reads the records envelope and the bare export array alike', () => {
    assert.equal(readPayload(fixture(ODS032)).shape, 'export');
    const env = readPayload(fixture('ods201_generation_by_fuel_records.json'));
    assert.equal(env.shape, 'records');
    // total_count is informational: the recorded mock says 24 and holds 36.
    assert.deepEqual([env.totalCount, env.records.length], [24, 36]);
  });

  it('keeps every fuel row of a timestamp, nulls as null and negative storage', () => {
    const obs = generationByFuel.parse(fixture('ods201_generation_by_fuel_records.json'));
    assert.equal(obs.length, 36);
    assert.equal(obs.filter((o) => o.value === null).length, 5);
    const at = (fuel: string) => obs.find((o) => isoUtc(o.ts) === '2024-01-01T01:45:00Z' && o.series.fueltypeentsoe === fuel)!;
    assert.equal(at('Nuclear').value, 3947.71);
    assert.equal(at('Wind Offshore').value, 2098.98);
    assert.equal(at('Energy Storage').value, -50);
    assert.equal(at('Fossil Gas').value, null);
    assert.equal(at('Hydro Pumped Storage').value, null);
    assert.deepEqual(at('Nuclear').series, { fueltypeentsoe: 'Nuclear', metric: 'generatedpower' });
    assert.equal(new Set(obs.map((o) => isoUtc(o.ts))).size, 3);
  });

  it('reads Brussels offsets exactly on the fall-back day: 100 quarter-hours, local 02:00 twice', () => {
    const obs = totalLoad.parse(fixture('ods002_total_load_2024-10-27_fall_back_export.json')).filter((o) => o.series.metric === 'measured');
    assert.equal(obs.length, 100);
    assert.equal(isoUtc(obs[0]!.ts), '2024-10-26T22:00:00Z');
    assert.equal(isoUtc(obs.at(-1)!.ts), '2024-10-27T22:45:00Z');
    for (let i = 1; i < obs.length; i++) assert.equal(obs[i]!.ts.getTime() - obs[i - 1]!.ts.getTime(), 900_000);
    // "02:00+02:00" and "02:00+01:00" are an hour apart.
    assert.ok(obs.some((o) => isoUtc(o.ts) === '2024-10-27T00:00:00Z') && obs.some((o) => isoUtc(o.ts) === '2024-10-27T01:00:00Z'));
    assert.equal(obs.filter((o) => o.value === null).length, 8);
  });

  it('reads the spring-forward day of the pre-MARI set: 92 quarter-hours', () => {
    const obs = imbalancePricesQh.parse(fixture('ods047_imbalance_prices_qh_2024-03-31_export.json'));
    const ts = new Set(obs.map((o) => isoUtc(o.ts)));
    assert.equal(ts.size, 92);
    assert.ok(ts.has('2024-03-31T00:45:00Z') && ts.has('2024-03-31T01:00:00Z'));
    assert.equal(obs.find((o) => o.series.metric === 'positiveimbalanceprice')!.unit, 'EUR/MWh');
    assert.equal(obs.find((o) => o.series.metric === 'netregulationvolume')!.unit, 'MW');
  });

  it('puts qualitystatus into quality and keeps a null price of a DataIssue quarter-hour', () => {
    const obs = imbalancePricesQh.parse(fixture('ods162_imbalance_prices_qh_2024-10-27_fall_back.json'));
    assert.equal(new Set(obs.map((o) => isoUtc(o.ts))).size, 100);
    const issue = obs.find((o) => o.series.metric === 'imbalanceprice' && o.quality === 'DataIssue')!;
    assert.equal(issue.value, null);
    assert.deepEqual(new Set(obs.map((o) => o.quality)), new Set(['Validated', 'NotValidated', 'DataIssue']));
  });

  it('keeps wind rows apart by region, offshore/onshore and grid connection; an id field is no value', () => {
    const obs = wind.parse(fixture('ods086_wind_records.json'));
    assert.ok(!obs.some((o) => o.series.metric === 'decrementalbidid'));
    const first = obs.filter((o) => isoUtc(o.ts) === '2024-10-27T00:00:00Z' && o.series.metric === 'measured');
    assert.equal(first.length, 5);
    assert.deepEqual(Object.keys(first[0]!.series), ['region', 'offshoreonshore', 'gridconnectiontype', 'metric']);
  });

  it('maps PT1H to PT60M', () => {
    const rec = { datetime: '2024-01-01T00:00:00+01:00', resolutioncode: 'PT1H', region: 'Belgium', measured: 1 };
    const [o] = solar.parse(bytes([rec]));
    assert.equal(o!.resolution, 'PT60M');
    assert.equal(isoUtc(o!.ts), '2023-12-31T23:00:00Z');
  });

  it('keeps a numeric field it does not know, skips a text one', () => {
    const rec = { datetime: '2024-06-01T00:00:00+00:00', resolutioncode: 'PT15M', fueltypeentsoe: 'Nuclear', fueltypepublication: 'Nuclear', generatedpower: 1, newcolumn: 2.5, note: 'x' };
    const obs = parseFamily(generationFamily, bytes({ total_count: 1, results: [rec] }));
    assert.deepEqual(obs.map((o) => o.series.metric), ['generatedpower', 'newcolumn']);
  });

  describe('rejects what is not data, naming dataset, record and field', () => {
    const good = { datetime: '2024-06-01T00:15:00+00:00', resolutioncode: 'PT15M', imbalanceprice: 10 };
    const reject = (rec: Record<string, unknown>, pattern: RegExp) =>
      assert.throws(() => imbalancePricesQh.parse(bytes({ total_count: 2, results: [good, rec] })), (e: unknown) => e instanceof ParseError && pattern.test(e.message));

    it('a number written as text', () => reject({ ...good, imbalanceprice: '12.5' }, /elia\.imbalance_prices_qh: record 1 field imbalanceprice: not a number/));
    it('an empty string in a value field', () => reject({ ...good, systemimbalance: '' }, /record 1 field systemimbalance/));
    it('a timestamp without offset', () => reject({ ...good, datetime: '2024-06-01T00:15:00' }, /record 1 field datetime/));
    it('a rolled-over date', () => reject({ ...good, datetime: '2024-02-30T00:00:00+00:00' }, /record 1 field datetime/));
    it('an unknown resolution', () => reject({ ...good, resolutioncode: 'P1D' }, /record 1 field resolutioncode/));
    it('a missing key', () => {
      assert.throws(() => solar.parse(bytes([{ datetime: '2024-06-01T00:00:00+00:00', measured: 1 }])), /record 0 field region/);
    });
    it('an Opendatasoft error body', () => {
      assert.throws(() => solar.parse(bytes({ error_code: 'ODSQLError', message: 'bad' })), /ODSQLError/);
    });
    it('a truncated body', () => assert.throws(() => solar.parse(fixture(ODS032).subarray(0, 500)), ParseError));
  });

  it('parses offsets exactly and refuses malformed timestamps', () => {
    assert.equal(isoUtc(parseOffsetTimestamp('2024-10-27T02:15:00+01:00')!), '2024-10-27T01:15:00Z');
    assert.equal(isoUtc(parseOffsetTimestamp('2024-10-27T02:15:00+02:00')!), '2024-10-27T00:15:00Z');
    assert.equal(isoUtc(parseOffsetTimestamp('2024-10-27T00:15:00Z')!), '2024-10-27T00:15:00Z');
    for (const bad of ['2024-10-27 02:15:00+01:00', '2024-13-01T00:00:00Z', '2024-10-27T24:00:00Z', '0x1', '']) assert.equal(parseOffsetTimestamp(bad), null, bad);
  });
});

describe('elia detection', () => {
  it('places every fixture in its own dataset and no other', () => {
    for (const d of elia.datasets) {
      for (const f of d.fixtures ?? []) {
        assert.equal(identifyDataset(elia, fixture(f.file)).id, d.id, f.file);
        assert.deepEqual(elia.datasets.filter((x) => x.detect?.(fixture(f.file))).map((x) => x.id), [d.id], f.file);
      }
    }
  });

  it('tells the per-minute prices from the quarter-hourly ones by resolutioncode', () => {
    const rec = { datetime: '2025-08-17T00:36:00+00:00', resolutioncode: 'PT1M', imbalanceprice: -30.258 };
    assert.equal(identifyDataset(elia, bytes({ total_count: 1, results: [rec] })).id, 'elia.imbalance_prices_minute');
    assert.equal(identifyDataset(elia, bytes([{ ...rec, resolutioncode: 'PT15M' }])).id, imbalancePricesQhFamily.datasetId);
  });

  it('names what it saw when no dataset matches, and an empty payload', () => {
    assert.throws(() => identifyDataset(elia, bytes([{ datetime: '2024-01-01T00:00:00Z', foo: 1 }])), /no dataset recognises.*datetime, foo/);
    assert.throws(() => identifyDataset(elia, bytes({ total_count: 0, results: [] })), /no dataset recognises/);
    assert.throws(() => identifyDataset(elia, bytes({ records: [] })), ParseError);
  });

  it('solar without a wind key stays solar', () => {
    assert.equal(solarFamily.claims(new Set(['datetime', 'region', 'monitoredcapacity', 'measured']), 'PT15M'), true);
    assert.equal(solarFamily.claims(new Set(['datetime', 'region', 'monitoredcapacity', 'offshoreonshore']), 'PT15M'), false);
  });
});
