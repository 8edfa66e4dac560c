// Volue Insight (formerly Wattsight): curves of prices, fundamentals and forecasts. OAuth2 client
// credentials from the secrets port (`volue:client_id`, `volue:client_secret`). See README.md.
import type { Provider } from '../../shared/dataset.ts';
import { ParseError } from '../../shared/errors.ts';
import { VOLUE_API } from './client.ts';
import { volueDatasets } from './datasets.ts';
import { readVoluePayload } from './parse.ts';
import { startVolueSimulator } from './simulator.ts';

export const volue: Provider = {
  id: 'volue',
  title: 'Volue Insight (curves API)',
  baseUrl: VOLUE_API,
  ratePerMinute: 120,
  datasets: volueDatasets,
  identify(body) {
    const claimed = volueDatasets.find((d) => d.detect?.(body));
    if (claimed) return claimed;
    const { curve } = readVoluePayload(body); // a ParseError naming what is wrong
    throw new ParseError(`volue: no dataset reads ${curve.curve_type} curves`);
  },
  startSimulator: (options) => startVolueSimulator(options),
};
