import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { storeContract } from './contract.ts';
import { DuckDbStore } from './duckdb.ts';

storeContract('duckdb (in memory)', () => DuckDbStore.open(':memory:'));

describe('duckdb file after a crash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scalar-duckdb-crash-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reopens a freshly created store whose process was SIGKILLed right after its schema was made', async () => {
    const file = join(dir, 'scalar.duckdb');
    const store = fileURLToPath(new URL('./duckdb.ts', import.meta.url));
    // A child creates the store and then hangs; it is killed before any clean close (no checkpoint on close).
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e',
      `const { DuckDbStore } = await import(${JSON.stringify(store)}); await DuckDbStore.open(${JSON.stringify(file)}); process.stdout.write('open\\n'); setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => String(d).includes('open') && resolve());
      child.once('exit', (code) => reject(new Error(`child exited ${code} before opening the store`)));
    });
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    const reopened = await DuckDbStore.open(file);
    try {
      assert.equal(await reopened.countObservations(), 0);
    } finally {
      await reopened.close();
    }
  });
});
