// Nord Pool dataset descriptors: the public data portal (day-ahead prices, price indices at 15/30/60
// minutes, aggregates) and the Market Data API v2 (auction prices, exchanges, capacities).
import type { Dataset, DatasetFixture, Measure, ValidationRules, WindowPolicy, WorkerDefaults } from '../../shared/dataset.ts';
import { DATA_API_IDS, dataApiShape, parseAuctionPrices, parseCapacities, parseExchanges } from './data-api-parse.ts';
import { fetchDataApi, type DataApiEndpoint } from './data-api-client.ts';
import { createTokenCache } from './oauth.ts';
import { deliveryDate, fetchPortal, splitPartition } from './portal-client.ts';
import {
  DATASET_IDS,
  INDEX_RESOLUTIONS,
  NORDPOOL_TZ,
  parseAggregatePrices,
  parseDayAheadPriceIndices,
  parseDayAheadPrices,
  portalShape,
  type IndexResolution,
} from './portal-parse.ts';
import { DateTime } from 'luxon';
import { ConfigError } from '../../shared/errors.ts';
import { INTRADAY_STATISTICS, INTRADAY_TRADES, TRADE_RESOLUTION, contractDelivery, isStatisticsBatch, isTradeBatch, parseIntradayStatistics, parseIntradayTrades } from './intraday-parse.ts';
import { statisticsStream, tickerStream } from './intraday-stream.ts';

/** Bidding zones as the portal names them (`GER`, not `DE`; `SYS` the Nordic system price; `TEL` Romania). */
export const AREAS = [
  'SE1', 'SE2', 'SE3', 'SE4', 'NO1', 'NO2', 'NO3', 'NO4', 'NO5', 'DK1', 'DK2', 'FI', 'EE', 'LV', 'LT',
  'GER', 'NL', 'BE', 'FR', 'AT', 'PL', 'TEL', 'BG', 'SYS',
] as const;

/** Local currencies the portal converts to at the day's exchange rate; EUR is every area's default. */
const LOCAL_CURRENCY: Readonly<Record<string, string>> = {
  SE1: 'SEK', SE2: 'SEK', SE3: 'SEK', SE4: 'SEK',
  NO1: 'NOK', NO2: 'NOK', NO3: 'NOK', NO4: 'NOK', NO5: 'NOK',
  DK1: 'DKK', DK2: 'DKK', PL: 'PLN', TEL: 'RON', BG: 'BGN',
};

/** Partitions: each area in EUR, plus `AREA@CUR` in its local currency. */
export const PRICE_PARTITIONS: readonly string[] = [
  ...AREAS,
  ...AREAS.filter((a) => LOCAL_CURRENCY[a]).map((a) => `${a}@${LOCAL_CURRENCY[a]}`),
];

// SDAC's harmonised price limits are -500 and +4000 EUR/MWh (raised automatically near the cap);
// local currencies scale by their exchange rate (SEK/NOK ~11.5, DKK 7.46, PLN ~4.3, RON ~5, BGN 1.96),
// with margin.
const PRICE_RULES: ValidationRules = {
  plausible: {
    'EUR/MWh': [-600, 6000],
    'SEK/MWh': [-8000, 80_000],
    'NOK/MWh': [-8000, 80_000],
    'DKK/MWh': [-4500, 45_000],
    'PLN/MWh': [-3000, 30_000],
    'RON/MWh': [-3500, 35_000],
    'BGN/MWh': [-1200, 12_000],
  },
  // Day-ahead results cover tomorrow: an interval may start up to two days after the fetch.
  maxLead: 'P2D',
};

/** One CET delivery day per request; each caught-up run re-reads tomorrow for corrections. */
const DAY_WINDOWS: WindowPolicy = {
  align: 'P1D',
  tz: NORDPOOL_TZ,
  maxSpan: 'P1D',
  lookback: 'P1D',
  // End of tomorrow: tomorrow's prices appear ~12:45-13:00 CET; before that the day is "no data yet".
  horizon: 'P2D',
  backfill: 'P7D',
};

// The auction result appears ~12:45-13:00 CET; hourly looks find it within the hour, and a day not
// yet published is asked for again after NoDataYetError's wait. Portal: polled gently.
const HOURLY = { cron: '7 * * * *', tz: NORDPOOL_TZ } as const;

const fx = (file: string, source: DatasetFixture['source']): DatasetFixture => ({ file, source });

const off: WorkerDefaults = { enabled: false };

