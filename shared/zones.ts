// One zone vocabulary across providers. Each provider names bidding zones its own way (ENTSO-E by
// EIC, Nord Pool `GER`/`SYS`/`TEL`, Baltic `Estonia`, Volue `DE`); ingestion adds the canonical code
// as a `zone` dimension beside the provider's own, so a query or an SQL join can use one code for
// all of them. Provider facts live in providers/<p>/zones.ts; this module only knows the shapes and
// how to apply them.
import type { Dataset } from './dataset.ts';
import { copyOptionalFields, type Observation, type Series } from './observation.ts';

/** A bidding zone (or a market area a price is quoted for, such as the Nordic system price). */
export type Zone = {
  /** Canonical code: `DE-LU`, `DK1`, `IT-NORD`, … */
  code: string;
  eic: string;
  name: string;
  /** ISO 3166-1 alpha-2, or a region marker (`EU`) for multi-country areas. */
  country: string;
  timeZone: string;
  /** The zone's existence: [validFrom, validTo) — e.g. DE-AT-LU until the split on 2018-10-01. */
  validFrom?: Date;
  validTo?: Date;
};

/**
 * How one provider's series name zones. A code maps to one zone, to a list of zones that succeeded
 * each other (the one valid at the observation's instant is taken), or to null: known and not a
 * bidding zone (a region such as `Baltics`), so neither a zone nor a warning.
 */
export type ZoneMapping = {
  /** Series dimension holding the provider's code → dimension the canonical zone is written to. */
  dimensions: Readonly<Record<string, string>>;
  codes: Readonly<Record<string, string | readonly string[] | null>>;
  /** A single-zone provider (Elia: Belgium): series without any of `dimensions` get this zone. */
  fixed?: string;
};

export type UnknownZoneCode = { dataset: string; dimension: string; code: string };

/** Is `zone` valid at `at`? */
export const zoneValidAt = (zone: Zone, at: Date) => (!zone.validFrom || at >= zone.validFrom) && (!zone.validTo || at < zone.validTo);

/**
 * The canonical zone of one provider code at one instant: a code, null (known, not a zone), or
 * undefined (unknown code).
 */
export function resolveZone(vocabulary: ReadonlyMap<string, Zone>, mapping: ZoneMapping, code: string, at: Date): string | null | undefined {
  const target = Object.hasOwn(mapping.codes, code) ? mapping.codes[code] : undefined;
  if (target === undefined || target === null) return target;
  if (typeof target === 'string') return target;
  const candidates = target as readonly string[];
  return candidates.find((c) => { const z = vocabulary.get(c); return z !== undefined && zoneValidAt(z, at); }) ?? candidates[0];
}

/** The codes of `series` this mapping cannot resolve, as (dimension, code). */
export function unknownCodes(mapping: ZoneMapping, series: Readonly<Record<string, string>>): { dimension: string; code: string }[] {
  return Object.keys(mapping.dimensions)
    .filter((dim) => series[dim] !== undefined && !Object.hasOwn(mapping.codes, series[dim]!))
    .map((dim) => ({ dimension: dim, code: series[dim]! }));
}

/**
 * What ingestion calls on every parsed payload: observations of a provider with a mapping gain the
 * zone dimension(s); the provider's own code stays in its own dimension. An unknown code leaves the
 * observation as it is (never dropped) and is reported once per (dataset, code).
 */
export function zoneAnnotator(
  zones: readonly Zone[],
  mappings: Readonly<Record<string, ZoneMapping | undefined>>,
  onUnknown: (u: UnknownZoneCode) => void,
): (ds: Pick<Dataset, 'id' | 'provider'>, observations: Observation[]) => Observation[] {
  const vocabulary = new Map(zones.map((z) => [z.code, z]));
  const reported = new Set<string>();
  return (ds, observations) => {
    const mapping = mappings[ds.provider];
    if (!mapping) return observations;
    const dimensions = Object.entries(mapping.dimensions);
    // One annotated series object per source series and zone(s), as parsers share one per series:
    // ingestion keys its rows by that object (a series key per row was a tenth of its CPU).
    const annotated = new Map<Series, Map<string, Series>>();
    return observations.map((o) => {
      const added: Record<string, string> = {};
      let hasAreaDimension = false;
      for (const [dim, zoneDim] of dimensions) {
        const code = o.series[dim];
        if (code === undefined) continue;
        hasAreaDimension = true;
        const zone = resolveZone(vocabulary, mapping, code, o.ts);
        if (zone) added[zoneDim] = zone;
        else if (zone === undefined && !reported.has(`${ds.id}|${code}`)) {
          reported.add(`${ds.id}|${code}`);
          onUnknown({ dataset: ds.id, dimension: dim, code });
        }
      }
      if (!hasAreaDimension && mapping.fixed) added.zone = mapping.fixed;
      const names = Object.keys(added);
      if (names.length === 0) return o;
      let bySeries = annotated.get(o.series);
      if (bySeries === undefined) annotated.set(o.series, (bySeries = new Map()));
      const tag = names.map((n) => `${n}=${added[n]}`).join('\u0000');
      let series = bySeries.get(tag);
      if (series === undefined) bySeries.set(tag, (series = { ...o.series, ...added }));
      const a: Observation = { dataset: o.dataset, series, ts: o.ts, resolution: o.resolution, value: o.value, unit: o.unit };
      copyOptionalFields(o, a);
      return a;
    });
  };
}
