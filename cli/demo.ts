// `scalar demo`: every provider's simulator and every role in one process on embedded defaults.
import { randomBytes } from 'node:crypto';
import type { AcquisitionEvent } from '../acquisition/scheduler.ts';
import type { StreamEvent } from '../acquisition/stream-worker.ts';
import type { FileDropEvent } from '../acquisition/file-drop.ts';
import type { IngestionEvent } from '../ingestion/consumer.ts';
import type { ExecutionEvent } from '../execution/role.ts';
import { providers } from '../providers/index.ts';
import type { Simulator } from '../shared/dataset.ts';
import { createLogger } from '../shared/log.ts';
import { redact } from '../shared/redact.ts';
import { isoUtc, type Interval } from '../shared/time.ts';
import { startApiRole } from './api-role.ts';
import { writeTable } from './output.ts';
import { STOP_DRAIN_MS, exitOnSecondSignal, instanceIdentity, openPlatform, readConfig, seedWorkers, startRoles } from './platform.ts';

export type DemoOptions = {
  durationSeconds: number;
  dataDir?: string;
  configFile?: string;
  /** Cadence of every worker during the demo. */
  every: string;
  /** Probability of a fault per simulator request (spread over 429, 5xx, slow, truncated). */
  faultRate: number;
  /** Port of the HTTP API and web view; 0 serves none. */
  port?: number;
  out?: NodeJS.WritableStream;
};

const short = (i: Interval) => `${isoUtc(i.from).slice(0, 16)}Z → ${isoUtc(i.to).slice(0, 16)}Z`;
const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;

type Tally = { windows: number; failures: number; rows: number; bytes: number; deadLetters: number };

