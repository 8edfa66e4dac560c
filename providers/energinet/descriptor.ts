// One Energinet dataset = one spec: its record layout, how to request it, how the simulator serves
// it, its windows, worker defaults, validation and fixtures. `energinetDataset` turns a spec into
// the platform's `Dataset`; the client, the simulator, detection and `identify` all read the spec.
import { DateTime } from 'luxon';
import type { Dataset } from '../../shared/dataset.ts';
import type { Observation } from '../../shared/observation.ts';
import { floorTo, type IsoDuration } from '../../shared/time.ts';
import { ENERGINET_TZ, fetchDataset } from './client.ts';
import { payloadSummary } from './envelope.ts';
import { parseRecords, type RecordLayout } from './records.ts';

export const PRICE_AREAS = ['DK1', 'DK2'] as const;

/** How the simulator serves a dataset: its fixtures re-timed to any window, up to what is published. */
export type Simulation = {
  /** Fixture files (under fixtures/) whose records are re-timed; a whole local day serves days of its length. */
  profiles: readonly string[];
  /** End (exclusive) of the value instants the source has published at `now`. */
  publishedUntil(now: Date): Date;
  /** Values served instead of the fixture's at instant `at` (the shared simulated price curve), when set. */
  values?(record: Readonly<Record<string, unknown>>, at: Date): Record<string, unknown>;
};

/** The Energinet-specific part of a descriptor. */
export type EnerginetSource = {
  layout: RecordLayout;
  /** Fields whose presence in the first record says a bare record array (no `dataset` key) is this dataset. */
  signature: readonly string[];
  /** `PriceArea`: one request per price area (the partition goes into `filter`); absent: one request for all. */
  partitionField?: string;
  simulation: Simulation;
};

export type EnerginetDataset = Dataset & { source: EnerginetSource; detect(body: Uint8Array): boolean };

export type EnerginetSpec = Omit<Dataset, 'provider' | 'resolution' | 'fetch' | 'parse' | 'detect'> & EnerginetSource;

/** Claims a payload by its envelope's `dataset` key, or, for a bare record array, by the fields of its first record. */
export function detects(source: EnerginetSource, body: Uint8Array): boolean {
  const s = payloadSummary(body);
  if (!s) return false;
  if (s.dataset !== undefined) return s.dataset === source.layout.apiName;
  return source.signature.every((f) => s.fields.has(f));
}

export function energinetDataset(spec: EnerginetSpec): EnerginetDataset {
  const { layout, signature, partitionField, simulation, ...rest } = spec;
  const source: EnerginetSource = { layout, signature, partitionField, simulation };
  return {
    ...rest,
    provider: 'energinet',
    resolution: layout.resolution,
    source,
    fetch: (window, partition, ctx) => fetchDataset(source, window, partition, ctx),
    parse: (body): Observation[] => parseRecords(layout, body),
    detect: (body) => detects(source, body),
  };
}

// Publication rules, shared by the descriptors (the simulator serves up to them).

/** A day-ahead product: tomorrow's values appear at `hour` Danish time, until then today's are the last. */
export const dayAheadFrom = (hour: number) => (now: Date): Date => {
  const local = DateTime.fromJSDate(now, { zone: ENERGINET_TZ });
  return local.startOf('day').plus({ days: local.hour >= hour ? 2 : 1 }).toJSDate();
};

/** Measured data: an interval is published once it has ended and `lag` has passed. */
export const completedIntervals = (step: IsoDuration, lag = 0) => (now: Date): Date =>
  floorTo(new Date(now.getTime() - lag), step);

/** Settlement data: whole Danish days, `days` after the day ended. */
export const settledDays = (days: number) => (now: Date): Date =>
  DateTime.fromJSDate(now, { zone: ENERGINET_TZ }).startOf('day').minus({ days }).toJSDate();
