import { memoryArchive } from '../../shared/payload-archive.ts';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dropState, pollOnce } from '../../acquisition/file-drop.ts';
import { MemoryBus } from '../../shared/bus/memory.ts';
import { ParseError } from '../../shared/errors.ts';
import { createHttpClient } from '../../shared/http.ts';
import { silentLogger } from '../../shared/log.ts';
import { envName, envSecrets } from '../../shared/secrets/index.ts';
import { openStore } from '../../shared/store/index.ts';
import { meteologicaDatasets } from './datasets.ts';
import type { FeedDescription } from './parse.ts';
import { hostKey, renderForecastFile, startMeteologicaSimulator } from './simulator.ts';
import ssh2 from 'ssh2';

const { utils } = ssh2;

const wind = meteologicaDatasets.find((d) => d.id === 'meteologica.wind_power_forecasts')!;
const price = meteologicaDatasets.find((d) => d.id === 'meteologica.price_forecasts')!;
const bytes = (s: string) => new TextEncoder().encode(s);
const header = 'IssueDate;ForecastDate;Zone;Forecast;P10;P50;P90\n';

describe('the forecast-file parser, driven by a feed description', () => {
  it('reads naive local times in the feed zone; the repeated fall-back hour is the later instant', () => {
    const rows = wind.parse(bytes(`${header}2025-10-25 08:00;2025-10-26 02:00;DE;1;1;1;1\n2025-10-25 08:00;2025-10-26 02:00;DE;2;2;2;2\n`));
    const points = rows.filter((o) => o.series.quantile === 'point');
    assert.deepEqual(points.map((o) => [o.ts.toISOString(), o.value]), [['2025-10-26T00:00:00.000Z', 1], ['2025-10-26T01:00:00.000Z', 2]]);
    assert.equal(points[0]!.issued!.toISOString(), '2025-10-25T06:00:00.000Z', 'issue time in the feed zone too (CEST)');
  });

  it('one series per percentile, with the point forecast as quantile=point', () => {
    const rows = wind.parse(bytes(`${header}2025-10-25 08:00;2025-10-27 00:00;DE;10,5;7;10;13,25\n`));
    assert.deepEqual(rows.map((o) => [o.series.quantile, o.value]), [['point', 10.5], ['p10', 7], ['p50', 10], ['p90', 13.25]]);
    assert.deepEqual(rows[0]!.series, { area: 'DE', variable: 'wind_power', quantile: 'point' });
  });

  it('keeps an empty cell null and rejects a number in the other decimal convention', () => {
    assert.equal(wind.parse(bytes(`${header}2025-10-25 08:00;2025-10-27 00:00;DE;;1;1;1\n`))[0]!.value, null);
    assert.throws(() => wind.parse(bytes(`${header}2025-10-25 08:00;2025-10-27 00:00;DE;10.5;1;1;1\n`)), ParseError);
    assert.throws(() => price.parse(bytes('issue_time,delivery_start,area,price,q05,q95\n2025-11-04T10:00:00Z,2025-11-05T00:00:00Z,ES,0x10,1,1\n')), ParseError);
  });

  it('rejects a time that does not exist (spring-forward gap, 30 February), a missing column and a short row', () => {
    assert.throws(() => wind.parse(bytes(`${header}2025-03-29 08:00;2025-03-30 02:00;DE;1;1;1;1\n`)), /clock change/);
    assert.throws(() => wind.parse(bytes(`${header}2025-02-28 08:00;2025-02-30 00:00;DE;1;1;1;1\n`)), ParseError);
    assert.throws(() => wind.parse(bytes('IssueDate;ForecastDate;Zone;Forecast;P10;P50\n')), /column P90 missing/);
    assert.throws(() => wind.parse(bytes(`${header}2025-10-25 08:00;2025-10-27 00:00;DE;1;1\n`)), /fields/);
  });

  it('detect tells the feeds apart by their header', () => {
    const windFile = bytes(`${header}`);
    assert.deepEqual([wind.detect(windFile), price.detect(windFile)], [true, false]);
  });

  it('renders and re-reads a simulated file of every feed, a whole local day', () => {
    for (const ds of meteologicaDatasets) {
      const feed: FeedDescription = ds.feed;
      const rows = ds.parse(bytes(renderForecastFile(feed, 'DE', new Date('2025-10-25T06:00:00Z'), 1)));
      const instants = new Set(rows.map((o) => o.ts.getTime()));
      assert.equal(instants.size, feed.timeZone === 'UTC' ? 24 : 25, `${ds.id}: the fall-back day in ${feed.timeZone}`);
      assert.ok(rows.every((o) => o.issued!.toISOString() === '2025-10-25T06:00:00.000Z'));
    }
  });
});

describe('the Meteologica simulator (in-process SFTP server)', () => {
  it('drops forecast files that the file-drop worker lands through the real client', async () => {
    const sim = await startMeteologicaSimulator({ dropEveryMs: 3_600_000 });
    const store = await openStore('duckdb::memory:');
    const bus = new MemoryBus();
    const bodies: string[] = [];
    await bus.subscribe(['raw.meteologica'], { subscription: 's', maxInFlight: 10 }, async (d) => {
      bodies.push(Buffer.from(d.message.data).toString());
      await d.ack();
    });
    try {
      const env = Object.fromEntries(Object.entries(sim.secrets!).map(([k, v]) => [envName(k), v]));
      const deps = { bus, store, archive: memoryArchive(), secrets: envSecrets(env), log: silentLogger, httpFor: () => createHttpClient('t'), baseUrls: { meteologica: sim.url }, topicFor: (p: string) => `raw.${p}` };
      for (const ds of meteologicaDatasets) {
        const state = dropState([]);
        await pollOnce(deps, ds, state, 'landed');
        await pollOnce(deps, ds, state, 'landed');
      }
      assert.equal(bodies.length, 2, 'one file of each feed');
      for (const body of bodies) {
        const ds = meteologicaDatasets.find((d) => d.detect(bytes(body)))!;
        assert.ok(ds.parse(bytes(body)).length > 0);
      }
      // Moved into landed/: a third poll finds nothing new.
      for (const ds of meteologicaDatasets) await pollOnce(deps, ds, dropState(await store.listFileDrops!(ds.id)), null);
      assert.equal(bodies.length, 2);
    } finally {
      await bus.close();
      await store.close();
      await sim.close();
    }
  });
});

describe('the simulator host key', () => {
  it('is always one ssh2 can read (ssh2 generates an unreadable ed25519 key about once in 256)', () => {
    // 1 500 keys: with a 1/256 failure rate an unchecked generator fails here with p > 0.997.
    for (let i = 0; i < 1500; i++) assert.ok(!(utils.parseKey(hostKey()) instanceof Error), `key ${i}`);
  });
});
