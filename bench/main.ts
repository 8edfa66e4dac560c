// npm run bench: throughput figures, each beside a baseline measured in the same run.
//   parse:  Energinet DayAheadPrices parser vs bare JSON.parse of the same bytes; every other Energinet parser likewise
//   elia:   Elia wide-record parser (solar export) vs bare JSON.parse of the same bytes
//   store:  DuckDbStore.upsertObservations of 1M observations vs DuckDB's appender into a plain table
//   mariadb: SqlStore (mysql dialect) upsert vs LOAD DATA LOCAL INFILE of the same rows
//   buses:  end-to-end observations/s and publish→commit latency over NATS vs the in-process bus
//   telemetry: the same end to end with the OpenTelemetry SDK recording vs no SDK
//   api:    GET /api/observations of a 1-day 96-point series over HTTP vs the store's own query
//   export: scalar export of 1M observations to CSV and Parquet (DuckDB COPY, MariaDB streamed), peak RSS per export
//   vintages: upsert with revision capture vs without (retention 0) on the same rows, DuckDB and MariaDB
// Sizes can be scaled down for a quick look: BENCH_ROWS=200000 npm run bench
import { memoryArchive } from '../shared/payload-archive.ts';
import { appendFileSync, createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { SqlStore } from '../shared/store/sql.ts';
import { startIngestion, type IngestionDeps } from '../ingestion/consumer.ts';
import { findDataset } from '../providers/index.ts';
import { MemoryBus, openBus, type Bus } from '../shared/bus/index.ts';
import { MemoryCache } from '../shared/cache/memory.ts';
import { silentLogger } from '../shared/log.ts';
import { rawProperties, sha256Hex } from '../shared/raw-message.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, timestampValue } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { parseDayAheadPrices } from '../providers/energinet/parse.ts';
import { parseEntsoeDocument as parseEntsoe } from '../providers/entsoe/datasets.ts';
import { AREAS } from '../providers/entsoe/areas.ts';
import { seriesKey } from '../shared/observation.ts';
import { injectContext, startTelemetry, withSpan } from '../shared/telemetry.ts';
import { BatchSpanProcessor, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { DuckDbStore } from '../shared/store/duckdb.ts';
import type { Store, StoredObservation } from '../shared/store/index.ts';
import { analystViews } from '../shared/store/views.ts';
import { openReadOnlySql } from '../shared/store/read-only-sql.ts';
import { exportObservations } from '../ingestion/export.ts';
import { providers } from '../providers/index.ts';
import { ledgerAfterCommit } from '../completeness/ledger.ts';
import { loadConfig } from '../shared/config.ts';
import { annotateZones } from '../providers/zones.ts';
import { qualityAfterCommit } from '../quality/evaluate.ts';
import { DateTime } from 'luxon';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mb = (bytes: number) => bytes / 1024 / 1024;

/**
 * BENCH_JSON=<file>: the target figures, one JSON object per line (appended, so the end-to-end child
 * process writes to the same file). ratio = value ÷ baseline where a baseline was measured in the run.
 */
function record(name: string, value: number, unit: string, baseline: number | null = null, ratio: number | null = null) {
  const file = process.env.BENCH_JSON;
  if (!file) return;
  const round = (x: number | null) => (x === null ? null : Number(x.toPrecision(6)));
  appendFileSync(file, `${JSON.stringify({ name, value: round(value), unit, baseline: round(baseline), ratio: round(ratio) })}\n`);
}

function line(label: string, value: string, baseline?: string, ratio?: number) {
  const r = ratio === undefined ? '' : `  (${(ratio * 100).toFixed(0)}% of baseline)`;
  console.log(`  ${label.padEnd(44)} ${value.padStart(22)}${baseline ? `   baseline ${baseline}` : ''}${r}`);
}

/** Best of `runs` timings, in seconds. */
async function time(runs: number, fn: () => unknown | Promise<unknown>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    best = Math.min(best, (performance.now() - t) / 1000);
  }
  return best;
}

function dayAheadPayload(records: number): Uint8Array {
  const rs: string[] = [];
  const start = Date.UTC(2025, 9, 1);
  for (let i = 0; i < records; i++) {
    const t = new Date(start + Math.floor(i / 2) * 900_000).toISOString().slice(0, 19);
    const eur = (50 + (i % 97) * 1.37).toFixed(6);
    rs.push(`{"TimeUTC":"${t}","TimeDK":"${t}","PriceArea":"DK${(i % 2) + 1}","DayAheadPriceEUR":${eur},"DayAheadPriceDKK":${(Number(eur) * 7.46).toFixed(6)}}`);
  }
  return new TextEncoder().encode(`{"total":${records},"dataset":"DayAheadPrices","records":[${rs.join(',')}]}`);
}

async function benchParse() {
  const records = Math.max(1000, Math.floor(ROWS / 10));
  const body = dayAheadPayload(records);
  console.log(`\nparse: Energinet DayAheadPrices, ${fmt(records)} records, ${mb(body.byteLength).toFixed(1)} MB`);
  const text = new TextDecoder().decode(body);
  const bare = await time(5, () => JSON.parse(text));
  const ours = await time(5, () => parseDayAheadPrices(body));
  const rows = records * 2;
  line('parseDayAheadPrices', `${fmt(rows / ours)} rows/s`, `JSON.parse ${fmt(mb(body.byteLength) / bare)} MB/s`, bare / ours);
  line('', `${fmt(mb(body.byteLength) / ours)} MB/s`);
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  const parsed = parseDayAheadPrices(body);
  global.gc?.();
  line('heap held by the parsed observations', `${fmt(mb(process.memoryUsage().heapUsed - before))} MB`, `payload ${mb(body.byteLength).toFixed(1)} MB`);
  void parsed.length;
}

/** Elia: the recorded ods032 day repeated over consecutive days and regions, as one JSON export (bare array). */
async function benchElia() {
  const day = JSON.parse(readFileSync(new URL('../providers/elia/fixtures/ods032_solar_belgium_2023-03-26_utcday.json', import.meta.url), 'utf8')) as Record<string, unknown>[];
  const target = Math.max(1000, Math.floor(ROWS / 15)); // 15 numeric fields per record
  const regions = ['Belgium', 'Flanders', 'Wallonia', 'Brussels', 'Antwerp', 'Limburg', 'East-Flanders', 'West-Flanders', 'Flemish-Brabant', 'Walloon-Brabant', 'Hainaut', 'Liège', 'Luxembourg', 'Namur'];
  const records: Record<string, unknown>[] = [];
  for (let d = 0; records.length < target; d++) {
    for (const r of day) {
      const t = new Date(Date.parse(String(r.datetime)) + d * 86_400_000).toISOString().slice(0, 19);
      for (const region of regions) records.push({ ...r, datetime: `${t}+00:00`, region });
    }
  }
  const body = new TextEncoder().encode(JSON.stringify(records.slice(0, target)));
  const solar = findDataset('elia.solar');
  console.log(`\nparse: Elia ods087/ods032 export, ${fmt(target)} records, ${mb(body.byteLength).toFixed(1)} MB`);
  const text = new TextDecoder().decode(body);
  const bare = await time(3, () => JSON.parse(text));
  const ours = await time(3, () => solar.parse(body));
  line('elia.solar parse', `${fmt((target * 15) / ours)} rows/s`, `JSON.parse ${fmt(mb(body.byteLength) / bare)} MB/s`, bare / ours);
  line('', `${fmt(mb(body.byteLength) / ours)} MB/s`);
}

/**
 * Every other Energinet dataset's parser on a payload of its own shape: the simulator re-times the
 * dataset's fixture over whole days until the payload holds ~ROWS/100 records (imports local to this block).
 */
async function benchEnerginetParsers() {
  const { energinetDatasets } = await import('../providers/energinet/datasets.ts');
  const { simulatedRecords } = await import('../providers/energinet/simulator.ts');
  const target = Math.max(1000, Math.floor(ROWS / 100));
  const farFuture = new Date('2100-01-01T00:00:00Z');
  console.log(`\nparse: Energinet datasets, ~${fmt(target)} records each, vs JSON.parse of the same bytes`);
  for (const ds of energinetDatasets.filter((d) => d.id !== 'energinet.day_ahead_prices' && d.id !== 'energinet.elspot_prices')) {
    const records: Record<string, unknown>[] = [];
    for (let day = Date.UTC(2025, 5, 1); records.length < target; day += 86_400_000) {
      for (const p of ds.partitions) records.push(...simulatedRecords(ds.source.layout.apiName, p, new Date(day), new Date(day + 86_400_000), farFuture));
    }
    const body = new TextEncoder().encode(JSON.stringify({ total: records.length, dataset: ds.source.layout.apiName, records }));
    const text = new TextDecoder().decode(body);
    const bare = await time(3, () => JSON.parse(text));
    const ours = await time(3, () => ds.parse(body));
    const rows = ds.parse(body).length;
    line(ds.source.layout.apiName, `${fmt(rows / ours)} rows/s`, `JSON.parse ${fmt(mb(body.byteLength) / bare)} MB/s`, bare / ours);
    line(`  ${fmt(rows)} rows from ${mb(body.byteLength).toFixed(1)} MB`, `${fmt(mb(body.byteLength) / ours)} MB/s`);
  }
}

/** A ~10 MB A75 document: the LU fixture's TimeSeries repeated over the catalogue's zones (valid EICs, as the parser checks them). */
function largeA75(targetBytes: number): Uint8Array {
  const text = readFileSync(new URL('../providers/entsoe/fixtures/a75_lu_pt15m_split_timeseries.xml', import.meta.url), 'utf8');
  const first = text.indexOf('<TimeSeries>');
  const last = text.lastIndexOf('</TimeSeries>') + '</TimeSeries>'.length;
  const series = text.slice(first, last);
  const copies = Math.max(1, Math.ceil(targetBytes / series.length));
  const parts: string[] = [];
  for (let i = 0; i < copies; i++) parts.push(series.replace(/<inBiddingZone_Domain\.mRID([^>]*)>[^<]*</g, `<inBiddingZone_Domain.mRID$1>${AREAS[i % AREAS.length]!.eic}<`));
  return new TextEncoder().encode(text.slice(0, first) + parts.join('') + text.slice(last));
}

async function benchEntsoe() {
  const body = largeA75(Number(process.env.BENCH_XML_BYTES ?? 10 * 1024 * 1024));
  console.log(`\nparse: ENTSO-E A75 document, ${mb(body.byteLength).toFixed(1)} MB`);
  const text = new TextDecoder().decode(body);
  const bare = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false });
  const bareSeconds = await time(3, () => bare.parse(text));
  let rows = 0;
  const oursSeconds = await time(10, () => (rows = parseEntsoe(body).observations.length));
  line('parseEntsoe', `${fmt(rows / oursSeconds)} rows/s`, `fast-xml-parser ${fmt(mb(body.byteLength) / bareSeconds)} MB/s`, bareSeconds / oursSeconds);
  line('', `${fmt(mb(body.byteLength) / oursSeconds)} MB/s`);
  // The floor of any reader: decode the same bytes and find every '<' with indexOf, nothing else.
  let tags = 0;
  const scanSeconds = await time(10, () => {
    const t = new TextDecoder().decode(body);
    tags = 0;
    for (let i = t.indexOf('<'); i !== -1; i = t.indexOf('<', i + 1)) tags++;
  });
  const parseMbs = mb(body.byteLength) / oursSeconds;
  const scanMbs = mb(body.byteLength) / scanSeconds;
  line('parseEntsoe vs decode + indexOf scan', `${fmt(parseMbs)} MB/s`, `scan ${fmt(scanMbs)} MB/s (${fmt(tags)} tags)`, parseMbs / scanMbs);
  record('entsoe_parse_vs_scan', parseMbs, 'MB/s', scanMbs, parseMbs / scanMbs);
  // Heap growth while parsing (observations included), against the whole-tree parse of the same bytes.
  global.gc?.();
  const h0 = process.memoryUsage().heapUsed;
  const tree = bare.parse(text) as unknown;
  global.gc?.();
  const treeBytes = process.memoryUsage().heapUsed - h0;
  void tree;
  global.gc?.();
  const h1 = process.memoryUsage().heapUsed;
  const obs = parseEntsoe(body).observations;
  global.gc?.();
  const oursBytes = process.memoryUsage().heapUsed - h1;
  line('heap held by the observations (after GC)', `${fmt(mb(oursBytes))} MB`, `whole tree ${fmt(mb(treeBytes))} MB`, oursBytes / treeBytes);
  line('rows', fmt(obs.length));
}

