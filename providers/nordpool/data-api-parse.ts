// Pure parsers for the Market Data API v2 (data-api.nordpoolgroup.com/api/v2, subscription): every
// `…/ByAreas` answer is a JSON array with one object per delivery area. Instants are UTC `Z`
// (`deliveryStart`), interval lengths from `deliveryEnd - deliveryStart`.
import { z } from 'zod';
import { ParseError } from '../../shared/errors.ts';
import { sharedSeries, type Observation } from '../../shared/observation.ts';
import { checked, mtuOf, parseUtcInstant, readJson } from './portal-parse.ts';

export const DATA_API_IDS = {
  prices: 'nordpool.auction_prices',
  exchanges: 'nordpool.exchanges',
  capacities: 'nordpool.capacities',
} as const;

/** The series key for a whole-area total next to the per-connection series. */
export const TOTAL = 'total';

const num = z.number().finite().nullable();

const PricesSchema = z.array(
  z.looseObject({
    deliveryArea: z.string().min(1),
    market: z.string(),
    status: z.string().nullable().optional(),
    currency: z.string().regex(/^[A-Z]{3}$/),
    unit: z.string().optional(),
    prices: z.array(z.looseObject({ price: num, deliveryStart: z.string(), deliveryEnd: z.string() })),
    deliveryDateCET: z.string(),
    updatedAt: z.string(),
  }),
);

const ExchangesSchema = z.array(
  z.looseObject({
    deliveryArea: z.string().min(1),
    status: z.string().nullable().optional(),
    unit: z.literal('MW'),
    exchanges: z.array(
      z.looseObject({
        byConnections: z.array(z.looseObject({ area: z.string().min(1), import: num, export: num, netPosition: num })),
        totalImport: num,
        totalExport: num,
        totalNetPosition: num,
        deliveryStart: z.string(),
        deliveryEnd: z.string(),
      }),
    ),
    deliveryDateCET: z.string(),
    updatedAt: z.string(),
  }),
);

const byConnection = z.array(z.looseObject({ area: z.string().min(1), capacity: num }));
const CapacitiesSchema = z.array(
  z.looseObject({
    deliveryArea: z.string().min(1),
    market: z.string().optional(),
    status: z.string().nullable().optional(),
    unit: z.literal('MW'),
    capacities: z.array(
      z.looseObject({
        importsByConnection: byConnection,
        exportsByConnection: byConnection,
        totalImport: num,
        totalExport: num,
        deliveryStart: z.string(),
        deliveryEnd: z.string(),
      }),
    ),
    deliveryDateCET: z.string(),
    updatedAt: z.string(),
  }),
);

function bounds(e: { deliveryStart: string; deliveryEnd: string }, where: string): { ts: Date; resolution: string } {
  const ts = parseUtcInstant(e.deliveryStart);
  const end = parseUtcInstant(e.deliveryEnd);
  if (!ts || !end) throw new ParseError(`${where}: deliveryStart/deliveryEnd are not UTC instants: ${e.deliveryStart} / ${e.deliveryEnd}`);
  return { ts, resolution: mtuOf(ts, end, where) };
}

function issuedAt(updatedAt: string, where: string): Date {
  const d = parseUtcInstant(updatedAt);
  if (!d) throw new ParseError(`${where}: updatedAt is not a UTC instant: ${updatedAt}`);
  return d;
}

const quality = (status: string | null | undefined) => (status ? { quality: status } : {});

type AreaAnswer = { deliveryArea: string; deliveryDateCET: string; updatedAt: string; status?: string | null };
type Interval = { deliveryStart: string; deliveryEnd: string };

/**
 * The walk every `…/ByAreas` answer shares: per area and per delivery interval, the rows `values`
 * names, each stamped with the interval's instant and length, the area's update time and status.
 */
