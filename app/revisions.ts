// Vintages: how the values of a dataset changed over time, from the store's `revisions` (every
// replaced value) and the current rows. One use case for `scalar revisions` and GET /api/revisions.
import { seriesKey, type Series } from '../shared/observation.ts';
import type { RevisionRecord, Store } from '../shared/store/index.ts';
import { isoUtc } from '../shared/time.ts';
import { observationQuery, type ObservationParameters } from './observations.ts';

/** One change of one (series, ts): the replaced vintage and the one that replaced it. */
export type ValueChange = {
  dataset: string;
  series: Series;
  ts: Date;
  unit: string;
  resolution: string;
  old: number | null;
  new: number | null;
  oldIssued: Date | null;
  newIssued: Date | null;
  oldQuality: string | null;
  newQuality: string | null;
  /** When the old value had been ingested and when it was replaced (the new value's ingestion). */
  ingestedAt: Date;
  replacedAt: Date;
  /** The payload the old value came from. */
  payloadSha256: string;
};

export type RevisionParameters = Pick<ObservationParameters, 'dataset' | 'from' | 'to' | 'where' | 'limit'>;

const key = (series: string, ts: Date) => `${series}\u0000${ts.getTime()}`;

/**
 * Every change of the matching values, by series and ts, oldest first. The value that replaced a
 * revision is the next revision of the same (series, ts), or the current row for the newest one.
 */
export async function valueChanges(store: Store, p: RevisionParameters): Promise<ValueChange[]> {
  const { dataset, from, to, where, limit } = observationQuery(p);
  // The limit applies to the changes, not the store read: a chain cut short would pair a revision with the wrong successor.
  const revisions = await store.listRevisions({ dataset, from, to, where });
  if (revisions.length === 0) return [];
  const lastTs = revisions.reduce((m, r) => (r.ts > m ? r.ts : m), revisions[0]!.ts);
  const firstTs = revisions.reduce((m, r) => (r.ts < m ? r.ts : m), revisions[0]!.ts);
  const current = new Map<string, { value: number | null; issued: Date | null; quality: string | null }>();
  for (const o of await store.queryObservations({ dataset, where, from: firstTs, to: new Date(lastTs.getTime() + 1) })) {
    current.set(key(seriesKey(o.series), o.ts), { value: o.value, issued: o.issued ?? null, quality: o.quality ?? null });
  }
  return revisions.slice(0, limit).map((r: RevisionRecord, i): ValueChange => {
    const next = revisions[i + 1];
    const newer = next && next.seriesKey === r.seriesKey && next.ts.getTime() === r.ts.getTime() ? next : current.get(key(r.seriesKey, r.ts));
    return {
      dataset, series: r.series, ts: r.ts, unit: r.unit, resolution: r.resolution,
      old: r.value, new: newer ? newer.value : null, oldIssued: r.issued, newIssued: newer?.issued ?? null,
      oldQuality: r.quality, newQuality: newer?.quality ?? null,
      ingestedAt: r.ingestedAt, replacedAt: r.replacedAt, payloadSha256: r.payloadSha256,
    };
  });
}

/** The JSON form (API, `--format json|jsonl`): instants as ISO 8601 UTC. */
export function valueChangeToJson(c: ValueChange) {
  const iso = (d: Date | null) => (d ? isoUtc(d) : null);
  return {
    dataset: c.dataset, series: c.series, ts: isoUtc(c.ts), unit: c.unit, resolution: c.resolution, old: c.old, new: c.new,
    oldIssued: iso(c.oldIssued), newIssued: iso(c.newIssued), oldQuality: c.oldQuality, newQuality: c.newQuality,
    ingestedAt: isoUtc(c.ingestedAt), replacedAt: isoUtc(c.replacedAt), payloadSha256: c.payloadSha256,
  };
}

/** `2025-11-05 10:00:01Z`: an instant a person reads at a glance (tables); JSON and CSV keep ISO 8601. */
export const readableInstant = (d: Date) => isoUtc(d).replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');

/** The change as a person reads it: `10 → 11.5 (+1.5)`; null stays `null`. */
export function changeText(c: ValueChange): string {
  const v = (x: number | null) => (x === null ? 'null' : String(x));
  const delta = c.old !== null && c.new !== null && c.new !== c.old ? ` (${c.new > c.old ? '+' : ''}${Number((c.new - c.old).toPrecision(12))})` : '';
  return `${v(c.old)} → ${v(c.new)}${delta}`;
}
