// Bad settings and unreachable servers end a command quickly, with one line naming what was wrong
// (password masked), a non-zero exit and nothing created; a stop signal ends a running service.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

const bin = fileURLToPath(new URL('../bin/scalar.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'scalar-failures-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const PASSWORD = 'Pl4ntedPassw0rd';
// Generous: a hang is what is caught here, not a slow start on a busy machine.
const HANG_MS = 45_000;

function scalar(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, SCALAR_LOG_LEVEL: 'error', ...env }, timeout: HANG_MS });
  assert.notEqual(r.signal, 'SIGTERM', `scalar ${args.join(' ')} hung (killed after ${HANG_MS / 1000} s)`);
  return r;
}

/** Exit code as given, and stderr is exactly one line matching `message` with no stack trace and no password. */
function failsWith(r: ReturnType<typeof scalar>, status: number, message: RegExp) {
  assert.equal(r.status, status, r.stderr);
  const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('{')); // JSON log lines aside
  assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
  assert.match(lines[0]!, message);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'a stack trace');
  assert.ok(!r.stderr.includes(PASSWORD) && !r.stdout.includes(PASSWORD), 'the password was printed');
}

describe('commands that cannot do their job say why in one line', () => {
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');

  it('scalar parse: a missing file, a directory', () => {
    failsWith(scalar(['parse', 'entsoe', join(dir, 'missing.xml')]), 2, /^scalar: ConfigError: cannot read .*missing\.xml: no such file$/);
    failsWith(scalar(['parse', 'entsoe', dir]), 2, /^scalar: ConfigError: cannot read .*: is a directory$/);
  });

  it('read-only commands on a mistyped data dir create nothing; a data dir that is a file is named', () => {
    const typo = join(dir, 'typo');
    for (const args of [['query', 'energinet.day_ahead_prices'], ['status'], ['workers', 'list']]) {
      failsWith(scalar([...args, '--data-dir', typo]), 2, /^scalar: (ConfigError|NoStoreError): no store at .*typo\/scalar\.duckdb \(nothing created/);
    }
    // The catalogue needs no store: it lists the seeds the environment would start with, and says so.
    const catalogue = scalar(['datasets', '--data-dir', typo]);
    assert.equal(catalogue.status, 0, catalogue.stderr);
    assert.match(catalogue.stderr, /no store at .*typo\/scalar\.duckdb: showing the worker seeds of development \(nothing created\)/);
    assert.equal(existsSync(typo), false);
    failsWith(scalar(['status', '--data-dir', file]), 2, /^scalar: ConfigError: data directory .*a-file is a file, not a directory$/);
    failsWith(scalar(['start', '--data-dir', file]), 2, /data directory .*a-file is a file/);
  });

  it('scalar query --from 2023-02-30 is refused, not rolled over to March', () => {
    const r = scalar(['query', 'energinet.day_ahead_prices', '--from', '2023-02-30', '--data-dir', dir]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /'2023-02-30' is invalid.*no such date/);
  });

  it('MySQL refused, denied, or an unknown database (which is not created)', () => {
    failsWith(scalar(['status'], { SCALAR_STORE_URL: `mysql://scalar:${PASSWORD}@127.0.0.1:1/scalar` }), 1, /^scalar: ConnectionError: store mysql:\/\/scalar:\*\*\*@127\.0\.0\.1:1\/scalar: .*ECONNREFUSED/);
    failsWith(scalar(['status'], { SCALAR_STORE_URL: `mysql://nobody_${Date.now()}:${PASSWORD}@127.0.0.1:3306/scalar` }), 2, /^scalar: ConfigError: store mysql:\/\/nobody_\d+:\*\*\*@127\.0\.0\.1:3306\/scalar: .*Access denied/);
    const db = `scalar_typo_${process.pid}_${Date.now()}`;
    failsWith(scalar(['query', 'energinet.day_ahead_prices'], { SCALAR_STORE_URL: `mysql://root@127.0.0.1:3306/${db}` }), 2, new RegExp(`Unknown database '${db}'`));
    // db migrate is the command that creates it: the database must still not exist.
    const created = spawnSync('mysql', ['-uroot', '-h127.0.0.1', '-N', '-e', `SHOW DATABASES LIKE '${db}'`], { encoding: 'utf8' });
    if (created.status === 0) assert.equal(created.stdout.trim(), '');
  });

  it('NATS and Redis refused: the start stops with the URL named, password masked', () => {
    failsWith(scalar(['start', '--data-dir', join(dir, 'd1')], { SCALAR_BUS_URL: `nats://scalar:${PASSWORD}@127.0.0.1:1` }), 1, /^scalar: ConnectionError: bus nats:\/\/scalar:\*\*\*@127\.0\.0\.1:1: /);
    failsWith(scalar(['start', '--data-dir', join(dir, 'd2')], { SCALAR_CACHE_URL: `redis://:${PASSWORD}@127.0.0.1:1` }), 1, /^scalar: ConnectionError: cache redis:\/\/:\*\*\*@127\.0\.0\.1:1: /);
  });

  it('demo with a bad bus URL exits non-zero (its simulators are closed)', () => {
    failsWith(scalar(['demo', '--duration', '30', '--data-dir', join(dir, 'd3')], { SCALAR_BUS_URL: `nats://scalar:${PASSWORD}@127.0.0.1:1` }), 1, /ConnectionError: bus nats:\/\/scalar:\*\*\*@/);
  });

  it('settings out of bounds are refused at start', () => {
    failsWith(scalar(['start', '--data-dir', join(dir, 'd4')], { SCALAR_BUS_URL: 'memory:?capacity=0' }), 2, /bus URL memory:\?capacity=0: capacity must be a whole number from 1/);
    const r = scalar(['start', '--data-dir', join(dir, 'd4')], { SCALAR_HTTP_TIMEOUT_MS: '99999999999' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /acquisition\.http\.timeoutMs \(SCALAR_HTTP_TIMEOUT_MS\): Too big/);
    const every = scalar(['demo', '--every', '0s', '--data-dir', join(dir, 'd4')]);
    assert.equal(every.status, 1);
    assert.match(every.stderr, /'0s' is invalid\. 0s: at least one second/);
  });

  it('start in an environment with nothing to run exits non-zero, saying why', () => {
    failsWith(scalar(['start', '--role', 'ingestion', '--data-dir', join(dir, 'd5')]), 2, /nothing to run: ingestion alone on the in-process bus/);
    const r = scalar(['start', '--role', 'acquisition', '--data-dir', join(dir, 'd5')], { SCALAR_ENV: 'nowhere', SCALAR_LOG_LEVEL: 'warn' });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /scalar: ConfigError: nothing to run: no enabled worker in environment nowhere/);
  });
});

describe('stop signals', () => {
  it('scalar start stops on SIGTERM', async () => {
    // Every role, every worker of the development seed, providers unreachable: windows fail and retry while it stops.
    const child = spawn(process.execPath, [bin, 'start', '--data-dir', join(dir, 'd6')], {
      env: { ...process.env, SCALAR_LOG_LEVEL: 'info', SCALAR_ENV: 'development', SCALAR_ENERGINET_URL: 'http://127.0.0.1:1/', SCALAR_ENTSOE_URL: 'http://127.0.0.1:1/api', ENTSOE__TOKEN: 'x' },
    });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + HANG_MS;
    while (!stderr.includes('"msg":"started"')) {
      assert.ok(Date.now() < deadline, `never started:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), HANG_MS);
    const code = await exited;
    clearTimeout(killer);
    assert.equal(code, 0, stderr);
    assert.match(stderr, /"msg":"stopping"/);
  });
});
