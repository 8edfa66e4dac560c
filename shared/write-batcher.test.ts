import assert from 'node:assert/strict';
import { it } from 'node:test';
import { writeBatcher } from './write-batcher.ts';

it('writes a batch once its items reach maxBytes, without waiting for maxItems or maxWaitMs', async () => {
  const writes: string[][] = [];
  const batcher = writeBatcher(async (items: string[]) => void writes.push(items), { maxItems: 1000, maxWaitMs: 60_000, maxBytes: 100, sizeOf: (s) => s.length });
  const first = [batcher.add('a'.repeat(40)), batcher.add('b'.repeat(40))];
  assert.equal(writes.length, 0, 'under the byte bound: still collecting');
  const third = batcher.add('c'.repeat(40));
  assert.equal(writes.length, 1, 'at 120 of 100 bytes: written at once');
  await Promise.all([...first, third]);
  assert.deepEqual(writes.map((w) => w.length), [3]);
  // The count starts again with the next batch.
  const next = batcher.add('d'.repeat(40));
  assert.equal(writes.length, 1);
  await batcher.flush();
  await next;
  assert.deepEqual(writes.map((w) => w.length), [3, 1]);
});

it('refuses a byte bound without a way to size the items', () => {
  assert.throws(() => writeBatcher(async () => undefined, { maxItems: 10, maxWaitMs: 10, maxBytes: 100 }), /maxBytes .* and sizeOf go together/);
});
