// The `scalar` command. Each sub-command validates its input, does one job, and exits non-zero
// with a message naming what was wrong.
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
// Heavy modules (DuckDB and MySQL clients for `sql`/`export`, the HTTP server, the demo) are imported
// by the commands that use them, so `scalar datasets`, `parse` and `--help` start quickly.
import type { ExportFormat } from '../ingestion/export.ts';
import { reprocess } from '../ingestion/reprocess.ts';
import { datasets, findDataset, findProvider, providers } from '../providers/index.ts';
import { ZONES, ZONE_MAPPINGS, annotateZones, syncZones } from '../providers/zones.ts';
import { unknownCodes } from '../shared/zones.ts';
import { buildSignals, signalContext } from '../signals/index.ts'; // signals: registry
import { backtestImbalance } from '../signals/backtest.ts';
import type { Cadence } from '../shared/dataset.ts';
import { ConfigError, ConnectionError, ParameterError, ParseError, SourceUnavailableError, ValidationError, UnknownDatasetError, errorMessage } from '../shared/errors.ts';
import { identifyDataset } from '../shared/identify-dataset.ts';
import { fileArchive } from '../shared/payload-archive.ts';
import { redact } from '../shared/redact.ts';
import { NoStoreError, openStore, type Store } from '../shared/store/index.ts';
import { analystViews } from '../shared/store/views.ts';
import { isoUtc, nominalDurationMs, parseInstant } from '../shared/time.ts';
import { join } from 'node:path';
import { telemetry } from '../shared/telemetry.ts';
import { collectObservations, isDerivedDataset, jsonlLine, observationPages, observationQuery } from '../app/observations.ts';
import { readStatus } from '../app/status.ts';
import { listWorkers, setWorker } from '../app/workers.ts';
import { DESK_DIMENSIONS, ORDER_STATUSES, deskOrders, deskPnl, deskPositions, parseGroupBy, parseOrderStatus, type DeskRow } from '../app/execution.ts'; // execution
import { backfillCommand } from './backfill.ts';
import { DateTime } from 'luxon';
import { deliveryDaysIn } from '../completeness/expected-slots.ts';
import { gapsReport } from '../completeness/gaps-report.ts';
import { reconcile, reconcileRange, reconciliationToJson } from '../app/reconcile.ts'; // reconciliation
import { findCheck, RECONCILIATION_CHECKS } from '../providers/reconciliation.ts'; // reconciliation
import { writeReconciliation } from './reconcile-output.ts'; // reconciliation
import { recountDays } from '../completeness/ledger.ts';
import { flagToJson, qualityDays, qualityFlags, qualityToJson } from '../app/quality.ts';
import { WEIGHTS } from '../quality/score.ts';
import { parseSpan, runHealth } from './health.ts';
import { serveHealth } from './health-endpoints.ts';
import { parseFormat, writeObservations, writeRows, writeTable, type Format } from './output.ts';
import { STOP_DRAIN_MS, environmentSeeds, exitOnSecondSignal, instanceIdentity, openPlatform, readConfig, seedWorkers, startRoles, type Platform } from './platform.ts';

type Common = { config?: string; dataDir?: string; env?: string };

function configFrom(o: Common) {
  const overrides: Record<string, unknown> = {};
  if (o.dataDir) overrides.dataDir = o.dataDir;
  if (o.env) overrides.env = o.env;
  return readConfig({ file: o.config, overrides });
}

/** `create: false` for read-only commands: a mistyped data dir or database is an error, never created. */
async function withStore<T>(o: Common, fn: (store: Store, env: string) => Promise<T>, create = true): Promise<T> {
  const config = configFrom(o);
  const store = await openStore(config.storeUrl, { create, connectTimeoutMs: config.connectTimeoutMs, revisionRetentionMs: config.revisions.retentionDays * 86_400_000, controlUrl: config.controlStoreUrl, duckdb: config.duckdb });
  try {
    return await fn(store, config.env);
  } finally {
    await store.close();
  }
}

const findDatasetOrUndefined = (id: string) => datasets.find((d) => d.id === id);

