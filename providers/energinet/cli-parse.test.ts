// `scalar parse energinet <Forecasts_5Min response>`: the dataset is found from the payload alone,
// each forecast horizon is its own series, and every row carries `issued`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const bin = fileURLToPath(new URL('../../bin/scalar.js', import.meta.url));
const file = fileURLToPath(new URL('./fixtures/Forecasts_5Min_DK1-DK2_2025-11-05T10-12.json', import.meta.url));

describe('scalar parse energinet <Forecasts_5Min response>', () => {
  it('prints each forecast horizon as its own series with issued set', () => {
    const r = spawnSync(process.execPath, [bin, 'parse', 'energinet', file], { encoding: 'utf8', env: { ...process.env, SCALAR_LOG_LEVEL: 'error' }, timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { series: Record<string, string>; ts: string; issued?: string; value: number | null });
    assert.equal(lines.length, 720);
    assert.deepEqual(lines.slice(0, 5).map((l) => l.series.horizon), ['ForecastDayAhead', 'ForecastIntraday', 'Forecast5Hour', 'Forecast1Hour', 'ForecastCurrent']);
    assert.deepEqual(lines[0], {
      dataset: 'energinet.wind_solar_forecast_5min',
      series: { area: 'DK1', forecast_type: 'Offshore Wind', horizon: 'ForecastDayAhead' },
      ts: '2025-11-05T09:00:00Z', resolution: 'PT5M', value: 1107.678833, unit: 'MW', issued: '2025-11-05T08:55:00Z',
    });
    assert.ok(lines.every((l) => l.issued?.endsWith('Z') && l.ts.endsWith('Z')));
    assert.equal(new Set(lines.map((l) => JSON.stringify(l.series))).size, 30);
    assert.equal(lines.filter((l) => l.value === null).length, 3);
  });
});
