// Analyst views: one per dataset, `v_<provider>_<name>`, with the series dimensions (a JSON string in
// `series.dimensions`) unpacked into columns, so SQL users never parse JSON. Generated from the
// descriptors; every migrate replaces them all (CREATE OR REPLACE VIEW), so a dataset whose
// dimensions changed gets its new columns on the next `scalar db migrate` or start.
import type { Provider } from '../dataset.ts';

export type ViewDialect = 'duckdb' | 'mysql' | 'starrocks';

export type ViewColumn = {
  name: string;
  dimension: string;
  /** Raw value → display code (ENTSO-E EIC → zone code); the column then shows the code, unknown values as they are. */
  codes?: Readonly<Record<string, string>>;
};

export type AnalystView = { name: string; dataset: string; columns: readonly ViewColumn[] };

/** Columns every view has; a dimension with one of these names is shown as `series_<name>`. */
const FIXED = new Set(['dataset', 'series_key', 'ts', 'value', 'unit', 'resolution', 'issued', 'quality']);

const identifier = (s: string) => s.toLowerCase().replace(/[^a-z0-9_]/g, '_');

export const viewName = (datasetId: string) => `v_${identifier(datasetId.replace('.', '_'))}`;

/** One view per dataset of every provider; dimensions with a display mapping get a second, `zone`-like column. */
export function analystViews(providers: readonly Provider[]): AnalystView[] {
  return providers.flatMap((p) =>
    p.datasets.map((d) => {
      const columns: ViewColumn[] = [];
      for (const dim of [...d.dimensions, ...(d.optionalDimensions ?? [])]) {
        const name = identifier(dim);
        columns.push({ name: FIXED.has(name) ? `series_${name}` : name, dimension: dim });
        const codes = p.displayCodes?.(dim);
        if (codes) columns.push({ name: name === 'area' ? 'zone' : `${name}_zone`, dimension: dim, codes });
      }
      return { name: viewName(d.id), dataset: d.id, columns };
    }),
  );
}

const literal = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
// DuckDB keeps backslashes literal in strings; the MySQL protocol dialects escape them.
const literalFor = (dialect: ViewDialect, s: string) => (dialect === 'duckdb' ? `'${s.replace(/'/g, "''")}'` : literal(s));

function extract(dialect: ViewDialect, dimension: string): string {
  const path = literalFor(dialect, `$."${dimension.replace(/"/g, '')}"`);
  if (dialect === 'duckdb') return `json_extract_string(s.dimensions, ${path})`;
  if (dialect === 'starrocks') return `get_json_string(s.dimensions, ${path})`;
  return `JSON_UNQUOTE(JSON_EXTRACT(s.dimensions, ${path}))`;
}

/** The CREATE OR REPLACE VIEW statement of one view in one dialect. */
export function viewStatement(dialect: ViewDialect, view: AnalystView): string {
  const q = (id: string) => (dialect === 'duckdb' ? `"${id}"` : `\`${id}\``);
  const columns = view.columns.map((c) => {
    const raw = extract(dialect, c.dimension);
    if (!c.codes || Object.keys(c.codes).length === 0) return `${raw} AS ${q(c.name)}`;
    const cases = Object.entries(c.codes).map(([from, to]) => `WHEN ${literalFor(dialect, from)} THEN ${literalFor(dialect, to)}`).join(' ');
    return `CASE ${raw} ${cases} ELSE ${raw} END AS ${q(c.name)}`;
  });
  return [
    `CREATE OR REPLACE VIEW ${q(view.name)} AS SELECT`,
    `  ${[...columns, 'o.ts', 'o.value', 's.unit', 's.resolution', 'o.issued', 'o.quality', 's.series_key'].join(',\n  ')}`,
    'FROM observations o JOIN series s ON s.dataset = o.dataset AND s.series_key = o.series_key',
    `WHERE o.dataset = ${literalFor(dialect, view.dataset)}`,
  ].join('\n');
}
