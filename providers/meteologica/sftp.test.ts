// The file-drop worker and the Meteologica SFTP client against a real OpenSSH server on loopback:
// its own sshd_config, host key, authorized key and drop directory under a temporary directory.
// Skips (saying why) when /usr/sbin/sshd is not installed (`.ci/run` installs openssh-server).
import { memoryArchive } from '../../shared/payload-archive.ts';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, appendFileSync, chmodSync } from 'node:fs';
import { createServer, connect as tcpConnect, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dropState, pollOnce, type FileDropEvent } from '../../acquisition/file-drop.ts';
import type { AcquisitionDeps } from '../../acquisition/run-window.ts';
import { MemoryBus } from '../../shared/bus/memory.ts';
import type { Dataset, FileDropContext } from '../../shared/dataset.ts';
import { ConfigError } from '../../shared/errors.ts';
import { createHttpClient } from '../../shared/http.ts';
import { silentLogger } from '../../shared/log.ts';
import { envName, envSecrets } from '../../shared/secrets/index.ts';
import { openStore, type Store } from '../../shared/store/index.ts';
import { openMeteologicaSftp } from './client.ts';
import { meteologicaDatasets } from './datasets.ts';

const SSHD = '/usr/sbin/sshd';
const skip = existsSync(SSHD) ? false : `${SSHD} is not installed (apt-get install -y openssh-server)`;
const wind = meteologicaDatasets.find((d) => d.id === 'meteologica.wind_power_forecasts')!;
const fixture = readFileSync(new URL('./fixtures/DE_wind_power_202510250800.csv', import.meta.url));

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

type Sshd = { port: number; drop: string; clientKey: string; otherKey: string; log: () => string; stop(): Promise<void> };

