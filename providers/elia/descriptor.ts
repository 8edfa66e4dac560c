// Builds a Dataset descriptor from a family: the parts every Elia dataset shares (fetch through the
// era planner, the wide-record parser, detection from the field set) in one place.
import type { Cadence, Dataset, DatasetFixture, ExpectedSlots, Measure, WindowPolicy, WorkerDefaults } from '../../shared/dataset.ts';
import type { IsoDuration } from '../../shared/time.ts';
import { fetchFamily } from './client.ts';
import { ELIA_TZ, type Family } from './family.ts';
import { parseFamily, payloadSignature } from './parse.ts';

/** Plausible ranges: Belgian load peaks near 14 GW and nothing Elia publishes in MW passes ±30 GW;
 * balancing prices are capped at ±15 000 EUR/MWh by the European platforms (MARI/PICASSO), with margin. */
const PLAUSIBLE = {
  MW: [-30_000, 30_000],
  'EUR/MWh': [-20_000, 20_000],
  '%': [-1, 200],
} as const;

export type EliaDatasetSpec = {
  cadence: Cadence;
  window: Omit<WindowPolicy, 'tz'>;
  /** How far after the fetch an interval may start: PT1H for measurements, days for forecasts. */
  maxLead: IsoDuration;
  workers: Readonly<Record<'development' | 'production', WorkerDefaults>>;
  fixtures: readonly DatasetFixture[];
  expected?: ExpectedSlots;
  measures?: readonly Measure[];
};

export function eliaDataset(family: Family, spec: EliaDatasetSpec): Dataset {
  const units = new Set(family.metrics.map((m) => family.unitOf(m)));
  return {
    id: family.datasetId,
    provider: 'elia',
    title: `${family.title} (${family.eras.map((e) => e.ods).join(', ')})`,
    resolution: family.resolution,
    unit: [...units].join(', '),
    dimensions: [...family.keys, 'metric'],
    cadence: spec.cadence,
    window: { ...spec.window, tz: ELIA_TZ },
    ...(spec.expected ? { expected: spec.expected } : {}),
    ...(spec.measures ? { measures: spec.measures } : {}),
    // One request covers every region / fuel / border: partitioning by region would multiply the
    // requests against Opendatasoft's daily per-IP quota, and exports have no row cap anyway.
    partitions: ['all'],
    validation: {
      plausible: Object.fromEntries([...units].map((u) => [u, PLAUSIBLE[u as keyof typeof PLAUSIBLE] ?? [-1e6, 1e6]])),
      maxLead: spec.maxLead,
    },
    fetch: (window, _partition, ctx) => fetchFamily(family, window, ctx),
    parse: (body) => parseFamily(family, body),
    detect(body) {
      const sig = payloadSignature(body);
      return sig !== null && family.claims(sig.fields, sig.resolutioncode);
    },
    workers: spec.workers,
    fixtures: spec.fixtures,
  };
}

/**
 * Quarter-hourly themes: Brussels days, a week per backfill window. The 22/05/2024 split is a
 * Brussels midnight, so it falls between two days; a week-long window that holds it is cut there by
 * the client (`planRequests`), each side from its own dataset id.
 */
export const QUARTER_HOUR_WINDOW: EliaDatasetSpec['window'] = {
  align: 'P1D',
  maxSpan: 'P7D',
  // qualitystatus flips from NotValidated to Validated later and late values arrive: each caught-up
  // run re-reads yesterday and today (the lookback counts back from the horizon's end).
  lookback: 'P2D',
  // Today so far (measurements are published through the day).
  horizon: 'P1D',
  backfill: 'P7D',
};

/**
 * Forecast themes (load, wind, solar): as above, but through tomorrow, whose day-ahead forecasts
 * exist today; the lookback then spans yesterday, today and tomorrow (and a first run needs P2D to
 * reach today's measurements).
 */
export const FORECAST_WINDOW: EliaDatasetSpec['window'] = { ...QUARTER_HOUR_WINDOW, horizon: 'P2D', lookback: 'P3D' };

/** Per-minute themes: whole hours, so a caught-up run reads a few hours (two or three pages), not a day of 1 440 rows. */
export const MINUTE_WINDOW: EliaDatasetSpec['window'] = {
  align: 'PT1H',
  maxSpan: 'P3D',
  lookback: 'PT2H',
  horizon: 'PT1H',
  backfill: 'P1D',
};
