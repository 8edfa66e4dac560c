import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { findDataset } from '../providers/index.ts';
import { ParseError } from './errors.ts';
import { startParsePool } from './parse-pool.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('parse pool (worker threads)', () => {
  it('parses a real payload on a thread exactly as in place', async () => {
    const pool = startParsePool(new URL('../providers/parse-worker.ts', import.meta.url), { threads: 1 });
    const ds = findDataset('entsoe.load_actual');
    const body = readFileSync(new URL('../providers/entsoe/fixtures/a65_dk1_actual_load_a16.xml', import.meta.url));
    assert.deepEqual(await pool.parse(ds.id, body), ds.parse(body));
    await pool.close();
  });

  it('brings a parser error back as its class, with its message and fields, and keeps serving', async () => {
    const pool = startParsePool(new URL('./parse-pool.test-worker.ts', import.meta.url), { threads: 2 });
    const failed = await pool.parse('test.load', bytes('damaged')).then(() => null, (e: unknown) => e);
    assert.ok(failed instanceof ParseError, 'a subclass of ParseError arrives as a ParseError');
    assert.equal(failed.name, 'DamagedDocumentError');
    assert.equal(failed.message, 'test.load: document is damaged');
    assert.deepEqual({ ...failed }, {
      name: 'DamagedDocumentError', provider: 'test', dataset: 'test.load',
      window: { from: new Date('2025-11-05T00:00:00Z'), to: new Date('2025-11-06T00:00:00Z') },
    });
    // More parses than threads: they wait their turn and each gets its own answer.
    const values = await Promise.all(['a', 'bb', 'ccc', 'dddd', 'eeeee'].map(async (s) => (await pool.parse('test.load', bytes(s)))[0]!.value));
    assert.deepEqual(values, [1, 2, 3, 4, 5]);
    await pool.close();
    await assert.rejects(pool.parse('test.load', bytes('a')), /closed/);
  });

  it("passes the payload's partition to the thread and brings the parser's notes back", async () => {
    const pool = startParsePool(new URL('./parse-pool.test-worker.ts', import.meta.url), { threads: 1 });
    const notes: string[] = [];
    await pool.parse('test.load', bytes('noted'), { partition: 'DK1', notes });
    await pool.parse('test.load', bytes('noted'));
    assert.deepEqual(notes, ['dropped a stray point of partition DK1']);
    await pool.close();
  });

  it('fails the payload whose thread died, and parses the next one on a new thread', async () => {
    const pool = startParsePool(new URL('./parse-pool.test-worker.ts', import.meta.url), { threads: 1 });
    await assert.rejects(pool.parse('test.load', bytes('crash')), /parse thread stopped while parsing test.load/);
    assert.equal((await pool.parse('test.load', bytes('ok')))[0]!.value, 2);
    await pool.close();
  });
});
