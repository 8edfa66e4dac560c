// Every registered provider's parser, fuzzed on arbitrary bytes and on mutations of its own
// fixtures (providers/<id>/fixtures/): a new provider is covered as soon as it is registered.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { checkParse, fuzzParser } from '../shared/fuzz-parser.ts';
import { providers } from './index.ts';
import { identifyDataset } from '../shared/identify-dataset.ts';

const PAYLOAD = /\.(xml|json|zip|csv|txt)$/;

for (const p of providers) {
  const dir = new URL(`./${p.id}/fixtures/`, import.meta.url);
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => PAYLOAD.test(f) && !f.endsWith('.expected.jsonl')).sort();
  } catch {
    // A provider without fixtures is still fuzzed on arbitrary bytes.
  }
  describe(`fuzz ${p.id}`, () => {
    fuzzParser({
      name: p.id,
      // What `scalar parse` and ingestion do with a payload: find its dataset, then parse it, told a
      // partition as ingestion always is (Nord Pool's aggregates take their currency from it).
      parse: (body) => {
        const ds = identifyDataset(p, body);
        return ds.parse(body, { partition: ds.partitions[0]! });
      },
      fixtures: files.map((f) => new Uint8Array(readFileSync(new URL(f, dir)))),
    });
  });
}

describe('the fuzz time budget', () => {
  const small = new TextEncoder().encode('{}');
  it('fails a parser that spends more than a second of CPU on a small input', () => {
    const spin = () => {
      const until = performance.now() + 1200;
      while (performance.now() < until);
      return [];
    };
    assert.throws(() => checkParse({ name: 'spinning', parse: spin }, small), /spinning: 2 bytes took \d+ ms of CPU \(budget 1000 ms\)/);
  });

  it('does not count time the parse was not running (a starved process)', () => {
    const blocked = () => {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1200);
      return [];
    };
    checkParse({ name: 'blocked', parse: blocked }, small);
  });
});
