// The web view in a real browser: Debian's chromium driven by playwright-core. Skips, saying why,
// when no browser is installed (`apt-get install -y chromium`; .ci/run does it).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { MemoryCache } from '../shared/cache/memory.ts';
import { seriesKey } from '../shared/observation.ts';
import { envSecrets } from '../shared/secrets/index.ts';
import { DuckDbStore } from '../shared/store/duckdb.ts';
import type { Store, StoredObservation } from '../shared/store/index.ts';
import { serveApi } from './server.ts';

const browserPath = [process.env.SCALAR_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p): p is string => Boolean(p && existsSync(p)));
const skip = browserPath ? false : 'no Chromium found (apt-get install -y chromium, or set SCALAR_CHROMIUM to its path)';

const DATASET = 'energinet.day_ahead_prices';
const TOKEN = 'web-test-token';
const at = (i: number) => new Date(Date.parse('2025-11-05T23:00:00Z') + i * 900_000);
const day = (area: string, currency: string): StoredObservation[] =>
  Array.from({ length: 96 }, (_, i) => ({
    dataset: DATASET, series: { area, currency }, seriesKey: seriesKey({ area, currency }), ts: at(i), resolution: 'PT15M',
    value: Math.round((60 + 30 * Math.sin(i / 10) + (area === 'DK2' ? 5 : 0)) * 100) / 100, unit: currency === 'EUR' ? 'EUR/MWh' : 'DKK/MWh', payloadSha256: 'a'.repeat(64),
  }));
const latest = (area: string, value: number, i = 95) => ({ dataset: DATASET, seriesKey: seriesKey({ area, currency: 'EUR' }), series: { area, currency: 'EUR' }, ts: at(i), value, unit: 'EUR/MWh', resolution: 'PT15M' });