async function startSshd(): Promise<Sshd> {
  const dir = mkdtempSync(join(tmpdir(), 'scalar-sshd-'));
  const drop = join(dir, 'drop');
  mkdirSync(drop);
  const keygen = (file: string) => {
    const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
    if (r.status !== 0) throw new Error(`ssh-keygen: ${r.stderr}`);
  };
  keygen(join(dir, 'host_ed25519'));
  keygen(join(dir, 'client_ed25519'));
  keygen(join(dir, 'other_ed25519'));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_ed25519.pub')));
  chmodSync(join(dir, 'authorized_keys'), 0o600);
  // The privilege-separation directory sshd insists on (root only; a user's sshd does not need it).
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true });
  const port = await freePort();
  writeFileSync(join(dir, 'sshd_config'), [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${join(dir, 'host_ed25519')}`, `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`, 'PasswordAuthentication no', 'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes', 'PermitRootLogin prohibit-password', 'UsePAM no',
    // The temporary directory is world-writable /tmp underneath: StrictModes would refuse the key.
    'StrictModes no', 'Subsystem sftp internal-sftp', 'AllowTcpForwarding no', 'X11Forwarding no', 'LogLevel VERBOSE',
  ].join('\n') + '\n');
  const check = spawnSync(SSHD, ['-t', '-f', join(dir, 'sshd_config')]);
  if (check.status !== 0) throw new Error(`sshd -t: ${check.stderr}`);
  let log = '';
  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (b: Buffer) => (log += b.toString()));
  // Ready when the port accepts connections (sshd prints nothing on start without -d).
  for (let i = 0; ; i++) {
    const ok = await new Promise<boolean>((r) => {
      const s = tcpConnect(port, '127.0.0.1', () => (s.destroy(), r(true))).on('error', () => r(false));
    });
    if (ok) break;
    if (i > 100 || child.exitCode !== null) throw new Error(`sshd did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port, drop, clientKey: readFileSync(join(dir, 'client_ed25519'), 'utf8'), otherKey: readFileSync(join(dir, 'other_ed25519'), 'utf8'), log: () => log,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A TCP relay in front of sshd that cuts both sides once `cutAfter` bytes went to the client. */
async function cuttingRelay(target: number, cutAfter: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = tcpConnect(target, '127.0.0.1');
    sockets.add(client).add(upstream);
    let sent = 0;
    client.on('data', (b) => upstream.write(b));
    upstream.on('data', (b: Buffer) => {
      sent += b.length;
      if (sent > cutAfter) {
        client.destroy();
        upstream.destroy();
      } else client.write(b);
    });
    for (const s of [client, upstream]) s.on('error', () => undefined).on('close', () => (client.destroy(), upstream.destroy()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}

describe('Meteologica over SFTP against a real OpenSSH server', { skip }, () => {
  let sshd: Sshd;
  let store: Store;
  let bus: MemoryBus;
  const published: { file: string; body: string; sha256: string }[] = [];
  const secretEnv = () => ({ [envName('meteologica:username')]: userInfo().username, [envName('meteologica:private_key')]: sshd.clientKey });
  const depsFor = (baseUrl: string, env: Record<string, string> = secretEnv()): AcquisitionDeps => ({
    bus, store, archive: memoryArchive(), secrets: envSecrets(env), log: silentLogger, httpFor: () => createHttpClient('t'),
    baseUrls: { meteologica: baseUrl }, topicFor: (p) => `raw.${p}`,
  });
  const url = () => `sftp://127.0.0.1:${sshd.port}${sshd.drop}`;
  const ctx = (env = secretEnv(), baseUrl = url()): FileDropContext => ({ secrets: envSecrets(env), baseUrl, log: silentLogger });

  before(async () => {
    sshd = await startSshd();
    store = await openStore('duckdb::memory:');
    bus = new MemoryBus();
    await bus.subscribe(['raw.meteologica'], { subscription: 's', maxInFlight: 10 }, async (d) => {
      published.push({ file: d.message.properties['window-from'] ?? '', body: Buffer.from(d.message.data).toString(), sha256: d.message.properties.sha256 ?? '' });
      await d.ack();
    });
  });
  after(async () => {
    await bus?.close();
    await store?.close();
    await sshd?.stop();
  });

  it('lists the drop directory and downloads a file byte for byte', async () => {
    writeFileSync(join(sshd.drop, 'DE_wind_power_202510250800.csv'), fixture);
    mkdirSync(join(sshd.drop, 'archive'), { recursive: true });
    const session = await openMeteologicaSftp(ctx());
    try {
      const files = await session.list();
      assert.deepEqual(files.map((f) => [f.name, f.size]), [['DE_wind_power_202510250800.csv', fixture.length]], 'regular files only, not archive/');
      assert.equal(files[0]!.mtime.getTime(), Math.floor(statSync(join(sshd.drop, files[0]!.name)).mtimeMs / 1000) * 1000);
      assert.deepEqual(Buffer.from(await session.read('DE_wind_power_202510250800.csv')), fixture);
    } finally {
      await session.close();
    }
  });

  it('refuses a key the server does not know, and the key appears in no error', async () => {
    const env = { [envName('meteologica:username')]: userInfo().username, [envName('meteologica:private_key')]: sshd.otherKey };
    await assert.rejects(openMeteologicaSftp(ctx(env)), (e: Error) => {
      assert.ok(e instanceof ConfigError, `${e.name}: ${e.message}`);
      assert.match(e.message, /refused the credentials/);
      assert.ok(!e.message.includes('PRIVATE KEY') && !e.message.includes(sshd.otherKey.slice(40, 80)));
      return true;
    });
  });

  it('reports a file it may not read (permission denied) and lands it once it becomes readable', { skip: process.getuid?.() === 0 ? 'root reads every file' : false }, async () => {
    const name = 'DE_wind_power_202510260800.csv';
    writeFileSync(join(sshd.drop, name), fixture);
    chmodSync(join(sshd.drop, name), 0o000);
    const session = await openMeteologicaSftp(ctx());
    try {
      await assert.rejects(session.read(name), /permission denied/i);
    } finally {
      await session.close();
      chmodSync(join(sshd.drop, name), 0o644);
    }
  });

  it('lands a file once it stopped growing, never twice unchanged, again when re-uploaded with new content', async () => {
    rmSync(join(sshd.drop, 'DE_wind_power_202510250800.csv'), { force: true });
    const events: FileDropEvent[] = [];
    const deps = depsFor(url());
    const state = dropState(await store.listFileDrops!(wind.id));
    const poll = () => pollOnce(deps, wind, state, 'archive', (e) => events.push(e));
    const name = 'DE_wind_power_202510270800.csv';
    const path = join(sshd.drop, name);
    const before = published.length;
    // The vendor is still writing: half the file, then the rest with a later mtime.
    writeFileSync(path, fixture.subarray(0, 300));
    utimesSync(path, new Date('2025-10-27T08:00:00Z'), new Date('2025-10-27T08:00:00Z'));
    await poll();
    appendFileSync(path, fixture.subarray(300));
    utimesSync(path, new Date('2025-10-27T08:00:05Z'), new Date('2025-10-27T08:00:05Z'));
    await poll();
    assert.equal(published.length, before, 'a file whose size changed between polls is not picked up');
    await poll();
    const landed = events.filter((e) => e.type === 'file-landed' && e.file === name);
    assert.equal(landed.length, 1);
    assert.equal(published.length, before + 1);
    assert.equal(published.at(-1)!.body, fixture.toString(), 'the whole file, not the half seen first');
    assert.ok(existsSync(join(sshd.drop, 'archive', name)) && !existsSync(path), 'moved into archive/ after landing');
    const drops = await store.listFileDrops!(wind.id);
    assert.deepEqual(drops.map((d) => [d.name, d.size]), [[name, fixture.length]]);

    // Re-uploaded unchanged (new mtime, same bytes): recorded, not published again.
    writeFileSync(path, fixture);
    utimesSync(path, new Date('2025-10-27T09:00:00Z'), new Date('2025-10-27T09:00:00Z'));
    await poll();
    await poll();
    await poll();
    assert.equal(published.length, before + 1, 'an unchanged file never lands twice');
    assert.ok(events.some((e) => e.type === 'file-unchanged' && e.file === name));

    // Re-uploaded with new content: lands again.
    const revised = fixture.toString().replace('18000,0', '17999,0');
    writeFileSync(path, revised);
    utimesSync(path, new Date('2025-10-27T10:00:00Z'), new Date('2025-10-27T10:00:00Z'));
    await poll();
    await poll();
    assert.equal(published.length, before + 2);
    assert.equal(published.at(-1)!.body, revised);
    // The landed rows parse: the revision is what reaches ingestion.
    assert.equal(wind.parse(Buffer.from(published.at(-1)!.body))[0]!.value, 17999);
  });

  it('a connection dropped mid-download leaves the file unlanded, logged, and the next poll lands it', async () => {
    const name = 'DE_wind_power_202510280800.csv';
    // Big enough that the cut falls inside the download, after the handshake and the listing.
    const big = Buffer.concat([fixture, Buffer.from(('2025-10-25 08:00;2025-10-27 00:00;DE;1,0;1,0;1,0;1,0\n').repeat(40_000))]);
    writeFileSync(join(sshd.drop, name), big);
    const relay = await cuttingRelay(sshd.port, 300_000);
    const events: FileDropEvent[] = [];
    const state = dropState(await store.listFileDrops!(wind.id));
    const before = published.length;
    try {
      const viaRelay = depsFor(`sftp://127.0.0.1:${relay.port}${sshd.drop}`);
      // First poll only lists (a file must look the same twice); the second downloads and is cut.
      await pollOnce(viaRelay, wind, state, null, (e) => events.push(e)).catch(() => undefined);
      await pollOnce(viaRelay, wind, state, null, (e) => events.push(e)).catch(() => undefined);
    } finally {
      await relay.close();
    }
    assert.equal(published.length, before, 'nothing published from a cut download');
    const failed = events.find((e) => e.type === 'file-failed' && e.file === name);
    assert.ok(failed, `a failure event for the file: ${JSON.stringify(events)}`);
    const log = await store.listFetchLog({ dataset: wind.id, limit: 50 });
    assert.ok(log.some((l) => l.url.endsWith(name) && l.error !== null), 'the failure is in fetch_log');
    assert.ok(log.every((l) => !l.url.includes('PRIVATE') && !(l.error ?? '').includes('PRIVATE')));

    await pollOnce(depsFor(url()), wind, state, null, (e) => events.push(e));
    assert.equal(published.length, before + 1);
    assert.equal(published.at(-1)!.body.length, big.length);
  });

  it('a refused password appears in no error and no fetch_log row', async () => {
    const password = 'hunter2-not-in-any-log-7f3a';
    const env = { [envName('meteologica:username')]: userInfo().username, [envName('meteologica:password')]: password };
    const failures: FileDropEvent[] = [];
    await assert.rejects(pollOnce(depsFor(url(), env), wind, dropState([]), null, (e) => failures.push(e)), (e: Error) => !e.message.includes(password));
    const log = await store.listFetchLog({ dataset: wind.id, limit: 100 });
    assert.ok(log.some((l) => /connect failed/.test(l.error ?? '')), 'the failed connect is logged');
    assert.ok(log.every((l) => !JSON.stringify(l).includes(password)));
  });

  it('rejects a URL carrying credentials instead of using them', async () => {
    await assert.rejects(openMeteologicaSftp(ctx(secretEnv(), `sftp://someone:pw@127.0.0.1:${sshd.port}/x`)), ConfigError);
  });
});

// Guards the dataset shape the tests above rely on.
it('Meteologica datasets are file drops (no windows)', () => {
  for (const d of meteologicaDatasets as readonly Dataset[]) {
    assert.ok(d.files, d.id);
    assert.ok(d.files.matches('DE_wind_power_202510250800.csv') !== d.files.matches('ES_price_202511041000.csv'));
  }
});
