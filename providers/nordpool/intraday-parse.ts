// Pure parser for Nord Pool Intraday public trades (the `ticker` topic of the Intraday API: STOMP
// MESSAGE bodies are JSON arrays of PublicTradeRow). A stream batch is the same: a JSON array of the
// trade rows as received. Per the Intraday API conventions `unitPrice` is in 1/100 of the currency
// per MWh and `quantity` in kW; a trade becomes, per delivery area among its legs, one price and one
// volume row at `tradeTime`.
import { z } from 'zod';
import { ParseError } from '../../shared/errors.ts';
import { sharedSeries, type Observation } from '../../shared/observation.ts';
import { checked, parseUtcInstant, readJson } from './portal-parse.ts';

export const INTRADAY_TRADES = 'nordpool.intraday_trades';
/** Trades are events, not intervals. */
export const TRADE_RESOLUTION = 'PT0S';

const integer = z.number().int().refine(Number.isSafeInteger, 'a safe integer');

export const TradeSchema = z.looseObject({
  tradeId: z.string().min(1),
  tradeTime: z.string(),
  state: z.string().min(1),
  currency: z.string().regex(/^[A-Z]{3}$/),
  eventSequenceNo: integer.optional(),
  revisionNo: integer.nullable().optional(),
  mediumDisplayName: z.string().optional(),
  legs: z
    .array(
      z.looseObject({
        contractId: z.string().min(1),
        side: z.string().optional(),
        unitPrice: integer,
        quantity: integer.nonnegative(),
        deliveryAreaId: integer,
        aggressor: z.boolean().nullable().optional(),
      }),
    )
    .min(1),
});

export type Trade = z.infer<typeof TradeSchema>;

const TradesSchema = z.array(TradeSchema);

const PRODUCTS: Readonly<Record<string, string>> = { QH: 'PT15M', HH: 'PT30M', PH: 'PT60M' };

/**
 * The delivery period of a contract id of the form `NX_<QH|HH|PH>_<yyyyMMddHHmm UTC start>` (the
 * documented shape and the simulator). Contract ids the Intraday API assigns otherwise need its
 * `contracts` topic (delivery start/end per id), not read yet: undefined.
 */
