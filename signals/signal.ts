// A signal is data plus one pure function: the series it reads (chosen by quantity and zone from the
// dataset descriptors, never by provider), the dataset it writes (`signals.<name>`), and how input
// observations become output observations.
import type { Measure, Quantity } from '../shared/dataset.ts';
import type { Observation } from '../shared/observation.ts';
import type { IsoDuration } from '../shared/time.ts';

/** One input: a dataset's series carrying a quantity (`where` = the measure's dimension values). */
export type SignalInput = {
  dataset: string;
  where?: Readonly<Record<string, string>>;
  quantity: Quantity;
  kind: Measure['kind'];
  /** The dataset's provider id: a value carried as data (`source` dimension), never branched on. */
  source: string;
  /** The measure's unit when the dataset mixes units. */
  unit?: string;
  /** `sum`: the matching series of a zone are parts adding up to the quantity (regions); unset: each is the quantity. */
  aggregate?: 'sum';
};

export type SignalContext = {
  /** The IANA time zone of a zone of the vocabulary (`Europe/Brussels` for BE); undefined: not a known zone. */
  timeZoneOf(zone: string): string | undefined;
  /** Neighbouring zones as directed pairs [from, to] (both directions listed). */
  borders: readonly (readonly [string, string])[];
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
  /** Forecasts: outputs up to this long after a changed input also depend on it (PT0S when unset). */
  lead?: IsoDuration;
  /** Pure: `inputs[i]` holds the observations of `inputs[i]` of the descriptor. Missing input: no output for that slot. */
  compute(inputs: readonly (readonly Observation[])[], ctx: SignalContext): Observation[];
};
