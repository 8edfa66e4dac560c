// The demo's Meteologica: an in-process SFTP server (ssh2's Server, which ssh2-sftp-client already
// depends on) over a temporary drop directory, dropping a new wind and price forecast file on a
// schedule. A real OpenSSH server is what the tests use (sftp.test.ts); for the demo it would need
// root, an installed sshd and a host key on every laptop, so the simulator speaks the protocol itself.
// Password auth with a random password handed to the demo as `meteologica:password`.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, resolve, sep } from 'node:path';
import ssh2 from 'ssh2';
import type { Simulator } from '../../shared/dataset.ts';
import { addDuration, floorTo, toLocalNaive } from '../../shared/time.ts';
import type { FeedDescription } from './parse.ts';
import { meteologicaDatasets } from './datasets.ts';

const { Server, utils } = ssh2;
const { STATUS_CODE } = utils.sftp;

const DROP = '/outgoing';

/** One forecast file of `feed` issued at `issued` for the next day: what the vendor would drop. */
export function renderForecastFile(feed: FeedDescription, area: string, issued: Date, seed: number): string {
  const c = feed.columns;
  const quantiles = Object.entries(c.percentiles);
  const d = feed.delimiter;
  const time = (at: Date) => (feed.timeZone === 'UTC' ? at.toISOString().replace('.000', '') : toLocalNaive(at, feed.timeZone).replace('T', ' '));
  const num = (x: number) => (feed.decimal === ',' ? x.toFixed(1).replace('.', ',') : x.toFixed(2));
  const lines = [[c.issued, c.valueTime, c.area, c.point, ...quantiles.map(([, col]) => col)].join(d)];
  const start = addDuration(floorTo(issued, 'P1D', feed.timeZone), 'P1D', feed.timeZone);
  const end = addDuration(start, 'P1D', feed.timeZone);
  const base = feed.unit === 'MW' ? 15_000 : 70;
  for (let at = start, i = 0; at < end; at = new Date(at.getTime() + 3_600_000), i++) {
    const v = base * (1 + 0.3 * Math.sin((i + seed) / 4));
    const spread = quantiles.map((_, k) => v * (0.7 + (0.6 * k) / Math.max(1, quantiles.length - 1)));
    lines.push([time(issued), time(at), area, num(v), ...spread.map(num)].join(d));
  }
  return lines.join('\n') + '\n';
}

/**
 * A fresh ed25519 host key that ssh2 itself can read back: about one generated key in 256 has a
 * public part starting with a zero byte, which ssh2 strips and then cannot parse (mscdex/ssh2#1513);
 * the simulator then failed to start (and the demo with it) once in a few hundred runs.
 */
export function hostKey(): string {
  for (;;) {
    const pair = utils.generateKeyPairSync('ed25519');
    if (!(utils.parseKey(pair.private) instanceof Error) && !(utils.parseKey(pair.public) instanceof Error)) return pair.private;
  }
}

