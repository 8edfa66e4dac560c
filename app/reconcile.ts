// `scalar reconcile` and GET /api/reconcile: the same quantity from several providers, compared per
// slot (completeness/reconcile.ts) for every check and zone (providers/reconciliation.ts). Results
// are stored as ordinary observations of `reconciliation.agreement` (P1D, %, one per check, zone,
// compared dataset and local delivery day) and the last agreement per check and zone is a gauge.
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { deliveryDay, deliveryDaysIn } from '../completeness/expected-slots.ts';
import { compareSources, largestDifferences, summarize, type Difference, type SourceSummary, type Tolerance } from '../completeness/reconcile.ts';
import { checkSources, findCheck, RECONCILIATION_CHECKS, zoneTimeZone, type ReconciliationCheck } from '../providers/reconciliation.ts';
import { seriesCarries } from '../shared/measures.ts';
import { recordAgreement } from '../shared/metrics.ts';
import { seriesKey, type Observation } from '../shared/observation.ts';
import type { Logger } from '../shared/log.ts';
import type { Store } from '../shared/store/index.ts';
import { isoUtc, parseInstant } from '../shared/time.ts';
import { ParameterError } from '../shared/errors.ts';

/** The dataset reconciliation results are stored under (quality scores read exactly this shape). */
export const RECONCILIATION_DATASET = 'reconciliation.agreement';

export type SourceStatus = 'ok' | 'disagrees' | 'late' | 'missing' | 'no data';
export type SourceReport = SourceSummary & { status: SourceStatus };
export type DayAgreement = { day: string; source: string; agreement: number; compared: number };

export type ZoneReconciliation = {
  check: string;
  title: string;
  zone: string;
  timeZone: string;
  unit: string;
  tolerance: Tolerance;
  /** The comparison grid (coarsest source resolution), null when no source had rows. */
  resolution: string | null;
  compared: number;
  agreement: number | null;
  sources: SourceReport[];
  largest: Difference[];
  days: DayAgreement[];
};

export type ReconcileOptions = {
  /** One check id; every check when unset. */
  check?: string;
  from: Date;
  to: Date;
  /** Store the per-day agreement as observations and set the gauge (the CLI); a GET only reads. */
  persist?: boolean;
  /** How many of the largest differences to report per zone. */
  largest?: number;
};

function status(s: SourceSummary, othersHaveData: boolean): SourceStatus {
  if (s.slots === 0) return othersHaveData ? 'missing' : 'no data';
  if (s.late > 0) return 'late';
  if (s.missing > 0) return 'missing';
  return s.agreement !== null && s.agreement < 100 ? 'disagrees' : 'ok';
}

async function reconcileZone(store: Store, check: ReconciliationCheck, zone: string, o: ReconcileOptions): Promise<ZoneReconciliation> {
  const tz = zoneTimeZone(zone);
  const sources = [];
  for (const s of checkSources(check, zone)) {
    const rows = await store.queryObservations({ dataset: s.dataset.id, from: o.from, to: o.to, where: s.where });
    const carried = rows.filter((r) => s.measures.some((m) => seriesCarries(m, r.series) && (m.unit === undefined || r.unit === m.unit)));
    sources.push({ id: s.dataset.id, rows: carried, ...(s.measures.some((m) => m.aggregate === 'sum') ? { aggregate: 'sum' as const } : {}) });
  }
  const c = compareSources({ unit: check.unit, tolerance: check.tolerance, from: o.from, to: o.to, sources });
  const anyData = c.sources.some((s) => s.slots > 0);
  const days: DayAgreement[] = [];
  for (const day of deliveryDaysIn({ from: o.from, to: o.to }, tz)) {
    const range = deliveryDay(day, tz);
    const inDay = c.slots.filter((s) => s.ts >= range.from && s.ts < range.to);
    for (const src of sources) {
      const d = summarize(src.id, inDay);
      if (d.agreement !== null) days.push({ day, source: src.id, agreement: d.agreement, compared: d.compared });
    }
  }
  return {
    check: check.id,
    title: check.title,
    zone,
    timeZone: tz,
    unit: check.unit,
    tolerance: check.tolerance,
    resolution: c.resolution,
    compared: c.compared,
    agreement: c.agreement,
    sources: c.sources.map((s) => ({ ...s, status: status(s, anyData) })),
    largest: largestDifferences(c, o.largest ?? 5),
    days,
  };
}

