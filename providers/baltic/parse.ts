// Pure parser for the Baltic Transparency Dashboard export API (Elering, AST, Litgrid):
// `GET https://api-baltic.transparency-dashboard.eu/api/v1/export?id=<dataset>&...&output_format=json`
// → `{"data": {id, measurement_unit, resolution, columns: [{index, label, group_level_0, ...}],
// timeseries: [{from, to?, values: [...]}]}}`. Values are positional to `columns`. A column is named
// by its group levels and label ("Estonia" / "Upward"); exports without labels repeat a country's
// column once per direction, the first being upward and the second downward. The API is known to
// answer some callers with HTTP 200 and an HTML page (a decoy single-page app): that is never data.
import { DateTime } from 'luxon';
import { z } from 'zod';
import { ParseError } from '../../shared/errors.ts';
import type { Observation } from '../../shared/observation.ts';

const ColumnSchema = z.looseObject({
  index: z.number().int().nonnegative().optional(),
  label: z.string().nullable().optional(),
  group_level_0: z.string().nullable().optional(),
  group_level_1: z.string().nullable().optional(),
  group_level_2: z.string().nullable().optional(),
  res: z.string().nullable().optional(),
});

const ExportSchema = z.looseObject({
  id: z.string().optional(),
  measurement_unit: z.string().nullable().optional(),
  resolution: z.string().nullable().optional(),
  columns: z.array(ColumnSchema),
  timeseries: z.array(
    z.looseObject({
      from: z.string(),
      to: z.string().nullable().optional(),
      values: z.array(z.unknown()),
    }),
  ),
});

export type BalticExport = z.infer<typeof ExportSchema>;

/** The decoy: an HTML page where JSON was asked for. The client retries it; the parser refuses it. */
export function isHtmlDecoy(body: Uint8Array | string): boolean {
  const head = (typeof body === 'string' ? body : new TextDecoder().decode(body.subarray(0, 512))).replace(/^\uFEFF/, '').trimStart().slice(0, 64).toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html');
}

export function readExport(body: Uint8Array | string): BalticExport {
  if (isHtmlDecoy(body)) throw new ParseError('Baltic transparency: an HTML page, not an export (the API\'s decoy answer)');
  let json: unknown;
  try {
    json = JSON.parse(typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch (e) {
    throw new ParseError(`Baltic transparency: not a JSON document: ${(e as Error).message}`);
  }
  const data = (json as { data?: unknown } | null)?.data;
  const parsed = ExportSchema.safeParse(data);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new ParseError(`Baltic transparency: not an export: data.${i.path.join('.')}: ${i.message}`);
  }
  return parsed.data;
}

const AREAS = new Set(['Baltics', 'Estonia', 'Latvia', 'Lithuania']);
const DIRECTIONS: Readonly<Record<string, string>> = { upward: 'up', downward: 'down', up: 'up', down: 'down' };
const RESOLUTIONS = new Set(['PT1M', 'PT5M', 'PT15M', 'PT30M', 'PT60M', 'PT1H', 'P1D']);
const OFFSET_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

const slug = (s: string) => s.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');

/** A column's series: its area, direction and what it measures, from its group levels and label. */
export function columnSeries(c: z.infer<typeof ColumnSchema>): { area: string; direction: string; metric: string } {
  const parts = [c.group_level_0, c.group_level_1, c.group_level_2, c.label].filter((p): p is string => typeof p === 'string' && p.trim() !== '').map((p) => p.trim());
  const area = parts.find((p) => AREAS.has(p));
  if (!area) throw new ParseError(`Baltic transparency: column ${JSON.stringify(parts.join(' / '))} names no area (Baltics, Estonia, Latvia, Lithuania)`);
  const direction = parts.map((p) => DIRECTIONS[p.toLowerCase()]).find((d) => d !== undefined) ?? 'none';
  const rest = parts.filter((p) => p !== area && DIRECTIONS[p.toLowerCase()] === undefined);
  return { area, direction, metric: rest.length > 0 ? slug(rest.join(' ')) : 'value' };
}

/** Parses an export of `dataset` (the Scalar id). */
export function parseBalticExport(dataset: string, body: Uint8Array | string): Observation[] {
  const ex = readExport(body);
  let resolution = ex.resolution ?? ex.columns[0]?.res ?? '';
  if (resolution === 'PT1H') resolution = 'PT60M';
  if (!RESOLUTIONS.has(resolution)) throw new ParseError(`Baltic transparency ${ex.id ?? dataset}: unsupported resolution ${JSON.stringify(resolution)}`);
  const unit = ex.measurement_unit?.trim();
  if (!unit) throw new ParseError(`Baltic transparency ${ex.id ?? dataset}: no measurement_unit`);
  // Columns in their `index` order; a repeated name without a direction is the up/down pair.
  // `values` follow the columns in `index` order (the listed order when there is no index).
  const columns = [...ex.columns].map((c, i) => ({ c, at: c.index ?? i })).sort((a, b) => a.at - b.at).map(({ c }, k) => ({ c, at: k }));
  const seen = new Map<string, number>();
  const series = columns.map(({ c }) => {
    const s = columnSeries(c);
    const key = `${s.area}|${s.direction}|${s.metric}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    if (n === 0) return s;
    if (s.direction !== 'none' || n > 1) throw new ParseError(`Baltic transparency ${ex.id ?? dataset}: column ${key} appears ${n + 1} times`);
    return { ...s, direction: 'down' };
  });
  // The first of a repeated pair is the upward one.
  series.forEach((s, i) => {
    if (s.direction === 'none' && series.some((t, j) => j !== i && t.area === s.area && t.metric === s.metric && t.direction === 'down')) series[i] = { ...s, direction: 'up' };
  });
  const out: Observation[] = [];
  ex.timeseries.forEach((row, r) => {
    const where = `Baltic transparency ${ex.id ?? dataset} row ${r} (${row.from})`;
    const dt = OFFSET_INSTANT.test(row.from) ? DateTime.fromISO(row.from, { setZone: true }) : null;
    if (!dt || !dt.isValid) throw new ParseError(`${where}: "from" is not an instant with an offset`);
    if (row.values.length !== columns.length) throw new ParseError(`${where}: ${row.values.length} values for ${columns.length} columns`);
    const ts = dt.toJSDate();
    columns.forEach(({ at }, k) => {
      const v = row.values[at];
      if (v !== null && (typeof v !== 'number' || !Number.isFinite(v))) throw new ParseError(`${where} column ${at}: not a number: ${JSON.stringify(v)}`);
      out.push({ dataset, series: series[k]!, ts, resolution, value: v as number | null, unit });
    });
  });
  return out;
}
