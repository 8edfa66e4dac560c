import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

const bin = fileURLToPath(new URL('../bin/scalar.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'scalar-api-role-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('scalar start --role api', () => {
  it('serves the API on the port asked for, next to nothing else, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [bin, 'start', '--role', 'api', '--port', '0', '--data-dir', dir], { env: { ...process.env, SCALAR_LOG_LEVEL: 'info', SCALAR_HEALTH_PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no API line within 60 s:\n${log}`)), 60_000);
      const read = (c: Buffer) => {
        log += c.toString();
        const m = /API and web view at (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
      child.once('exit', (code) => reject(new Error(`exited ${code}:\n${log}`)));
    });
    const datasets = (await (await fetch(`${url}/api/datasets`)).json()) as { id: string }[];
    assert.ok(datasets.some((d) => d.id === 'energinet.day_ahead_prices'));
    assert.equal((await fetch(`${url}/api/workers/energinet.day_ahead_prices/disable`, { method: 'POST' })).status, 401);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});
