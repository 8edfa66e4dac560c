import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, HttpError, InfrastructureUnavailableError, ParseError, SourceUnavailableError, UnknownDatasetError, ValidationError, outcomeOf } from './errors.ts';

describe('outcome by error class', () => {
  const cases: [Error, string][] = [
    [new SourceUnavailableError('timeout'), 'retry'],
    [new HttpError('busy', 503), 'retry'],
    [new HttpError('slow down', 429), 'retry'],
    [new InfrastructureUnavailableError('store', 'ECONNREFUSED'), 'retry'],
    [new ParseError('bad'), 'dead-letter'],
    [new ValidationError('implausible'), 'dead-letter'],
    [new UnknownDatasetError('x.y'), 'dead-letter'],
    [new ConfigError('credentials rejected (HTTP 401)'), 'stop-worker'],
    [new HttpError('not found', 404), 'stop-worker'],
  ];
  for (const [e, outcome] of cases) {
    it(`${e.name}${e instanceof HttpError ? ` ${e.status}` : ''} → ${outcome}`, () => assert.equal(outcomeOf(e), outcome));
  }

  it('judges a wrapper by its cause (a failed window wrapping a rejected token)', () => {
    const wrapped = new Error('entsoe window failed', { cause: new ConfigError('token rejected') });
    assert.equal(outcomeOf(wrapped), 'stop-worker');
  });
});