/** The stored rows of one zone's result: one per (compared dataset, delivery day) that had slots to compare. */
export function agreementObservations(r: ZoneReconciliation): Observation[] {
  return r.days.map((d) => ({
    dataset: RECONCILIATION_DATASET,
    series: { check: r.check, zone: r.zone, source: d.source },
    // The delivery day's local midnight, in UTC.
    ts: deliveryDay(d.day, r.timeZone).from,
    resolution: 'P1D',
    value: d.agreement,
    unit: '%',
  }));
}

/** Runs the checks over [from, to); with `persist`, stores the per-day agreement and sets the gauge. */
export async function reconcile(store: Store, o: ReconcileOptions): Promise<ZoneReconciliation[]> {
  const checks = o.check ? [findCheck(o.check)] : RECONCILIATION_CHECKS;
  const out: ZoneReconciliation[] = [];
  for (const check of checks) for (const zone of check.zones) out.push(await reconcileZone(store, check, zone, o));
  if (o.persist) {
    const rows = out.flatMap(agreementObservations);
    // A derivation, not a provider payload: the hash of what it concluded, so a rerun with the same result is the same version.
    const sha = createHash('sha256').update(JSON.stringify(rows.map((r) => [r.series, r.ts.getTime(), r.value]))).digest('hex');
    await store.upsertObservations(rows.map((r) => ({ ...r, seriesKey: seriesKey(r.series), payloadSha256: sha })));
    for (const r of out) if (r.agreement !== null) recordAgreement(r.check, r.zone, r.agreement / 100);
  }
  return out;
}

/** The default range: three days back to the end of tomorrow (UTC days), around `now`. */
export function reconcileRange(from: Date | undefined, to: Date | undefined, now = new Date()): { from: Date; to: Date } {
  const today = DateTime.fromJSDate(now, { zone: 'UTC' }).startOf('day');
  const range = { from: from ?? today.minus({ days: 3 }).toJSDate(), to: to ?? today.plus({ days: 2 }).toJSDate() };
  if (range.to <= range.from) throw new ParameterError('to', 'must be after from');
  return range;
}

/** The API's query string: typed errors naming the parameter. */
export function reconcileParameters(p: { check?: string; from?: string; to?: string }): ReconcileOptions {
  const instant = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    try {
      return parseInstant(v);
    } catch (e) {
      throw new ParameterError(name, (e as Error).message);
    }
  };
  if (p.check !== undefined && !RECONCILIATION_CHECKS.some((c) => c.id === p.check)) {
    throw new ParameterError('check', `unknown check ${p.check} (known: ${RECONCILIATION_CHECKS.map((c) => c.id).join(', ')})`);
  }
  return { ...(p.check ? { check: p.check } : {}), ...reconcileRange(instant('from', p.from), instant('to', p.to)) };
}

/** A slot's start in the zone's local time, for people: `2025-11-20 17:00 +01:00`. */
export const localTime = (ts: Date, tz: string) => DateTime.fromJSDate(ts, { zone: tz }).toFormat('yyyy-MM-dd HH:mm ZZ');

export function reconciliationToJson(r: ZoneReconciliation) {
  return {
    ...r,
    sources: r.sources.map((s) => ({ ...s, lastTs: s.lastTs ? isoUtc(s.lastTs) : null })),
    largest: r.largest.map((d) => ({ ...d, ts: isoUtc(d.ts), local: localTime(d.ts, r.timeZone) })),
  };
}

/**
 * Reconciles every check over the default range every `everyMs` beside ingestion, storing the
 * result and setting the gauge the alert reads. Runs never overlap; a failed run is logged.
 */
export function startReconciliation(store: Store, log: Logger, everyMs: number): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const run = () => {
    if (running) return;
    running = reconcile(store, { ...reconcileRange(undefined, undefined), persist: true })
      .then(() => undefined, (e: unknown) => log.error({ err: e }, 'reconciliation run failed'))
      .finally(() => (running = undefined));
  };
  const timer = setInterval(run, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
