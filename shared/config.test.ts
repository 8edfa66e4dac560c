import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from './config.ts';
import { ConfigError } from './errors.ts';

describe('configuration', () => {
  it('defaults to the embedded adapters under ./data', () => {
    const c = loadConfig({ env: {} });
    assert.equal(c.env, 'development');
    assert.equal(c.storeUrl, 'duckdb:data/scalar.duckdb');
    assert.equal(c.busUrl, 'memory:');
    assert.equal(c.cacheUrl, 'memory:');
  });

  it('layers a file under SCALAR_* variables, and command-line settings over both', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scalar-config-'));
    const file = join(dir, 'scalar.yaml');
    writeFileSync(file, 'env: staging\ningestion:\n  batchRows: 500\n  batchWaitMs: 2000\n');
    const c = loadConfig({
      file,
      env: { SCALAR_INGEST_BATCH_ROWS: '750', SCALAR_DATA_DIR: '/srv/scalar', SCALAR_ENERGINET_URL: 'http://127.0.0.1:9/' },
      providerIds: ['energinet'],
      overrides: { env: 'test' },
    });
    assert.equal(c.env, 'test');
    assert.equal(c.ingestion.batchRows, 750);
    assert.equal(c.ingestion.batchWaitMs, 2000);
    assert.equal(c.storeUrl, 'duckdb:/srv/scalar/scalar.duckdb');
    assert.equal(c.providers.energinet?.baseUrl, 'http://127.0.0.1:9/');
  });

  it('names the bad key and the variable it came from', () => {
    assert.throws(
      () => loadConfig({ env: { SCALAR_INGEST_BATCH_ROWS: 'lots', SCALAR_LOG_LEVEL: 'loud' } }),
      (e: unknown) => e instanceof ConfigError && /ingestion\.batchRows \(SCALAR_INGEST_BATCH_ROWS\)/.test(e.message) && /logLevel \(SCALAR_LOG_LEVEL\)/.test(e.message),
    );
    assert.throws(() => loadConfig({ env: { SCALAR_STORE_ULR: 'x' } }), /unknown setting\(s\): SCALAR_STORE_ULR/);
    // The test suite's own variables are not settings: a `scalar` it starts inherits them.
    assert.equal(loadConfig({ env: { SCALAR_TEST_MYSQL_URL: 'mysql://root@127.0.0.1:13306' } }).env, loadConfig({ env: {} }).env);
    const dir = mkdtempSync(join(tmpdir(), 'scalar-config-'));
    writeFileSync(join(dir, 'c.yaml'), 'ingestion:\n  batchRowz: 5\n');
    assert.throws(() => loadConfig({ env: {}, file: join(dir, 'c.yaml') }), /ingestion: Unrecognized key: "batchRowz"/);
  });

  it('takes a Key Vault URL and its cache settings, and refuses anything but a vault URL', () => {
    assert.equal(loadConfig({ env: {} }).secretsUrl, undefined);
    const c = loadConfig({ env: { SCALAR_SECRETS_URL: 'https://scalar-prod.vault.azure.net', SCALAR_SECRETS_TTL_MS: '60000' } });
    assert.equal(c.secretsUrl, 'https://scalar-prod.vault.azure.net');
    assert.equal(c.secrets.ttlMs, 60_000);
    assert.equal(c.secrets.startDeadlineMs, 120_000);
    for (const bad of ['http://scalar-prod.vault.azure.net', 'https://scalar-prod.example.com', 'https://scalar-prod.vault.azure.net/secrets/x']) {
      assert.throws(() => loadConfig({ env: { SCALAR_SECRETS_URL: bad } }), /secretsUrl \(SCALAR_SECRETS_URL\): expected https:\/\/<vault>\.vault\.azure\.net/);
    }
    assert.throws(() => loadConfig({ env: { SCALAR_SECRETS_TTL_MS: '0' } }), /secrets\.ttlMs \(SCALAR_SECRETS_TTL_MS\)/);
  });

  it('refuses settings outside their bounds, naming each (timers above 2^31-1 ms would fire at once)', () => {
    const bad = {
      SCALAR_ACQUISITION_TICK_MS: '0',
      SCALAR_HTTP_TIMEOUT_MS: String(2 ** 31),
      SCALAR_INGEST_BATCH_WAIT_MS: '99999999999',
      SCALAR_BUS_CAPACITY: '0',
      SCALAR_BUS_MAX_DELIVERIES: '-1',
      SCALAR_BUS_ACK_WAIT_MS: '1.5',
    };
    assert.throws(() => loadConfig({ env: bad }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      for (const [name, key] of [['SCALAR_ACQUISITION_TICK_MS', 'acquisition.tickMs'], ['SCALAR_HTTP_TIMEOUT_MS', 'acquisition.http.timeoutMs'], ['SCALAR_INGEST_BATCH_WAIT_MS', 'ingestion.batchWaitMs'], ['SCALAR_BUS_CAPACITY', 'bus.capacity'], ['SCALAR_BUS_MAX_DELIVERIES', 'bus.maxDeliveries'], ['SCALAR_BUS_ACK_WAIT_MS', 'bus.ackWaitMs']]) {
        assert.ok(e.message.includes(`${key} (${name})`), `${key} not named in:\n${e.message}`);
      }
      return true;
    });
    assert.equal(loadConfig({ env: { SCALAR_HTTP_TIMEOUT_MS: String(2 ** 31 - 1) } }).acquisition.http.timeoutMs, 2 ** 31 - 1);
    assert.throws(() => loadConfig({ env: { SCALAR_HTTP_INITIAL_DELAY_MS: '5000', SCALAR_HTTP_MAX_DELAY_MS: '100' } }), /maxDelayMs.*at least initialDelayMs/);
  });

  it('vintages: keeps replaced values revisions.retentionDays days (0 keeps none), refusing values outside 0..36500', () => {
    assert.equal(loadConfig({ env: {} }).revisions.retentionDays, 400);
    assert.equal(loadConfig({ env: { SCALAR_REVISIONS_RETENTION_DAYS: '0' } }).revisions.retentionDays, 0);
    for (const bad of ['-1', '36501', '1.5', 'forever']) {
      assert.throws(() => loadConfig({ env: { SCALAR_REVISIONS_RETENTION_DAYS: bad } }), /revisions\.retentionDays \(SCALAR_REVISIONS_RETENTION_DAYS\)/);
    }
  });
  it('bounds the embedded DuckDB: memory limit 256MB unless set, a size with a unit of at least 32 MiB, threads 1–256', () => {
    assert.deepEqual(loadConfig({ env: {} }).duckdb, { memoryLimit: '256MB' });
    assert.deepEqual(loadConfig({ env: { SCALAR_DUCKDB_MEMORY_LIMIT: '1.5GiB', SCALAR_DUCKDB_THREADS: '1' } }).duckdb, { memoryLimit: '1.5GiB', threads: 1 });
    for (const bad of ['512', 'lots', '16MB', '1 parsec', '-1GB']) {
      assert.throws(() => loadConfig({ env: { SCALAR_DUCKDB_MEMORY_LIMIT: bad } }), /duckdb\.memoryLimit \(SCALAR_DUCKDB_MEMORY_LIMIT\): a size with a unit/, bad);
    }
    assert.throws(() => loadConfig({ env: { SCALAR_DUCKDB_THREADS: '0' } }), /duckdb\.threads \(SCALAR_DUCKDB_THREADS\)/);
  });

  it('bounds an ingestion batch by bytes: 32 MiB unless set, at least 64 KiB', () => {
    assert.equal(loadConfig({ env: {} }).ingestion.batchBytes, 32 * 1024 * 1024);
    assert.equal(loadConfig({ env: { SCALAR_INGEST_BATCH_BYTES: '1048576' } }).ingestion.batchBytes, 1024 * 1024);
    assert.throws(() => loadConfig({ env: { SCALAR_INGEST_BATCH_BYTES: '1000' } }), /ingestion\.batchBytes \(SCALAR_INGEST_BATCH_BYTES\)/);
  });

  it('bounds what ingestion holds in flight by bytes: 64 MiB unless set, at least 64 KiB', () => {
    assert.equal(loadConfig({ env: {} }).ingestion.maxInFlightBytes, 64 * 1024 * 1024);
    assert.equal(loadConfig({ env: { SCALAR_INGEST_MAX_IN_FLIGHT_BYTES: '1048576' } }).ingestion.maxInFlightBytes, 1024 * 1024);
    assert.throws(() => loadConfig({ env: { SCALAR_INGEST_MAX_IN_FLIGHT_BYTES: '1000' } }), /ingestion\.maxInFlightBytes \(SCALAR_INGEST_MAX_IN_FLIGHT_BYTES\)/);
  });
});
