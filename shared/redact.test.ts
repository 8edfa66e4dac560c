import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { forgetSecrets, redact, registerSecret } from './redact.ts';
import { envSecrets } from './secrets/index.ts';

describe('redact', () => {
  afterEach(forgetSecrets);

  it('masks credentials by pattern, keeping what names them', () => {
    const cases: [string, string][] = [
      ['https://web-api.tp.entsoe.eu/api?securityToken=abc-123&documentType=A44', 'https://web-api.tp.entsoe.eu/api?securityToken=***&documentType=A44'],
      ['token=abc password=hunter2 apikey=k1 api_key=k2 client_secret=s3', 'token=*** password=*** apikey=*** api_key=*** client_secret=***'],
      ['mysql://scalar:s3cr3t@db:3306/scalar and nats://u:p%40ss@bus:4222', 'mysql://scalar:***@db:3306/scalar and nats://u:***@bus:4222'],
      ['Authorization: Bearer eyJhbGciOi.x.y', 'Authorization: ***'],
      ['{"authorization":"Basic dXNlcjpwYXNz","password":"pa\\"ss","area":"DK1"}', '{"authorization":"***","password":"***","area":"DK1"}'],
    ];
    for (const [text, want] of cases) assert.equal(redact(text), want);
  });

  it('leaves ordinary text alone', () => {
    const text = 'entsoe.day_ahead_prices [DK1 2025-11-05T23:00:00Z/2025-11-06T23:00:00Z] redis://127.0.0.1:6379 mysql://root@127.0.0.1:3306/scalar';
    assert.equal(redact(text), text);
  });

  it('masks a registered secret wherever it appears, also URL- and JSON-escaped', () => {
    registerSecret('tok/en"value+1');
    assert.equal(redact('page echoes tok/en"value+1 raw'), 'page echoes *** raw');
    assert.equal(redact(`GET /api?x=${encodeURIComponent('tok/en"value+1')}`), 'GET /api?x=***');
    assert.equal(redact(JSON.stringify({ msg: 'echo tok/en"value+1' })), '{"msg":"echo ***"}');
  });

  it('ignores values too short to be secrets', () => {
    registerSecret('dev');
    assert.equal(redact('development'), 'development');
  });

  it('masks what the secrets port reads, but not identities read beside it (a user name "scalar" would mask the product name)', async () => {
    const secrets = envSecrets({ METEOLOGICA__USERNAME: 'scalar', METEOLOGICA__PASSWORD: 'hunter2-long' });
    assert.equal(await secrets.get('meteologica:username'), 'scalar');
    assert.equal(await secrets.get('meteologica:password'), 'hunter2-long');
    assert.equal(redact('npx scalar query as scalar with hunter2-long'), 'npx scalar query as scalar with ***');
  });
});
