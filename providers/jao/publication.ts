// Pure parsers for the JAO Publication Tool (https://publicationtool.jao.eu/<region>/api/data/<name>):
// bytes in, observations out. Every answer is `{data: [...], rejected, messages, totalRows?}`; a row is
// one market time unit (`dateTimeUtc`, its start in UTC). Per-border datasets are wide — one column
// per directed border `border_XX_YY` (XX→YY) — and become one series per border; per-CNEC datasets
// are long and keep the CNEC's identity as dimensions. A null cell stays null: JAO writes null where
// a border has no product (e.g. border_FR_IT), which is not 0.
import { z } from 'zod';
import { ParseError } from '../../shared/errors.ts';
import { sharedSeries, type Observation } from '../../shared/observation.ts';
import { floorTo, isoUtc } from '../../shared/time.ts';

export const JAO_REGIONS = ['core', 'nordic'] as const;
export type JaoRegion = (typeof JAO_REGIONS)[number];

/** SDAC business days are Amsterdam days. */
export const JAO_TZ = 'Europe/Amsterdam';

/** A Publication Tool market time unit: hourly, or quarter-hourly since the SDAC 15-minute MTU. */
export type JaoMtu = 'PT60M' | 'PT15M';

/**
 * A dataset's market time unit per business day in one region: the last entry whose `from` (an
 * Amsterdam midnight) is not after the day applies. Read where the rows cannot show their step.
 */
export type MtuSchedule = readonly { from?: Date; resolution: JaoMtu }[];

/** The MTU a schedule gives the business day starting at `day`. */
export function mtuOn(schedule: MtuSchedule, day: Date): JaoMtu | undefined {
  return [...schedule].reverse().find((e) => !e.from || e.from <= day)?.resolution;
}

/** How the columns of one Publication Tool dataset become series. */
export type ColumnLayout =
  /** `border_XX_YY` → `{border: 'XX>YY'}` */
  | { kind: 'borders'; unit: string }
  /** `hub_XX` → `{hub: 'XX'}` (hub names may hold underscores: `hub_DE_NO2_BigHub`) */
  | { kind: 'hubs'; unit: string }
  /** `minXX`/`maxXX` (or `min_XX`) → `{hub, bound}` */
  | { kind: 'bounds'; unit: string }
  /** one row per CNEC per MTU: the identity fields become dimensions, the numbers metrics */
  | { kind: 'cnecs' }
  /** every numeric column is a metric of its own (`{metric: <column>}`) */
  | { kind: 'metrics'; unit: string };

export type PublicationDataset = {
  /** Scalar dataset id, `jao.<snake_case>`. */
  id: string;
  /** The name in the API path. */
  apiName: string;
  layout: ColumnLayout;
  /** The MTU of its rows per region and business day. */
  mtu: Readonly<Partial<Record<JaoRegion, MtuSchedule>>>;
};

const EnvelopeSchema = z.looseObject({
  data: z.array(z.record(z.string(), z.unknown())).nullable(),
  rejected: z.boolean().optional(),
  messages: z.unknown().optional(),
  totalRows: z.number().int().nonnegative().nullable().optional(),
  totalRowsWithFilter: z.number().int().nonnegative().nullable().optional(),
});
export type PublicationEnvelope = z.infer<typeof EnvelopeSchema>;

/** A `rejected: true` answer: JAO refused the query; its messages say why. */
export class JaoRejectedError extends ParseError {
  override name = 'JaoRejectedError';
}

