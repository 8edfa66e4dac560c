import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Dataset } from '../shared/dataset.ts';
import { ParseError } from '../shared/errors.ts';
import { memoryArchive } from '../shared/payload-archive.ts';
import { sha256Hex } from '../shared/raw-message.ts';
import { DuckDbStore } from '../shared/store/duckdb.ts';
import { replayDeadLetters } from './replay.ts';

const AT = new Date('2025-11-01T12:00:00Z');

/** A dataset whose parser rejects the payload until `fixed` (a parser fix being deployed). */
function dataset(state: { fixed: boolean }): Dataset {
  return {
    id: 'test.prices', provider: 'test', title: 't', resolution: 'PT1H', unit: 'EUR/MWh', dimensions: ['area'],
    cadence: { every: 'PT1H' },
    window: { align: 'P1D', tz: 'UTC', maxSpan: 'P1D', lookback: 'P1D', horizon: 'P1D', backfill: 'P1D' },
    partitions: ['A'],
    validation: { plausible: { 'EUR/MWh': [-1000, 5000] }, maxLead: 'P2D' },
    fetch: async () => ({ body: new Uint8Array(), contentType: 'text/plain' }),
    parse: (body) => {
      if (!state.fixed) throw new ParseError('value "12,5" is not a number');
      const value = Number(new TextDecoder().decode(body).replace(',', '.'));
      return [{ dataset: 'test.prices', series: { area: 'A' }, ts: new Date('2025-11-01T00:00:00Z'), resolution: 'PT1H', value, unit: 'EUR/MWh' }];
    },
    detect: () => false,
    workers: {},
    fixtures: [],
  };
}

describe('dead-letter replay', () => {
  it('lands a dead-lettered payload once its parser is fixed, marks it replayed, and replays nothing twice', async () => {
    const store = await DuckDbStore.open(':memory:');
    const archive = memoryArchive();
    const body = new TextEncoder().encode('12,5');
    const sha = sha256Hex(body);
    await archive.put(sha, body);
    await store.recordDeadLetter({ at: AT, topic: 'test', reason: 'ParseError: value "12,5" is not a number', dataset: 'test.prices', runId: 'r1', windowFrom: null, windowTo: null, sha256: sha });
    await store.recordDeadLetter({ at: AT, topic: 'test', reason: 'invalid raw message', dataset: null, runId: null, windowFrom: null, windowTo: null, sha256: null });
    const state = { fixed: false };
    const deps = { store, archive, findDataset: () => dataset(state) };

    const before = await replayDeadLetters(deps, { dataset: 'test.prices' });
    assert.deepEqual(before.failed.map((f) => f.error), ['ParseError: value "12,5" is not a number']);
    assert.equal(await store.countObservations(), 0);

    state.fixed = true;
    const after = await replayDeadLetters(deps, {});
    assert.deepEqual(after.replayed.map((r) => r.rows), [1]);
    assert.equal(after.skipped.length, 1);
    assert.equal((await store.queryObservations({ dataset: 'test.prices' }))[0]?.value, 12.5);
    const [marked] = await store.listDeadLetters({ dataset: 'test.prices' });
    assert.ok(marked?.replayedAt instanceof Date);

    const again = await replayDeadLetters(deps, {});
    assert.deepEqual([again.replayed.length, again.failed.length], [0, 0]);
    await store.close();
  });
});
