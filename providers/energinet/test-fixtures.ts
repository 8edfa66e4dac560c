// Shared by the Energinet tests: fixture bytes and lookups over parsed observations.
import { readFileSync } from 'node:fs';
import type { Observation } from '../../shared/observation.ts';

export const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

/** The one observation of the series with these dimensions at `ts` (ISO, `Z`). */
export function find(obs: readonly Observation[], series: Record<string, string>, ts: string): Observation | undefined {
  return obs.find((o) => o.ts.toISOString() === ts && Object.entries(series).every(([k, v]) => o.series[k] === v));
}

/** Distinct instants of the observations that match `series`, sorted. */
export function instants(obs: readonly Observation[], series: Record<string, string> = {}): string[] {
  const match = obs.filter((o) => Object.entries(series).every(([k, v]) => o.series[k] === v));
  return [...new Set(match.map((o) => o.ts.toISOString()))].sort();
}
