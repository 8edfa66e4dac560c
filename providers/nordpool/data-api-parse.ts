// Pure parsers for the Market Data API v2 (data-api.nordpoolgroup.com/api/v2, subscription): every
// `…/ByAreas` answer is a JSON array with one object per delivery area. Instants are UTC `Z`
// (`deliveryStart`), interval lengths from `deliveryEnd - deliveryStart`.
import { z } from 'zod';
import { ParseError } from '../../shared/errors.ts';
import type { Observation } from '../../shared/observation.ts';
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

/** `GET Auction/Prices/ByAreas`: one price series per area and currency; `status` (Final/Preliminary) as quality. */
export function parseAuctionPrices(body: Uint8Array | string): Observation[] {
  const json = readJson(body, 'nordpool Auction/Prices');
  if (json === null) return [];
  const areas = checked(PricesSchema, json, 'nordpool Auction/Prices');
  const out: Observation[] = [];
  for (const a of areas) {
    const where = `nordpool Auction/Prices ${a.deliveryArea} ${a.deliveryDateCET}`;
    const unit = `${a.currency}/MWh`;
    // The answer states its unit; a price in another unit would be mislabelled, so refuse it.
    if (a.unit !== undefined && a.unit !== unit) throw new ParseError(`${where}: unit ${a.unit} does not match currency ${a.currency}`);
    const issued = issuedAt(a.updatedAt, where);
    a.prices.forEach((p, i) => {
      const { ts, resolution } = bounds(p, `${where} price ${i}`);
      out.push({
        dataset: DATA_API_IDS.prices,
        series: { area: a.deliveryArea, currency: a.currency },
        ts,
        resolution,
        value: p.price,
        unit,
        issued,
        ...quality(a.status),
      });
    });
  }
  return out;
}

/**
 * `GET PowerSystem/Exchanges/ByAreas`: per connection of an area its import, export and net
 * position (MW, seen from the area), plus the area's totals as connection `total`.
 */
export function parseExchanges(body: Uint8Array | string): Observation[] {
  const json = readJson(body, 'nordpool PowerSystem/Exchanges');
  if (json === null) return [];
  const areas = checked(ExchangesSchema, json, 'nordpool PowerSystem/Exchanges');
  const out: Observation[] = [];
  for (const a of areas) {
    const where = `nordpool PowerSystem/Exchanges ${a.deliveryArea} ${a.deliveryDateCET}`;
    const issued = issuedAt(a.updatedAt, where);
    a.exchanges.forEach((e, i) => {
      const { ts, resolution } = bounds(e, `${where} exchange ${i}`);
      const row = (connection: string, flow: string, value: number | null): Observation => ({
        dataset: DATA_API_IDS.exchanges,
        series: { area: a.deliveryArea, connection, flow },
        ts,
        resolution,
        value,
        unit: 'MW',
        issued,
        ...quality(a.status),
      });
      for (const c of e.byConnections) {
        out.push(row(c.area, 'import', c.import), row(c.area, 'export', c.export), row(c.area, 'net_position', c.netPosition));
      }
      out.push(row(TOTAL, 'import', e.totalImport), row(TOTAL, 'export', e.totalExport), row(TOTAL, 'net_position', e.totalNetPosition));
    });
  }
  return out;
}

/** `GET Auction/Capacities/ByAreas`: day-ahead import/export capacity per connection (MW), totals as `total`. */
export function parseCapacities(body: Uint8Array | string): Observation[] {
  const json = readJson(body, 'nordpool Auction/Capacities');
  if (json === null) return [];
  const areas = checked(CapacitiesSchema, json, 'nordpool Auction/Capacities');
  const out: Observation[] = [];
  for (const a of areas) {
    const where = `nordpool Auction/Capacities ${a.deliveryArea} ${a.deliveryDateCET}`;
    const issued = issuedAt(a.updatedAt, where);
    a.capacities.forEach((c, i) => {
      const { ts, resolution } = bounds(c, `${where} capacity ${i}`);
      const row = (connection: string, direction: string, value: number | null): Observation => ({
        dataset: DATA_API_IDS.capacities,
        series: { area: a.deliveryArea, connection, direction },
        ts,
        resolution,
        value,
        unit: 'MW',
        issued,
        ...quality(a.status),
      });
      for (const x of c.importsByConnection) out.push(row(x.area, 'import', x.capacity));
      for (const x of c.exportsByConnection) out.push(row(x.area, 'export', x.capacity));
      out.push(row(TOTAL, 'import', c.totalImport), row(TOTAL, 'export', c.totalExport));
    });
  }
  return out;
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