export function readPublicationEnvelope(body: Uint8Array | string, where = 'JAO Publication Tool'): PublicationEnvelope {
  let json: unknown;
  try {
    json = JSON.parse(typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch (e) {
    throw new ParseError(`${where}: not a JSON document: ${(e as Error).message}`);
  }
  const env = EnvelopeSchema.safeParse(json);
  if (!env.success) {
    const i = env.error.issues[0]!;
    throw new ParseError(`${where}: not a Publication Tool answer: ${i.path.join('.') || 'body'}: ${i.message}`);
  }
  if (env.data.rejected === true) {
    throw new JaoRejectedError(`${where}: JAO rejected the query: ${JSON.stringify(env.data.messages ?? null)}`);
  }
  return env.data;
}

const UTC_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?Z$/;

/** `2026-04-20T00:00:00Z` → Date; anything else (no zone, impossible date) → null. */
export function parseUtcInstant(s: unknown): Date | null {
  if (typeof s !== 'string') return null;
  const m = UTC_INSTANT.exec(s);
  if (!m) return null;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +(m[6] ?? 0), +(m[7] ?? '0').padEnd(3, '0')));
  // Date.UTC rolls 2026-02-30 over into March; a real instant round-trips.
  if (d.getUTCFullYear() !== +m[1]! || d.getUTCMonth() !== +m[2]! - 1 || d.getUTCDate() !== +m[3]! || d.getUTCHours() !== +m[4]!) return null;
  return d;
}

// Hubs of the Nordic flow-based domain are bidding zones, some split into virtual hubs (`SE3_SWL`,
// `DK1_CO`): a border column with more than two tokens is split where both sides are hubs.
const ZONE_TOKEN = /^[A-Z]{2}[0-9]?$/;
const HUB_SUFFIX = /^[A-Z]{2,4}$/;

function isHub(tokens: readonly string[]): boolean {
  if (tokens.length === 1) return /^[A-Z][A-Z0-9]{1,5}$/.test(tokens[0]!);
  return tokens.length === 2 && ZONE_TOKEN.test(tokens[0]!) && HUB_SUFFIX.test(tokens[1]!);
}

/** `border_AT_BE` → `AT>BE`; `border_SE3_SWL_SE4` → `SE3_SWL>SE4`; null when the name cannot be split. */
export function borderOf(column: string): string | null {
  const tokens = column.slice('border_'.length).split('_');
  if (tokens.length === 2) return isHub([tokens[0]!]) && isHub([tokens[1]!]) ? `${tokens[0]}>${tokens[1]}` : null;
  const splits = [];
  for (let i = 1; i < tokens.length; i++) {
    if (isHub(tokens.slice(0, i)) && isHub(tokens.slice(i))) splits.push(`${tokens.slice(0, i).join('_')}>${tokens.slice(i).join('_')}`);
  }
  return splits.length === 1 ? splits[0]! : null;
}

// Fields of a row that describe it rather than measure anything.
const ROW_META = new Set(['id', 'dateTimeUtc', 'lastModifiedOn', 'businessDayUtc']);
// Per-CNEC identity fields: which critical network element, under which contingency, whose. The
// Nordic domain (fbDomainShadowPrice) names the element `cneName`/`cneEic` where Core says `cnecName`/`cnecEic`.
const CNEC_IDENTITY = new Set(['cnecEic', 'cnecName', 'cneEic', 'cneName', 'contName', 'contingencyName', 'tso', 'direction']);
// Descriptive text of a constraint row (as public Core and Nordic clients read them): never a metric,
// also when null (a basecase row's contEic, an allocation constraint's substations).
const CNEC_TEXT = new Set([
  'cnecType', 'cneType', 'cneStatus', 'contEic', 'contTso', 'contStatus', 'contSubstationFrom', 'contSubstationTo', 'biddingZoneFrom', 'biddingZoneTo',
  'hubFrom', 'hubTo', 'substationFrom', 'substationTo', 'elementType', 'fmaxType', 'imaxMethod', 'justification', 'contingencies',
]);
const CNEC_UNITS: Readonly<Record<string, string>> = { shadowPrice: 'EUR/MW', imax: 'A', minRAMFactor: '%', minRamFactor: '%' };