const instant = (s: string) => {
  try {
    return parseInstant(s);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
};
const format = (s: string): Format => {
  try {
    return parseFormat(s);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
};
const keyValue = (s: string, acc: Record<string, string>) => {
  const i = s.indexOf('=');
  if (i <= 0) throw new InvalidArgumentError(`expected key=value, got ${s}`);
  return { ...acc, [s.slice(0, i)]: s.slice(i + 1) };
};
const duration = (s: string) => {
  const iso = /^\d+s$/.test(s) ? `PT${s.slice(0, -1).toUpperCase()}S` : s;
  let ms: number;
  try {
    ms = nominalDurationMs(iso);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
  // A zero period would run every worker back to back, forever.
  if (ms < 1000) throw new InvalidArgumentError(`${s}: at least one second`);
  return iso;
};
/** A payload file's bytes; a missing file or a directory is a one-line error, not a stack trace. */
function readPayloadFile(file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new ConfigError(`cannot read ${file}: ${why}`);
  }
}
const port = (s: string) => {
  if (!/^\d+$/.test(s) || Number(s) > 65535) throw new InvalidArgumentError('a port number 0-65535');
  return Number(s);
};
const positiveInteger = (s: string) => {
  if (!/^\d+$/.test(s.trim()) || Number(s) < 1 || !Number.isSafeInteger(Number(s))) throw new InvalidArgumentError(`${s}: a positive integer`);
  return Number(s);
};
const cadenceText = (c: Cadence) => ('every' in c ? `every ${c.every}` : `cron "${c.cron}" ${c.tz}`);

const program = new Command('scalar')
  .description('Scalar: European energy-market data, from provider APIs to a de-duplicated store')
  .version((JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version, '-V, --version')
  .showHelpAfterError();

const dataDirOption = () => new Option('--data-dir <dir>', 'data directory (default ./data or SCALAR_DATA_DIR)');
const configOption = () => new Option('--config <file>', 'configuration file (YAML or JSON)');

program
  .command('demo')
  .description('run simulators and every role in one process on embedded defaults')
  .option('--duration <seconds>', 'stop after this many seconds', (s) => {
    const n = Number(s);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('a positive number of seconds');
    return n;
  }, 60)
  .addOption(dataDirOption())
  .addOption(configOption())
  .option('--every <duration>', 'cadence of every worker during the demo (ISO 8601 or 10s)', duration, 'PT10S')
  .option('--faults <rate>', 'probability of a simulator fault per request (0-1)', (s) => {
    const n = Number(s);
    if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('a probability between 0 and 1');
    return n;
  }, 0)
  .option('--port <port>', 'serve the HTTP API and web view on this port (0: not served)', port, 8080)
  .action(async (o: { duration: number; dataDir?: string; config?: string; every: string; faults: number; port: number }) => {
    const { runDemo } = await import('./demo.ts');
    process.exitCode = await runDemo({ durationSeconds: o.duration, dataDir: o.dataDir, configFile: o.config, every: o.every, faultRate: o.faults, port: o.port });
  });

program
  .command('parse')
  .description('parse a raw provider payload file and print its observations (the dataset is detected from the payload)')
  .argument('<provider>', 'provider id, e.g. energinet')
  .argument('<file>', 'payload file as the provider sent it')
  .option('--dataset <id>', 'parse as this dataset instead of detecting it (e.g. entsoe.load_actual or load_actual)')
  .option('--partition <key>', 'the partition the payload was fetched for, where the answer does not say (e.g. FI or FI@SEK for Nord Pool aggregates)')
  .addOption(new Option('--format <format>', 'jsonl, csv or table').argParser(format).default('jsonl'))
  .action((provider: string, file: string, o: { dataset?: string; partition?: string; format: Format }) => {
    const p = findProvider(provider);
    const body = readPayloadFile(file);
    const ds = identifyDataset(p, body, o.dataset);
    const notes: string[] = [];
    // Everything is parsed before anything is printed: a bad file prints no observation.
    const observations = ds.parse(body, o.partition === undefined ? { notes } : { partition: o.partition, notes });
    for (const n of notes) console.error(`note: ${n}`);
    writeObservations(observations, o.format);
  });

program
  .command('query')
  .description('read observations back from the store')
  .argument('<dataset>', 'dataset id, e.g. energinet.day_ahead_prices')
  .option('--from <iso>', 'first instant (inclusive), ISO 8601', instant)
  .option('--to <iso>', 'last instant (exclusive), ISO 8601', instant)
  .option('--where <key=value>', 'series dimension filter (repeatable)', keyValue, {})
  .option('--limit <n>', 'at most this many observations (a positive integer)', positiveInteger)
  .option('--as-of <iso>', 'what was known at this instant: values ingested by then, replaced ones from their revisions (vintages)')
  .option('--issued <iso>', 'forecasts: per instant, the issue current at this instant (latest issued at or before it)')
  .addOption(new Option('--format <format>', 'jsonl, csv or table').argParser(format).default('jsonl'))
  .addOption(dataDirOption())
  .addOption(configOption())
  .action(async (dataset: string, o: Common & { from?: Date; to?: Date; where: Record<string, string>; limit?: number; asOf?: string; issued?: string; format: Format }) => {
    if (!isDerivedDataset(dataset)) findDataset(dataset); // an unknown id reads as before: UnknownDatasetError naming the known ones
    const q = observationQuery({ dataset, where: o.where, limit: o.limit, asOf: o.asOf, issued: o.issued });
    await withStore(o, async (store) => {
      const query = { ...q, from: o.from, to: o.to };
      if (o.format === 'jsonl') {
        // Streamed: jsonl needs no header, so rows go out page by page.
        for await (const page of observationPages(store, query)) for (const x of page) process.stdout.write(jsonlLine(x));
        return;
      }
      // csv and table size their columns from every row. Tables show codes where the provider has
      // them (ENTSO-E zones, not EICs); jsonl and csv keep what is stored.
      const provider = isDerivedDataset(dataset) ? undefined : findProvider(findDataset(dataset).provider);
      const display = provider?.displayCodes ? (d: string, v: string) => provider.displayCodes?.(d)?.[v] ?? v : undefined;
      writeObservations(await collectObservations(store, query), o.format, process.stdout, display);
    }, false);
  });

// --- vintages: scalar revisions ---
program
  .command('revisions')
  .description('how values changed over time: each replaced value (old → new), its issue time, when it was ingested and replaced, and its payload')
  .argument('<dataset>', 'dataset id, e.g. energinet.wind_solar_forecast_5min')
  .option('--from <iso>', 'first instant (inclusive), ISO 8601')
  .option('--to <iso>', 'last instant (exclusive), ISO 8601')
  .option('--where <key=value>', 'series dimension filter (repeatable)', (s: string, acc: string[]) => [...acc, s], [] as string[])
  .option('--limit <n>', 'at most this many changes (a positive integer)', positiveInteger)
  .addOption(new Option('--format <format>', 'table, json, jsonl or csv').choices(['table', 'json', 'jsonl', 'csv']).default('table'))
  .addOption(dataDirOption())
  .addOption(configOption())
  .action(async (dataset: string, o: Common & { from?: string; to?: string; where: string[]; limit?: number; format: 'table' | 'json' | 'jsonl' | 'csv' }) => {
    const { changeText, readableInstant, valueChangeToJson, valueChanges } = await import('../app/revisions.ts');
    const ds = findDataset(dataset);
    const changes = await withStore(o, (store) => valueChanges(store, { dataset, from: o.from, to: o.to, where: o.where, limit: o.limit }), false);
    if (o.format === 'json') return void process.stdout.write(`${JSON.stringify(changes.map(valueChangeToJson), null, 2)}\n`);
    if (o.format === 'jsonl') return void changes.forEach((c) => process.stdout.write(`${JSON.stringify(valueChangeToJson(c))}\n`));
    const dims = [...new Set(changes.flatMap((c) => Object.keys(c.series)))].sort();
    if (o.format === 'csv') {
      const cell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
      const iso = (d: Date | null) => (d ? isoUtc(d) : '');
      const num = (x: number | null) => (x === null ? '' : String(x));
      process.stdout.write(`${[...dims, 'ts', 'old', 'new', 'unit', 'old_issued', 'new_issued', 'old_quality', 'new_quality', 'ingested_at', 'replaced_at', 'payload_sha256'].join(',')}\n`);
      for (const c of changes) {
        process.stdout.write(`${[...dims.map((d) => c.series[d] ?? ''), isoUtc(c.ts), num(c.old), num(c.new), c.unit, iso(c.oldIssued), iso(c.newIssued), c.oldQuality ?? '', c.newQuality ?? '', isoUtc(c.ingestedAt), isoUtc(c.replacedAt), c.payloadSha256].map(cell).join(',')}\n`);
      }
      return;
    }
    if (changes.length === 0) return void process.stdout.write(`no revisions of ${ds.id}${o.from || o.to ? ' in that range' : ''}\n`);
    const display = findProvider(ds.provider).displayCodes;
    const shown = (d: string, v: string) => display?.(d)?.[v] ?? v;
    const withIssued = changes.some((c) => c.oldIssued || c.newIssued);
    const withQuality = changes.some((c) => c.oldQuality || c.newQuality);
    const arrow = (a: string, b: string) => (a === b ? a : `${a} → ${b}`);
    writeTable(
      [...dims, 'ts', 'change', 'unit', ...(withIssued ? ['issued'] : []), ...(withQuality ? ['quality'] : []), 'ingested', 'replaced', 'payload'],
      changes.map((c) => [
        ...dims.map((d) => (c.series[d] === undefined ? '' : shown(d, c.series[d]))), isoUtc(c.ts), changeText(c), c.unit,
        ...(withIssued ? [arrow(c.oldIssued ? isoUtc(c.oldIssued) : '-', c.newIssued ? isoUtc(c.newIssued) : '-')] : []),
        ...(withQuality ? [arrow(c.oldQuality ?? '-', c.newQuality ?? '-')] : []),
        readableInstant(c.ingestedAt), readableInstant(c.replacedAt), c.payloadSha256.slice(0, 12),
      ]),
    );
  });
// --- end vintages ---
// --- signals: scalar backtest ---
const backtest = program.command('backtest').description('judge a forecast signal on the store\'s history');
backtest
  .command('imbalance')
  .description('rolling-origin backtest of signals.imbalance_price_forecast: MAE, RMSE and hit rate beside persistence and climatology')
  .option('--zone <zone>', 'zone of the vocabulary (BE, DK1)', 'BE')
  .option('--from <iso>', 'first delivery instant scored (inclusive); default 30 days before --to', instant)
  .option('--to <iso>', 'end (exclusive); default now', instant)
  .addOption(new Option('--format <format>', 'table or json').choices(['table', 'json']).default('table'))
  .addOption(dataDirOption())
  .addOption(configOption())
  .action(async (o: Common & { zone: string; from?: Date; to?: Date; format: 'table' | 'json' }) => {
    const to = o.to ?? new Date();
    const from = o.from ?? new Date(to.getTime() - 30 * 86_400_000);
    const report = await withStore(o, (store) => backtestImbalance({ store, datasets, ctx: signalContext(ZONES, datasets) }, { zone: o.zone, from, to }), false);
    if (o.format === 'json') {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return;
    }
    process.stdout.write(`imbalance-price forecast, ${report.zone}, ${isoUtc(report.from)} – ${isoUtc(report.to)}: ${report.slots} slots scored over ${report.days} days\n`);
    if (report.slots === 0) {
      process.stdout.write('nothing to score: the store holds no imbalance and day-ahead prices of this zone with 28 days of history before the window\n');
      process.exitCode = 1;
      return;
    }
    const n = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : '—');
    writeTable(['model', 'MAE EUR/MWh', 'RMSE EUR/MWh', 'hit rate %'], report.scores.map((s) => [s.model, n(s.mae), n(s.rmse), n(100 * s.hitRate, 1)]));
  });
// --- end signals: scalar backtest ---

// --- completeness: scalar gaps ---
program
  .command('gaps')
  .description('holes in what must exist (one line per contiguous run) and completeness per delivery day, from the ledger')
  .argument('[dataset]', 'dataset id; every tracked dataset when left out')
  .option('--from <iso>', 'first delivery day (inclusive), ISO 8601', instant)
  .option('--to <iso>', 'last delivery day (inclusive), ISO 8601', instant)
  .option('--recount', 'recount the ledger of [--from, --to] from the store first (needs a dataset and both bounds)')
  .addOption(new Option('--format <format>', 'table or json').choices(['table', 'json']).default('table'))
  .addOption(dataDirOption())
  .addOption(configOption())
  .action(async (dataset: string | undefined, o: Common & { from?: Date; to?: Date; recount?: boolean; format: 'table' | 'json' }) => {
    const ds = dataset ? findDataset(dataset) : undefined;
    const day = (d: Date | undefined) => (d ? DateTime.fromJSDate(d, { zone: ds?.window.tz ?? 'UTC' }).toISODate()! : undefined);
    await withStore(o, async (store) => {
      if (o.recount) {
        if (!ds || !o.from || !o.to) throw new ConfigError('--recount needs a dataset, --from and --to');
        if (!ds.expected) throw new ConfigError(`${ds.id} declares no expected slots (Dataset.expected): nothing to count`);
        for (const p of ds.partitions) await recountDays(store, ds, p, deliveryDaysIn({ from: o.from, to: new Date(o.to.getTime() + 1) }, ds.window.tz), new Date());
      }
      const rows = await store.listLedger({ dataset, fromDay: day(o.from), toDay: day(o.to) });
      const report = gapsReport(rows, await store.listKnownGaps(dataset));
      if (o.format === 'json') {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      if (report.holes.length === 0) process.stdout.write('no holes\n');
      else writeTable(['dataset', 'partition', 'day', 'series', 'from', 'to', 'status'], report.holes.map((h) => [h.dataset, h.partition, h.day, h.series, h.from, h.to, h.status]));
      process.stdout.write('\n');
      writeTable(['dataset', 'partition', 'day', 'expected', 'present', 'missing', 'late', 'complete %', 'repair'],
        report.days.map((d) => [d.dataset, d.partition, d.day, String(d.expected), String(d.present), String(d.missing), String(d.late), d.completeness.toFixed(1), d.repair]));
    }, false);
  })
  .command('mark')
  .description('mark a stretch as legitimately empty (an outage, a retired series): gap repair stops chasing it')
  .argument('<dataset>', 'dataset id')
  .requiredOption('--from <iso>', 'start (inclusive), ISO 8601', instant)
  .requiredOption('--to <iso>', 'end (exclusive), ISO 8601', instant)
  .requiredOption('--reason <text>', 'why there is no data')
  .option('--partition <p>', 'only this partition (all when left out)')
  .addOption(dataDirOption())
  .addOption(configOption())
  .action(async (dataset: string, o: Common & { from: Date; to: Date; reason: string; partition?: string }) => {
    findDataset(dataset);
    if (o.to <= o.from) throw new ConfigError('--to must be after --from');
    await withStore(o, async (store) => {
      await store.addKnownGap({ dataset, partition: o.partition ?? null, from: o.from, to: o.to, reason: o.reason, markedAt: new Date() });
      process.stdout.write(`marked ${dataset}${o.partition ? ` ${o.partition}` : ''} ${isoUtc(o.from)}/${isoUtc(o.to)}: ${o.reason}\n`);
    }, false);
  });
// --- end completeness ---

// --- quality: scalar quality ---
program
  .command('quality')
  .description('quality score 0–100 per dataset and delivery day (completeness, timeliness, plausibility, agreement), or with --flags the values plausibility rules flagged')
  .argument('[dataset]', 'dataset id; every dataset with expected slots, plausibility rules or a reconciliation when left out')
  .option('--from <iso>', 'first delivery day (inclusive), ISO 8601; default two days before --to', instant)
  .option('--to <iso>', 'last delivery day (inclusive), ISO 8601; default today', instant)
  .option('--flags', 'list the flagged values instead (one line per value and rule)')
  .option('--rule <rule>', 'with --flags: only this rule (range, jump, capacity, balance)')
  .addOption(new Option('--format <format>', 'table or json').choices(['table', 'json']).default('table'))
  .addOption(dataDirOption())
  .addOption(configOption())
  .action(async (dataset: string | undefined, o: Common & { from?: Date; to?: Date; flags?: boolean; rule?: string; format: 'table' | 'json' }) => {
    if (dataset) findDataset(dataset);
    const to = o.to ?? new Date();
    const from = o.from ?? new Date(to.getTime() - 2 * 86_400_000);
    if (to < from) throw new ConfigError('--to must not be before --from');
    await withStore(o, async (store) => {
      if (o.flags) {
        // Flags of the whole UTC days from..to; a dataset's local day may start a few hours earlier.
        const flags = await qualityFlags(store, { dataset, rule: o.rule, from: DateTime.fromJSDate(from, { zone: 'UTC' }).startOf('day').toJSDate(), to: DateTime.fromJSDate(to, { zone: 'UTC' }).endOf('day').plus({ milliseconds: 1 }).toJSDate() });
        if (o.format === 'json') return void process.stdout.write(`${JSON.stringify(flags.map(flagToJson), null, 2)}\n`);
        if (flags.length === 0) return void process.stdout.write('no flagged values\n');
        writeTable(['dataset', 'series', 'ts', 'value', 'rule', 'detail'], flags.map((f) => [f.dataset, Object.entries(f.series).map(([k, v]) => `${k}=${v}`).join(','), isoUtc(f.ts), String(f.value), f.rule, f.detail]));
        return;
      }
      const days = await qualityDays(store, datasets, { dataset, from, to });
      if (o.format === 'json') return void process.stdout.write(`${JSON.stringify(qualityToJson(days), null, 2)}\n`);
      if (days.length === 0) return void process.stdout.write('nothing measured in that range\n');
      const cell = (v: number | null) => (v === null ? '-' : (v * 100).toFixed(1));
      writeTable(['dataset', 'day', 'score', 'complete %', 'on time %', 'plausible %', 'agree %', 'left out (weights renormalised)'],
        days.map((d) => [d.dataset, d.day, d.score === null ? '-' : d.score.toFixed(1), cell(d.components.completeness), cell(d.components.timeliness), cell(d.components.plausibility), cell(d.components.agreement), d.absent.join(', ') || '-']));
      process.stdout.write(`\nscore = 100 × Σ weight × component / Σ weight over the measured components; weights ${Object.entries(WEIGHTS).map(([k, w]) => `${k} ${w}`).join(', ')}\n`);
    }, false);
  });
// --- end quality ---
// --- reconciliation: scalar reconcile ---
program
  .command('reconcile')
  .description('the same quantity from several providers compared per slot: agreement %, the largest differences, late or missing sources; stores the agreement per day as reconciliation.agreement')
  .argument('[check]', `check id (${RECONCILIATION_CHECKS.map((c) => c.id).join(', ')}); every check when left out`)
  .option('--from <iso>', 'start (inclusive), ISO 8601; default: three days ago (UTC midnight)', instant)
  .option('--to <iso>', 'end (exclusive), ISO 8601; default: the end of tomorrow (UTC)', instant)
  .addOption(new Option('--format <format>', 'table or json').choices(['table', 'json']).default('table'))
  .addOption(dataDirOption())
  .addOption(configOption())
  .action(async (check: string | undefined, o: Common & { from?: Date; to?: Date; format: 'table' | 'json' }) => {
    if (check) findCheck(check);
    const { from, to } = reconcileRange(o.from, o.to);
    await withStore(o, async (store) => {
      const results = await reconcile(store, { ...(check ? { check } : {}), from, to, persist: true });
      if (o.format === 'json') {
        process.stdout.write(`${JSON.stringify(results.map(reconciliationToJson), null, 2)}\n`);
        return;
      }
      writeReconciliation(results, process.stdout);
    }, false);
  });
// --- end reconciliation ---

program
  .command('zones')
  .description('the bidding-zone vocabulary every provider\'s area codes map to (the `zone` dimension)')
  .option('--unknown', 'instead: provider codes in the store that map to no zone, one line per (dataset, code)')
  .addOption(dataDirOption())
  .addOption(configOption())
  .action(async (o: Common & { unknown?: boolean }) => {
    if (!o.unknown) {
      const day = (d?: Date) => (d ? d.toISOString().slice(0, 10) : '');
      writeTable(['zone', 'eic', 'name', 'country', 'time zone', 'valid from', 'valid to'],
        ZONES.map((z) => [z.code, z.eic, z.name, z.country, z.timeZone, day(z.validFrom), day(z.validTo)]));
      return;
    }
    const unknown = await withStore(o, async (store) => {
      const byKey = new Map<string, string[]>();
      for (const { dataset, series } of (await store.listAllSeries?.()) ?? []) {
        const mapping = ZONE_MAPPINGS[findDatasetOrUndefined(dataset)?.provider ?? ''];
        for (const u of mapping ? unknownCodes(mapping, series) : []) byKey.set(`${dataset}\u0000${u.code}`, [dataset, u.dimension, u.code]);
      }
      return [...byKey.values()];
    }, false);
    if (unknown.length === 0) process.stdout.write('every provider code in the store maps to a zone\n');
    else writeTable(['dataset', 'dimension', 'code'], unknown);
  });

program
  .command('sql')
  .description('run one read-only query (SELECT, WITH, SHOW, DESCRIBE, EXPLAIN) against the store, e.g. on the v_<provider>_<dataset> views')
  .argument('<query>', 'the SQL text')
  .addOption(new Option('--format <format>', 'jsonl, csv or table').argParser(format).default('table'))
  .addOption(dataDirOption())
  .addOption(configOption())
  .action(async (query: string, o: Common & { format: Format }) => {
    const { checkReadOnlyStatement, openReadOnlySql } = await import('../shared/store/read-only-sql.ts');
    const sql = checkReadOnlyStatement(query);
    const conn = await openReadOnlySql(configFrom(o).storeUrl, { sandboxed: true });
    try {
      const n = await writeRows(conn.rows(sql), o.format);
      if (n === 0 && o.format === 'table') process.stdout.write('(no rows)\n');
    } catch (e) {
      throw new ConfigError(`query failed: ${(e as Error).message.split('\n')[0]}`);
    } finally {
      await conn.close();
    }
  });

program
  .command('export')
  .description('write one dataset\'s observations (the analyst view\'s columns) to a CSV or Parquet file, streamed')
  .argument('<dataset>', 'dataset id, e.g. entsoe.day_ahead_prices')
  .option('--from <iso>', 'first instant (inclusive), ISO 8601', instant)
  .option('--to <iso>', 'last instant (exclusive), ISO 8601', instant)
  .option('--where <key=value>', 'series dimension filter (repeatable)', keyValue, {})
  .addOption(new Option('--format <format>', 'csv or parquet').choices(['csv', 'parquet']).makeOptionMandatory())
  .requiredOption('--out <file>', 'file to write (replaced once complete)')
  .addOption(dataDirOption())
  .addOption(configOption())
  .action(async (dataset: string, o: Common & { from?: Date; to?: Date; where: Record<string, string>; format: ExportFormat; out: string }) => {
    const ds = findDataset(dataset);
    const provider = findProvider(ds.provider);
    const view = analystViews([provider]).find((v) => v.dataset === ds.id)!;
    const where = Object.fromEntries(Object.entries(o.where).map(([k, v]) => [k, provider.normalizeFilter?.(k, v) ?? v]));
    const { openReadOnlySql } = await import('../shared/store/read-only-sql.ts');
    const { exportObservations } = await import('../ingestion/export.ts');
    const conn = await openReadOnlySql(configFrom(o).storeUrl);
    try {
      const n = await exportObservations(conn, { view, from: o.from, to: o.to, where, format: o.format, file: o.out });
      process.stdout.write(`${ds.id}: ${n} rows written to ${o.out} (${o.format})\n`);
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      throw new ConfigError(`export of ${ds.id} failed: ${(e as Error).message.split('\n')[0]} (an older store may lack the view ${view.name}: scalar db migrate)`);
    } finally {
      await conn.close();
    }
  });

program
  .command('backfill')
  .description('fetch a past range of a dataset window by window (resumable: windows landed before are skipped); exits 1 when a window failed')
  .argument('<dataset>', 'dataset id, e.g. energinet.day_ahead_prices')
  .requiredOption('--from <iso>', 'first instant (inclusive), ISO 8601', instant)
  .requiredOption('--to <iso>', 'last instant (exclusive), ISO 8601', instant)
  .option('--partition <p>', 'only this partition (repeatable; default every partition)', (s: string, acc: string[]) => [...acc, s], [] as string[])
  .option('--simulate', 'fetch from the provider\'s simulator (offline); SCALAR_<PROVIDER>_URL points elsewhere')
  .addOption(dataDirOption())
  .addOption(configOption())
  .action(async (dataset: string, o: Common & { from: Date; to: Date; partition: string[]; simulate?: boolean }) => {
    const report = await backfillCommand(configFrom(o), { dataset, range: { from: o.from, to: o.to }, partitions: o.partition, simulate: o.simulate === true });
    if (report.counts.failed > 0) process.exitCode = 1;
  });

program
  .command('datasets')
  .description('the catalogue: every dataset, its provider, cadence, resolution, unit, dimensions, and whether it runs here')
  .addOption(dataDirOption())
  .addOption(configOption())
  .option('--env <environment>', 'environment whose worker_config to show')
  .addOption(new Option('--format <format>', 'table or json').choices(['table', 'json']).default('table'))
  .option('--reference', 'also print each provider\'s reference tables (areas, production types)')
  .action(async (o: Common & { reference?: boolean; format: 'table' | 'json' }) => {
    const env = configFrom(o).env;
    // With a store, what worker_config says now (toggles included); without one, the seeds it would start with.
    const workerRows = await withStore(o, async (store) => {
      await seedWorkers(store, env);
      return store.listWorkerConfig(env);
    }, false).catch((e: unknown) => {
      if (!(e instanceof NoStoreError)) throw e;
      process.stderr.write(`scalar: ${e.message.replace(/ \(nothing created.*$/, '')}: showing the worker seeds of ${env} (nothing created)\n`);
      return environmentSeeds(env);
    });
    {
      const enabled = new Map(workerRows.map((w) => [w.workerId, w.enabled]));
      if (o.format === 'json') {
        const rows = datasets.map((d) => ({
          id: d.id, provider: d.provider, title: d.title, cadence: d.cadence, resolution: d.resolution, unit: d.unit,
          dimensions: d.dimensions, optionalDimensions: d.optionalDimensions ?? [], partitions: d.partitions,
          environment: env, enabled: enabled.get(d.id) ?? null,
        }));
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      writeTable(
        ['id', 'provider', 'cadence', 'resolution', 'unit', 'dimensions', 'partitions', `enabled (${env})`],
        datasets.map((d) => [d.id, d.provider, d.stream ? 'live stream' : cadenceText(d.cadence), d.resolution, d.unit,
          [...d.dimensions, ...(d.optionalDimensions ?? []).map((x) => `[${x}]`)].join(' '),
          d.partitions.length > 6 ? `${d.partitions.length} (${d.partitions.slice(0, 3).join(' ')} …)` : d.partitions.join(' '),
          enabled.has(d.id) ? (enabled.get(d.id) ? 'yes' : 'no') : 'not configured']),
      );
      // signals: the derived datasets, with the inputs their quantities resolve to here.
      process.stdout.write('\nSignals (derived datasets, written by the signals role)\n');
      const listed = (ids: string[]) => (ids.length === 0 ? '(none tagged)' : ids.length > 4 ? `${ids.slice(0, 4).join(' ')} … (${ids.length})` : ids.join(' '));
      const described = new Map(buildSignals(datasets).map((sg) => [sg.id, sg]));
      writeTable(['id', 'resolution', 'unit', 'dimensions', 'inputs'], [...described.values()].map((sg) => [
        sg.id, sg.resolution, sg.unit, sg.dimensions.join(' '), listed([...new Set(sg.inputs.map((i) => i.dataset))]),
      ]));
      for (const p of o.reference ? providers : []) {
        for (const t of p.reference ?? []) {
          process.stdout.write(`\n${t.title}\n`);
          writeTable(t.header, t.rows);
        }
      }
    }
  });

const workers = program.command('workers').description('acquisition workers per environment (worker_config)');
for (const action of ['list', 'enable', 'disable'] as const) {
  const cmd = workers
    .command(action)
    .description(action === 'list' ? 'list workers and their state' : `${action} a worker; a running scheduler picks it up without a restart`)
    .option('--env <environment>', 'environment (default development or SCALAR_ENV)')
    .addOption(dataDirOption())
    .addOption(configOption());
  if (action === 'list') cmd.addOption(new Option('--format <format>', 'table or json').choices(['table', 'json']).default('table'));
  if (action !== 'list') cmd.argument('<id>', 'worker id (the dataset id)');
  cmd.action(async (...args: unknown[]) => {
    const id = action === 'list' ? undefined : (args[0] as string);
    const o = (action === 'list' ? args[0] : args[1]) as Common & { format?: 'table' | 'json' };
    await withStore(o, async (store, env) => {
      const seed = () => seedWorkers(store, env);
      if (id !== undefined) {
        await setWorker(store, env, id, action === 'enable', seed).catch((e: unknown) => {
          throw e instanceof ParameterError ? new ConfigError(e.message.slice('id: '.length)) : e;
        });
        process.stdout.write(`${id} ${action}d in ${env}\n`);
        return;
      }
      const list = await listWorkers(store, env, seed);
      if (o.format === 'json') {
        const rows = list.map((w) => ({
          worker: w.workerId, environment: w.environment, enabled: w.enabled, parameters: w.parameters,
          watermarks: w.watermarks.map((m) => ({ partition: m.partition, watermark: isoUtc(m.watermark) })),
        }));
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      writeTable(
        ['worker', 'environment', 'enabled', 'parameters', 'watermarks'],
        list.map((w) => [
          w.workerId,
          w.environment,
          w.enabled ? 'yes' : 'no',
          JSON.stringify(w.parameters),
          w.watermarks.map((m) => `${m.partition}@${isoUtc(m.watermark)}`).join(' '),
        ]),
      );
    }, action !== 'list');
  });
}

/**
 * Warns when no worker is enabled in the environment, and refuses to start when nothing could ever
 * run: no enabled worker, an embedded store (locked by this process, so nobody can enable one) and
 * no other process able to feed ingestion (role acquisition, or the in-process bus).
 */
async function checkSomethingCanRun(platform: Platform, env: string, role: string): Promise<void> {
  if (role === 'ingestion' || role === 'signals' /* signals: role */ || role === 'execution' /* execution: role */) {
    if (!platform.bus.drain) return;
    await platform.close();
    throw new ConfigError('nothing to run: ingestion alone on the in-process bus (memory:) never receives a message; use --role all or a shared bus (SCALAR_BUS_URL)');
  }
  if ((await platform.store.listWorkerConfig(env)).some((w) => w.enabled)) return;
  const hint = `no enabled worker in environment ${env} (no seed in deployment/workers/${env}.yaml and none enabled in worker_config; scalar workers enable <id> --env ${env})`;
  if (platform.config.storeUrl.startsWith('duckdb:') && (role === 'acquisition' || platform.bus.drain)) {
    await platform.close();
    throw new ConfigError(`nothing to run: ${hint}`);
  }
  platform.log.warn(`${hint}; acquisition idles until one is enabled`);
}

program
  .command('start')
  .description('the long-running service')
  .addOption(new Option('--role <role>', 'which roles to run (all serves the API too when --port is given)').choices(['all', 'acquisition', 'ingestion', 'signals', 'execution', 'api']).default('all'))
  .option('--port <port>', 'serve the HTTP API and web view on this port (role api: default 8080)', port)
  .option('--host <host>', 'address the API listens on', '127.0.0.1')
  // execution: role
  .addOption(new Option('--clock <clock>', 'execution: wall (orders placed when seen) or replay (at each strategy\'s decision time)').choices(['wall', 'replay']).default('wall'))
  .option('--intraday-prices <dataset>', 'execution: dataset of intraday trade prints (zone, ts = delivery start, issued = trade time)')
  // execution: end
  .addOption(configOption())
  .addOption(dataDirOption())
  .action(async (o: Common & { role: string; port?: number; host: string; clock: 'wall' | 'replay'; intradayPrices?: string }) => {
    const config = configFrom(o);
    const platform = await openPlatform(config);
    await seedWorkers(platform.store, config.env, platform.log);
    const log = platform.log;
    if (o.role !== 'api') await checkSomethingCanRun(platform, config.env, o.role);
    const apiPort = o.port ?? (o.role === 'api' ? 8080 : undefined);
    const api = apiPort === undefined ? null : await (await import('./api-role.ts')).startApiRole(platform, apiPort, o.host);
    if (api) log.info({ url: api.url }, `API and web view at ${api.url}`);
    else if (o.role === 'api') {
      await platform.close();
      throw new ConfigError(`the API could not listen on ${o.host}:${apiPort}`);
    }
    const roles = await startRoles(platform, {
      drainTimeoutMs: STOP_DRAIN_MS,
      owner: instanceIdentity(config),
      acquisition: o.role === 'all' || o.role === 'acquisition',
      ingestion: o.role === 'all' || o.role === 'ingestion',
      signals: o.role === 'all' || o.role === 'signals', // signals: role
      // execution: role
      execution: o.role === 'all' || o.role === 'execution',
      executionClock: o.clock,
      intradayPrices: o.intradayPrices ? [{ dataset: o.intradayPrices }] : undefined,
      // execution: end
      onAcquisition: (e) => {
        if (e.type === 'published') log.info({ ...e, window: undefined, from: isoUtc(e.window.from), to: isoUtc(e.window.to) }, 'published');
        else if (e.type === 'workers') log.info({ enabled: e.enabled }, 'workers');
        else if (e.type === 'no-data-yet') log.info({ ...e, window: undefined, from: isoUtc(e.window.from), to: isoUtc(e.window.to) }, 'not published yet');
        else if (e.type === 'worker-stopped') log.error({ dataset: e.dataset, partition: e.partition, error: e.error }, 'worker stopped');
      },
      onIngestion: (e) => {
        if (e.type === 'landed') log.info({ dataset: e.dataset, partition: e.partition, rows: e.rows, from: isoUtc(e.window.from), to: isoUtc(e.window.to), lagMs: e.lagMs }, 'landed');
        else if (e.type === 'dead-lettered') log.warn({ ...e, window: undefined }, 'dead-lettered');
      },
    });
    const health = config.healthPort > 0 ? await serveHealth(config.healthPort, roles.readiness, telemetry().prometheus, log) : null;
    log.info({ role: o.role, env: config.env, store: config.storeUrl, bus: config.busUrl }, 'started');
    // A bus that cannot go on ends the process non-zero (a supervisor restarts it): never alive and dead.
    const fatal = await new Promise<Error | null>((resolve) => {
      // Signal listeners do not keep Node alive: without this an idle service would exit (code 13) by itself.
      const alive = setInterval(() => undefined, 60_000);
      const done = (e: Error | null) => {
        clearInterval(alive);
        resolve(e);
      };
      process.once('SIGINT', () => done(null));
      process.once('SIGTERM', () => done(null));
      void platform.bus.failed?.then(done);
    });
    if (fatal) {
      log.fatal(`cannot go on: ${errorMessage(fatal)}; exiting`);
      // Bounded: a stop that waits on the dead connection must not keep the process alive.
      setTimeout(() => process.exit(70), 10_000).unref();
      process.exitCode = 70;
    } else {
      log.info('stopping');
      exitOnSecondSignal();
    }
    await health?.close();
    await api?.close();
    await roles.stop();
    await platform.close().catch(() => undefined);
  });

program
  .command('reprocess')
  .description('re-parse kept raw payloads into the store, without calling the provider')
  .argument('<dataset>', 'dataset id')
  .option('--from <iso>', 'first instant (inclusive)', instant)
  .option('--to <iso>', 'last instant (exclusive)', instant)
  .addOption(dataDirOption())
  .addOption(configOption())
  .action(async (dataset: string, o: Common & { from?: Date; to?: Date }) => {
    const ds = findDataset(dataset);
    const config = configFrom(o);
    await withStore(o, async (store) => {
      const zones = annotateZones((u) => process.stderr.write(`  unknown zone code ${u.code} in ${u.dataset} (${u.dimension})\n`));
      const r = await reprocess({ store, archive: fileArchive(join(config.dataDir, 'raw')), annotateZones: zones }, ds, { from: o.from, to: o.to }, {
        batchRows: config.ingestion.batchRows,
        onProgress: (done, total, rows) => process.stderr.write(`\r  ${done}/${total} payloads, ${rows} rows`),
      });
      process.stderr.write('\n');
      process.stdout.write(`${dataset}: ${r.payloads} payloads re-parsed, ${r.rows} rows upserted, ${r.failed.length} failed\n`);
      for (const f of r.failed) process.stdout.write(`  failed ${f.sha256.slice(0, 12)} ${f.window}: ${f.error}\n`);
      if (r.failed.length > 0) process.exitCode = 1;
    });
  });

program
  .command('db')
  .description('database administration')
  .command('migrate')
  .description('create or update the schema of the configured store (deployment/sql/<dialect>/ for SQL stores)')
  .addOption(dataDirOption())
  .addOption(configOption())
  .action(async (o: Common) => {
    // Opening a store applies its pending migrations.
    await withStore(o, async (store) => {
      await store.migrate();
      await syncZones(store);
      await store.replaceViews?.(analystViews(providers));
      process.stdout.write(`schema and analyst views up to date (${configFrom(o).storeUrl.replace(/\/\/([^:@/]*):[^@]*@/, '//$1:***@')})\n`);
    });
  });

program
  .command('pulsar')
  .description('Apache Pulsar administration')
  .command('init')
  .description('create the tenant, a namespace per environment (de-duplication, retention) and the provider topics')
  .option('--admin-url <url>', 'Pulsar admin REST API (default: the bus host on port 8080)')
  .option('--tenant <tenant>', 'tenant', 'scalar')
  .option('--cluster <name>', 'cluster the tenant may use', 'standalone')
  .option('--envs <list>', 'environments (comma-separated)', 'development,production')
  .addOption(configOption())
  .action(async (o: Common & { adminUrl?: string; tenant: string; cluster: string; envs: string }) => {
    const { pulsarInit, pulsarInitPlan } = await import('../shared/bus/pulsar.ts');
    const bus = configFrom(o).busUrl;
    const admin = o.adminUrl ?? (bus.startsWith('pulsar') ? `http://${new URL(bus).hostname}:8080` : 'http://127.0.0.1:8080');
    const plan = pulsarInitPlan({ tenant: o.tenant, environments: o.envs.split(',').map((e) => e.trim()).filter(Boolean), topics: providers.map((p) => p.id), cluster: o.cluster, retentionMinutes: 7 * 24 * 60, retentionMb: 4096 });
    await pulsarInit(admin, plan, (l) => process.stdout.write(`${l}\n`));
  });

const deadLetters = program.command('dead-letters').description('payloads that could not be landed, and re-driving them once the cause is fixed');
deadLetters
  .command('list')
  .description('dead letters, newest first')
  .option('--dataset <id>', 'only this dataset')
  .option('--since <iso>', 'recorded at or after this instant', instant)
  .option('--all', 'include those already replayed')
  .addOption(dataDirOption())
  .addOption(configOption())
  .action(async (o: Common & { dataset?: string; since?: Date; all?: boolean }) => {
    await withStore(o, async (store) => {
      const rows = await store.listDeadLetters({ dataset: o.dataset, since: o.since, limit: 1000, notReplayed: !o.all });
      writeTable(['id', 'at', 'dataset', 'window', 'sha256', 'replayed', 'reason'], rows.map((d) => [
        String(d.id ?? '-'), isoUtc(d.at), d.dataset ?? '-', d.windowFrom ? `${isoUtc(d.windowFrom)}/${isoUtc(d.windowTo!)}` : '-',
        d.sha256?.slice(0, 12) ?? '-', d.replayedAt ? isoUtc(d.replayedAt) : '-', d.reason.slice(0, 100),
      ]));
    });
  });
deadLetters
  .command('replay')
  .description('land dead-lettered payloads again from the raw archive (after a parser fix); replayed ones are marked')
  .option('--dataset <id>', 'only this dataset')
  .option('--since <iso>', 'recorded at or after this instant', instant)
  .addOption(dataDirOption())
  .addOption(configOption())
  .action(async (o: Common & { dataset?: string; since?: Date }) => {
    const { replayDeadLetters } = await import('../ingestion/replay.ts');
    const config = configFrom(o);
    await withStore(o, async (store) => {
      const r = await replayDeadLetters({ store, archive: fileArchive(join(config.dataDir, 'raw')), findDataset }, { dataset: o.dataset, since: o.since });
      process.stdout.write(`${r.replayed.length} replayed (${r.replayed.reduce((n, x) => n + x.rows, 0)} rows), ${r.failed.length} still failing, ${r.skipped.length} without a payload\n`);
      for (const f of r.failed) process.stdout.write(`  still failing ${f.dead.dataset} ${f.dead.sha256?.slice(0, 12)}: ${f.error}\n`);
      if (r.failed.length > 0) process.exitCode = 1;
    });
  });

// --- execution: scalar orders | positions | pnl ---
const deskFormat = () => new Option('--format <format>', 'table, json, jsonl or csv').choices(['table', 'json', 'jsonl', 'csv']).default('table');

async function writeDeskRows(rows: readonly DeskRow[], format: 'table' | 'json' | 'jsonl' | 'csv', empty: string): Promise<void> {
  if (format === 'json') return void process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  if (rows.length === 0 && format === 'table') return void process.stdout.write(`${empty}\n`);
  await writeRows((async function* () { yield* rows; })(), format);
}

program
  .command('orders')
  .description('the paper-trading desk\'s orders: open, filled, expired, rejected (with the reason) or cancelled')
  .option('--book <book>', 'one book (strategy)')
  .option('--status <status>', `only this status (${ORDER_STATUSES.join(', ')})`)
  .option('--limit <n>', 'the latest n by delivery', positiveInteger)
  .addOption(deskFormat())
  .addOption(dataDirOption())
  .addOption(configOption())
  .action(async (o: Common & { book?: string; status?: string; limit?: number; format: 'table' | 'json' | 'jsonl' | 'csv' }) => {
    const status = parseOrderStatus(o.status);
    await withStore(o, async (store) => {
      const rows = await deskOrders(store, { book: o.book, status, limit: o.limit });
      await writeDeskRows(o.format === 'table' ? rows.map(({ gate_closure: _g, ...r }) => ({ ...r, source: String(r.source).slice(0, 60) })) : rows, o.format, 'no orders');
    }, false);
  });

for (const [name, what] of [['positions', 'positions (per product and side, average price)'], ['pnl', 'P&L (marked to market; settled against the imbalance price where published)']] as const) {
  program
    .command(name)
    .description(`the paper-trading desk's ${what}, live or an end-of-day snapshot`)
    .option('--book <book>', 'one book (strategy)')
    .option('--by <dimensions>', `aggregate by these, comma-separated (${DESK_DIMENSIONS.join(', ')}); default: all`)
    .option('--snapshot <day>', 'an end-of-day snapshot (YYYY-MM-DD, Brussels desk day) instead of live')
    .addOption(deskFormat())
    .addOption(dataDirOption())
    .addOption(configOption())
    .action(async (o: Common & { book?: string; by?: string; snapshot?: string; format: 'table' | 'json' | 'jsonl' | 'csv' }) => {
      const by = parseGroupBy(o.by);
      if (o.snapshot !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(o.snapshot)) throw new ConfigError('--snapshot: a desk day YYYY-MM-DD');
      await withStore(o, async (store) => {
        const q = { book: o.book, by, snapshot: o.snapshot };
        await writeDeskRows(name === 'positions' ? await deskPositions(store, q) : await deskPnl(store, q), o.format, `no ${name}`);
      }, false);
    });
}
// --- end execution ---

program
  .command('status')
  .description('watermarks, recent fetch failures and dead letters')
  .addOption(new Option('--format <format>', 'table or json').choices(['table', 'json']).default('table'))
  .addOption(dataDirOption())
  .addOption(configOption())
  .action(async (o: Common & { format: 'table' | 'json' }) => {
    await withStore(o, async (store) => {
      const status = await readStatus(store);
      if (o.format === 'json') {
        const iso = (d: Date | null | undefined) => (d ? isoUtc(d) : null);
        process.stdout.write(`${JSON.stringify({
          watermarks: status.watermarks.map((w) => ({ dataset: w.dataset, partition: w.partition, watermark: isoUtc(w.watermark), updatedAt: isoUtc(w.updatedAt) })),
          recentFailures: status.failures.map((f) => ({ at: isoUtc(f.at), dataset: f.dataset, partition: f.partition, status: f.status, error: f.error })),
          deadLetters: status.deadLetters.map((d) => ({ at: isoUtc(d.at), dataset: d.dataset, windowFrom: iso(d.windowFrom), windowTo: iso(d.windowTo), reason: d.reason })),
        }, null, 2)}\n`);
        return;
      }
      process.stdout.write('watermarks\n');
      writeTable(['dataset', 'partition', 'watermark', 'updated'], status.watermarks.map((w) => [w.dataset, w.partition, isoUtc(w.watermark), isoUtc(w.updatedAt)]));
      process.stdout.write('\nrecent failed requests\n');
      writeTable(['at', 'dataset', 'partition', 'status', 'error'], status.failures.map((f) => [isoUtc(f.at), f.dataset, f.partition, String(f.status ?? '-'), (f.error ?? '').slice(0, 80)]));
      process.stdout.write('\ndead letters\n');
      writeTable(['at', 'dataset', 'window', 'reason'], status.deadLetters.map((d) => [isoUtc(d.at), d.dataset ?? '-', d.windowFrom ? `${isoUtc(d.windowFrom)}/${isoUtc(d.windowTo!)}` : '-', d.reason.slice(0, 100)]));
    }, false);
  });

program
  .command('health')
  .description('provider connectivity from fetch_log: availability, latency, last success and error; exits 3 when a provider is down')
  .option('--provider <id>', 'only this provider (repeatable)', (s: string, acc: string[]) => [...acc, findProvider(s).id], [] as string[])
  .option('--since <span>', 'span of the latency percentiles, e.g. 1h or 7d (availability is always over the last hour and day)', (s: string) => {
    try {
      return parseSpan(s);
    } catch (e) {
      throw new InvalidArgumentError((e as Error).message);
    }
  }, 86_400_000)
  .addOption(new Option('--format <format>', 'table or json').choices(['table', 'json']).default('table'))
  .addOption(dataDirOption())
  .addOption(configOption())
  .action(async (o: Common & { provider: string[]; since: number; format: 'table' | 'json' }) => {
    const byDataset = new Map(datasets.map((d) => [d.id, d.provider]));
    await withStore(o, async (store) => {
      process.exitCode = await runHealth(store, {
        providers: o.provider.length > 0 ? o.provider : providers.map((p) => p.id),
        sinceMs: o.since,
        format: o.format,
        // Dataset ids are `<provider>.<name>`; the prefix names the provider of a dataset no longer registered.
        providerOf: (d) => byDataset.get(d) ?? d.split('.')[0]!,
      });
    }, false);
  });

// `scalar query ... | head` closes stdout early; that is the reader's choice, not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

try {
  await program.parseAsync(process.argv);
} catch (e) {
  const known = e instanceof ConfigError || e instanceof ParameterError || e instanceof ConnectionError || e instanceof ParseError || e instanceof ValidationError || e instanceof UnknownDatasetError || e instanceof SourceUnavailableError;
  process.stderr.write(`scalar: ${redact(known ? errorMessage(e) : (e as Error).stack ?? String(e))}\n`);
  // Exit now: a half-opened client (a server that never answered) must not keep the process alive.
  process.exit(e instanceof ConfigError ? 2 : 1);
}
