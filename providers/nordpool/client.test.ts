import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { FetchContext } from '../../shared/dataset.ts';
import { ConfigError, NoDataYetError } from '../../shared/errors.ts';
import { createHttpClient, type AttemptReport } from '../../shared/http.ts';
import { envSecrets } from '../../shared/secrets/index.ts';
import { fetchDataApi } from './data-api-client.ts';
import { parseAuctionPrices } from './data-api-parse.ts';
import { createTokenCache, EXPIRY_MARGIN_MS, MARKET_DATA_CLIENT } from './oauth.ts';
import { deliveryDate, fetchPortal, portalUrl, splitPartition } from './portal-client.ts';
import { parseAggregatePrices, parseDayAheadPriceIndices, parseDayAheadPrices } from './portal-parse.ts';
import { SIM_PASSWORD, SIM_USERNAME, startNordpoolSimulator, type NordpoolSimulator } from './simulator.ts';

// 10:00 CET on 2025-11-05: today is published, tomorrow's auction result is not out yet.
const NOW = new Date('2025-11-05T09:00:00Z');
const today = { from: new Date('2025-11-04T23:00:00Z'), to: new Date('2025-11-05T23:00:00Z') };
const tomorrow = { from: new Date('2025-11-05T23:00:00Z'), to: new Date('2025-11-06T23:00:00Z') };

function context(sim: NordpoolSimulator, password = SIM_PASSWORD) {
  const attempts: AttemptReport[] = [];
  const logLines: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, done) => (logLines.push(String(chunk)), done()) });
  const ctx: FetchContext = {
    http: createHttpClient('nordpool-test', { maxAttempts: 2, initialDelayMs: 5, maxDelayMs: 10, timeoutMs: 5000 }),
    secrets: envSecrets({ NORDPOOL__USERNAME: SIM_USERNAME, NORDPOOL__PASSWORD: password }),
    baseUrl: sim.url,
    onAttempt: (a) => attempts.push(a),
    log: pino({ level: 'debug' }, sink),
  };
  return { ctx, attempts, logLines };
}

