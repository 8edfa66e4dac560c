// One deterministic day-ahead price curve for every provider simulator: the demo's Energinet,
// ENTSO-E and Nord Pool serve the same auction result for a zone (as the real ones do), so
// cross-provider reconciliation has something to agree on. Keyed by zone code (Nord Pool's own
// codes for areas the vocabulary names otherwise: GER, TEL, SYS).
import { DateTime } from 'luxon';

const BASE: Readonly<Record<string, number>> = {
  SE1: 25, SE2: 28, SE3: 55, SE4: 80, NO1: 50, NO2: 60, NO3: 30, NO4: 22, NO5: 48, DK1: 85, DK2: 90, FI: 45,
  EE: 95, LV: 97, LT: 98, GER: 100, NL: 98, BE: 96, FR: 80, AT: 105, PL: 110, TEL: 115, BG: 112, SYS: 45,
};

/** Simulated DKK per EUR: the simulators that publish both currencies use it; reconciliation never does. */
export const SIMULATED_DKK_PER_EUR = 7.46;

const offsets = new Map<number, number>();
/**
 * Minutes the simulators' zone is ahead of UTC at `ms`, cached per UTC hour (offsets change on the
 * hour). Luxon in a named zone costs about a millisecond per call on a loaded machine: called per
 * quarter-hour, a year of Nord Pool aggregates took 50 s and timed the tests' requests out.
 */
function zoneOffset(ms: number): number {
  const hour = Math.floor(ms / 3_600_000);
  let offset = offsets.get(hour);
  if (offset === undefined) offsets.set(hour, (offset = DateTime.fromMillis(hour * 3_600_000, { zone: 'Europe/Oslo' }).offset));
  return offset;
}

/** The synthetic price of a zone for the quarter-hour starting at `ts` (EUR/MWh, two decimals). */
export function simulatedDayAheadPrice(zone: string, ts: Date): number {
  // Local wall-clock fields read from a Date shifted by the zone's offset.
  const local = new Date(ts.getTime() + zoneOffset(ts.getTime()) * 60_000);
  const hour = local.getUTCHours() + local.getUTCMinutes() / 60;
  const ordinal = Math.round((Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()) - Date.UTC(local.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
  const base = BASE[zone] ?? 70;
  // Morning and evening peaks, a cheap night; the day number shifts the level a little.
  const shape = 0.35 * Math.sin(((hour - 6) / 24) * 2 * Math.PI) + 0.25 * Math.exp(-((hour - 18.5) ** 2) / 4);
  const day = Math.sin(ordinal / 3) * 0.15;
  return Math.round(base * (1 + shape + day) * 100) / 100;
}