export async function runDemo(o: DemoOptions): Promise<number> {
  const out = o.out ?? process.stdout;
  // Progress lines quote URLs and provider errors: redacted like every log line.
  const say = (s: string) => out.write(`${redact(s)}\n`);
  const config = readConfig({
    file: o.configFile,
    overrides: o.dataDir ? { dataDir: o.dataDir, env: 'development' } : { env: 'development' },
  });
  // Demo output is the progress below (failures included); the JSON log only carries errors.
  const sims: Simulator[] = [];
  const baseUrls: Record<string, string> = {};
  // A development token for the mutating API endpoints, made for this run and printed below.
  const apiToken = randomBytes(18).toString('base64url');
  const secrets: Record<string, string> = { 'api:tokens': apiToken };
  for (const p of providers) {
    const sim = await p.startSimulator();
    sims.push(sim);
    baseUrls[p.id] = sim.url;
    Object.assign(secrets, sim.secrets);
    if (o.faultRate > 0) {
      const r = o.faultRate / 4;
      sim.setFaults?.({
        rates: { rateLimit: r, serverError: r, slow: r, truncated: r },
        retryAfterSeconds: 1,
        slowMs: config.acquisition.http.timeoutMs + 1000,
        seed: 7,
      });
    }
  }
  // Info lines go over OTLP only (when telemetry exports), the terminal shows errors.
  let platform;
  try {
    platform = await openPlatform(config, createLogger('error', 'info'), secrets);
  } catch (e) {
    // The simulators' servers would keep the process alive after the error.
    for (const sim of sims) await sim.close().catch(() => undefined);
    throw e;
  }
  await seedWorkers(platform.store, config.env, platform.log);

  const tally = new Map<string, Tally>();
  const t = (dataset: string) => {
    let x = tally.get(dataset);
    if (!x) tally.set(dataset, (x = { windows: 0, failures: 0, rows: 0, bytes: 0, deadLetters: 0 }));
    return x;
  };
  say(`scalar demo: environment ${config.env}, store ${config.storeUrl}, bus ${config.busUrl}, cache ${config.cacheUrl}`);
  for (const [i, p] of providers.entries()) {
    const more = Object.entries(sims[i]?.urls ?? {}).map(([k, v]) => `, ${k} ${v}`).join('');
    say(`  simulator ${p.id} at ${baseUrls[p.id]}${more}`);
  }
  const api = o.port ? await startApiRole(platform, o.port, '127.0.0.1') : null;
  if (api) {
    say(`  API and web view at ${api.url}/ (OpenAPI ${api.url}/openapi.json)`);
    // Written past the redaction on purpose: the token is for the person running the demo.
    out.write(`  development token (POST /api/workers/...): ${apiToken}\n`);
  } else if (o.port) say(`  API not served: port ${o.port} unavailable (choose another with --port)`);
  say(`  running for ${o.durationSeconds} s, every worker each ${o.every} after its backfill (Ctrl-C stops)\n`);

  const onAcquisition = (e: AcquisitionEvent) => {
    if ('window' in e) platform.log.info({ ...e, window: undefined, from: isoUtc(e.window.from), to: isoUtc(e.window.to) }, e.type);
    else if (e.type === 'worker-stopped') platform.log.error(e, e.type);
    if (e.type === 'published') {
      t(e.dataset).bytes += e.bytes;
      say(`  fetched  ${e.dataset.padEnd(28)} ${e.partition.padEnd(4)} ${short(e.window)}  ${kb(e.bytes).padStart(9)}  ${e.requests} req  ${e.latencyMs} ms`);
    } else if (e.type === 'failed') {
      t(e.dataset).failures += 1;
      say(`  failed   ${e.dataset.padEnd(28)} ${e.partition.padEnd(4)} ${short(e.window)}  ${e.error} (retry in ${Math.round(e.retryInMs / 1000)} s)`);
    } else if (e.type === 'no-data-yet') {
      say(`  not yet  ${e.dataset.padEnd(28)} ${e.partition.padEnd(4)} ${short(e.window)}  not published yet (asking again in ${Math.round(e.retryInMs / 1000)} s)`);
    } else if (e.type === 'worker-stopped') {
      say(`  stopped  ${e.dataset.padEnd(28)} ${e.partition.padEnd(4)} ${e.error}`);
    } else {
      say(`  workers enabled: ${e.enabled.join(', ') || '(none)'}`);
    }
  };
  const onStream = (e: StreamEvent) => {
    if (e.type === 'stream-connected') say(`  stream   ${e.dataset.padEnd(28)} ${e.partition.padEnd(4)} connected (connection ${e.connection})`);
    else if (e.type === 'stream-disconnected') say(`  stream   ${e.dataset.padEnd(28)} ${e.partition.padEnd(4)} disconnected: ${e.error ?? 'closed'} (reconnect in ${e.retryInMs} ms)`);
    else t(e.dataset).bytes += e.bytes;
  };
  const onFileDrop = (e: FileDropEvent) => {
    if (e.type === 'file-landed') {
      t(e.dataset).bytes += e.bytes;
      say(`  file     ${e.dataset.padEnd(28)} ${e.file}  ${kb(e.bytes).padStart(9)}`);
    } else if (e.type === 'file-failed') {
      t(e.dataset).failures += 1;
      say(`  failed   ${e.dataset.padEnd(28)} ${e.file ?? '(poll)'}  ${e.error}`);
    }
  };
  const onIngestion = (e: IngestionEvent) => {
    if (e.type === 'landed') platform.log.info({ dataset: e.dataset, partition: e.partition, rows: e.rows, from: isoUtc(e.window.from), to: isoUtc(e.window.to), lagMs: e.lagMs }, 'landed');
    if (e.type === 'landed') {
      t(e.dataset).windows += 1;
      t(e.dataset).rows += e.rows;
      say(`  landed   ${e.dataset.padEnd(28)} ${e.partition.padEnd(4)} ${short(e.window)}  ${String(e.rows).padStart(5)} rows  ${(e.lagMs / 1000).toFixed(2)} s after fetch`);
    } else if (e.type === 'dead-lettered') {
      if (e.dataset) t(e.dataset).deadLetters += 1;
      say(`  dead-letter ${e.dataset ?? e.topic}: ${e.reason}`);
    } else if (e.type === 'batch-failed') {
      say(`  batch failed (${e.messages} messages, ${e.rows} rows), redelivering: ${e.error}`);
    } else if (e.type === 'outage' && e.attempt === 1) {
      say(`  outage   ${e.error}; waiting until it is back`);
    } else if (e.type === 'recovered') {
      say(`  recovered after ${(e.afterMs / 1000).toFixed(1)} s`);
    }
  };

  // execution: the desk's steps, one line each when something happened.
  const desk = { placed: 0, rejected: 0, filled: 0, expired: 0 };
  const onExecution = (e: ExecutionEvent) => {
    if (e.type === 'failed') {
      say(`  desk     step failed, redelivering: ${e.error}`);
      return;
    }
    const r = e.report;
    desk.placed += r.placed;
    desk.rejected += r.rejected;
    desk.filled += r.filled;
    desk.expired += r.expired;
    if (r.placed + r.rejected + r.filled + r.expired > 0) say(`  desk     ${r.placed} orders placed, ${r.rejected} rejected, ${r.filled} filled, ${r.expired} expired`);
    for (const b of r.stopped) say(`  desk     kill switch stopped book ${b}`);
  };

  const started = Date.now();
  const roles = await startRoles(platform, { acquisition: true, ingestion: true, signals: true, execution: true, executionClock: 'replay', onExecution, baseUrls, every: o.every, onAcquisition, onStream, onFileDrop, onIngestion, drainTimeoutMs: STOP_DRAIN_MS, owner: instanceIdentity(config) });
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, o.durationSeconds * 1000);
    const stop = () => {
      clearTimeout(timer);
      say('\n  stopping…');
      exitOnSecondSignal();
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await api?.close();
  await roles.stop();

  say(`\nsummary after ${((Date.now() - started) / 1000).toFixed(1)} s:`);
  const rows: string[][] = [];
  for (const p of providers) {
    for (const ds of p.datasets) {
      const x = t(ds.id);
      rows.push([ds.id, String(x.windows), String(x.rows), String(await platform.store.countObservations(ds.id)), kb(x.bytes), String(x.failures), String(x.deadLetters)]);
    }
  }
  writeTable(['dataset', 'windows landed', 'rows landed', 'rows in store', 'fetched', 'failed fetches', 'dead letters'], rows, out);
  say(`\ndesk: ${desk.placed} orders placed, ${desk.rejected} rejected, ${desk.filled} filled, ${desk.expired} expired (npx scalar orders|positions|pnl --data-dir ${config.dataDir})`);
  say(`\nquery it: npx scalar query ${providers[0]?.datasets[0]?.id ?? '<dataset>'} --data-dir ${config.dataDir} --format table`);
  say(`compare providers: npx scalar reconcile day_ahead_price_dk --data-dir ${config.dataDir}`); // reconciliation
  for (const s of sims) await s.close();
  await platform.close();
  return 0;
}
