import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { toStoredRows } from '../ingestion/consumer.ts';
import type { Simulator } from '../shared/dataset.ts';
import type { UnknownZoneCode } from '../shared/zones.ts';
import { createHttpClient } from '../shared/http.ts';
import { silentLogger } from '../shared/log.ts';
import { envName, envSecrets } from '../shared/secrets/index.ts';
import { openStore, type Store } from '../shared/store/index.ts';
import { AREAS } from './entsoe/areas.ts';
import { parseFixture } from './golden-files.ts';
import { findDataset, findProvider, providers } from './index.ts';
import { DE_AT_SPLIT, ZONES, annotateZones, syncZones } from './zones.ts';

describe('the zone vocabulary', () => {
  it('holds every ENTSO-E area with its EIC and time zone, and the zone before the 2018 split', () => {
    for (const a of AREAS) assert.deepEqual(ZONES.filter((z) => z.code === a.code).map((z) => [z.eic, z.timeZone]), [[a.eic, a.tz]]);
    const deLu = ZONES.find((z) => z.code === 'DE-LU')!;
    const deAtLu = ZONES.find((z) => z.code === 'DE-AT-LU')!;
    assert.equal(deLu.validFrom?.getTime(), DE_AT_SPLIT.getTime());
    assert.equal(deAtLu.validTo?.getTime(), DE_AT_SPLIT.getTime());
    assert.equal(new Set(ZONES.map((z) => z.code)).size, ZONES.length, 'codes are unique');
  });

  it('every mapping points at zones of the vocabulary', () => {
    const codes = new Set(ZONES.map((z) => z.code));
    for (const p of providers) {
      for (const [code, target] of Object.entries(p.zones?.codes ?? {})) {
        for (const t of target === null ? [] : typeof target === 'string' ? [target] : target) assert.ok(codes.has(t), `${p.id} ${code} → ${t}`);
      }
      if (p.zones?.fixed) assert.ok(codes.has(p.zones.fixed));
    }
  });

  it('maps the area codes of every provider\'s fixtures; only Nord Pool\'s numeric intraday ids are unknown', () => {
    const unknown: UnknownZoneCode[] = [];
    const annotate = annotateZones((u) => unknown.push(u));
    for (const p of providers) {
      assert.ok(p.zones, `${p.id} has a zone mapping`);
      let zoned = 0;
      for (const d of p.datasets) {
        for (const f of d.fixtures) {
          const out = annotate(d, parseFixture(d, f));
          zoned += out.filter((o) => Object.values(p.zones!.dimensions).some((z) => o.series[z]) || o.series.zone).length;
        }
      }
      assert.ok(zoned > 0, `${p.id}: some fixture rows carry a zone`);
    }
    // Their real ids come from the Intraday API's deliveryAreas topic at onboarding (nordpool/datasets.ts).
    assert.deepEqual([...new Set(unknown.map((u) => `${u.dataset.split('.')[0]}:${u.code}`))].sort(), ['nordpool:3', 'nordpool:7']);
  });
});

describe('--where zone=DK1 across providers (DuckDB, through the ingestion path)', () => {
  let store: Store;
  const sims: Simulator[] = [];
  before(async () => {
    store = await openStore('duckdb::memory:');
    await syncZones(store);
  });
  after(async () => {
    await Promise.all(sims.map((s) => s.close()));
    await store.close();
  });

  it('the store mirrors the vocabulary', async () => {
    const rows = await store.listZones!();
    assert.equal(rows.length, ZONES.length);
    assert.deepEqual(rows.find((z) => z.code === 'DK1'), { code: 'DK1', eic: '10YDK-1--------W', name: 'Denmark West', country: 'DK', timeZone: 'Europe/Copenhagen', validFrom: null, validTo: null });
  });

  for (const [id, partition, ownCode] of [
    ['entsoe.day_ahead_prices', 'DK1', '10YDK-1--------W'],
    ['energinet.day_ahead_prices', 'all', 'DK1'],
    ['nordpool.day_ahead_prices', 'DK1', 'DK1'],
  ] as const) {
    it(`${id}: zone=DK1 returns DK1's rows, with the provider's own code kept`, async () => {
      const ds = findDataset(id);
      const sim = await findProvider(ds.provider).startSimulator();
      sims.push(sim);
      const secrets = envSecrets(Object.fromEntries(Object.entries(sim.secrets ?? {}).map(([k, v]) => [envName(k), v])));
      const window = { from: new Date('2025-11-04T23:00:00Z'), to: new Date('2025-11-05T23:00:00Z') };
      const part = ds.partitions.includes(partition) ? partition : ds.partitions[0]!;
      const payload = await ds.fetch(window, part, { http: createHttpClient(ds.provider, { maxAttempts: 2 }), secrets, baseUrl: sim.url, onAttempt: () => {}, log: silentLogger });
      const unknown: UnknownZoneCode[] = [];
      const rows = annotateZones((u) => unknown.push(u))(ds, ds.parse(payload.body));
      await store.upsertObservations(toStoredRows(rows, 'a'.repeat(64)));
      const dk1 = await store.queryObservations({ dataset: id, where: { zone: 'DK1' } });
      assert.ok(dk1.length > 0, 'rows for DK1');
      assert.ok(dk1.every((o) => o.series.zone === 'DK1' && o.series.area === ownCode));
      const all = await store.queryObservations({ dataset: id });
      assert.equal(dk1.length, all.filter((o) => o.series.area === ownCode).length, 'every DK1 row, and only those');
      assert.deepEqual(unknown, []);
    });
  }
});
