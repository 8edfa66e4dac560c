// JAO — Joint Allocation Office: the Publication Tool (flow-based results of Core and Nordic; no
// auth) and the auction tool (explicit capacity auctions; API key `jao:api_key`, env JAO__API_KEY).
// See README.md beside this file.
import type { Provider } from '../../shared/dataset.ts';
import { JAO_RATE_PER_MINUTE, PUBLICATION_TOOL } from './client.ts';
import { jaoDatasets } from './datasets.ts';
import { startJaoSimulator } from './simulator.ts';
import { jaoZones } from './zones.ts';

export const jao: Provider = {
  id: 'jao',
  zones: jaoZones,
  title: 'JAO — Joint Allocation Office (Publication Tool, auction tool)',
  baseUrl: PUBLICATION_TOOL,
  ratePerMinute: JAO_RATE_PER_MINUTE,
  datasets: jaoDatasets,
  startSimulator: (options) => startJaoSimulator(options),
};
