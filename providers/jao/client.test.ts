// JAO clients against the loopback simulator: two-day windows, the DST 400 retried day by day,
// Skip/Take paging, the auction tool's key and its "No Data found".
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FetchContext } from '../../shared/dataset.ts';
import { ConfigError } from '../../shared/errors.ts';
import { createHttpClient, type AttemptReport } from '../../shared/http.ts';
import { createLogger } from '../../shared/log.ts';
import { envSecrets } from '../../shared/secrets/index.ts';
import { auctionsUrl, fetchAuctions, fetchPublication, publicationUrl } from './client.ts';
import { jaoDatasets } from './datasets.ts';
import { startJaoSimulator, SIMULATOR_API_KEY, type JaoSimulator } from './simulator.ts';

const NOW = new Date('2026-04-25T12:00:00Z');

describe('JAO clients', () => {
  let sim: JaoSimulator;
  before(async () => {
    sim = await startJaoSimulator({ now: () => NOW });
  });
  after(() => sim.close());

  const context = (attempts: AttemptReport[] = [], key = SIMULATOR_API_KEY): FetchContext => ({
    http: createHttpClient('jao', { maxAttempts: 1, timeoutMs: 5000 }),
    secrets: envSecrets({ JAO__API_KEY: key }),
    baseUrl: sim.url,
    onAttempt: (a) => attempts.push(a),
    log: createLogger('silent'),
  });
  const ds = (id: string) => jaoDatasets.find((d) => d.id === id)!;
  const text = (b: Uint8Array) => new TextDecoder().decode(b);

  it('builds the documented queries', () => {
    const w = { from: new Date('2026-04-19T22:00:00Z'), to: new Date('2026-04-21T22:00:00Z') };
    assert.equal(publicationUrl('https://publicationtool.jao.eu', 'core', 'maxExchanges', w), 'https://publicationtool.jao.eu/core/api/data/maxExchanges?FromUtc=2026-04-19T22%3A00%3A00.000Z&ToUtc=2026-04-21T22%3A00%3A00.000Z');
    assert.equal(auctionsUrl('https://api.jao.eu', 'IF1-FR-GB', 'Daily', w), 'https://api.jao.eu/OWSMP/getauctions?corridor=IF1-FR-GB&horizon=Daily&fromdate=2026-04-19-22%3A00%3A00&todate=2026-04-21-21%3A59%3A59');
  });

  it('splits a 5-day window into calls of at most two Amsterdam days', async () => {
    const attempts: AttemptReport[] = [];
    const w = { from: new Date('2026-04-14T22:00:00Z'), to: new Date('2026-04-19T22:00:00Z') };
    const payload = await fetchPublication('core', 'maxExchanges', false, w, context(attempts));
    assert.equal(attempts.length, 3);
    const obs = ds('jao.max_exchanges').parse(payload.body);
    assert.equal(new Set(obs.map((o) => o.ts.getTime())).size, 5 * 24);
  });

  it('asks again one day at a time when JAO refuses a two-day window around a DST change', async () => {
    const attempts: AttemptReport[] = [];
    const w = { from: new Date('2025-10-24T22:00:00Z'), to: new Date('2025-10-26T23:00:00Z') }; // Sat + the 25-hour Sunday
    const payload = await fetchPublication('core', 'netPos', false, w, context(attempts));
    assert.deepEqual(attempts.map((a) => a.status), [400, 200, 200]);
    const obs = ds('jao.net_positions').parse(payload.body);
    assert.equal(new Set(obs.map((o) => o.ts.getTime())).size, 96 + 100);
  });

  it('pages a long dataset with Skip/Take until totalRowsWithFilter', async () => {
    const attempts: AttemptReport[] = [];
    const w = { from: new Date('2026-04-19T22:00:00Z'), to: new Date('2026-04-21T22:00:00Z') };
    const payload = await fetchPublication('core', 'shadowPrices', true, w, context(attempts));
    assert.ok(attempts[0]!.url.includes('Skip=0') && attempts[0]!.url.includes('Take=5000'));
    assert.equal(JSON.parse(text(payload.body)).data.length, 48);
  });

  it('serves the Nordic region under Nordic hub names, quarter-hourly since the go-live', async () => {
    const w = { from: new Date('2026-04-19T22:00:00Z'), to: new Date('2026-04-20T22:00:00Z') };
    const obs = ds('jao.max_exchanges').parse((await fetchPublication('nordic', 'maxExchanges', false, w, context())).body);
    assert.ok(obs.length > 0 && obs.every((o) => o.series.region === 'nordic' && o.resolution === 'PT15M'));
    assert.equal(new Set(obs.map((o) => o.ts.getTime())).size, 96);
  });

  it('fetches Nordic constraints from fbDomainShadowPrice (cneName, ptdf_ PTDFs) and Core ones from shadowPrices', async () => {
    const w = { from: new Date('2026-04-19T22:00:00Z'), to: new Date('2026-04-20T22:00:00Z') };
    const shadowPrices = ds('jao.shadow_prices');
    const nordic: AttemptReport[] = [];
    const payload = await shadowPrices.fetch(w, 'nordic', context(nordic));
    assert.ok(nordic.length > 0 && nordic.every((a) => a.url.includes('/nordic/api/data/fbDomainShadowPrice?')));
    const row = JSON.parse(text(payload.body)).data[0] as Record<string, unknown>;
    assert.ok(typeof row.cneName === 'string' && !('cnecName' in row) && Object.keys(row).some((k) => k.startsWith('ptdf_NO')));
    for (const parseContext of [{ partition: 'nordic' }, {}]) {
      const obs = shadowPrices.parse(payload.body, parseContext);
      assert.ok(obs.length > 0 && obs.every((o) => o.series.region === 'nordic' && o.resolution === 'PT15M'));
    }
    const core: AttemptReport[] = [];
    await shadowPrices.fetch(w, 'core', context(core));
    assert.ok(core.length > 0 && core.every((a) => a.url.includes('/core/api/data/shadowPrices?')));
    // Neither tool answers the other's name.
    await assert.rejects(fetchPublication('nordic', 'shadowPrices', true, w, context()));
    await assert.rejects(fetchPublication('core', 'fbDomainShadowPrice', true, w, context()));
  });

  it('serves each business day at its MTU: a two-day call across the 15-minute go-live is 24 hours, then 96 quarter-hours', async () => {
    const w = { from: new Date('2025-09-29T22:00:00Z'), to: new Date('2025-10-01T22:00:00Z') };
    const obs = ds('jao.net_positions').parse((await fetchPublication('core', 'netPos', false, w, context())).body).filter((o) => o.series.hub === 'AT');
    assert.deepEqual(obs.map((o) => o.resolution), [...Array(24).fill('PT60M'), ...Array(96).fill('PT15M')]);
    assert.equal(obs[24]!.ts.toISOString(), '2025-09-30T22:00:00.000Z');
  });

  it('sends the API key and maps every CET hour of the window', async () => {
    const w = { from: new Date('2026-03-27T23:00:00Z'), to: new Date('2026-03-30T22:00:00Z') };
    const payload = await fetchAuctions('IF1-FR-GB', 'Daily', w, context());
    const obs = ds('jao.daily_auctions').parse(payload.body).filter((o) => o.series.metric === 'price');
    assert.equal(obs.length, 24 + 23 + 24);
  });

  it("asks for a CET day by its market period's UTC start and gets that day's auction, not the next", async () => {
    const w = { from: new Date('2026-04-19T22:00:00Z'), to: new Date('2026-04-20T22:00:00Z') };
    const obs = ds('jao.daily_auctions').parse((await fetchAuctions('IF1-FR-GB', 'Daily', w, context())).body).filter((o) => o.series.metric === 'price');
    assert.equal(obs.length, 24);
    assert.ok(obs.every((o) => o.ts >= w.from && o.ts < w.to));
  });

  it('splits a long-term window into calls of at most 31 days, each auction once', async () => {
    const attempts: AttemptReport[] = [];
    const w = { from: new Date('2026-03-31T22:00:00Z'), to: new Date('2026-06-30T22:00:00Z') }; // April to June (CET)
    const payload = await fetchAuctions('IF1-FR-GB', 'Monthly', w, context(attempts));
    assert.ok(attempts.length >= 3 && attempts.every((a) => a.status === 200 || a.status === 400));
    const auctions = JSON.parse(text(payload.body)) as { identification: string; marketPeriodStart: string }[];
    assert.deepEqual(auctions.map((a) => a.marketPeriodStart), ['2026-03-31T22:00:00.000+00:00', '2026-04-30T22:00:00.000+00:00', '2026-05-31T22:00:00.000+00:00']);
  });

  it('an auction-less corridor is an empty window, a wrong key a configuration error', async () => {
    const w = { from: new Date('2026-04-19T22:00:00Z'), to: new Date('2026-04-20T22:00:00Z') };
    const attempts: AttemptReport[] = [];
    const none = await fetchAuctions('XX1-AA-BB', 'Daily', w, context(attempts));
    assert.equal(attempts[0]!.status, 400);
    assert.deepEqual(ds('jao.daily_auctions').parse(none.body), []);
    await assert.rejects(fetchAuctions('IF1-FR-GB', 'Daily', w, context([], 'wrong')), ConfigError);
  });

  it('never puts the API key in the URL it reports', async () => {
    const attempts: AttemptReport[] = [];
    const w = { from: new Date('2026-04-19T22:00:00Z'), to: new Date('2026-04-20T22:00:00Z') };
    await fetchAuctions('IF1-FR-GB', 'Daily', w, context(attempts));
    assert.ok(attempts.every((a) => !a.url.includes(SIMULATOR_API_KEY)));
  });
});
