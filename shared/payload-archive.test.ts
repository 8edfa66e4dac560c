import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileArchive } from './payload-archive.ts';
import { sha256Hex } from './raw-message.ts';

const dir = mkdtempSync(join(tmpdir(), 'scalar-archive-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('file archive', () => {
  it('keeps one copy when the same payload is put many times at once (redeliveries racing)', async () => {
    const body = new TextEncoder().encode('{"records": []}'.repeat(1000));
    const sha = sha256Hex(body);
    const archive = fileArchive(dir);
    await Promise.all(Array.from({ length: 20 }, () => archive.put(sha, body)));
    assert.deepEqual(await archive.get(sha), body);
    // no temporary file left behind
    assert.deepEqual(readdirSync(join(dir, sha.slice(0, 2))), [sha]);
  });

  it('refuses to hand back a file whose bytes do not match its name', async () => {
    const archive = fileArchive(dir);
    const sha = sha256Hex(new TextEncoder().encode('a'));
    await archive.put(sha, new TextEncoder().encode('b'));
    await assert.rejects(archive.get(sha), /corrupt/);
  });
});