/** A price series per currency: EUR for every area, the local currency beside it where asked for. */
const PRICE_MEASURES: readonly Measure[] = ['EUR', 'DKK', 'SEK', 'NOK', 'PLN', 'RON', 'BGN'].map((currency) => ({
  quantity: 'price.day_ahead', kind: 'actual', where: { currency }, unit: `${currency}/MWh`,
}));

export const dayAheadPrices: Dataset = {
  id: DATASET_IDS.dayAheadPrices,
  provider: 'nordpool',
  title: 'Day-ahead prices per bidding zone (data portal DayAheadPrices)',
  resolution: 'PT60M until 2025-09-30, PT15M from 2025-10-01',
  unit: 'EUR/MWh or the local currency (SEK/NOK/DKK/PLN/RON/BGN per MWh)',
  dimensions: ['area', 'currency'],
  cadence: HOURLY,
  window: DAY_WINDOWS,
  partitions: PRICE_PARTITIONS,
  validation: PRICE_RULES,
  fetch: (window, partition, ctx) => fetchPortal({ kind: 'prices', date: deliveryDate(window), ...splitPartition(partition) }, ctx),
  parse: parseDayAheadPrices,
  detect: (body) => portalShape(body)?.kind === 'prices',
  measures: PRICE_MEASURES,
  // Hourly until the SDAC 15-minute go-live, quarter-hourly after; out around 13:00 CET the day before.
  expected: {
    resolutions: [{ resolution: 'PT60M' }, { from: new Date('2025-09-30T22:00:00Z'), resolution: 'PT15M' }],
    series: (partition) => [splitPartition(partition)],
    due: { dayBefore: '13:30' },
  },
  workers: {
    development: { enabled: true, partitions: ['SE3', 'SE3@SEK', 'FI', 'DK1'], backfill: 'P2D' },
    production: { enabled: true, backfill: 'P60D' },
  },
  fixtures: [
    fx('dataportal_DayAheadPrices_SE3_2024-11-05.json', 'recorded'),
    fx('documented-shape_DayAheadPrices_SE3-SE4_SEK_2025-10-26_fall-back.json', 'documented-shape'),
  ],
};

const INDEX_FIXTURES: Record<IndexResolution, DatasetFixture[]> = {
  15: [fx('dataportal_DayAheadPriceIndices_FI_15min_2025-05-07.json', 'recorded')],
  30: [fx('documented-shape_DayAheadPriceIndices_DK1_DKK_30min_2025-10-26_fall-back.json', 'documented-shape')],
  60: [
    fx('dataportal_DayAheadPriceIndices_SE1-4_60min_2025-05-07.json', 'recorded'),
    fx('dataportal_DayAheadPriceIndices_SYSTEM_60min_2025-05-07.json', 'recorded'),
    fx('documented-shape_DayAheadPriceIndices_NO1-NO2_NOK_60min_2025-03-30_spring-forward.json', 'documented-shape'),
  ],
};

/**
 * One dataset per index resolution rather than a `resolution` dimension: the 60-minute index and
 * the 15-minute one start at the same instants, and each series keeps one fixed resolution, so
 * `scalar query nordpool.day_ahead_price_indices_60m` reads exactly the hourly view.
 */
function priceIndices(minutes: IndexResolution): Dataset {
  return {
    id: DATASET_IDS.indices(minutes),
    provider: 'nordpool',
    title: `Day-ahead price indices at ${minutes} minutes (data portal DayAheadPriceIndices)`,
    resolution: `PT${minutes}M`,
    unit: 'EUR/MWh or the local currency per MWh',
    dimensions: ['area', 'currency'],
    cadence: HOURLY,
    window: DAY_WINDOWS,
    partitions: PRICE_PARTITIONS,
    validation: PRICE_RULES,
    fetch: (window, partition, ctx) =>
      fetchPortal({ kind: 'indices', date: deliveryDate(window), minutes, ...splitPartition(partition) }, ctx),
    parse: (body) => parseDayAheadPriceIndices(minutes, body),
    detect: (body) => {
      const s = portalShape(body);
      return s?.kind === 'indices' && s.minutes === minutes;
    },
    measures: PRICE_MEASURES,
    workers: {
      development: off,
      // The hourly index is what hourly consumers (and pre-2025-10 history) need; 15/30 on demand.
      production: minutes === 60 ? { enabled: true, backfill: 'P60D' } : off,
    },
    fixtures: INDEX_FIXTURES[minutes],
  };
}

export const [priceIndices15, priceIndices30, priceIndices60] = INDEX_RESOLUTIONS.map(priceIndices) as [Dataset, Dataset, Dataset];

