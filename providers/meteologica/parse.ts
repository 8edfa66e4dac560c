// Meteologica forecast files: delimited text whose layout differs per contract, so one parser is
// driven by a per-feed description (delimiter, decimal mark, the zone of naive timestamps, which
// column holds what). No public Meteologica file or spec exists (providers.md §6): the shape is
// the documented assumption — one row per forecast instant, the issue time on every row, a point
// forecast and percentiles — and every fact of it is a field below, so a real spec sheet changes
// a description, not code.
import { ParseError } from '../../shared/errors.ts';
import { sharedSeries, type Observation } from '../../shared/observation.ts';
import { parseStrictInstant } from '../../shared/strict.ts';
import { fromLocalNaive, toLocalNaive } from '../../shared/time.ts';

export type FeedDescription = {
  dataset: string;
  delimiter: ';' | ',' | '\t';
  decimal: '.' | ',';
  /** Zone of timestamps written without an offset (`2025-10-26 02:00`); ones with an offset or `Z` are read as such. */
  timeZone: string;
  resolution: string;
  unit: string;
  /** What the forecast is of (`wind_power`, `solar_power`, `load`, `price`): the `variable` dimension. */
  variable: string;
  columns: {
    issued: string;
    /** Start of the interval the value is for. */
    valueTime: string;
    area: string;
    point: string;
    /** Percentile → column, e.g. `{ p10: 'P10' }`; each is its own series (`quantile` dimension). */
    percentiles: Readonly<Record<string, string>>;
  };
};

/** Cheap: is the first line this feed's header (all its columns, in any order)? */
export function matchesFeedHeader(feed: FeedDescription, body: Uint8Array): boolean {
  const text = new TextDecoder().decode(body.subarray(0, 4096)).replace(/^\uFEFF/, '');
  const header = text.split(/\r?\n/, 1)[0]!.split(feed.delimiter).map((h) => h.trim());
  const wanted = requiredColumns(feed);
  return header.length === wanted.length && wanted.every((c) => header.includes(c));
}

const requiredColumns = (feed: FeedDescription) => [
  feed.columns.issued, feed.columns.valueTime, feed.columns.area, feed.columns.point, ...Object.values(feed.columns.percentiles),
];

const NUMBER = { '.': /^-?\d+(\.\d+)?$/, ',': /^-?\d+(,\d+)?$/ } as const;
const NAIVE = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})(:00)?$/;

export function parseForecastFile(feed: FeedDescription, body: Uint8Array): Observation[] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body).replace(/^\uFEFF/, '');
  } catch {
    throw new ParseError(`${feed.dataset}: file is not UTF-8 text`);
  }
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new ParseError(`${feed.dataset}: empty file`);
  const header = lines[0]!.split(feed.delimiter).map((h) => h.trim());
  const index = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new ParseError(`${feed.dataset}: column ${name} missing (header: ${header.join(feed.delimiter)})`);
    return i;
  };
  const col = {
    issued: index(feed.columns.issued),
    valueTime: index(feed.columns.valueTime),
    area: index(feed.columns.area),
    values: [['point', index(feed.columns.point)] as const, ...Object.entries(feed.columns.percentiles).map(([q, c]) => [q, index(c)] as const)],
  };
  // Naive local times repeat in the fall-back hour: within one (issue, area) the rows run forward,
  // so a local time seen before is the later of its two instants.
  const seenLocal = new Map<string, number>();
  const out: Observation[] = [];
  const seriesOf = sharedSeries();
  for (let n = 1; n < lines.length; n++) {
    const where = `${feed.dataset} line ${n + 1}`;
    const cells = lines[n]!.split(feed.delimiter).map((c) => c.trim());
    if (cells.length !== header.length) throw new ParseError(`${where}: ${cells.length} fields, the header has ${header.length}`);
    const area = cells[col.area]!;
    if (area === '') throw new ParseError(`${where}: empty ${feed.columns.area}`);
    const issued = readTime(cells[col.issued]!, feed.timeZone, where, null);
    const ts = readTime(cells[col.valueTime]!, feed.timeZone, where, { seen: seenLocal, scope: `${cells[col.issued]}|${area}` });
    for (const [quantile, i] of col.values) {
      out.push({
        dataset: feed.dataset,
        series: seriesOf({ area, variable: feed.variable, quantile }),
        ts,
        resolution: feed.resolution,
        value: readNumber(cells[i]!, feed.decimal, `${where} ${header[i]}`),
        unit: feed.unit,
        issued,
      });
    }
  }
  return out;
}

function readNumber(cell: string, decimal: '.' | ',', where: string): number | null {
  // An empty cell is the vendor's "no value": it stays null, never 0.
  if (cell === '') return null;
  if (!NUMBER[decimal].test(cell)) throw new ParseError(`${where}: not a number with decimal mark '${decimal}': ${JSON.stringify(cell.slice(0, 40))}`);
  return Number(cell.replace(',', '.'));
}

function readTime(cell: string, tz: string, where: string, fallBack: { seen: Map<string, number>; scope: string } | null): Date {
  const naive = NAIVE.exec(cell);
  if (!naive) return parseStrictInstant(cell.replace(' ', 'T'), where);
  const local = `${naive[1]}T${naive[2]}`;
  // Checks the calendar strictly (no 2025-02-30) before the zone is applied.
  parseStrictInstant(`${local}:00Z`, where);
  let at: Date;
  try {
    at = fromLocalNaive(local, tz);
  } catch {
    throw new ParseError(`${where}: not a time in ${tz}: ${cell}`);
  }
  // A spring-forward gap time (02:30 on the March change) does not exist locally.
  if (toLocalNaive(at, tz) !== local) throw new ParseError(`${where}: ${cell} does not exist in ${tz} (clock change)`);
  // Both instants of an ambiguous fall-back time, earlier first (luxon picks one of them).
  const instants = [-3_600_000, 0, 3_600_000].map((d) => new Date(at.getTime() + d)).filter((c) => toLocalNaive(c, tz) === local);
  at = instants[0]!;
  if (fallBack) {
    const key = `${fallBack.scope}|${local}`;
    const seen = fallBack.seen.get(key) ?? 0;
    if (seen >= instants.length) throw new ParseError(`${where}: ${cell} repeated`);
    at = instants[seen]!;
    fallBack.seen.set(key, seen + 1);
  }
  return at;
}