describe('Nord Pool clients against the simulator', () => {
  let sim: NordpoolSimulator;
  before(async () => {
    sim = await startNordpoolSimulator({ now: () => NOW, stream: { running: false } });
  });
  after(() => sim.close());

  it('asks the portal for one CET delivery day per area and currency', () => {
    assert.equal(deliveryDate(tomorrow), '2025-11-06');
    assert.throws(() => deliveryDate({ from: today.from, to: tomorrow.to }), ConfigError);
    assert.deepEqual(splitPartition('SE3@SEK'), { area: 'SE3', currency: 'SEK' });
    assert.equal(
      portalUrl('https://dataportal-api.nordpoolgroup.com', { kind: 'prices', date: '2025-11-06', area: 'SE3', currency: 'SEK' }),
      'https://dataportal-api.nordpoolgroup.com/api/DayAheadPrices?date=2025-11-06&market=DayAhead&deliveryArea=SE3&currency=SEK',
    );
  });

  it('a published day parses to 96 quarter-hours in the currency asked for; tomorrow before 13:00 CET is "no data yet"', async () => {
    const { ctx } = context(sim);
    const body = (await fetchPortal({ kind: 'prices', date: '2025-11-05', area: 'SE3', currency: 'SEK' }, ctx)).body;
    const obs = parseDayAheadPrices(body);
    assert.equal(obs.length, 96);
    assert.ok(obs.every((o) => o.unit === 'SEK/MWh'));
    // 204 for DayAheadPrices, 200 with version 0 for the indices: both are NoDataYetError.
    await assert.rejects(fetchPortal({ kind: 'prices', date: '2025-11-06', area: 'SE3', currency: 'EUR' }, ctx), NoDataYetError);
    await assert.rejects(fetchPortal({ kind: 'indices', date: '2025-11-06', area: 'SE3', currency: 'EUR', minutes: 60 }, ctx), NoDataYetError);
    const idx = parseDayAheadPriceIndices(60, (await fetchPortal({ kind: 'indices', date: '2025-10-26', area: 'FI', currency: 'EUR', minutes: 60 }, ctx)).body);
    assert.equal(idx.length, 25); // the fall-back day
  });

  it('price indices: the system price is asked for and answered as SYSTEM, and stored as SYS', async () => {
    assert.equal(
      portalUrl('https://dataportal-api.nordpoolgroup.com', { kind: 'indices', date: '2025-05-07', area: 'SYS', currency: 'EUR', minutes: 60 }),
      'https://dataportal-api.nordpoolgroup.com/api/DayAheadPriceIndices?date=2025-05-07&market=DayAhead&indexNames=SYSTEM&currency=EUR&resolutionInMinutes=60',
    );
    const { ctx } = context(sim);
    const body = (await fetchPortal({ kind: 'indices', date: '2025-11-05', area: 'SYS', currency: 'EUR', minutes: 60 }, ctx)).body;
    const answer = JSON.parse(new TextDecoder().decode(body));
    assert.deepEqual([answer.indexNames, Object.keys(answer.multiIndexEntries[0].entryPerArea), answer.areaStates[0].areas], [['SYSTEM'], ['SYSTEM'], ['SYSTEM']]);
    const idx = parseDayAheadPriceIndices(60, body);
    assert.equal(idx.length, 24);
    assert.ok(idx.every((o) => o.series.area === 'SYS' && o.quality === 'Final'));
    // The same market under the same code as the day-ahead prices, at the same hourly mean.
    const prices = parseDayAheadPrices((await fetchPortal({ kind: 'prices', date: '2025-11-05', area: 'SYS', currency: 'EUR' }, ctx)).body);
    const firstHour = prices.slice(0, 4).map((o) => o.value as number);
    assert.ok(Math.abs((idx[0]!.value as number) - firstHour.reduce((a, b) => a + b, 0) / 4) <= 0.01);
  });

  it('price indices: an index name the endpoint does not know (SYS) is refused, not answered empty', async () => {
    const url = `${sim.url}/api/DayAheadPriceIndices?date=2025-11-05&market=DayAhead&indexNames=SYS&currency=EUR&resolutionInMinutes=60`;
    assert.equal((await fetch(url)).status, 400);
  });

  it('AggregatePrices: the answer names no currency, as the real portal\'s; the partition says which one it is in', async () => {
    const { ctx } = context(sim);
    const body = (await fetchPortal({ kind: 'aggregates', year: 2025, area: 'SE3', currency: 'SEK' }, ctx)).body;
    const answer = JSON.parse(new TextDecoder().decode(body));
    assert.equal('currency' in answer, false);
    assert.deepEqual(Object.keys(answer), ['updatedAt', 'year', 'market', 'deliveryAreas', 'multiAreaDailyAggregates', 'multiAreaWeeklyAggregates', 'multiAreaMonthlyAggregates', 'multiAreaYearlyAggregates']);
    assert.equal(answer.multiAreaWeeklyAggregates[0].isoWeekNumber, 45);
    const agg = parseAggregatePrices(body, 'SE3@SEK');
    assert.equal(agg.filter((o) => o.resolution === 'P1D').length, 309); // 2025-01-01 .. 2025-11-05
    assert.ok(agg.every((o) => o.unit === 'SEK/MWh' && o.series.currency === 'SEK'));
    // Newest first, as the portal lists them; the current month ends on its last published day.
    assert.equal(answer.multiAreaDailyAggregates[0].deliveryStart, '2025-11-05');
    assert.deepEqual([answer.multiAreaMonthlyAggregates[0].deliveryStart, answer.multiAreaMonthlyAggregates[0].deliveryEnd], ['2025-11-01', '2025-11-05']);
  });

  it('OAuth2: one grant serves many requests; an expired token is refreshed once on 401', async () => {
    const tokens = createTokenCache();
    const { ctx, attempts, logLines } = context(sim);
    const before = sim.stats();
    const rows = parseAuctionPrices((await fetchDataApi(tokens, 'Auction/Prices/ByAreas', today, 'SE4', ctx)).body);
    assert.equal(rows.length, 96);
    await fetchDataApi(tokens, 'Auction/Prices/ByAreas', today, 'SE3@SEK', ctx);
    assert.equal(sim.stats().grants - before.grants, 1);

    sim.expireTokens(); // revoked before its expires_in: the API answers 401
    await fetchDataApi(tokens, 'PowerSystem/Exchanges/ByAreas', today, 'FI', ctx);
    assert.equal(sim.stats().grants - before.grants, 2);
    assert.equal(sim.stats().rejected401 - before.rejected401, 1);

    // Nothing secret in fetch_log reports or the log: no password, no bearer token, no POST body.
    const seen = JSON.stringify(attempts) + logLines.join('');
    assert.ok(!seen.includes(SIM_PASSWORD), 'password leaked');
    assert.ok(!seen.includes('grant_type'), 'token request body leaked');
    assert.ok(attempts.some((a) => a.url.endsWith('/connect/token')));
  });

  it('OAuth2: the cached token is renewed shortly before expires_in, without waiting for a 401', async () => {
    let clock = Date.now();
    const tokens = createTokenCache(MARKET_DATA_CLIENT, () => clock);
    const { ctx } = context(sim);
    const before = sim.stats();
    await tokens.bearer(ctx);
    await tokens.bearer(ctx);
    assert.equal(sim.stats().grants - before.grants, 1);
    clock += 3600_000 - EXPIRY_MARGIN_MS + 1; // the simulator's tokens live 3600 s
    await tokens.bearer(ctx);
    assert.equal(sim.stats().grants - before.grants, 2);
    assert.equal(sim.stats().rejected401 - before.rejected401, 0);
  });

  it('OAuth2: wrong credentials and a refused subscription (403) are configuration errors, not retried', async () => {
    const { ctx } = context(sim, 'wrong');
    await assert.rejects(fetchDataApi(createTokenCache(), 'Auction/Prices/ByAreas', today, 'SE4', ctx), (e: Error) => {
      assert.ok(e instanceof ConfigError);
      assert.ok(!e.message.includes('wrong'));
      return true;
    });
    sim.forbid(true);
    try {
      await assert.rejects(fetchDataApi(createTokenCache(), 'Auction/Capacities/ByAreas', today, 'GER', context(sim).ctx), ConfigError);
    } finally {
      sim.forbid(false);
    }
  });

  it('Market Data API: an unpublished day is "no data yet"; 429 and 5xx are retried', async () => {
    const tokens = createTokenCache();
    await assert.rejects(fetchDataApi(tokens, 'Auction/Prices/ByAreas', tomorrow, 'SE4', context(sim).ctx), NoDataYetError);
    sim.setFaults({ rates: { rateLimit: 0.2, serverError: 0.2 }, retryAfterSeconds: 0, seed: 3 });
    const { ctx, attempts } = context(sim);
    const http = createHttpClient('nordpool-retry', { maxAttempts: 8, initialDelayMs: 1, maxDelayMs: 5 });
    try {
      for (const area of ['GER', 'SE3', 'FI', 'NO2', 'DK1', 'EE']) {
        const body = (await fetchDataApi(tokens, 'Auction/Capacities/ByAreas', today, area, { ...ctx, http })).body;
        assert.ok(body.byteLength > 0);
      }
      assert.ok(attempts.some((a) => a.status === 429 || a.status === 500), JSON.stringify(sim.faults.served));
    } finally {
      sim.setFaults({ rates: {} });
    }
  });
});
