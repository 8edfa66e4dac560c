// A signal is data plus one pure function: the datasets (and series filters) it reads, the
// dataset it writes (`signals.<name>`), and how input observations become output observations.
import type { Observation } from '../shared/observation.ts';
import type { IsoDuration } from '../shared/time.ts';

export type SignalInput = { dataset: string; where?: Readonly<Record<string, string>> };

/** What an input series' `area` dimension means: the zone code outputs carry and the time zone its calendar runs in. */
export type Zone = { zone: string; tz: string };

export type SignalContext = {
  /** The zone an input area code names; undefined for areas outside the zone list (their rows are skipped). */
  zoneOf(area: string): Zone | undefined;
};

export type Signal = {
  /** `signals.<name>`: also the output dataset id. */
  id: string;
  title: string;
  resolution: string;
  unit: string;
  /** Dimensions every output series carries. */
  dimensions: readonly string[];
  inputs: readonly SignalInput[];
  /**
   * How far around a changed input range the inputs must be read so every output slot touching the
   * range is computed from complete inputs (a whole local day for daily statistics).
   */
  margin: IsoDuration;
  /** Pure: `inputs[i]` holds the observations of `inputs[i]` of the descriptor. Missing input: no output for that slot. */
  compute(inputs: readonly (readonly Observation[])[], ctx: SignalContext): Observation[];
};