describe('web view in Chromium', { skip }, () => {
  let store: Store;
  let cache: MemoryCache;
  let served: Awaited<ReturnType<typeof serveApi>>;
  let browser: Browser;
  let page: Page;
  const shots = mkdtempSync(join(tmpdir(), 'scalar-web-'));

  before(async () => {
    store = await DuckDbStore.open(':memory:');
    await store.upsertObservations([...day('DK1', 'EUR'), ...day('DK2', 'EUR'), ...day('DK1', 'DKK')]);
    await store.seedWorkerConfig([{ workerId: DATASET, environment: 'test', enabled: true, parameters: {} }, { workerId: 'entsoe.load_actual', environment: 'test', enabled: false, parameters: {} }]);
    const now = new Date();
    await store.appendFetchLog([
      { runId: 'r1', dataset: DATASET, partition: 'DK1', windowFrom: at(0), windowTo: at(96), url: 'https://api.energidataservice.dk/dataset/DayAheadPrices', attempt: 1, status: 200, latencyMs: 180, bytes: 9000, error: null, at: new Date(now.getTime() - 60_000) },
      { runId: 'r2', dataset: 'entsoe.load_actual', partition: 'FR', windowFrom: at(0), windowTo: at(96), url: 'https://web-api.tp.entsoe.eu/api', attempt: 1, status: 503, latencyMs: 950, bytes: 120, error: 'HttpError: 503 Service Unavailable', at: new Date(now.getTime() - 30_000) },
    ]);
    cache = new MemoryCache();
    await cache.refresh([latest('DK1', 71.25), latest('DK2', 75.5)]);
    served = await serveApi({ store, cache, secrets: envSecrets({ API__TOKENS: TOKEN }), environment: 'test', seedWorkers: async () => 0 }, 0);
    browser = await chromium.launch({ executablePath: browserPath, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e) => assert.fail(`script error in the page: ${e.message}`));
    process.stdout.write(`# screenshots in ${shots}\n`);
  });
  after(async () => {
    await browser?.close();
    await served?.app.close();
    await store?.close();
  });

  it('the explorer draws a chart with as many points as the API returns for what is selected', async () => {
    const drawn = () => page.waitForFunction(() => document.querySelector('#chart')?.hasAttribute('data-points') && document.querySelector('#chart canvas') !== null);
    await page.goto(`${served.url}/#explorer`);
    await drawn();
    await page.selectOption('#dataset', DATASET);
    await drawn();
    await page.selectOption('[data-dimension="area"]', 'DK2');
    await page.selectOption('[data-dimension="currency"]', 'EUR');
    await page.fill('#from', '2025-11-05');
    await page.fill('#to', '2025-11-07');
    await page.click('button[type=submit]');
    await drawn();
    const url = await page.getAttribute('#csv', 'href');
    const fromApi = (await (await fetch(`${served.url}${url!.replace('format=csv', 'format=json')}`)).json()) as unknown[];
    await page.waitForFunction((n) => document.querySelector('#point-count')?.textContent === String(n), fromApi.length);
    assert.equal(fromApi.length, 96);
    assert.match(url!, /where=area%3DDK2/);
    assert.equal((await (await fetch(`${served.url}${url}`)).text()).trim().split('\n').length, 97, 'the CSV link gives the rows shown');
    await page.screenshot({ path: join(shots, 'explorer.png') });
  });

  it('a live tile changes when a new value lands in the cache', async () => {
    await page.goto(`${served.url}/#live?dataset=${DATASET}`);
    const tile = `[data-series-key="${seriesKey({ area: 'DK1', currency: 'EUR' })}"] .value`;
    await page.waitForFunction((s) => document.querySelector(s)?.textContent === '71.25', tile);
    await page.waitForFunction(() => document.querySelector('#live-state')?.textContent === 'connected');
    await cache.refresh([latest('DK1', 88.8, 96)]);
    await page.waitForFunction((s) => document.querySelector(s)?.textContent === '88.80', tile);
    await page.screenshot({ path: join(shots, 'live.png') });
  });

  it('a worker toggle without a token is refused; with the token it takes effect', async () => {
    await page.goto(`${served.url}/#workers`);
    const button = `tr[data-worker="${DATASET}"] button.toggle`;
    await page.waitForSelector(button);
    await page.click(button);
    await page.waitForFunction(() => /refused \(401\)/.test(document.querySelector('#workers-message')?.textContent ?? ''));
    assert.equal((await store.listWorkerConfig('test')).find((w) => w.workerId === DATASET)!.enabled, true);
    await page.fill('#token', TOKEN);
    await page.click(button);
    await page.waitForFunction((id) => document.querySelector(`tr[data-worker="${id}"] .enabled`)?.textContent === 'no', DATASET);
    assert.equal((await store.listWorkerConfig('test')).find((w) => w.workerId === DATASET)!.enabled, false);
    await page.screenshot({ path: join(shots, 'workers.png') });
  });

  it('health and freshness pages show the request log and the newest data', async () => {
    await page.goto(`${served.url}/#health`);
    await page.waitForSelector('#health-table tbody tr');
    assert.match((await page.textContent('#health-table tbody'))!, /503 Service Unavailable/);
    await page.screenshot({ path: join(shots, 'health.png') });
    // quality: today's ledger says every expected slot of the day is there, on time → score 100
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Copenhagen' }).format(new Date());
    await store.upsertLedger([{ dataset: DATASET, partition: 'DK1', day: today, expected: 192, present: 192, missing: 0, late: 0, holes: [], repairAttempts: 0, repairNextAt: null, gaveUp: null, updatedAt: new Date() }]);
    await page.goto(`${served.url}/#freshness`);
    await page.waitForSelector('#freshness-table tbody tr');
    assert.match((await page.textContent('#freshness-table tbody'))!, /2025-11-06 22:45 UTC/);
    assert.equal(await page.textContent(`#freshness-table tbody tr:first-child td.quality`), `100 (${today})`);
    await page.selectOption('#tz', 'local');
    await page.waitForFunction(() => /\(UTC[+-]\d\d:\d\d\)/.test(document.querySelector('#freshness-table tbody')?.textContent ?? ''));
    await page.screenshot({ path: join(shots, 'freshness.png') });
    await page.selectOption('#tz', 'utc');
  });
});