export function contractDelivery(contract: string): { start: Date; resolution: string } | undefined {
  const m = /^NX_(QH|HH|PH)_(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(contract);
  if (!m) return undefined;
  const start = new Date(`${m[2]}-${m[3]}-${m[4]}T${m[5]}:${m[6]}:00Z`);
  return Number.isNaN(start.getTime()) ? undefined : { start, resolution: PRODUCTS[m[1]!]! };
}

/** Dedupe key of one trade revision: a repeat (snapshot after reconnect) is dropped, a revision is not. */
export const tradeKey = (t: Pick<Trade, 'tradeId' | 'revisionNo'>) => `${t.tradeId}#${t.revisionNo ?? 0}`;

/** Trade states that withdraw a trade: its rows are kept with null values and the state as quality. */
const WITHDRAWN = new Set(['CANC', 'CANCELLED', 'DELETED']);

export function tradeObservations(t: Trade, where: string, seriesOf = sharedSeries()): Observation[] {
  const ts = parseUtcInstant(t.tradeTime);
  if (!ts) throw new ParseError(`${where}: tradeTime is not a UTC instant: ${t.tradeTime}`);
  const withdrawn = WITHDRAWN.has(t.state);
  const out: Observation[] = [];
  const seen = new Set<string>();
  for (const leg of t.legs) {
    // Buy and sell legs of a trade inside one area carry the same price and quantity: one row per area.
    const k = `${leg.deliveryAreaId}\u0000${leg.contractId}`;
    if (seen.has(k)) continue;
    seen.add(k);
    const series = { area: String(leg.deliveryAreaId), contract: leg.contractId };
    const base = { dataset: INTRADAY_TRADES, ts, resolution: TRADE_RESOLUTION, quality: t.state };
    out.push(
      { ...base, series: seriesOf({ ...series, metric: 'price' }), value: withdrawn ? null : leg.unitPrice / 100, unit: `${t.currency}/MWh` },
      { ...base, series: seriesOf({ ...series, metric: 'volume' }), value: withdrawn ? null : leg.quantity / 1000, unit: 'MW' },
    );
  }
  return out;
}

export function parseIntradayTrades(body: Uint8Array | string): Observation[] {
  const json = readJson(body, 'nordpool intraday trades');
  if (json === null) return [];
  const trades = checked(TradesSchema, json, 'nordpool intraday trades');
  const seriesOf = sharedSeries();
  return trades.flatMap((t, i) => tradeObservations(t, `nordpool intraday trade ${i} (${t.tradeId})`, seriesOf));
}

/** A JSON array whose first element looks like a PublicTradeRow; never throws. */
export function isTradeBatch(body: Uint8Array): boolean {
  try {
    const json = readJson(body, 'detect');
    if (!Array.isArray(json) || json.length === 0) return false;
    const first = json[0] as Record<string, unknown>;
    return typeof first === 'object' && first !== null && 'tradeId' in first && 'legs' in first;
  } catch {
    return false;
  }
}

export const INTRADAY_STATISTICS = 'nordpool.intraday_statistics';

const nullableInt = integer.nullable().optional();

/** PublicStatisticRow of the Intraday API's `publicStatistics/<deliveryAreaId>` topic. */
export const StatisticSchema = z.looseObject({
  contractId: z.string().min(1),
  deliveryAreaId: integer,
  updatedAt: z.string(),
  lastPrice: nullableInt,
  lastQuantity: nullableInt,
  lastTradeTime: z.string().nullable().optional(),
  highestPrice: nullableInt,
  lowestPrice: nullableInt,
  vwap: nullableInt,
  dayAheadPrice: nullableInt,
  deleted: z.boolean().nullable().optional(),
});

export type Statistic = z.infer<typeof StatisticSchema>;

const StatisticsSchema = z.array(StatisticSchema);

/** Dedupe key of one statistics update: the same contract and area as of the same `updatedAt` is a repeat. */
export const statisticKey = (s: Pick<Statistic, 'contractId' | 'deliveryAreaId' | 'updatedAt'>) => `${s.contractId}/${s.deliveryAreaId}@${s.updatedAt}`;

// Prices in 1/100 EUR per MWh, quantities in kW (Intraday API conventions). `turnover` is left out:
// its unit is not documented clearly enough to label it.
const STATISTIC_METRICS = [
  ['lastPrice', 'last_price', 100, 'EUR/MWh'],
  ['highestPrice', 'highest_price', 100, 'EUR/MWh'],
  ['lowestPrice', 'lowest_price', 100, 'EUR/MWh'],
  ['vwap', 'vwap', 100, 'EUR/MWh'],
  ['dayAheadPrice', 'day_ahead_price', 100, 'EUR/MWh'],
  ['lastQuantity', 'last_quantity', 1000, 'MW'],
] as const;

/**
 * Per-contract statistics as of `updatedAt`: one row per metric at `ts = updatedAt`. A missing
 * statistic (no trade yet) stays null; a `deleted` row (contract withdrawn) is kept with quality `deleted`.
 */
export function parseIntradayStatistics(body: Uint8Array | string): Observation[] {
  const json = readJson(body, 'nordpool intraday statistics');
  if (json === null) return [];
  const rows = checked(StatisticsSchema, json, 'nordpool intraday statistics');
  const out: Observation[] = [];
  const seriesOf = sharedSeries();
  rows.forEach((s, i) => {
    const ts = parseUtcInstant(s.updatedAt);
    if (!ts) throw new ParseError(`nordpool intraday statistic ${i} (${s.contractId}): updatedAt is not a UTC instant: ${s.updatedAt}`);
    for (const [field, metric, scale, unit] of STATISTIC_METRICS) {
      const v = s[field];
      out.push({
        dataset: INTRADAY_STATISTICS,
        series: seriesOf({ area: String(s.deliveryAreaId), contract: s.contractId, metric }),
        ts,
        resolution: TRADE_RESOLUTION,
        value: v === null || v === undefined ? null : v / scale,
        unit,
        ...(s.deleted ? { quality: 'deleted' } : {}),
      });
    }
  });
  return out;
}

/** A JSON array whose first element looks like a PublicStatisticRow; never throws. */
export function isStatisticsBatch(body: Uint8Array): boolean {
  try {
    const json = readJson(body, 'detect');
    if (!Array.isArray(json) || json.length === 0) return false;
    const first = json[0] as Record<string, unknown>;
    return typeof first === 'object' && first !== null && 'contractId' in first && 'deliveryAreaId' in first && !('legs' in first);
  } catch {
    return false;
  }
}
