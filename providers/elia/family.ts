// A family is one Elia theme (imbalance prices per quarter-hour, wind, ...): the Opendatasoft
// dataset ids that serve it in each era, the record fields that are keys, the fields that only
// describe, and the unit of each numeric field. Descriptors, parser, client and simulator all read
// it, so one theme is described once.
import { DateTime } from 'luxon';
import type { Interval } from '../../shared/time.ts';

export const ELIA_TZ = 'Europe/Brussels';

/**
 * Elia moved to MARI/PICASSO on 22/05/2024 and split most datasets there: "Historical data - up to
 * 22/05/2024" sets end and "as of 22/05/2024" / near-real-time sets begin. Taken as Brussels midnight
 * starting that day (VERIFY: the catalogue gives the date only).
 */
export const ELIA_SPLIT = new Date('2024-05-21T22:00:00Z');

/**
 * How far back a near-real-time set is relied on. Elia's "Historical ... as of 22/05/2024" sets are
 * refreshed daily, so anything older than the start of yesterday (Brussels) is read there and only
 * the last day and a half from the near-real-time set (VERIFY: Elia does not document how much
 * history the near-real-time sets keep).
 */
export const NEAR_REAL_TIME_DAYS = 1;

/** One dataset id and the instants it serves; `recent` marks a near-real-time set. */
export type Era = { ods: string; from?: Date; until?: Date; recent?: boolean; historical?: boolean };

export type Family = {
  /** `elia.<snake_case>`. */
  datasetId: string;
  title: string;
  /** Eras oldest first. */
  eras: readonly Era[];
  /** Record fields that identify a row within a timestamp (region, fuel, ...): the series' dimensions besides `metric`. */
  keys: readonly string[];
  /** Non-numeric fields that describe a row and are never values (besides datetime, resolutioncode, qualitystatus). */
  descriptive: readonly string[];
  /** The value fields Elia documents for this theme (any era): each must hold a number or null. */
  metrics: readonly string[];
  /** Unit of a numeric field. */
  unitOf(field: string): string;
  /** Resolution(s) the family's records carry, for the catalogue; also the simulator's step. */
  resolution: 'PT1M' | 'PT15M' | 'PT60M';
  /** Rows per timestamp when no key is refined (regions × types): sizes the request. */
  rowsPerStep: number;
  /** Does a record with these fields (and this resolutioncode) belong to this family? Pure, cheap. */
  claims(fields: ReadonlySet<string>, resolutioncode: unknown): boolean;
  /** How far past now the source already holds values (forecasts): the simulator serves up to there. */
  servesAhead: 'none' | 'tomorrow';
};

/** A piece of a window and the dataset id that serves it. */
export type RequestPlan = { ods: string; window: Interval };

/** Start of the Brussels day `days` before the day holding `now`. */
export function recentCutoff(now: Date, days = NEAR_REAL_TIME_DAYS): Date {
  return DateTime.fromJSDate(now, { zone: ELIA_TZ }).startOf('day').minus({ days }).toJSDate();
}

/**
 * Which dataset ids serve a window: the window is cut at every era boundary (the 22/05/2024 split,
 * and the near-real-time cutoff where a family has both a daily historical set and a near-real-time
 * set) and each piece goes to the era holding it. Pure; `now` fixes the near-real-time cutoff.
 */
export function planRequests(family: Family, window: Interval, now: Date): RequestPlan[] {
  const cutoff = recentCutoff(now);
  const hasHistorical = family.eras.some((e) => e.historical);
  const bounds = (e: Era): [number, number] => {
    let lo = e.from?.getTime() ?? -Infinity;
    let hi = e.until?.getTime() ?? Infinity;
    if (hasHistorical && e.historical) hi = Math.min(hi, cutoff.getTime());
    if (hasHistorical && e.recent) lo = Math.max(lo, cutoff.getTime());
    return [lo, hi];
  };
  const out: RequestPlan[] = [];
  for (const era of family.eras) {
    const [lo, hi] = bounds(era);
    const from = Math.max(lo, window.from.getTime());
    const to = Math.min(hi, window.to.getTime());
    if (from < to) out.push({ ods: era.ods, window: { from: new Date(from), to: new Date(to) } });
  }
  return out.sort((a, b) => a.window.from.getTime() - b.window.from.getTime());
}

/** Every Opendatasoft id the families use, with its family: the simulator's routes. */
export function odsRoutes(families: readonly Family[]): Map<string, { family: Family; era: Era }> {
  const routes = new Map<string, { family: Family; era: Era }>();
  for (const family of families) for (const era of family.eras) routes.set(era.ods, { family, era });
  return routes;
}

/** Fields that are never values: the interval start, its length, the status flag. */
export const TIME_AND_STATUS_FIELDS: ReadonlySet<string> = new Set(['datetime', 'resolutioncode', 'qualitystatus']);

/** Units shared by the MW-valued families: `loadfactor` is a percentage (measured / monitored capacity × 100). */
export const powerUnit = (field: string): string => (field === 'loadfactor' ? '%' : 'MW');

/** Imbalance datasets mix prices (EUR/MWh: imbalance and marginal prices, the alpha incentive components) and volumes (MW). */
export const imbalanceUnit = (field: string): string => (/price|^alpha/.test(field) ? 'EUR/MWh' : 'MW');
