// Raw payloads kept by content: the same bytes are stored once, under their sha256, so
// `scalar reprocess` can re-parse them without calling the provider again.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from './raw-message.ts';

export type PayloadArchive = {
  put(sha256: string, body: Uint8Array): Promise<void>;
  get(sha256: string): Promise<Uint8Array>;
};

export function fileArchive(dir: string): PayloadArchive {
  const pathOf = (sha: string) => join(dir, sha.slice(0, 2), sha);
  return {
    async put(sha256, body) {
      const path = pathOf(sha256);
      try {
        await stat(path);
        return;
      } catch {
        // not there yet
      }
      await mkdir(join(dir, sha256.slice(0, 2)), { recursive: true });
      // Write then rename, so a crash never leaves a half-written file under a valid name. The
      // temporary name is unique per call: the same payload handled twice at once (a redelivery,
      // two processes on one data directory) must not share it. Renaming over a file another
      // writer just finished is harmless: same name, same sha256, same bytes.
      const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(tmp, body);
        await rename(tmp, path);
      } catch (e) {
        await rm(tmp, { force: true });
        throw e;
      }
    },
    async get(sha256) {
      const body = new Uint8Array(await readFile(pathOf(sha256)));
      if (sha256Hex(body) !== sha256) throw new Error(`archived payload ${sha256} is corrupt`);
      return body;
    },
  };
}

/** A memory archive holding `maxBytes` already: a put is refused rather than growing the process. */
export class ArchiveFullError extends Error {
  override name = 'ArchiveFullError';
}

/** An archive in memory, for tests and benches; it holds at most `maxBytes` (default 256 MiB) of payloads. */
export function memoryArchive(o: { maxBytes?: number } = {}): PayloadArchive & { readonly size: number; readonly bytes: number } {
  const maxBytes = o.maxBytes ?? 256 * 1024 * 1024;
  const kept = new Map<string, Uint8Array>();
  let bytes = 0;
  return {
    async put(sha256, body) {
      if (kept.has(sha256)) return;
      if (bytes + body.byteLength > maxBytes) throw new ArchiveFullError(`memory archive full: ${bytes} of ${maxBytes} bytes held, ${body.byteLength} more refused`);
      kept.set(sha256, body);
      bytes += body.byteLength;
    },
    async get(sha256) {
      const body = kept.get(sha256);
      if (!body) throw new Error(`payload ${sha256} is not archived`);
      return body;
    },
    get size() {
      return kept.size;
    },
    get bytes() {
      return bytes;
    },
  };
}