function checkValue(v: unknown, where: string): number | null {
  if (v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ParseError(`${where}: not a number: ${JSON.stringify(v)}`);
  return v;
}

const QUARTER_MS = 15 * 60_000;
const HOUR_MS = 60 * 60_000;

/**
 * The MTU of every row instant, decided per Amsterdam business day, so a two-day answer across the
 * 15-minute go-live (2025-10-01) labels each day right:
 * - a row starting off the full hour proves quarter-hours (JAO has no 30-minute MTU);
 * - a wide table holds one row per MTU, so two or more rows of a day all on full hours are hourly
 *   (Core MaxBEX stayed hourly after the go-live);
 * - sparse rows (active constraints: a row only where a CNEC binds) and a lone row cannot show
 *   their step: `schedule`, the dataset's MTU for the region, says it for the day.
 * An instant off the 15-minute grid starts no MTU at all.
 */
export function inferResolutions(instants: readonly Date[], layout: ColumnLayout, schedule: MtuSchedule | undefined, where: string): Map<number, JaoMtu> {
  const days = new Map<number, number[]>();
  for (const ms of new Set(instants.map((d) => d.getTime()))) {
    if (ms % QUARTER_MS !== 0) throw new ParseError(`${where}: a row at ${isoUtc(new Date(ms))} does not start a 15-minute market time unit`);
    const day = floorTo(new Date(ms), 'P1D', JAO_TZ).getTime();
    const list = days.get(day);
    if (list) list.push(ms);
    else days.set(day, [ms]);
  }
  const out = new Map<number, JaoMtu>();
  for (const [day, list] of days) {
    let mtu: JaoMtu | undefined;
    if (list.some((ms) => ms % HOUR_MS !== 0)) mtu = 'PT15M';
    else if (layout.kind !== 'cnecs' && list.length >= 2) mtu = 'PT60M';
    else mtu = schedule && mtuOn(schedule, new Date(day));
    if (!mtu) throw new ParseError(`${where}: the rows of business day ${isoUtc(new Date(day))} do not show their market time unit, and no MTU is known for it`);
    for (const ms of list) out.set(ms, mtu);
  }
  return out;
}

// Nordic hubs are Norwegian, Swedish and Danish price areas and Finland; none of them is in Core.
// A hub's first token is its bidding zone (`SE3_SWL` is a virtual hub of SE3); `DE_NO2_BigHub` is
// Core's hub for the German–Norwegian link, not a Nordic hub.
const NORDIC_ZONE = /^(NO[1-5]|SE[1-4]|DK[12]|FI)$/;
const isNordicHub = (hub: string) => NORDIC_ZONE.test(hub.split('_')[0]!);

/**
 * The capacity calculation region of an answer, from its hubs (column names): the region is in the
 * request path, not in the payload. Ingestion hands the parser its partition (the region); this is
 * for a payload parsed without one. Nordic constraint rows name their PTDFs `ptdf_<hub>`.
 */
export function regionOf(rows: readonly Record<string, unknown>[]): 'core' | 'nordic' {
  for (const row of rows.slice(0, 5)) {
    for (const key of Object.keys(row)) {
      if (key.startsWith('hub_') && isNordicHub(key.slice('hub_'.length))) return 'nordic';
      if (key.startsWith('ptdf_') && isNordicHub(key.slice('ptdf_'.length))) return 'nordic';
      if (key.startsWith('border_') && (borderOf(key)?.split('>') ?? []).some(isNordicHub)) return 'nordic';
    }
  }
  return 'core';
}

const isRegion = (s: string | undefined): s is JaoRegion => (JAO_REGIONS as readonly (string | undefined)[]).includes(s);

/**
 * Parses one Publication Tool answer of `ds`. The region (a dimension of every series) is the
 * partition it was fetched for when given, else read from its hubs.
 */
export function parsePublication(ds: PublicationDataset, body: Uint8Array | string, partition?: string): Observation[] {
  const env = readPublicationEnvelope(body, `JAO ${ds.apiName}`);
  const rows = env.data ?? [];
  const region = isRegion(partition) ? partition : regionOf(rows);
  const instants = rows.map((r, i) => {
    const ts = parseUtcInstant(r.dateTimeUtc);
    if (!ts) throw new ParseError(`JAO ${region} ${ds.apiName} row ${i}: dateTimeUtc is not a UTC instant: ${JSON.stringify(r.dateTimeUtc)}`);
    return ts;
  });
  const resolutions = inferResolutions(instants, ds.layout, ds.mtu[region], `JAO ${region} ${ds.apiName}`);
  const out: Observation[] = [];
  const seriesOf = sharedSeries();
  rows.forEach((row, i) => {
    const ts = instants[i]!;
    const resolution = resolutions.get(ts.getTime())!;
    const where = (field: string) => `JAO ${region} ${ds.apiName} row ${i} (${row.dateTimeUtc}) ${field}`;
    const issuedRaw = row.lastModifiedOn;
    // Nordic rows carry lastModifiedOn; only an instant with a zone is taken as the issue time.
    const issued = typeof issuedRaw === 'string' ? (parseUtcInstant(issuedRaw) ?? undefined) : undefined;
    const push = (dims: Record<string, string>, value: number | null, unit: string) =>
      out.push({ dataset: ds.id, series: seriesOf({ region, ...dims }), ts, resolution, value, unit, ...(issued ? { issued } : {}) });
    const layout = ds.layout;
    if (layout.kind === 'cnecs') {
      const text = (...fields: string[]) => fields.map((f) => row[f]).find((v): v is string => typeof v === 'string' && v.trim() !== '')?.trim();
      const cnec = text('cnecName', 'cneName', 'cnecEic', 'cneEic');
      if (!cnec) throw new ParseError(`${where('cnecName')}: a constraint row names no CNEC`);
      // A CNEC is the element under a contingency ("basecase": none), monitored by a TSO in a direction.
      const identity = { cnec, contingency: text('contName', 'contingencyName') ?? 'basecase', tso: text('tso') ?? '-', direction: text('direction') ?? '-' };
      for (const [field, v] of Object.entries(row)) {
        // PTDFs (hub_*) are sensitivities of the constraint, not series of their own.
        if (ROW_META.has(field) || CNEC_IDENTITY.has(field) || CNEC_TEXT.has(field) || field.startsWith('hub_') || field.startsWith('ptdf_')) continue;
        if (typeof v !== 'number' && v !== null) continue; // descriptive text and flags
        push({ ...identity, metric: field }, checkValue(v, where(field)), CNEC_UNITS[field] ?? 'MW');
      }
      return;
    }
    for (const [field, v] of Object.entries(row)) {
      if (ROW_META.has(field)) continue;
      if (layout.kind === 'borders') {
        if (!field.startsWith('border_')) continue;
        const border = borderOf(field);
        if (!border) throw new ParseError(`${where(field)}: not a border column of two hubs`);
        push({ border }, checkValue(v, where(field)), layout.unit);
      } else if (layout.kind === 'hubs') {
        if (!field.startsWith('hub_')) continue;
        push({ hub: field.slice('hub_'.length) }, checkValue(v, where(field)), layout.unit);
      } else if (layout.kind === 'bounds') {
        const m = /^(min|max)_?([A-Za-z0-9_]+)$/i.exec(field);
        if (!m) continue;
        push({ hub: m[2]!, bound: m[1]!.toLowerCase() }, checkValue(v, where(field)), layout.unit);
      } else {
        if (typeof v !== 'number' && v !== null) continue;
        push({ metric: field }, checkValue(v, where(field)), layout.unit);
      }
    }
  });
  return out;
}

/** Which layout a Publication Tool answer has, from its first row's columns (for detection). */
export function publicationColumns(body: Uint8Array): Set<string> | null {
  try {
    const env = readPublicationEnvelope(body);
    return new Set(Object.keys(env.data?.[0] ?? {}));
  } catch {
    return null;
  }
}
