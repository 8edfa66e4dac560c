// Nord Pool: the public data portal (day-ahead prices, indices, aggregates), the Market Data API v2
// (OAuth2 subscription) and the Intraday API's live ticker (STOMP over WebSocket). See README.md.
import type { Dataset, Provider } from '../../shared/dataset.ts';
import {
  aggregatePrices,
  auctionPrices,
  capacities,
  dayAheadPrices,
  exchanges,
  intradayStatistics,
  intradayTrades,
  priceIndices15,
  priceIndices30,
  priceIndices60,
} from './datasets.ts';
import { PORTAL_API } from './portal-client.ts';
import { INTRADAY_PATH } from './intraday-stream.ts';
import { nordpoolZones } from './zones.ts';

const datasets: readonly Dataset[] = [
  dayAheadPrices, priceIndices15, priceIndices30, priceIndices60, aggregatePrices,
  auctionPrices, exchanges, capacities, intradayTrades, intradayStatistics,
];

export const nordpool: Provider = {
  id: 'nordpool',
  zones: nordpoolZones,
  title: 'Nord Pool — data portal, Market Data API v2, Intraday ticker',
  baseUrl: PORTAL_API,
  datasets,
  // The portal is unofficial and CDN-protected: poll it gently (one limiter for every worker).
  ratePerMinute: 30,
  startSimulator: async (options) => {
    // Loaded on demand: the simulator pulls in a WebSocket server.
    const sim = await (await import('./simulator.ts')).startNordpoolSimulator(options);
    return { ...sim, urls: { intraday: `${sim.url.replace(/^http/, 'ws')}${INTRADAY_PATH}` } };
  },
};
