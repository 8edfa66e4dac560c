import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ArchiveFullError, fileArchive, memoryArchive } from './payload-archive.ts';
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

describe('memory archive', () => {
  it('holds at most maxBytes of payloads: a put beyond them is refused, the same payload again costs nothing', async () => {
    const archive = memoryArchive({ maxBytes: 100 });
    const body = (c: string) => new TextEncoder().encode(c.repeat(40));
    await archive.put(sha256Hex(body('a')), body('a'));
    await archive.put(sha256Hex(body('b')), body('b'));
    await archive.put(sha256Hex(body('a')), body('a'));
    assert.equal(archive.bytes, 80);
    await assert.rejects(archive.put(sha256Hex(body('c')), body('c')), (e: unknown) => e instanceof ArchiveFullError);
    assert.equal(archive.size, 2);
    assert.deepEqual(await archive.get(sha256Hex(body('b'))), body('b'));
  });
});