/**
 * RSS growth while parsing a large A75 document (100 MB by default, BENCH_ROWS scales it), in a child
 * process so nothing else this bench did is in its RSS: growth ÷ document size, target < 2. The
 * document is built here and read from a file there: building it (strings of several times its
 * size) would otherwise set the child's peak RSS before the parse began.
 */
async function benchEntsoeMemory() {
  const bytes = Math.round((Number(process.env.BENCH_XML_BIG_BYTES ?? 100 * 1024 * 1024) * ROWS) / 1_000_000);
  const file = process.env.BENCH_ENTSOE_MEMORY_RUN;
  if (file) {
    const body = readFileSync(file);
    global.gc?.();
    const before = process.memoryUsage().rss;
    // The parse is synchronous (no sampler would run during it): the process's peak RSS after it is its figure.
    const rows = parseEntsoe(body).observations.length;
    const peak = Math.max(process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
    console.log(JSON.stringify({ entsoeMemory: true, size: body.byteLength, growth: peak - before, rows }));
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'scalar-bench-xml-'));
  const path = join(dir, 'a75.xml');
  writeFileSync(path, largeA75(bytes));
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_ONLY: 'entsoe-memory', BENCH_ENTSOE_MEMORY_RUN: path, BENCH_JSON: '' },
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  rmSync(dir, { recursive: true, force: true });
  const out = r.stdout.split('\n').find((l) => l.startsWith('{"entsoeMemory"'));
  if (!out) throw new Error(`ENTSO-E memory run failed: ${r.stderr}`);
  const { size, growth, rows } = JSON.parse(out) as { size: number; growth: number; rows: number };
  console.log(`\nparse: ENTSO-E A75 document of ${mb(size).toFixed(0)} MB, RSS growth while parsing (child process)`);
  line(`RSS growth (${fmt(rows)} observations held)`, `${fmt(mb(growth))} MB`, `document ${fmt(mb(size))} MB`, growth / size);
  record('entsoe_parse_rss_growth_vs_size', growth / size, 'x', mb(size), growth / size);
}

