import assert from 'node:assert/strict';
import { test } from 'node:test';
import { streamLoadLabel, streamLoadRequest } from './starrocks-stream-load.ts';
import type { StoredObservation } from './types.ts';

const row = (payload: string, minute: number, value: number | null): StoredObservation => ({
  dataset: 'entsoe.prices', series: { area: 'DK1' }, seriesKey: 'area=DK1', ts: new Date(Date.UTC(2025, 10, 5, 10, minute)),
  resolution: 'PT15M', value, unit: 'EUR/MWh', payloadSha256: payload.repeat(64),
});
const target = { httpUrl: 'http://fe.example:8030/', database: 'scalar', user: 'root', password: 'p:w' };

test('the request PUTs JSON lines to the table with Basic auth, 100-continue and the label', () => {
  const req = streamLoadRequest(target, 'observations', [row('a', 0, 1.5), { ...row('a', 15, null), quality: 'Final' }], new Date('2025-11-05T11:00:00.5Z'));
  assert.equal(req.method, 'PUT');
  assert.equal(req.url, 'http://fe.example:8030/api/scalar/observations/_stream_load');
  assert.equal(req.headers.authorization, `Basic ${Buffer.from('root:p:w').toString('base64')}`);
  assert.equal(req.headers.expect, '100-continue');
  assert.equal(req.headers.format, 'json');
  assert.equal(req.headers.read_json_by_line, 'true');
  assert.equal(req.headers.columns, 'dataset, series_key, ts, value, payload_sha256, ingested_at, issued, quality');
  assert.equal(req.headers.label, streamLoadLabel('observations', [row('a', 0, 1.5), row('a', 15, null)]));
  const lines = req.body.toString('utf8').split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(lines[1], {
    dataset: 'entsoe.prices', series_key: 'area=DK1', ts: '2025-11-05 10:15:00.000', value: null, payload_sha256: 'a'.repeat(64),
    ingested_at: '2025-11-05 11:00:00.500', issued: null, quality: 'Final',
  });
  assert.equal(lines[0]!.value, 1.5);
});

test('the label is the same for a retried batch, whatever the row order, and differs for other payloads', () => {
  const batch = [row('a', 0, 1), row('b', 15, 2)];
  assert.equal(streamLoadLabel('observations', batch), streamLoadLabel('observations', [...batch].reverse()));
  assert.notEqual(streamLoadLabel('observations', batch), streamLoadLabel('observations', [row('a', 0, 1), row('c', 15, 2)]));
  assert.match(streamLoadLabel('observations', batch), /^[A-Za-z0-9_]{1,128}$/);
});
