// A SIGKILLed acquisition process leaves its partition leases behind; restarted with the same
// identity it takes them back at once (the leases here would otherwise last ten minutes).
import { providers } from '../providers/index.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

const bin = fileURLToPath(new URL('../bin/scalar.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'scalar-lease-'));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('leases after a crash', () => {
  it('a restarted process takes back the partitions its killed incarnation held, without waiting for the leases to expire', async () => {
    // A provider that never answers: every window stays in flight, holding its lease.
    const seen: string[] = [];
    const open: ServerResponse[] = [];
    const server = createServer((req, res) => {
      seen.push(req.url ?? '');
      open.push(res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const env = {
      ...process.env,
      SCALAR_LOG_LEVEL: 'error',
      SCALAR_ENV: 'development',
      // Every provider asks the silent server (none of them may reach out of this machine).
      ...Object.fromEntries(providers.map((p) => [`SCALAR_${p.id.toUpperCase()}_URL`, p.id === 'entsoe' ? `${base}/api` : `${base}/${p.id}/`])),
      ENTSOE__TOKEN: 'test-token',
      SCALAR_HTTP_TIMEOUT_MS: '600000',
      SCALAR_ACQUISITION_LEASE_MS: '600000',
    };
    const start = () => {
      const c = spawn(process.execPath, [bin, 'start', '--data-dir', dir], { env, stdio: 'ignore' });
      children.push(c);
      return c;
    };
    try {
      const first = start();
      await until('the first process to fetch', () => seen.length >= 1);
      await new Promise((r) => setTimeout(r, 1000)); // let the other in-flight windows start too
      const held = new Set(seen);
      const killed = new Promise((r) => first.once('exit', r));
      first.kill('SIGKILL');
      await killed;
      const before = seen.length;
      start();
      await until('a held partition fetched again by the restarted process', () => seen.slice(before).some((u) => held.has(u)));
    } finally {
      for (const res of open) res.destroy();
      server.close();
    }
  });
});