function observations(n: number): StoredObservation[] {
  const out: StoredObservation[] = [];
  const series = Array.from({ length: 100 }, (_, i) => ({ area: `A${i}`, currency: 'EUR' }));
  const keys = series.map(seriesKey);
  const start = Date.UTC(2024, 0, 1);
  const perSeries = Math.ceil(n / series.length);
  for (let i = 0; i < n; i++) {
    const s = i % series.length;
    out.push({
      dataset: 'bench.prices', series: series[s]!, seriesKey: keys[s]!,
      ts: new Date(start + (Math.floor(i / series.length) % perSeries) * 900_000),
      resolution: 'PT15M', value: (i % 1000) / 10, unit: 'EUR/MWh', payloadSha256: 'f'.repeat(64),
    });
  }
  return out;
}

async function benchStore() {
  const rows = observations(ROWS);
  const dir = mkdtempSync(join(tmpdir(), 'scalar-bench-'));
  console.log(`\nstore: DuckDB file, ${fmt(ROWS)} observations (100 series × ${fmt(ROWS / 100)} quarter-hours)`);
  try {
    // Baseline: the same rows through the bulk appender into a plain table, no key, no upsert, one
    // transaction (DuckDB writes its full row groups straight to the file, no WAL). The upsert keeps
    // the primary key (dataset, series_key, ts) checked and indexed, the series table's bounds, and
    // commits each batch (WAL, checkpoints when the WAL passes 16 MB).
    const instance = await DuckDBInstance.create(join(dir, 'baseline.duckdb'));
    const conn = await instance.connect();
    await conn.run('CREATE TABLE t (dataset VARCHAR, series_key VARCHAR, ts TIMESTAMP, value DOUBLE, payload_sha256 VARCHAR, ingested_at TIMESTAMP)');
    const now = timestampValue(BigInt(Date.now()) * 1000n);
    const appendSeconds = await time(1, async () => {
      const a = await conn.createAppender('t');
      for (const r of rows) {
        a.appendVarchar(r.dataset);
        a.appendVarchar(r.seriesKey);
        a.appendTimestamp(timestampValue(BigInt(r.ts.getTime()) * 1000n));
        a.appendDouble(r.value!);
        a.appendVarchar(r.payloadSha256);
        a.appendTimestamp(now);
        a.endRow();
      }
      a.closeSync();
    });
    conn.closeSync();
    instance.closeSync();
    const baseline = ROWS / appendSeconds;

    for (const batch of [2_000, 20_000]) {
      const store = await DuckDbStore.open(join(dir, `upsert-${batch}.duckdb`));
      const insert = await time(1, async () => {
        for (let i = 0; i < rows.length; i += batch) await store.upsertObservations(rows.slice(i, i + batch));
      });
      line(`upsert (PK, a commit per batch), new rows, batches of ${fmt(batch)}`, `${fmt(ROWS / insert)} rows/s`, `appender, no key, 1 txn ${fmt(baseline)} rows/s`, ROWS / insert / baseline);
      if (batch === 20_000) record('duckdb_upsert_vs_appender', ROWS / insert, 'rows/s', baseline, ROWS / insert / baseline);
      if (batch === 20_000) {
        const again = await time(1, async () => {
          for (let i = 0; i < rows.length; i += batch) await store.upsertObservations(rows.slice(i, i + batch));
        });
        line(`upsert, same rows again (all overwrite)`, `${fmt(ROWS / again)} rows/s`, `appender ${fmt(baseline)} rows/s`, ROWS / again / baseline);
        const count = await store.countObservations('bench.prices');
        line('rows in store after both passes', fmt(count), `expected ${fmt(ROWS)}`);
      }
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** MySQL dialect on MariaDB: SqlStore upsert vs LOAD DATA LOCAL INFILE of the same rows. Skipped when MariaDB is not reachable. */
async function benchMariaDb() {
  const base = process.env.SCALAR_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
  const n = Math.min(ROWS, Number(process.env.BENCH_SQL_ROWS ?? ROWS));
  const db = `scalar_bench_${process.pid}`;
  const u = new URL(base);
  const admin = await mysql.createConnection({ host: u.hostname, port: Number(u.port || 3306), user: u.username || 'root', password: decodeURIComponent(u.password) }).catch(() => null);
  if (!admin) {
    console.log(`\nstore: MariaDB skipped (${base} not reachable)`);
    return;
  }
  console.log(`\nstore: MariaDB (mysql dialect), ${fmt(n)} observations`);
  const rows = observations(n);
  const dir = mkdtempSync(join(tmpdir(), 'scalar-bench-sql-'));
  try {
    const store = await SqlStore.open(`${base}/${db}`);
    const upsert = await time(1, async () => {
      for (let i = 0; i < rows.length; i += 20_000) await store.upsertObservations(rows.slice(i, i + 20_000));
    });
    await store.close();
    // Baseline: MariaDB's own bulk load of the same rows into a table with the same key, as one
    // stream and as four parallel streams (a quarter of the rows each: the box's real limit).
    const now = new Date().toISOString().slice(0, 23).replace('T', ' ');
    const tsv = (rs: StoredObservation[]) => rs.map((r) => `${r.dataset}\t${r.seriesKey}\t${r.ts.toISOString().slice(0, 23).replace('T', ' ')}\t${r.value}\t${r.payloadSha256}\t${now}`).join('\n');
    const quarter = Math.ceil(n / 4);
    const files = [0, 1, 2, 3].map((k) => join(dir, `rows-${k}.tsv`));
    files.forEach((f, k) => writeFileSync(f, tsv(rows.slice(k * quarter, (k + 1) * quarter))));
    const file = join(dir, 'rows.tsv');
    writeFileSync(file, tsv(rows));
    const connect = (path: string) => mysql.createConnection({ host: u.hostname, port: Number(u.port || 3306), user: u.username || 'root', password: decodeURIComponent(u.password), database: db, infileStreamFactory: () => createReadStream(path) });
    const conn = await connect(file);
    await conn.query('CREATE TABLE load_baseline LIKE observations');
    await conn.query('CREATE TABLE load_baseline_x4 LIKE observations');
    const load = await time(1, () => conn.query({ sql: `LOAD DATA LOCAL INFILE 'rows.tsv' INTO TABLE load_baseline (dataset, series_key, ts, value, payload_sha256, ingested_at)` }));
    await conn.end();
    const conns = await Promise.all(files.map(connect));
    const load4 = await time(1, () => Promise.all(conns.map((c) => c.query({ sql: `LOAD DATA LOCAL INFILE 'rows.tsv' INTO TABLE load_baseline_x4 (dataset, series_key, ts, value, payload_sha256, ingested_at)` }))));
    await Promise.all(conns.map((c) => c.end()));
    line('SqlStore upsert (20 k batches)', `${fmt(n / upsert)} rows/s`, `LOAD DATA ${fmt(n / load)} rows/s`, load / upsert);
    line('', '', `4 × LOAD DATA ${fmt(n / load4)} rows/s`, load4 / upsert);
    record('mariadb_upsert_vs_load_data_x4', n / upsert, 'rows/s', n / load4, load4 / upsert);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS \`${db}\``).catch(() => undefined);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * End to end over a bus: raw Energinet payloads published, ingested into an in-memory DuckDB store,
 * observations/s and publish→commit latency; the in-process bus is the baseline. NATS is skipped
 * when unreachable.
 */
const E2E_ROWS_PER = 192; // one area-day: 96 records → 192 observations

/** Publishes `messages` raw payloads (each inside a publish span, as acquisition does) and waits until ingestion landed them all. */
async function endToEnd(bus: Bus, messages: number, store?: Store) {
  const body = dayAheadPayload(96);
  store ??= await DuckDbStore.open(':memory:');
  const lags: number[] = [];
  let done = 0;
  let finish: () => void = () => undefined;
  const all = new Promise<void>((r) => (finish = r));
  const ingestion = await startIngestion(
    // Zone annotation as the platform passes it (every observation of a mapped provider gains its zone).
    { bus, store, cache: new MemoryCache(), archive: { put: async () => undefined, get: async () => body }, log: silentLogger, findDataset, topics: ['bench'], annotateZones: annotateZones(() => undefined) },
    // The platform's own defaults (batch rows, wait, in-flight bounds), as `scalar start` runs it.
    { ...loadConfig({ env: {} }).ingestion, subscription: `bench-${process.pid}` },
    (e) => {
      if (e.type !== 'landed') return;
      lags.push(e.lagMs);
      if (++done === messages) finish();
    },
  );
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < messages; i++) {
    const window = { from: new Date(Date.UTC(2025, 9, 1) + i * 86_400_000), to: new Date(Date.UTC(2025, 9, 2) + i * 86_400_000) };
    await withSpan('publish bench', {}, async () => {
      const traceparent = injectContext().traceparent;
      const props = rawProperties({ provider: 'bench', dataset: 'energinet.day_ahead_prices', partition: 'DK1', window, runId: `r${i}`, fetchedAt: new Date(), contentType: 'application/json', sha256: sha256Hex(body), traceparent });
      await bus.publish('bench', { data: body, properties: props });
    });
  }
  await all;
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  await ingestion.close();
  await store.close();
  await bus.close();
  lags.sort((a, b) => a - b);
  // CPU per 1000 observations (this process: publisher, ingestion, DuckDB's threads): what a loaded box moves least.
  const cpuMsPer1000 = (cpu.user + cpu.system) / 1000 / ((messages * E2E_ROWS_PER) / 1000);
  return { rate: (messages * E2E_ROWS_PER) / seconds, cpuMsPer1000, p50: lags[Math.floor(lags.length / 2)] ?? 0, p99: lags[Math.floor(lags.length * 0.99)] ?? 0 };
}

async function benchBuses() {
  // The end-to-end runs go to a child process: its peak RSS is theirs alone (peak_rss_mb).
  if (!process.env.BENCH_E2E_RUN) {
    const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url)], {
      env: { ...process.env, BENCH_ONLY: 'buses', BENCH_E2E_RUN: '1' },
      stdio: 'inherit',
    });
    if (r.status !== 0) throw new Error(`end-to-end bench run failed (exit ${r.status})`);
    return;
  }
  const messages = Math.max(20, Math.ceil(ROWS / E2E_ROWS_PER));
  console.log(`\nend to end: ${fmt(messages)} raw payloads (${fmt(messages * E2E_ROWS_PER)} observations) → ingestion → DuckDB`);
  const run = (bus: Bus, store?: Store) => endToEnd(bus, messages, store);
  // The memory bus as the platform configures it (its capacity bounds how long a message queues).
  const memory = await run(new MemoryBus({ capacity: Number(process.env.BENCH_BUS_CAPACITY ?? loadConfig({ env: {} }).bus.capacity) }));
  line('memory bus', `${fmt(memory.rate)} obs/s`, undefined);
  line('', `latency p50 ${memory.p50} ms, p99 ${memory.p99} ms; CPU ${memory.cpuMsPer1000.toFixed(1)} ms per 1000 observations`);
  record('e2e_embedded_obs_per_s', memory.rate, 'obs/s');
  record('e2e_embedded_cpu_ms_per_1000_obs', memory.cpuMsPer1000, 'ms');
  record('e2e_embedded_p99_ms', memory.p99, 'ms');
  const natsUrl = process.env.SCALAR_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
  const openNats = (name: string) => openBus(natsUrl, { environment: `bench-${name}-${process.pid}`, maxDeliveries: 5, redeliveryDelayMs: 1000 }).catch(() => null);
  const nats = await openNats('duckdb');
  if (!nats) {
    console.log('  nats: skipped (not reachable)');
  } else {
    const n = await run(nats);
    line('NATS JetStream bus', `${fmt(n.rate)} obs/s`, `memory bus ${fmt(memory.rate)} obs/s`, n.rate / memory.rate);
    line('', `latency p50 ${n.p50} ms, p99 ${n.p99} ms`, `memory p50 ${memory.p50} ms`);
  }
  // NATS into MariaDB: the distributed path.
  const base = process.env.SCALAR_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
  const db = `scalar_bench_e2e_${process.pid}`;
  const sql = await SqlStore.open(`${base}/${db}`).catch(() => null);
  const natsSql = sql && (await openNats('mariadb'));
  if (!sql || !natsSql) {
    console.log('  nats → MariaDB: skipped (NATS or MariaDB not reachable)');
    await sql?.close();
  } else {
    const m = await run(natsSql, sql);
    line('NATS JetStream bus → MariaDB', `${fmt(m.rate)} obs/s`, `memory bus → DuckDB ${fmt(memory.rate)} obs/s`, m.rate / memory.rate);
    line('', `latency p50 ${m.p50} ms, p99 ${m.p99} ms`);
    record('e2e_nats_mariadb_obs_per_s', m.rate, 'obs/s');
    const u = new URL(base);
    const admin = await mysql.createConnection({ host: u.hostname, port: Number(u.port || 3306), user: u.username || 'root', password: decodeURIComponent(u.password) });
    await admin.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await admin.end();
  }
  const peak = mb(process.resourceUsage().maxRSS * 1024);
  line('peak RSS of the end-to-end runs', `${fmt(peak)} MB`);
  record('peak_rss_mb', peak, 'MB');
}