export async function startMeteologicaSimulator(o: { port?: number; dropEveryMs?: number } = {}): Promise<Simulator> {
  const root = mkdtempSync(join(tmpdir(), 'scalar-meteologica-'));
  mkdirSync(join(root, DROP), { recursive: true });
  const password = randomBytes(12).toString('hex');
  const username = 'scalar';
  let seq = 0;
  const drop = () => {
    const issued = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const stamp = issued.toISOString().replace(/\D/g, '').slice(0, 12);
    seq += 1;
    for (const ds of meteologicaDatasets) {
      const area = ds.feed.unit === 'MW' ? 'DE' : 'ES';
      const name = `${area}_${ds.feed.variable}_${stamp}.csv`;
      // Written beside and renamed in: the worker would also cope with a slow in-place write.
      const tmp = join(root, DROP, `.${name}.part`);
      writeFileSync(tmp, renderForecastFile(ds.feed, area, issued, seq));
      renameSync(tmp, join(root, DROP, name));
    }
  };
  drop();
  const timer = setInterval(drop, o.dropEveryMs ?? 60_000);
  timer.unref();

  const local = (p: string) => {
    const full = resolve(root, '.' + posix.resolve('/', p));
    if (full !== root && !full.startsWith(root + sep)) throw new Error('outside the root');
    return full;
  };
  const attrs = (s: Stats) => ({ mode: s.mode, uid: 0, gid: 0, size: s.size, atime: Math.floor(s.atimeMs / 1000), mtime: Math.floor(s.mtimeMs / 1000) });

  const clients = new Set<{ end(): void }>();
  const server = new Server({ hostKeys: [hostKey()] }, (client) => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      if (ctx.method === 'password' && ctx.username === username && ctx.password === password) ctx.accept();
      else ctx.reject(['password']);
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        acceptSession().on('sftp', (acceptSftp) => {
          const sftp = acceptSftp();
          const files = new Map<number, { fd: number } | { dir: string; done: boolean }>();
          let next = 0;
          const handle = (v: { fd: number } | { dir: string; done: boolean }) => {
            const id = next++;
            files.set(id, v);
            const b = Buffer.alloc(4);
            b.writeUInt32BE(id);
            return b;
          };
          const lookup = (b: Buffer) => (b.length === 4 ? files.get(b.readUInt32BE(0)) : undefined);
          const guard = (reqid: number, fn: () => void) => {
            try {
              fn();
            } catch {
              sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE);
            }
          };
          sftp.on('REALPATH', (reqid, p) => sftp.name(reqid, [{ filename: posix.resolve('/', p), longname: '', attrs: {} as never }]));
          sftp.on('STAT', (reqid, p) => guard(reqid, () => sftp.attrs(reqid, attrs(statSync(local(p))))));
          sftp.on('LSTAT', (reqid, p) => guard(reqid, () => sftp.attrs(reqid, attrs(statSync(local(p))))));
          sftp.on('OPEN', (reqid, p) => guard(reqid, () => sftp.handle(reqid, handle({ fd: openSync(local(p), 'r') }))));
          sftp.on('FSTAT', (reqid, h) => {
            const f = lookup(h);
            if (!f || !('fd' in f)) return sftp.status(reqid, STATUS_CODE.FAILURE);
            sftp.attrs(reqid, attrs(fstatSync(f.fd)));
          });
          sftp.on('READ', (reqid, h, offset, length) => {
            const f = lookup(h);
            if (!f || !('fd' in f)) return sftp.status(reqid, STATUS_CODE.FAILURE);
            const buf = Buffer.alloc(length);
            const n = readSync(f.fd, buf, 0, length, offset);
            if (n === 0) return sftp.status(reqid, STATUS_CODE.EOF);
            sftp.data(reqid, buf.subarray(0, n));
          });
          sftp.on('OPENDIR', (reqid, p) => guard(reqid, () => {
            if (!statSync(local(p)).isDirectory()) throw new Error('not a directory');
            sftp.handle(reqid, handle({ dir: local(p), done: false }));
          }));
          sftp.on('READDIR', (reqid, h) => {
            const f = lookup(h);
            if (!f || !('dir' in f)) return sftp.status(reqid, STATUS_CODE.FAILURE);
            if (f.done) return sftp.status(reqid, STATUS_CODE.EOF);
            f.done = true;
            const names = readdirSync(f.dir).filter((n) => !n.startsWith('.'));
            sftp.name(reqid, names.map((n) => {
              const s = statSync(join(f.dir, n));
              return { filename: n, longname: `${s.isDirectory() ? 'd' : '-'}rw-r--r-- 1 0 0 ${s.size} Jan 1 00:00 ${n}`, attrs: attrs(s) };
            }));
          });
          sftp.on('CLOSE', (reqid, h) => {
            const f = lookup(h);
            if (f && 'fd' in f) closeSync(f.fd);
            if (h.length === 4) files.delete(h.readUInt32BE(0));
            sftp.status(reqid, STATUS_CODE.OK);
          });
          sftp.on('MKDIR', (reqid, p) => guard(reqid, () => {
            mkdirSync(local(p), { recursive: true });
            sftp.status(reqid, STATUS_CODE.OK);
          }));
          sftp.on('RENAME', (reqid, from, to) => guard(reqid, () => {
            renameSync(local(from), local(to));
            sftp.status(reqid, STATUS_CODE.OK);
          }));
          for (const op of ['WRITE', 'REMOVE', 'RMDIR', 'SETSTAT', 'FSETSTAT', 'READLINK', 'SYMLINK'] as const) {
            sftp.on(op, (reqid: number) => sftp.status(reqid, STATUS_CODE.OP_UNSUPPORTED));
          }
        });
      });
    });
  });
  const port = await new Promise<number>((res, rej) => {
    server.once('error', rej);
    server.listen(o.port ?? 0, '127.0.0.1', () => res((server.address() as { port: number }).port));
  });
  return {
    url: `sftp://127.0.0.1:${port}${DROP}`,
    secrets: { 'meteologica:username': username, 'meteologica:password': password },
    async close() {
      clearInterval(timer);
      for (const c of clients) c.end();
      await new Promise<void>((res) => server.close(() => res()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
