// One deterministic day-ahead price curve for every provider simulator: the demo's Energinet,
// ENTSO-E and Nord Pool serve the same auction result for a zone (as the real ones do), so
// cross-provider reconciliation has something to agree on. Keyed by zone code (Nord Pool's own
// codes for areas the vocabulary names otherwise: GER, TEL, SYS).

const BASE: Readonly<Record<string, number>> = {
  SE1: 25, SE2: 28, SE3: 55, SE4: 80, NO1: 50, NO2: 60, NO3: 30, NO4: 22, NO5: 48, DK1: 85, DK2: 90, FI: 45,
  EE: 95, LV: 97, LT: 98, GER: 100, NL: 98, BE: 96, FR: 80, AT: 105, PL: 110, TEL: 115, BG: 112, SYS: 45,
};

/** Simulated DKK per EUR: the simulators that publish both currencies use it; reconciliation never does. */
export const SIMULATED_DKK_PER_EUR = 7.46;

// Central European time by the EU rule (summer time from the last Sunday of March to the last
// Sunday of October, 01:00 UTC), in plain arithmetic: simulators price every slot of every request,
// and a time-zone lookup per instant made their first answers slow enough to time out under load.
function lastSundayUtc(year: number, month: number): number {
  const last = new Date(Date.UTC(year, month + 1, 0));
  return Date.UTC(year, month, last.getUTCDate() - last.getUTCDay(), 1);
}
function localHour(t: number): { hour: number; ordinal: number } {
  const year = new Date(t).getUTCFullYear();
  const summer = t >= lastSundayUtc(year, 2) && t < lastSundayUtc(year, 9);
  const local = new Date(t + (summer ? 2 : 1) * 3_600_000);
  const ordinal = (Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()) - Date.UTC(local.getUTCFullYear(), 0, 1)) / 86_400_000 + 1;
  return { hour: local.getUTCHours(), ordinal };
}

/** The synthetic price of a zone for the quarter-hour starting at `ts` (EUR/MWh, two decimals). */
export function simulatedDayAheadPrice(zone: string, ts: Date): number {
  const local = localHour(ts.getTime()); // Nord Pool's CET delivery time
  const hour = local.hour + ts.getUTCMinutes() / 60;
  const base = BASE[zone] ?? 70;
  // Morning and evening peaks, a cheap night; the day number shifts the level a little.
  const shape = 0.35 * Math.sin(((hour - 6) / 24) * 2 * Math.PI) + 0.25 * Math.exp(-((hour - 18.5) ** 2) / 4);
  const day = Math.sin(local.ordinal / 3) * 0.15;
  return Math.round(base * (1 + shape + day) * 100) / 100;
}
