// Elia Open Data (Belgium), Opendatasoft Explore API v2.1: https://opendata.elia.be/api/explore/v2.1/console
// No authentication; see README.md beside this file for the dataset ids per era and the quirks.
import type { Provider } from '../../shared/dataset.ts';
import { ELIA_API } from './client.ts';
import { eliaDatasets } from './datasets/index.ts';
import { startEliaSimulator } from './simulator.ts';
import { eliaZones } from './zones.ts';

const datasets = eliaDatasets.map((d) => d.dataset);

export const elia: Provider = {
  id: 'elia',
  zones: eliaZones,
  title: 'Elia Open Data (Belgium)',
  baseUrl: ELIA_API,
  datasets,
  // Opendatasoft counts a daily quota per IP (429 with X-RateLimit-* once spent): a modest pace
  // keeps a day of every worker well inside it; the 429 wait is honoured through shared/http.ts.
  ratePerMinute: 60,
  startSimulator: (options) => startEliaSimulator(options),
};
