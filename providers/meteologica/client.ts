// Meteologica delivers forecasts as files on its SFTP server. One short-lived ssh2-sftp-client
// session per poll (its README: never reuse a client after end(), no concurrent operations on one
// connection), every call under a timeout (v12 has no retries and known hangs: #591, #546), and
// credentials only from the secrets port: `meteologica:username` plus `meteologica:private_key` or
// `meteologica:password`. They never reach a log line, an error or fetch_log (describe() names the
// host and path only).
import type SftpClient from 'ssh2-sftp-client';
import type { DroppedFile, FileDropContext, FileDropSession } from '../../shared/dataset.ts';
import { ConfigError, SourceUnavailableError, errorMessage } from '../../shared/errors.ts';

/** Assumed address until a contract names one (providers.md §6). */
export const METEOLOGICA_SFTP = 'sftp://sftp.meteologica.com:22/outgoing';

const OP_TIMEOUT_MS = 30_000;

/** `sftp://host:port/dir` → where to connect and which directory to poll. */
export function readSftpUrl(url: string): { host: string; port: number; directory: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError(`meteologica: not an sftp:// URL: ${url}`);
  }
  if (u.protocol !== 'sftp:' || u.username || u.password) throw new ConfigError(`meteologica: expected sftp://host:port/directory without credentials`);
  return { host: u.hostname, port: Number(u.port || 22), directory: decodeURIComponent(u.pathname) || '/' };
}

function within<T>(what: string, ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SourceUnavailableError(`meteologica: ${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export async function openMeteologicaSftp(ctx: FileDropContext, o: { timeoutMs?: number } = {}): Promise<FileDropSession> {
  const { host, port, directory } = readSftpUrl(ctx.baseUrl ?? METEOLOGICA_SFTP);
  const ms = o.timeoutMs ?? OP_TIMEOUT_MS;
  const username = await ctx.secrets.require('meteologica:username');
  const privateKey = await ctx.secrets.get('meteologica:private_key');
  const password = privateKey ? undefined : await ctx.secrets.get('meteologica:password');
  if (!privateKey && !password) throw new ConfigError('meteologica: set the secret meteologica:private_key or meteologica:password');
  // Errors from ssh2 are re-thrown with our own message: theirs may quote the connect options.
  // ssh2 is loaded by the first fetch, not by every command that lists the providers.
  const { default: Sftp } = await import('ssh2-sftp-client');
  const client: SftpClient = new Sftp('meteologica', { error: () => undefined, end: () => undefined, close: () => undefined });
  try {
    await within('connect', ms, client.connect({
      host, port, username, readyTimeout: ms, keepaliveInterval: 10_000, keepaliveCountMax: 3,
      ...(privateKey ? { privateKey } : { password }),
    }));
  } catch (e) {
    await within('end', 5000, client.end()).catch(() => undefined);
    const text = errorMessage(e);
    if (/authentication/i.test(text)) throw new ConfigError(`meteologica: sftp://${host}:${port} refused the credentials of meteologica:username`);
    throw new SourceUnavailableError(`meteologica: cannot connect to sftp://${host}:${port}: ${text.replace(/password|privateKey/gi, '…')}`);
  }
  const path = (name: string) => `${directory.replace(/\/$/, '')}/${name}`;
  const fail = (what: string) => (e: unknown): never => {
    throw new SourceUnavailableError(`meteologica: ${what}: ${errorMessage(e)}`);
  };
  return {
    async list(): Promise<DroppedFile[]> {
      const entries = await within('list', ms, client.list(directory)).catch(fail(`list ${directory}`));
      return entries.filter((e) => e.type === '-').map((e) => ({ name: e.name, size: e.size, mtime: new Date(e.modifyTime) }));
    },
    async read(name: string): Promise<Uint8Array> {
      // get() into a Buffer, not fastGet: parallel reads can truncate on some servers (README, #407).
      const body = await within(`download ${name}`, ms, client.get(path(name))).catch(fail(`download ${path(name)}`));
      if (!Buffer.isBuffer(body)) throw new SourceUnavailableError(`meteologica: download ${path(name)} returned no bytes`);
      return new Uint8Array(body);
    },
    async move(name: string, to: string): Promise<void> {
      const dir = path(to);
      if (!(await within('stat', ms, client.exists(dir)))) await within('mkdir', ms, client.mkdir(dir, true)).catch(fail(`mkdir ${dir}`));
      await within('rename', ms, client.rename(path(name), `${dir}/${name}`)).catch(fail(`move ${path(name)}`));
    },
    describe: (name: string) => `sftp://${host}:${port}${path(name)}`,
    async close(): Promise<void> {
      await within('end', 5000, client.end()).catch(() => undefined);
    },
  };
}

