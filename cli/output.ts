// Observation output in the three formats every command shares.
import { observationToJson, type Observation } from '../shared/observation.ts';
import { isoUtc } from '../shared/time.ts';

export type Format = 'jsonl' | 'csv' | 'table';

export function parseFormat(s: string): Format {
  if (s === 'jsonl' || s === 'csv' || s === 'table') return s;
  throw new Error(`unknown format ${s} (jsonl, csv, table)`);
}

const csvCell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** Readable code of a dimension value (an EIC as its zone code), from the provider; for tables only. */
export type DisplayValue = (dimension: string, value: string) => string;

/** Writes observations to `out` in `format`; returns how many were written. `display` rewrites dimension values in a table. */
export function writeObservations(observations: readonly Observation[], format: Format, out: NodeJS.WritableStream = process.stdout, display?: DisplayValue): number {
  if (format === 'jsonl') {
    for (const o of observations) out.write(`${JSON.stringify(observationToJson(o))}\n`);
    return observations.length;
  }
  const hasIssued = observations.some((o) => o.issued !== undefined);
  const hasQuality = observations.some((o) => o.quality !== undefined);
  const fixed = new Set(['dataset', 'ts', 'resolution', 'value', 'unit', 'issued', 'quality']);
  const fixedValue = (o: Observation, name: string) => (name === 'resolution' ? o.resolution : name === 'unit' ? o.unit : name === 'dataset' ? o.dataset : undefined);
  // A dimension that repeats a column (ENTSO-E series carry `resolution`) is shown once, in the column;
  // one that differs from it keeps its own column, named `series.<name>`.
  const dims = [...new Set(observations.flatMap((o) => Object.keys(o.series)))]
    .sort()
    .filter((d) => !fixed.has(d) || observations.some((o) => o.series[d] !== undefined && o.series[d] !== fixedValue(o, d)));
  const header = ['dataset', ...dims.map((d) => (fixed.has(d) ? `series.${d}` : d)), 'ts', 'resolution', 'value', 'unit', ...(hasIssued ? ['issued'] : []), ...(hasQuality ? ['quality'] : [])];
  const rows = observations.map((o) => [
    o.dataset,
    ...dims.map((d) => (format === 'table' && display && o.series[d] !== undefined ? display(d, o.series[d]) : o.series[d] ?? '')),
    isoUtc(o.ts),
    o.resolution,
    o.value === null ? '' : String(o.value),
    o.unit,
    ...(hasIssued ? [o.issued ? isoUtc(o.issued) : ''] : []),
    ...(hasQuality ? [o.quality ?? ''] : []),
  ]);
  if (format === 'csv') {
    out.write(`${header.join(',')}\n`);
    for (const r of rows) out.write(`${r.map(csvCell).join(',')}\n`);
  } else {
    writeTable(header, rows, out);
  }
  return observations.length;
}

export function writeTable(header: readonly string[], rows: readonly (readonly string[])[], out: NodeJS.WritableStream = process.stdout): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  out.write(`${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const r of rows) out.write(`${line(r)}\n`);
}

const cellText = (v: unknown): string =>
  v === null || v === undefined ? '' : v instanceof Date ? isoUtc(v) : typeof v === 'object' ? JSON.stringify(v) : String(v);
const jsonValue = (v: unknown): unknown => (v instanceof Date ? isoUtc(v) : typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : String(v)) : v);

/** Rows of any query (`scalar sql`), streamed for jsonl and csv; a table needs them all to size its columns. */
export async function writeRows(rows: AsyncIterable<Record<string, unknown>>, format: Format, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  let n = 0;
  let header: string[] | undefined;
  const table: string[][] = [];
  for await (const row of rows) {
    header ??= Object.keys(row);
    if (format === 'jsonl') out.write(`${JSON.stringify(Object.fromEntries(header.map((k) => [k, jsonValue(row[k])])))}\n`);
    else if (format === 'csv') {
      if (n === 0) out.write(`${header.map(csvCell).join(',')}\n`);
      out.write(`${header.map((k) => csvCell(cellText(row[k]))).join(',')}\n`);
    } else table.push(header.map((k) => cellText(row[k])));
    n += 1;
  }
  if (format === 'table' && header) writeTable(header, table, out);
  return n;
}