export const aggregatePrices: Dataset = {
  id: DATASET_IDS.aggregatePrices,
  provider: 'nordpool',
  title: 'Daily, weekly, monthly and yearly average day-ahead prices (data portal AggregatePrices)',
  resolution: 'P1D, P1W, P1M, P1Y',
  unit: 'EUR/MWh or the local currency per MWh',
  dimensions: ['area', 'currency'],
  // The year so far changes once a day, after the auction.
  cadence: { cron: '20 14 * * *', tz: NORDPOOL_TZ },
  window: { align: 'P1Y', tz: NORDPOOL_TZ, maxSpan: 'P1Y', lookback: 'P1Y', horizon: 'P1Y', backfill: 'P2Y' },
  partitions: PRICE_PARTITIONS,
  validation: PRICE_RULES,
  fetch: (window, partition, ctx) =>
    fetchPortal({ kind: 'aggregates', year: DateTime.fromJSDate(window.from, { zone: NORDPOOL_TZ }).year, ...splitPartition(partition) }, ctx),
  // The answer does not say which currency it is in: the partition it was fetched for does.
  parse: (body, context) => parseAggregatePrices(body, context?.partition),
  detect: (body) => portalShape(body)?.kind === 'aggregates',
  workers: { development: off, production: { enabled: true, partitions: [...AREAS], backfill: 'P5Y' } },
  fixtures: [
    fx('documented-shape_AggregatePrices_FI-SYS_EUR_2025.json', 'documented-shape'),
    { ...fx('documented-shape_AggregatePrices_FI_2024_no-currency.json', 'documented-shape'), partition: 'FI' },
  ],
};

/** One token cache for every Market Data API dataset of this process. */
export const tokens = createTokenCache();

function dataApi(
  id: string,
  endpoint: DataApiEndpoint,
  rest: Pick<Dataset, 'title' | 'unit' | 'dimensions' | 'validation' | 'parse' | 'fixtures' | 'partitions' | 'measures'> & { horizon: string; shape: ReturnType<typeof dataApiShape> },
  workers: Dataset['workers'],
): Dataset {
  return {
    id,
    provider: 'nordpool',
    title: rest.title,
    resolution: 'PT15M, PT60M (as delivered)',
    unit: rest.unit,
    dimensions: rest.dimensions,
    cadence: HOURLY,
    window: { ...DAY_WINDOWS, horizon: rest.horizon },
    partitions: rest.partitions,
    validation: rest.validation,
    fetch: (window, partition, ctx) => fetchDataApi(tokens, endpoint, window, partition, ctx),
    parse: rest.parse,
    detect: (body) => dataApiShape(body) === rest.shape,
    ...(rest.measures ? { measures: rest.measures } : {}),
    workers,
    fixtures: rest.fixtures,
  };
}

const FLOW_RULES: ValidationRules = { plausible: { MW: [-40_000, 40_000] }, maxLead: 'P2D' };

export const auctionPrices = dataApi(
  DATA_API_IDS.prices,
  'Auction/Prices/ByAreas',
  {
    title: 'Day-ahead auction prices per area (Market Data API v2, subscription)',
    unit: 'EUR/MWh or the local currency per MWh',
    dimensions: ['area', 'currency'],
    partitions: PRICE_PARTITIONS,
    validation: PRICE_RULES,
    parse: parseAuctionPrices,
    measures: PRICE_MEASURES,
    horizon: 'P2D',
    shape: 'prices',
    fixtures: [fx('dataapi_v2_Auction_Prices_SE4_2024-07-08.json', 'recorded')],
  },
  // Needs a subscription: development runs it against the simulator's credentials; production
  // turns it on once nordpool:username / nordpool:password are in the vault.
  { development: { enabled: true, partitions: ['SE4'], backfill: 'P1D' }, production: off },
);

export const exchanges = dataApi(
  DATA_API_IDS.exchanges,
  'PowerSystem/Exchanges/ByAreas',
  {
    title: 'Physical exchanges per area and connection, with totals (Market Data API v2, subscription)',
    unit: 'MW',
    dimensions: ['area', 'connection', 'flow'],
    partitions: AREAS.filter((a) => a !== 'SYS'),
    validation: FLOW_RULES,
    parse: parseExchanges,
    // Per connection, import and export apart; `total` and `net_position` rows are sums, not a border.
    measures: [
      { quantity: 'flow.physical', kind: 'actual', where: { flow: 'import' } },
      { quantity: 'flow.physical', kind: 'actual', where: { flow: 'export' } },
    ],
    // Measured flows: today so far, re-read by the lookback as the day fills.
    horizon: 'P1D',
    shape: 'exchanges',
    fixtures: [fx('documented-shape_dataapi_v2_PowerSystem_Exchanges_FI_2024-12-01_first-hour.json', 'documented-shape')],
  },
  { development: off, production: off },
);

