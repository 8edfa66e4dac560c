// Volue Insight (formerly Wattsight): curves of prices, fundamentals and forecasts. OAuth2 client
// credentials from the secrets port (`volue:client_id`, `volue:client_secret`). See README.md.
import type { Provider } from '../../shared/dataset.ts';
import { VOLUE_API } from './client.ts';
import { volueDatasets } from './datasets.ts';
import { startVolueSimulator } from './simulator.ts';
import { volueZones } from './zones.ts';

export const volue: Provider = {
  id: 'volue',
  zones: volueZones,
  title: 'Volue Insight (curves API)',
  baseUrl: VOLUE_API,
  ratePerMinute: 120,
  datasets: volueDatasets,
  startSimulator: (options) => startVolueSimulator(options),
};