function parseByAreas<A extends AreaAnswer, E extends Interval>(
  body: Uint8Array | string,
  endpoint: string,
  schema: z.ZodType<A[]>,
  read: {
    dataset: string;
    what: string;
    intervals(a: A): readonly E[];
    /** Checks the area's header and gives the unit of its values. */
    unit(a: A, where: string): string;
    values(a: A, e: E): Iterable<readonly [series: Record<string, string>, value: number | null]>;
  },
): Observation[] {
  const label = `nordpool ${endpoint}`;
  const json = readJson(body, label);
  if (json === null) return [];
  const out: Observation[] = [];
  const seriesOf = sharedSeries();
  for (const a of checked(schema, json, label)) {
    const where = `${label} ${a.deliveryArea} ${a.deliveryDateCET}`;
    const unit = read.unit(a, where);
    const issued = issuedAt(a.updatedAt, where);
    read.intervals(a).forEach((e, i) => {
      const { ts, resolution } = bounds(e, `${where} ${read.what} ${i}`);
      for (const [series, value] of read.values(a, e)) {
        out.push({ dataset: read.dataset, series: seriesOf(series), ts, resolution, value, unit, issued, ...quality(a.status) });
      }
    });
  }
  return out;
}

/** `GET Auction/Prices/ByAreas`: one price series per area and currency; `status` (Final/Preliminary) as quality. */
export function parseAuctionPrices(body: Uint8Array | string): Observation[] {
  return parseByAreas(body, 'Auction/Prices', PricesSchema, {
    dataset: DATA_API_IDS.prices,
    what: 'price',
    intervals: (a) => a.prices,
    unit(a, where) {
      const unit = `${a.currency}/MWh`;
      // The answer states its unit; a price in another unit would be mislabelled, so refuse it.
      if (a.unit !== undefined && a.unit !== unit) throw new ParseError(`${where}: unit ${a.unit} does not match currency ${a.currency}`);
      return unit;
    },
    values: (a, p) => [[{ area: a.deliveryArea, currency: a.currency }, p.price]],
  });
}

/**
 * `GET PowerSystem/Exchanges/ByAreas`: per connection of an area its import, export and net
 * position (MW, seen from the area), plus the area's totals as connection `total`.
 */
export function parseExchanges(body: Uint8Array | string): Observation[] {
  return parseByAreas(body, 'PowerSystem/Exchanges', ExchangesSchema, {
    dataset: DATA_API_IDS.exchanges,
    what: 'exchange',
    intervals: (a) => a.exchanges,
    unit: () => 'MW',
    *values(a, e) {
      const row = (connection: string, flow: string, value: number | null) => [{ area: a.deliveryArea, connection, flow }, value] as const;
      for (const c of e.byConnections) yield* [row(c.area, 'import', c.import), row(c.area, 'export', c.export), row(c.area, 'net_position', c.netPosition)];
      yield* [row(TOTAL, 'import', e.totalImport), row(TOTAL, 'export', e.totalExport), row(TOTAL, 'net_position', e.totalNetPosition)];
    },
  });
}

/** `GET Auction/Capacities/ByAreas`: day-ahead import/export capacity per connection (MW), totals as `total`. */
export function parseCapacities(body: Uint8Array | string): Observation[] {
  return parseByAreas(body, 'Auction/Capacities', CapacitiesSchema, {
    dataset: DATA_API_IDS.capacities,
    what: 'capacity',
    intervals: (a) => a.capacities,
    unit: () => 'MW',
    *values(a, c) {
      const row = (connection: string, direction: string, value: number | null) => [{ area: a.deliveryArea, connection, direction }, value] as const;
      for (const x of c.importsByConnection) yield row(x.area, 'import', x.capacity);
      for (const x of c.exportsByConnection) yield row(x.area, 'export', x.capacity);
      yield* [row(TOTAL, 'import', c.totalImport), row(TOTAL, 'export', c.totalExport)];
    },
  });
}

/** Which v2 answer this is, from the keys of its first area object; never throws. */
export function dataApiShape(body: Uint8Array): 'prices' | 'exchanges' | 'capacities' | null {
  try {
    const json = readJson(body, 'detect');
    if (!Array.isArray(json) || json.length === 0 || typeof json[0] !== 'object' || json[0] === null) return null;
    const first = json[0] as Record<string, unknown>;
    if (!('deliveryArea' in first)) return null;
    if ('prices' in first) return 'prices';
    if ('exchanges' in first) return 'exchanges';
    if ('capacities' in first) return 'capacities';
    return null;
  } catch {
    return null;
  }
}