/**
 * The cost of telemetry: the same end-to-end run with no SDK (the API's no-ops) and with the SDK
 * recording every span (in-memory exporter) and metric (Prometheus reader, never scraped). Once
 * registered the SDK stays for its process, so each run is a child process, off and on alternating
 * (this machine's load varies by the second); the medians are compared.
 */
async function benchTelemetry() {
  const messages = Math.max(100, Math.floor(ROWS / 2000));
  const mode = process.env.BENCH_TELEMETRY_RUN;
  if (mode) {
    const exporter = new InMemorySpanExporter();
    const processor = new BatchSpanProcessor(exporter);
    const t = mode === 'on' ? await startTelemetry({ prometheus: true, spanProcessors: [processor] }, {}) : null;
    const cpuBefore = process.cpuUsage();
    const { rate } = await endToEnd(new MemoryBus({ capacity: 1000 }), messages);
    await processor.forceFlush();
    const cpu = process.cpuUsage(cpuBefore);
    // CPU time per 1000 observations: less at the mercy of other processes than wall-clock throughput.
    const cpuMs = (cpu.user + cpu.system) / 1000 / ((messages * E2E_ROWS_PER) / 1000);
    console.log(JSON.stringify({ telemetry: mode, rate, cpuMs, spans: exporter.getFinishedSpans().length }));
    await t?.shutdown();
    return;
  }
  console.log(`\ntelemetry: end to end over the memory bus, ${fmt(messages)} payloads, 4 runs each in alternating child processes`);
  const runs: Record<'off' | 'on', number[]> = { off: [], on: [] };
  const cpu: Record<'off' | 'on', number[]> = { off: [], on: [] };
  let spans = 0;
  for (let i = 0; i < 4; i++) {
    for (const m of ['off', 'on'] as const) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
        env: { ...process.env, BENCH_ONLY: 'telemetry', BENCH_TELEMETRY_RUN: m },
        encoding: 'utf8',
      });
      const line = r.stdout.split('\n').find((l) => l.startsWith('{"telemetry"'));
      if (!line) throw new Error(`telemetry bench run failed: ${r.stderr}`);
      const out = JSON.parse(line) as { rate: number; cpuMs: number; spans: number };
      runs[m].push(out.rate);
      cpu[m].push(out.cpuMs);
      if (m === 'on') spans = out.spans;
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const range = (xs: number[]) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
  line('telemetry off (no SDK), median', `${fmt(median(runs.off))} obs/s`, `runs ${range(runs.off)}`);
  line('telemetry on (spans + metrics), median', `${fmt(median(runs.on))} obs/s`, `off ${fmt(median(runs.off))} obs/s`, median(runs.on) / median(runs.off));
  line('', `runs ${range(runs.on)}; ${fmt(spans)} spans per run`);
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  line('CPU per 1000 observations, off / on (median)', `${ms(median(cpu.off))} / ${ms(median(cpu.on))}`, undefined, median(cpu.on) / median(cpu.off));
}