export const capacities = dataApi(
  DATA_API_IDS.capacities,
  'Auction/Capacities/ByAreas',
  {
    title: 'Day-ahead import/export capacities per area and connection (Market Data API v2, subscription)',
    unit: 'MW',
    dimensions: ['area', 'connection', 'direction'],
    partitions: AREAS.filter((a) => a !== 'SYS'),
    validation: FLOW_RULES,
    parse: parseCapacities,
    measures: [
      { quantity: 'capacity.offered', kind: 'forecast', horizon: 'day_ahead', where: { direction: 'import' } },
      { quantity: 'capacity.offered', kind: 'forecast', horizon: 'day_ahead', where: { direction: 'export' } },
    ],
    horizon: 'P2D',
    shape: 'capacities',
    fixtures: [fx('dataapi_v2_Auction_Capacities_GER_2025-05-10.json', 'recorded')],
  },
  { development: off, production: off },
);

/**
 * Intraday public trades from the real-time ticker: a stream, not windows. Series per delivery area
 * (the Intraday API's numeric `deliveryAreaId`), contract and metric; `ts` is the trade time, so one
 * trade is one row per metric, and a cancellation (a later revision of the same trade) overwrites it
 * with null. Partition `all` subscribes to every area's trades.
 */
export const intradayTrades: Dataset = {
  id: INTRADAY_TRADES,
  provider: 'nordpool',
  title: 'Intraday public trades, live (Intraday API ticker over STOMP/WebSocket)',
  resolution: TRADE_RESOLUTION,
  unit: 'EUR/MWh (price), MW (volume)',
  dimensions: ['area', 'contract', 'metric'],
  // Not scheduled: the stream worker keeps the subscription open. Cadence and windows only describe
  // the dataset to the catalogue.
  cadence: { every: 'PT1M' },
  window: { align: 'PT1H', tz: NORDPOOL_TZ, maxSpan: 'PT1H', lookback: 'PT0S', horizon: 'PT0S', backfill: 'PT0S' },
  partitions: ['all'],
  // Intraday prices clear within the SIDC harmonised limits of -9999 and +9999 EUR/MWh.
  validation: { plausible: { 'EUR/MWh': [-10_000, 10_000], MW: [0, 10_000] }, maxLead: 'PT5M' },
  fetch: () => Promise.reject(new ConfigError(`${INTRADAY_TRADES} is a live stream: it has no windows to fetch`)),
  parse: parseIntradayTrades,
  detect: isTradeBatch,
  stream: tickerStream(),
  workers: {
    development: { enabled: true },
    // Needs Intraday API onboarding (credentials and the endpoint as nordpool:intraday_url).
    production: off,
  },
  fixtures: [fx('documented-shape_intraday_ticker_trades.json', 'documented-shape')],
  // signals: intraday bars and premium read trades by this quantity, and contracts' delivery from here.
  measures: [{ quantity: 'trades.intraday', kind: 'actual' }],
  deliveryOf: contractDelivery,
};

/**
 * Delivery area ids of the Intraday API the statistics stream subscribes to. These are the
 * simulator's; the real ids come from the API's `deliveryAreas` topic at onboarding.
 */
export const INTRADAY_AREA_IDS = ['3', '7'] as const;

/**
 * Intraday contract statistics (last/highest/lowest price, VWAP, day-ahead price, last quantity)
 * per delivery area and contract, as of each update (`ts = updatedAt`). A stream, like the trades.
 */
/** The stream settings of the trades, without what makes them trades (their measure, their contracts' delivery). */
function streamSettings({ measures: _measures, deliveryOf: _deliveryOf, ...rest }: Dataset): Dataset {
  return rest;
}

export const intradayStatistics: Dataset = {
  ...streamSettings(intradayTrades),
  id: INTRADAY_STATISTICS,
  title: 'Intraday contract statistics per delivery area, live (Intraday API publicStatistics)',
  unit: 'EUR/MWh (prices), MW (last quantity)',
  partitions: INTRADAY_AREA_IDS,
  fetch: () => Promise.reject(new ConfigError(`${INTRADAY_STATISTICS} is a live stream: it has no windows to fetch`)),
  parse: parseIntradayStatistics,
  detect: isStatisticsBatch,
  stream: statisticsStream(),
  workers: { development: off, production: off },
  fixtures: [fx('documented-shape_intraday_publicStatistics_area3.json', 'documented-shape')],
};
