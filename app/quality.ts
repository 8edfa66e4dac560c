// Quality per dataset and delivery day (`scalar quality`, `GET /api/quality`, the web view and the
// `scalar.dataset.quality` gauge): the ledger's completeness and timeliness, the share of unflagged
// values, and the agreement reconciliation stored; plus the flags themselves (`--flags`).
import { DateTime } from 'luxon';
import { deliveryDay, deliveryDaysIn } from '../completeness/expected-slots.ts';
import { agreementOf, completenessOf, plausibilityOf, qualityScore, timelinessOf, WEIGHTS, type Component, type Components } from '../quality/score.ts';
import type { Dataset } from '../shared/dataset.ts';
import type { Observation } from '../shared/observation.ts';
import type { QualityFlag, Store } from '../shared/store/index.ts';
import { isoUtc } from '../shared/time.ts';

/** Reconciliation's results: one P1D observation per (check, zone, source dataset), value = % of agreeing slots. */
export const AGREEMENT_DATASET = 'reconciliation.agreement';
const DAY = 86_400_000;

export type QualityDay = {
  dataset: string;
  provider: string;
  /** Local delivery day `YYYY-MM-DD` in the dataset's zone (the ledger's days). */
  day: string;
  /** What the components were computed from. */
  basis: { expected: number | null; present: number | null; late: number | null; values: number; flagged: number; agreementChecks: number };
  components: Components;
  score: number | null;
  absent: Component[];
};

export type QualityQuery = { dataset?: string; from: Date; to: Date };

/** The delivery days of a dataset that `from` and `to` fall on, both included. */
function daysOf(ds: Dataset, from: Date, to: Date): string[] {
  const tz = ds.window.tz;
  const first = deliveryDay(DateTime.fromJSDate(from, { zone: tz }).toISODate()!, tz);
  const last = deliveryDay(DateTime.fromJSDate(to, { zone: tz }).toISODate()!, tz);
  return deliveryDaysIn({ from: first.from, to: last.to }, tz);
}

const localDay = (at: Date, tz: string) => DateTime.fromJSDate(at, { zone: tz }).toISODate()!;

async function readAll(store: Store, q: { dataset: string; from: Date; to: Date; where?: Record<string, string> }): Promise<Observation[]> {
  if (!store.observationPages) return store.queryObservations(q);
  const out: Observation[] = [];
  for await (const page of store.observationPages(q, 5000)) out.push(...page);
  return out;
}

/**
 * One line per (dataset, delivery day) with anything measured. Without `dataset`: every dataset
 * that declares expected slots or plausibility rules, or that reconciliation compared.
 */
export async function qualityDays(store: Store, registry: readonly Dataset[], q: QualityQuery): Promise<QualityDay[]> {
  // Agreement rows sit at the delivery day's local midnight (in UTC): a day either side of the range covers every zone.
  const agreement = await store.queryObservations({
    dataset: AGREEMENT_DATASET,
    from: new Date(q.from.getTime() - DAY),
    to: new Date(q.to.getTime() + 2 * DAY),
    ...(q.dataset ? { where: { source: q.dataset } } : {}),
  });
  const compared = new Set(agreement.map((o) => o.series.source));
  const selected = registry.filter((d) => (q.dataset ? d.id === q.dataset : d.expected || d.plausibility?.length || compared.has(d.id)));
  const out: QualityDay[] = [];
  for (const ds of selected) {
    const tz = ds.window.tz;
    const days = daysOf(ds, q.from, q.to);
    if (days.length === 0) continue;
    const range = { from: deliveryDay(days[0]!, tz).from, to: deliveryDay(days.at(-1)!, tz).to };
    const ledger = ds.expected ? await store.listLedger({ dataset: ds.id, fromDay: days[0], toDay: days.at(-1) }) : [];
    const hasRules = (ds.plausibility?.length ?? 0) > 0;
    const values = new Map<string, number>();
    const flagged = new Map<string, Set<string>>();
    if (hasRules) {
      for (const o of await readAll(store, { dataset: ds.id, ...range })) {
        if (o.value !== null) values.set(localDay(o.ts, tz), (values.get(localDay(o.ts, tz)) ?? 0) + 1);
      }
      for (const f of await store.listQualityFlags({ dataset: ds.id, ...range })) {
        const day = localDay(f.ts, tz);
        const set = flagged.get(day) ?? new Set<string>();
        set.add(`${f.seriesKey}\u0000${f.ts.getTime()}`);
        flagged.set(day, set);
      }
    }
    // The delivery day of an agreement row: its midnight is within a few hours of UTC midnight for
    // every European zone, so the local date 12 h later is the day in any of them.
    const agreeing = new Map<string, number[]>();
    for (const a of agreement) {
      if (a.series.source !== ds.id || a.value === null) continue;
      const day = localDay(new Date(a.ts.getTime() + DAY / 2), tz);
      agreeing.set(day, [...(agreeing.get(day) ?? []), a.value]);
    }
    for (const day of days) {
      const rows = ledger.filter((r) => r.day === day);
      const n = values.get(day) ?? 0;
      const bad = flagged.get(day)?.size ?? 0;
      const checks = agreeing.get(day) ?? [];
      const components: Components = {
        completeness: completenessOf(rows),
        timeliness: timelinessOf(rows),
        plausibility: plausibilityOf(n, bad, hasRules),
        agreement: agreementOf(checks),
      };
      const s = qualityScore(components);
      if (s.score === null) continue;
      const sum = (k: 'expected' | 'present' | 'late') => (rows.length === 0 ? null : rows.reduce((x, r) => x + r[k], 0));
      out.push({
        dataset: ds.id,
        provider: ds.provider,
        day,
        basis: { expected: sum('expected'), present: sum('present'), late: sum('late'), values: n, flagged: bad, agreementChecks: checks.length },
        components,
        score: s.score,
        absent: s.absent,
      });
    }
  }
  return out;
}

/** The scores of each dataset's last whole delivery day before `now`, for the gauge. */
export async function lastDayScores(store: Store, registry: readonly Dataset[], now: Date): Promise<{ dataset: string; provider: string; score: number }[]> {
  const yesterday = new Date(now.getTime() - DAY);
  const days = await qualityDays(store, registry, { from: yesterday, to: yesterday });
  return days.filter((d) => d.score !== null).map((d) => ({ dataset: d.dataset, provider: d.provider, score: d.score! }));
}

export type FlagQuery = { dataset?: string; from?: Date; to?: Date; rule?: string; limit?: number };

export function qualityFlags(store: Store, q: FlagQuery): Promise<QualityFlag[]> {
  return store.listQualityFlags({ ...q, limit: q.limit ?? 1000 });
}

const pct = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 10);

/** The JSON shape of `scalar quality --format json` and `GET /api/quality`: components in %. */
export function qualityToJson(days: readonly QualityDay[]) {
  return {
    weights: WEIGHTS,
    days: days.map((d) => ({
      dataset: d.dataset,
      day: d.day,
      score: d.score,
      completeness: pct(d.components.completeness),
      timeliness: pct(d.components.timeliness),
      plausibility: pct(d.components.plausibility),
      agreement: pct(d.components.agreement),
      absent: d.absent,
      basis: d.basis,
    })),
  };
}

export function flagToJson(f: QualityFlag) {
  return { dataset: f.dataset, series: f.series, ts: isoUtc(f.ts), rule: f.rule, value: f.value, detail: f.detail, flaggedAt: isoUtc(f.flaggedAt) };
}