/**
 * Intraday stream: trades/s from the simulator's STOMP-over-WebSocket server through the stream
 * worker (de-duplication, batching) into the in-process bus, beside the bare STOMP client receiving
 * the same snapshot.
 */
async function benchStream() {
  console.log('\nintraday stream (STOMP over WebSocket → stream worker → bus)');
  const { startNordpoolSimulator, SIM_USERNAME, SIM_PASSWORD } = await import('../providers/nordpool/simulator.ts');
  const { intradayTrades } = await import('../providers/nordpool/datasets.ts');
  const { StreamWorkers } = await import('../acquisition/stream-worker.ts');
  const { createHttpClient } = await import('../shared/http.ts');
  const { envSecrets } = await import('../shared/secrets/index.ts');
  const trades = Math.max(5000, Math.floor(ROWS / 20));
  const sim = await startNordpoolSimulator({ stream: { running: false, retain: trades } });
  sim.stream.generate(trades); // retained: every new subscription receives them as its snapshot
  const secrets = envSecrets({ NORDPOOL__USERNAME: SIM_USERNAME, NORDPOOL__PASSWORD: SIM_PASSWORD });
  const http = createHttpClient('nordpool');
  const until = async (ok: () => boolean) => {
    while (!ok()) await new Promise((r) => setTimeout(r, 2));
  };

  // Baseline: the STOMP client alone, records counted and dropped.
  let received = 0;
  let t = performance.now();
  const conn = await intradayTrades.stream!.connect(
    { secrets, http, baseUrl: sim.url, partitions: ['all'], log: silentLogger, signal: new AbortController().signal },
    (rs) => void (received += rs.length),
  );
  await until(() => received >= trades);
  const bare = trades / ((performance.now() - t) / 1000);
  await conn.close();

  // The stream worker: dedupe, batches of 1000 records, raw messages published and acknowledged.
  const store = await DuckDbStore.open(':memory:');
  await store.seedWorkerConfig([{ workerId: intradayTrades.id, environment: 'bench', enabled: true, parameters: {} }]);
  const bus = new MemoryBus({ capacity: 1000 });
  let landed = 0;
  let messages = 0;
  await bus.subscribe(['nordpool'], { subscription: 'bench', maxInFlight: 64 }, async (d) => {
    landed += (JSON.parse(new TextDecoder().decode(d.message.data)) as unknown[]).length;
    messages += 1;
    await d.ack();
  });
  const workers = new StreamWorkers(
    { bus, store, archive: memoryArchive(), secrets, log: silentLogger, httpFor: () => http, baseUrls: { nordpool: sim.url }, topicFor: (p) => p },
    [intradayTrades],
    { environment: 'bench', configRefreshMs: 60_000, maxBatchRecords: 1000, maxBatchWaitMs: 50 },
  );
  t = performance.now();
  await workers.refresh();
  await until(() => landed >= trades);
  const seconds = (performance.now() - t) / 1000;
  line(`${fmt(trades)} trades via the stream worker`, `${fmt(trades / seconds)} trades/s`, `bare STOMP client ${fmt(bare)} trades/s`, trades / seconds / bare);
  line('', `${fmt(messages / seconds)} bus messages/s (1000 trades each)`);
  await workers.stop();
  await bus.close();
  await store.close();
  await sim.close();
}

/**
 * api: GET /api/observations for one series over one day (96 quarter hours) on a real port, out of
 * a year of 4 zones in DuckDB; baseline the store's own queryObservations of the same rows.
 */
