import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FetchContext } from '../../shared/dataset.ts';
import { createHttpClient, type AttemptReport } from '../../shared/http.ts';
import { silentLogger } from '../../shared/log.ts';
import { envSecrets } from '../../shared/secrets/index.ts';
import { buildRequestUrl, fetchDataset } from './client.ts';
import { readEnvelope } from './envelope.ts';
import { windSolarForecast5Min } from './forecasts.ts';
import { dayAheadPrices, parseDayAheadPrices } from './prices.ts';
import { powerSystemRightNow } from './system.ts';
import { startEnerginetSimulator } from './simulator.ts';

const NOW = new Date('2025-11-05T14:00:00Z');
const ctx = (baseUrl: string, attempts: AttemptReport[] = []): FetchContext => ({
  http: createHttpClient('energinet', { timeoutMs: 500, maxAttempts: 10, initialDelayMs: 5, maxDelayMs: 20 }),
  secrets: envSecrets({}),
  baseUrl,
  log: silentLogger,
  onAttempt: (a) => attempts.push(a),
});

describe('energinet client', () => {
  it('asks for a window in Danish local time, end exclusive, across the fall-back day', () => {
    const url = new URL(buildRequestUrl('https://api.energidataservice.dk', dayAheadPrices.source,
      { from: new Date('2025-10-25T22:00:00Z'), to: new Date('2025-10-26T23:00:00Z') }, 'DK1', { limit: 5000, offset: 0 }));
    assert.equal(url.pathname, '/dataset/DayAheadPrices');
    assert.equal(url.searchParams.get('start'), '2025-10-26T00:00');
    assert.equal(url.searchParams.get('end'), '2025-10-27T00:00');
    assert.equal(url.searchParams.get('filter'), '{"PriceArea":["DK1"]}');
    assert.equal(url.searchParams.get('sort'), 'TimeUTC asc');
  });

  it('asks every dataset through the same request: its API name, its time field, its partition filter or none', () => {
    const window = { from: new Date('2025-11-04T23:00:00Z'), to: new Date('2025-11-05T23:00:00Z') };
    const forecasts = new URL(buildRequestUrl('https://api.energidataservice.dk', windSolarForecast5Min.source, window, 'DK2', { limit: 5000, offset: 0 }));
    assert.equal(forecasts.pathname, '/dataset/Forecasts_5Min');
    assert.equal(forecasts.searchParams.get('filter'), '{"PriceArea":["DK2"]}');
    assert.equal(forecasts.searchParams.get('sort'), 'Minutes5UTC asc');
    const system = new URL(buildRequestUrl('https://api.energidataservice.dk', powerSystemRightNow.source, window, 'all', { limit: 5000, offset: 5000 }));
    assert.equal(system.pathname, '/dataset/PowerSystemRightNow');
    assert.equal(system.searchParams.has('filter'), false);
    assert.equal(system.searchParams.get('start'), '2025-11-05T00:00');
    assert.equal(system.searchParams.get('sort'), 'Minutes1UTC asc');
    assert.equal(system.searchParams.get('offset'), '5000');
  });

  it('pages with limit/offset until total and joins the pages into one envelope', async () => {
    const sim = await startEnerginetSimulator({ now: () => NOW });
    const attempts: AttemptReport[] = [];
    const window = { from: new Date('2025-10-25T22:00:00Z'), to: new Date('2025-10-27T23:00:00Z') }; // 100 + 96 quarter-hours
    const payload = await fetchDataset(dayAheadPrices.source, window, 'DK2', ctx(sim.url, attempts), 50);
    const env = readEnvelope(payload.body);
    assert.equal(env.total, 196);
    assert.equal(env.records.length, 196);
    assert.equal(attempts.length, 4);
    const obs = parseDayAheadPrices(payload.body);
    assert.equal(new Set(obs.map((o) => o.ts.getTime())).size, 196);
    assert.equal(obs[0]!.ts.toISOString(), '2025-10-25T22:00:00.000Z');
    await sim.close();
  });

  it('publishes a single page as the exact bytes received', async () => {
    const sim = await startEnerginetSimulator({ now: () => NOW });
    const window = { from: new Date('2025-11-04T23:00:00Z'), to: new Date('2025-11-05T23:00:00Z') };
    const payload = await fetchDataset(dayAheadPrices.source, window, 'DK1', ctx(sim.url));
    const direct = await fetch(buildRequestUrl(sim.url, dayAheadPrices.source, window, 'DK1', { limit: 5000, offset: 0 }));
    assert.deepEqual(payload.body, new Uint8Array(await direct.arrayBuffer()));
    await sim.close();
  });

  it('retries truncated and malformed answers instead of publishing them', async () => {
    const sim = await startEnerginetSimulator({ now: () => NOW });
    sim.setFaults({ rates: { truncated: 0.3, malformed: 0.3 }, seed: 3 });
    const attempts: AttemptReport[] = [];
    const window = { from: new Date('2025-11-01T23:00:00Z'), to: new Date('2025-11-05T23:00:00Z') };
    const payload = await fetchDataset(dayAheadPrices.source, window, 'DK1', ctx(sim.url, attempts), 100);
    assert.equal(parseDayAheadPrices(payload.body).length, 4 * 96 * 2);
    const failed = attempts.filter((a) => a.error !== null);
    assert.equal(failed.length, sim.faults.served.truncated + sim.faults.served.malformed);
    assert.ok(failed.length > 0);
    await sim.close();
  });
});
