// Pure parser for Volue Insight (formerly Wattsight) curve data. A payload is what the client put
// together for one window: the curve's metadata (`GET /api/curves/get?name=`) and the series the
// data endpoint answered — one for a time series, one per tag for a tagged curve, one per issue
// (and tag) for instance curves: `{curve: {...}, series: [{frequency, time_zone, tag?, issue_date?,
// points: [[epoch_ms, value], ...]}]}`. Points are UTC instants; the frequency is counted in the
// curve's time zone (a daily point starts at local midnight). An instance's issue date is `issued`.
import { DateTime } from 'luxon';
import { z } from 'zod';
import { ParseError } from '../../shared/errors.ts';
import type { Observation } from '../../shared/observation.ts';

const CurveSchema = z.looseObject({
  id: z.number().int(),
  name: z.string().min(1),
  curve_type: z.enum(['TIME_SERIES', 'TAGGED', 'INSTANCES', 'TAGGED_INSTANCES']),
  frequency: z.string(),
  time_zone: z.string(),
  unit: z.string().nullable().optional(),
  area: z.string().nullable().optional(),
});
const SeriesSchema = z.looseObject({
  id: z.number().int().optional(),
  name: z.string().optional(),
  frequency: z.string(),
  time_zone: z.string().optional(),
  tag: z.string().nullable().optional(),
  issue_date: z.string().nullable().optional(),
  points: z.array(z.tuple([z.number(), z.union([z.number(), z.null()])])).nullable(),
});
export const VoluePayloadSchema = z.object({ curve: CurveSchema, series: z.array(SeriesSchema) });
export type VolueCurve = z.infer<typeof CurveSchema>;
export type VolueSeries = z.infer<typeof SeriesSchema>;
export type VoluePayload = z.infer<typeof VoluePayloadSchema>;

/** Volue frequency codes → ISO 8601 durations. Seasons have no fixed length and are refused. */
export const FREQUENCIES: Readonly<Record<string, string>> = {
  Y: 'P1Y', Q: 'P3M', M: 'P1M', W: 'P1W', D: 'P1D', H12: 'PT12H', H6: 'PT6H', H3: 'PT3H', H: 'PT60M',
  MIN30: 'PT30M', MIN15: 'PT15M', MIN5: 'PT5M', MIN: 'PT1M',
};

/** Volue's unit spellings → the units the rest of Scalar uses (MWh/h is MW). */
const UNITS: Readonly<Record<string, string>> = { 'mwh/h': 'MW', mw: 'MW', '€/mwh': 'EUR/MWh', 'eur/mwh': 'EUR/MWh', '°c': '°C', 'c': '°C', '%': '%', 'm/s': 'm/s', 'mwh': 'MWh', 'gwh': 'GWh' };

export function normalizeUnit(unit: string | null | undefined): string {
  const u = (unit ?? '').trim();
  if (!u) throw new ParseError('Volue curve has no unit');
  return UNITS[u.toLowerCase()] ?? u;
}

const ZONES: Readonly<Record<string, string>> = {
  CET: 'Europe/Brussels', EET: 'Europe/Helsinki', WET: 'Europe/Lisbon', UTC: 'UTC', GMT: 'Europe/London',
  TRT: 'Europe/Istanbul', MSK: 'Europe/Moscow', PST: 'US/Pacific', ART: 'America/Argentina/Buenos_Aires', JST: 'Asia/Tokyo',
};

/**
 * Gas-day curves name their zone CEGT / WEGT; the official client reads them as CET / WET
 * (volueinsight/volue-insight-timeseries util.py `_tzmap`, as it does PST, ART, JST). Points are UTC
 * epoch milliseconds whatever the zone, so the gas day's 06:00 start needs no zone of its own.
 */
const GAS_DAY_ZONES: Readonly<Record<string, string>> = { CEGT: 'CET', WEGT: 'WET' };

/** Volue's short zone names (CET, CEGT, EET, ...) and IANA names, as zones luxon knows. */
export function curveZone(tz: string): string {
  const name = GAS_DAY_ZONES[tz] ?? tz;
  const zone = ZONES[name] ?? name;
  if (!DateTime.now().setZone(zone).isValid) throw new ParseError(`Volue time zone ${JSON.stringify(tz)} is unknown`);
  return zone;
}

export function readVoluePayload(body: Uint8Array | string): VoluePayload {
  let json: unknown;
  try {
    json = JSON.parse(typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch (e) {
    throw new ParseError(`Volue: not a JSON document: ${(e as Error).message}`);
  }
  const parsed = VoluePayloadSchema.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new ParseError(`Volue: not a curve payload: ${i.path.join('.') || 'body'}: ${i.message}`);
  }
  return parsed.data;
}

const OFFSET_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Observations of a payload. Where several instances of one forecast cover the same instant (a
 * window holding several issues), the latest issue's value is the observation; the raw payload
 * keeps the others.
 */
export function parseVolue(dataset: string, body: Uint8Array | string): Observation[] {
  const { curve, series } = readVoluePayload(body);
  const unit = normalizeUnit(curve.unit);
  const area = curve.area?.trim() || 'none';
  const newest = new Map<string, Observation>();
  for (const s of series) {
    const where = `Volue ${curve.name}${s.tag ? ` tag ${s.tag}` : ''}${s.issue_date ? ` issued ${s.issue_date}` : ''}`;
    const resolution = FREQUENCIES[s.frequency];
    if (!resolution) throw new ParseError(`${where}: unsupported frequency ${JSON.stringify(s.frequency)}`);
    curveZone(s.time_zone ?? curve.time_zone);
    let issued: Date | undefined;
    if (s.issue_date) {
      const dt = OFFSET_INSTANT.test(s.issue_date) ? DateTime.fromISO(s.issue_date, { setZone: true }) : null;
      if (!dt || !dt.isValid) throw new ParseError(`${where}: issue_date is not an instant with an offset`);
      issued = dt.toJSDate();
    } else if (curve.curve_type === 'INSTANCES' || curve.curve_type === 'TAGGED_INSTANCES') {
      throw new ParseError(`${where}: an instance without issue_date`);
    }
    const dims = { curve: curve.name, area, tag: s.tag?.trim() || 'none' };
    let last = -Infinity;
    for (const [ms, value] of s.points ?? []) {
      if (!Number.isSafeInteger(ms)) throw new ParseError(`${where}: point time ${ms} is not epoch milliseconds`);
      if (ms <= last) throw new ParseError(`${where}: points out of order at ${new Date(ms).toISOString()}`);
      last = ms;
      if (value !== null && !Number.isFinite(value)) throw new ParseError(`${where}: value at ${new Date(ms).toISOString()} is not finite`);
      const key = `${dims.tag}\u0000${ms}`;
      const seen = newest.get(key);
      if (seen && (seen.issued?.getTime() ?? 0) > (issued?.getTime() ?? 0)) continue;
      if (seen && !issued) throw new ParseError(`${where}: two values for ${new Date(ms).toISOString()}`);
      newest.set(key, { dataset, series: dims, ts: new Date(ms), resolution, value, unit, ...(issued ? { issued } : {}) });
    }
  }
  return [...newest.values()].sort((a, b) => a.series.tag!.localeCompare(b.series.tag!) || a.ts.getTime() - b.ts.getTime());
}