async function benchApi() {
  console.log('\napi: 1-day 96-point series query over HTTP (DuckDB, a year of 4 zones)');
  const { serveApi } = await import('../api/server.ts');
  const { envSecrets } = await import('../shared/secrets/index.ts');
  const store = await DuckDbStore.open(':memory:');
  const start = Date.parse('2025-01-01T00:00:00Z');
  for (const area of ['DK1', 'DK2', 'SE3', 'NO2']) {
    const series = { area, currency: 'EUR' };
    const rows: StoredObservation[] = Array.from({ length: 365 * 96 }, (_, i) => ({
      dataset: 'energinet.day_ahead_prices', series, seriesKey: seriesKey(series), ts: new Date(start + i * 900_000), resolution: 'PT15M', value: (i % 500) / 7, unit: 'EUR/MWh', payloadSha256: 'a'.repeat(64),
    }));
    await store.upsertObservations(rows);
  }
  const api = await serveApi({ store, cache: new MemoryCache(), secrets: envSecrets({}), environment: 'bench', seedWorkers: async () => 0 }, 0);
  const q = { dataset: 'energinet.day_ahead_prices', from: new Date('2025-06-01T00:00:00Z'), to: new Date('2025-06-02T00:00:00Z'), where: { area: 'SE3' } };
  const url = `${api.url}/api/observations?dataset=${q.dataset}&from=2025-06-01T00:00:00Z&to=2025-06-02T00:00:00Z&where=area=SE3`;
  const time = async (n: number, f: () => Promise<number>) => {
    const ms: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      if ((await f()) !== 96) throw new Error('expected 96 points');
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    return { p50: ms[Math.floor(n * 0.5)]!, p95: ms[Math.floor(n * 0.95)]! };
  };
  const viaHttp = async () => ((await (await fetch(url)).json()) as unknown[]).length;
  const direct = async () => (await store.queryObservations(q)).length;
  await time(20, viaHttp);
  await time(20, direct);
  const h = await time(200, viaHttp);
  const d = await time(200, direct);
  line('GET /api/observations (1 day, 96 points)', `p50 ${h.p50.toFixed(1)} ms, p95 ${h.p95.toFixed(1)} ms`, `store query p50 ${d.p50.toFixed(1)} ms`, d.p50 / h.p50);
  await api.app.close();
  await store.close();
}

/**
 * `scalar export` of ROWS observations to CSV and Parquet, from DuckDB (COPY) and MariaDB (streamed
 * rows), each in a child process whose peak RSS is the figure (the seeding would dominate this one's).
 */
async function benchExport() {
  const run = process.env.BENCH_EXPORT_RUN;
  if (run) {
    const [url, format, file] = JSON.parse(run) as [string, 'csv' | 'parquet', string];
    const view = analystViews(providers).find((v) => v.dataset === 'entsoe.day_ahead_prices')!;
    const sql = await openReadOnlySql(url);
    const t = performance.now();
    const rows = await exportObservations(sql, { view, format, file });
    await sql.close();
    console.log(JSON.stringify({ rows, seconds: (performance.now() - t) / 1000, maxRssMb: mb(process.resourceUsage().maxRSS * 1024) }));
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'scalar-bench-export-'));
  console.log(`
export: ${fmt(ROWS)} observations (100 series) to a file, each export in a child process`);
  const seed = async (store: Store) => {
    await store.replaceViews!(analystViews(providers));
    const series = Array.from({ length: 100 }, (_, i) => ({ area: `10Y-BENCH-${i}`, resolution: 'PT15M', sequence: '1' }));
    const keys = series.map(seriesKey);
    for (let i = 0; i < ROWS; i += 20_000) {
      const batch: StoredObservation[] = [];
      for (let j = i; j < Math.min(ROWS, i + 20_000); j++) {
        batch.push({ dataset: 'entsoe.day_ahead_prices', series: series[j % 100]!, seriesKey: keys[j % 100]!, ts: new Date(Date.UTC(2024, 0, 1) + Math.floor(j / 100) * 900_000),
          resolution: 'PT15M', value: (j % 1000) / 10, unit: 'EUR/MWh', payloadSha256: 'e'.repeat(64) });
      }
      await store.upsertObservations(batch);
    }
    await store.close();
  };
  const child = (url: string, format: string, label: string) => {
    const file = join(dir, `out-${label}.${format}`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
      env: { ...process.env, BENCH_ONLY: 'export', BENCH_EXPORT_RUN: JSON.stringify([url, format, file]) }, encoding: 'utf8',
    });
    const last = r.stdout.trim().split('\n').pop() ?? '';
    if (r.status !== 0 || !last.startsWith('{')) return line(`${label} ${format}`, 'failed', r.stderr.split('\n')[0]);
    const x = JSON.parse(last) as { rows: number; seconds: number; maxRssMb: number };
    line(`${label} → ${format}, ${fmt(x.rows)} rows, ${fmt(x.rows / x.seconds)} rows/s`, `peak RSS ${fmt(x.maxRssMb)} MB`);
  };
  try {
    const duck = join(dir, 'export.duckdb');
    await seed(await DuckDbStore.open(duck));
    for (const f of ['csv', 'parquet']) child(`duckdb:${duck}`, f, 'DuckDB COPY');
    const base = process.env.SCALAR_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
    const db = `scalar_bench_export_${process.pid}`;
    const store = await SqlStore.open(`${base}/${db}`).catch(() => null);
    if (store) {
      try {
        await seed(store);
        for (const f of ['csv', 'parquet']) child(`${base}/${db}`, f, 'MariaDB stream');
      } finally {
        const u = new URL(base);
        const c = await mysql.createConnection({ host: u.hostname, port: Number(u.port || 3306), user: u.username || 'root', password: decodeURIComponent(u.password) });
        await c.query(`DROP DATABASE IF EXISTS \`${db}\``);
        await c.end();
      }
    } else line('MariaDB', 'skipped (not reachable)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Redis latest-value refresh (RedisCache.refresh, 1000 values a call, every value a new series) vs
 * `redis-benchmark -t hset -P 64` on the same server: skipped with a note when either is missing.
 * Both sides write one hash field per value, n in all: the refresh, one field per series in its
 * dataset's hash after comparing it with what is stored (HMGET + compare + one variadic HSET + the
 * change feed's PUBLISH in one EVALSHA per call, calls awaited one after another on one connection);
 * redis-benchmark, n single-field HSETs from 50 connections with 64 in flight on each.
 */
async function benchRedis() {
  const url = process.env.SCALAR_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const n = Math.max(20_000, Math.floor(ROWS / 5));
  const u = new URL(url);
  const tool = spawnSync('redis-benchmark', ['-h', u.hostname, '-p', u.port || '6379', '-t', 'hset', '-P', '64', '-n', String(n), '-q', '--csv'], { encoding: 'utf8' });
  const rps = Number(/"HSET","([\d.]+)"/.exec(tool.stdout ?? '')?.[1]);
  if (tool.error || !Number.isFinite(rps)) {
    console.log(`\ncache: Redis refresh skipped (redis-benchmark ${tool.error ? 'not installed' : 'failed'})`);
    return;
  }
  // For context, not the target: the same with a random field per request (-r), so that, as in the
  // refresh, most writes add a field to a growing hash instead of overwriting one.
  const spread = spawnSync('redis-benchmark', ['-h', u.hostname, '-p', u.port || '6379', '-t', 'hset', '-P', '64', '-r', '1000000', '-n', String(n), '-q', '--csv'], { encoding: 'utf8' });
  const rpsNewFields = Number(/"HSET","([\d.]+)"/.exec(spread.stdout ?? '')?.[1]);
  spawnSync('redis-cli', ['-h', u.hostname, '-p', u.port || '6379', 'DEL', 'myhash']); // redis-benchmark's own key
  const { RedisCache } = await import('../shared/cache/redis.ts');
  const prefix = `bench-${process.pid}`;
  const cache = await RedisCache.open(`${url}?prefix=${prefix}`).catch(() => null);
  if (!cache) {
    console.log(`\ncache: Redis refresh skipped (${url} not reachable)`);
    return;
  }
  console.log(`\ncache: Redis, ${fmt(n)} latest values (new series) in calls of 1000`);
  const values = Array.from({ length: n }, (_, i) => ({
    dataset: 'bench.prices', seriesKey: `area=A${i}`, series: { area: `A${i}` }, ts: new Date(Date.UTC(2025, 0, 1)), value: i / 10, unit: 'EUR/MWh', resolution: 'PT15M',
  }));
  const seconds = await time(1, async () => {
    for (let i = 0; i < n; i += 1000) await cache.refresh(values.slice(i, i + 1000));
  });
  await cache.close();
  const { createClient } = await import('redis');
  const client = createClient({ url });
  await client.connect();
  for await (const keys of client.scanIterator({ MATCH: `${prefix}:*`, COUNT: 1000 })) if (keys.length > 0) await client.del(keys);
  await client.quit();
  line('RedisCache.refresh (1 field written/value)', `${fmt(n / seconds)} values/s`, `redis-benchmark -t hset -P 64 (1 field/req) ${fmt(rps)} req/s`, n / seconds / rps);
  if (Number.isFinite(rpsNewFields)) line('', '', `the same, -r 1000000 (new fields) ${fmt(rpsNewFields)} req/s`, n / seconds / rpsNewFields);
  record('redis_refresh_vs_benchmark', n / seconds, 'values/s', rps, n / seconds / rps);
}

// --- vintages ---
/**
 * The same rows through stores that capture revisions (the default retention) and stores that do
 * not (retention 0): new rows (the append / direct LOAD DATA fast paths), every value changed
 * (each overwrite writes a revision), and the changed rows delivered again (identical: no revision).
 */
async function benchVintages() {
  const n = Number(process.env.BENCH_VINTAGES_ROWS ?? Math.min(ROWS, 500_000));
  const rows = observations(n);
  const changed = rows.map((r) => ({ ...r, value: r.value! + 1, payloadSha256: 'e'.repeat(64) }));
  const base = process.env.SCALAR_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
  const dir = mkdtempSync(join(tmpdir(), 'scalar-bench-vintages-'));
  const dbs: string[] = [];
  const engines: [string, (retentionMs: number) => Promise<Store>][] = [
    ['DuckDB', (retentionMs) => DuckDbStore.open(join(dir, `v-${retentionMs}.duckdb`), { revisions: { retentionMs } })],
    ['MariaDB', (retentionMs) => {
      dbs.push(`scalar_bench_vintages_${process.pid}_${retentionMs}`);
      return SqlStore.open(`${base}/${dbs.at(-1)}`, { revisions: { retentionMs } });
    }],
  ];
  console.log(`\nvintages: upsert with revision capture vs without, ${fmt(n)} observations in 20 k batches (100 series)`);
  try {
    for (const [engine, open] of engines) {
      // Both stores open at once and each pass timed on one right after the other: on a shared box
      // the load drifts, and back-to-back timings of the same rows drift least.
      const stores = await Promise.all([open(0), open(400 * 86_400_000)]).catch((e: unknown) => (console.log(`  ${engine} skipped: ${(e as Error).message}`), null));
      if (!stores) continue;
      for (const [pass, rs] of [['new rows', rows], ['every value changed', changed], ['identical re-delivery', changed]] as const) {
        const rate = async (store: Store) => n / (await time(1, async () => {
          for (let i = 0; i < rs.length; i += 20_000) await store.upsertObservations(rs.slice(i, i + 20_000));
        }));
        const off = await rate(stores[0]);
        const on = await rate(stores[1]);
        line(`${engine} ${pass}`, `${fmt(on)} rows/s`, `no capture ${fmt(off)} rows/s`, on / off);
        record(`vintages_${engine.toLowerCase()}_${pass.replace(/[^a-z]+/g, '_')}_capture_vs_off`, on, 'rows/s', off, on / off);
      }
      const revisions = (await stores[1].listRevisions({ dataset: 'bench.prices', where: { area: 'A0' } })).length * 100;
      line(`${engine} revisions written`, fmt(revisions), `expected ${fmt(n)}`);
      await Promise.all(stores.map((st) => st.close()));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    const u = new URL(base);
    const admin = await mysql.createConnection({ host: u.hostname, port: Number(u.port || 3306), user: u.username || 'root', password: decodeURIComponent(u.password) }).catch(() => null);
    for (const db of dbs) await admin?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await admin?.end();
  }
}
// --- end vintages ---

/**
 * The completeness ledger's cost on ingestion, measured through the consumer (startIngestion with
 * its after-commit hooks, as the platform runs it) into a DuckDB file: day windows of Energinet
 * day-ahead prices published as fast as they land (batches fill to 20 k rows, as in a backfill),
 * and one window per batch (each handed to the hooks before the next is published: live ingestion
 * at full speed, the worst case for work paid per batch).
 * The same ingestion without hooks is the baseline; plausibility evaluation is measured beside it.
 */
async function benchLedger() {
  const ds = findDataset('energinet.day_ahead_prices');
  const days = Number(process.env.BENCH_LEDGER_DAYS ?? 240);
  // As many windows one by one as in batches: over 40 (under a second) the hooks' last 250 ms
  // interval, flushed inside the timing, was a sixth of the run and not the steady per-window cost.
  const single = Math.min(days, Number(process.env.BENCH_LEDGER_SINGLE_DAYS ?? days));
  const rounds = Number(process.env.BENCH_LEDGER_ROUNDS ?? 3);
  // Danish delivery days from 2025-10-06 (after the 15-minute go-live; the fall-back day is one of them).
  const first = DateTime.fromISO('2025-10-06', { zone: 'Europe/Copenhagen' });
  const windows = Array.from({ length: days }, (_, d) => ({ from: first.plus({ days: d }).toJSDate(), to: first.plus({ days: d + 1 }).toJSDate() }));
  const payloads = windows.map(({ from, to }) => {
    const rs: string[] = [];
    for (let t = from.getTime(); t < to.getTime(); t += 900_000) {
      const ts = new Date(t).toISOString().slice(0, 19);
      const eur = (50 + ((t / 900_000) % 97) * 1.37).toFixed(6);
      rs.push(`{"TimeUTC":"${ts}","TimeDK":"${ts}","PriceArea":"DK1","DayAheadPriceEUR":${eur},"DayAheadPriceDKK":${(Number(eur) * 7.46).toFixed(6)}}`);
    }
    return new TextEncoder().encode(`{"total":${rs.length},"dataset":"DayAheadPrices","records":[${rs.join(',')}]}`);
  });
  const now = new Date(windows.at(-1)!.to.getTime() + 2 * 86_400_000);
  const dir = mkdtempSync(join(tmpdir(), 'scalar-bench-ledger-'));
  console.log(`
ledger: ${days} daily windows of energinet.day_ahead_prices DK1 (192 rows each) through the consumer into DuckDB`);
  type Hooks = 'none' | 'ledger' | 'ledger+quality';
  // flush where the hooks have it (they gather windows over an interval), else idle.
  const settle = (h: { idle(): Promise<void>; flush?: () => Promise<void> } | null) => (h?.flush ? h.flush() : h?.idle());
  let runs = 0;
  const run = async (hooks: Hooks, n: number, oneByOne: boolean) => {
    const store = await DuckDbStore.open(join(dir, `${++runs}.duckdb`));
    await store.migrate();
    const ledger = hooks === 'none' ? null : ledgerAfterCommit({ store, findDataset, log: silentLogger, now: () => now });
    const quality = hooks === 'ledger+quality' ? qualityAfterCommit({ store, datasets: [ds], log: silentLogger, now: () => now }) : null;
    // Counts the windows handed to the hooks, so a window-by-window run waits for its own recount.
    let handed = 0;
    let wake: () => void = () => undefined;
    const afterCommit = async (landed: Parameters<NonNullable<IngestionDeps['afterCommit']>>[0]) => {
      await ledger?.(landed);
      await quality?.(landed);
      handed += landed.length;
      wake();
    };
    const handedAll = (k: number) => new Promise<void>((r) => {
      wake = () => handed >= k && r();
      wake();
    });
    const bus = new MemoryBus({ capacity: 1000 });
    const ingestion = await startIngestion(
      { bus, store, cache: new MemoryCache(), archive: { put: async () => undefined, get: async () => new Uint8Array() }, log: silentLogger, findDataset, topics: ['bench'], afterCommit },
      { batchRows: 20_000, batchWaitMs: oneByOne ? 1 : 50, maxInFlight: 64, subscription: `bench-ledger-${process.pid}` },
    );
    const publish = (d: number) =>
      bus.publish('bench', {
        data: payloads[d]!,
        properties: rawProperties({ provider: 'energinet', dataset: ds.id, partition: 'DK1', window: windows[d]!, runId: `r${d}`, fetchedAt: now, contentType: 'application/json', sha256: sha256Hex(payloads[d]!) }),
      });
    const cpuBefore = process.cpuUsage();
    const seconds = await time(1, async () => {
      if (oneByOne) {
        for (let d = 0; d < n; d++) {
          await publish(d);
          await handedAll(d + 1);
        }
      } else {
        for (let d = 0; d < n; d++) await publish(d);
        await handedAll(n);
      }
      // Then what the hooks still hold, at once (as on shutdown), so the time counts all their work.
      await settle(ledger);
      await settle(quality);
    });
    const used = process.cpuUsage(cpuBefore);
    // CPU of this process (parse, hooks, DuckDB's threads): what a loaded box disturbs least.
    const cpu = (used.user + used.system) / 1e6;
    const rows = await store.listLedger({ dataset: ds.id });
    await ingestion.close();
    await bus.close();
    await store.close();
    return { seconds, cpu, complete: rows.filter((r) => r.missing === 0 && r.present === r.expected).length };
  };
  try {
    for (const [label, n, oneByOne] of [['batches as they fill', days, false], ['one window per batch', single, true]] as const) {
      // Warm-up (JIT, DuckDB), then rounds of the three variants in turn (the box is shared: a load
      // change hits every variant alike); the best of each counts.
      await run('none', Math.min(n, 10), oneByOne);
      type Result = { seconds: number; cpu: number; complete: number };
      const bestOf: Record<Hooks, Result | null> = { none: null, ledger: null, 'ledger+quality': null };
      for (let round = 0; round < rounds; round++) {
        for (const h of ['none', 'ledger', 'ledger+quality'] as const) {
          const r = await run(h, n, oneByOne);
          const b = bestOf[h];
          bestOf[h] = b ? { seconds: Math.min(b.seconds, r.seconds), cpu: Math.min(b.cpu, r.cpu), complete: r.complete } : r;
        }
      }
      const none = bestOf.none!;
      const ledger = bestOf.ledger!;
      const both = bestOf['ledger+quality']!;
      const rate = (s: number) => `${(n / s).toFixed(1)} windows/s`;
      const pct = (s: number, base: number) => `${(((s - base) / base) * 100).toFixed(1)} %`;
      console.log(`  ${label} (${n} windows):`);
      line('ingest, no hooks', rate(none.seconds), undefined);
      line('ingest + ledger', rate(ledger.seconds), rate(none.seconds), none.seconds / ledger.seconds);
      line('ledger overhead, elapsed', pct(ledger.seconds, none.seconds), 'target < 10 %');
      line('ledger overhead, CPU', pct(ledger.cpu, none.cpu), `no hooks ${((none.cpu * 1000) / n).toFixed(1)} CPU ms/window`);
      line('ingest + ledger + plausibility', rate(both.seconds), rate(none.seconds), none.seconds / both.seconds);
      line('plausibility overhead (beside the ledger), elapsed', pct(both.seconds, ledger.seconds));
      line('plausibility overhead (beside the ledger), CPU', pct(both.cpu, ledger.cpu));
      line('ledger days complete', `${ledger.complete} of ${n}`);
      const key = oneByOne ? 'ledger_overhead_one_window_per_batch' : 'ledger_overhead';
      record(key, (ledger.seconds - none.seconds) / none.seconds, 'ratio', null, ledger.seconds / none.seconds);
      record(`${key}_cpu`, (ledger.cpu - none.cpu) / none.cpu, 'ratio', null, ledger.cpu / none.cpu);
      record(`${key.replace('ledger', 'plausibility')}`, (both.seconds - ledger.seconds) / ledger.seconds, 'ratio', null, both.seconds / ledger.seconds);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!process.env.BENCH_TELEMETRY_RUN && !process.env.BENCH_E2E_RUN && !process.env.BENCH_EXPORT_RUN) console.log(`scalar bench (node ${process.version}, ${process.platform}/${process.arch})`);
// BENCH_ONLY=telemetry (comma-separated: parse, elia, energinet, entsoe, entsoe-memory, store, mariadb, redis, buses, stream, telemetry, api, export, vintages, ledger, signals) runs a subset.
const only = process.env.BENCH_ONLY?.split(',');
const want = (name: string) => !only || only.includes(name);
if (want('parse')) await benchParse();
if (want('elia')) await benchElia();
if (want('energinet')) await benchEnerginetParsers();
if (want('entsoe')) await benchEntsoe();
if (want('entsoe-memory')) await benchEntsoeMemory();
if (want('store')) await benchStore();
if (want('mariadb')) await benchMariaDb();
if (want('redis')) await benchRedis();
if (want('buses')) await benchBuses();
if (want('stream')) await benchStream();
if (want('telemetry')) await benchTelemetry();
if (want('api')) await benchApi();
if (want('export')) await benchExport();
if (want('vintages')) await benchVintages();
if (want('ledger')) await benchLedger();
if (want('signals')) await (await import('./signals.ts')).benchSignals({ time, line, record }); // signals
if (!process.env.BENCH_TELEMETRY_RUN && !process.env.BENCH_E2E_RUN && !process.env.BENCH_EXPORT_RUN) console.log(`\npeak RSS ${fmt(mb(process.resourceUsage().maxRSS * 1024))} MB`);
