// Energinet — Energi Data Service (Denmark). Docs: https://www.energidataservice.dk/guides/api-guides
// No authentication; see README.md beside this file for quirks.
import type { Provider } from '../../shared/dataset.ts';
import { ParseError } from '../../shared/errors.ts';
import { ENERGINET_API } from './client.ts';
import { dayAheadPrices, elspotPrices } from './datasets.ts';
import { readEnvelope } from './parse.ts';
import { startEnerginetSimulator } from './simulator.ts';

export const energinet: Provider = {
  id: 'energinet',
  title: 'Energinet — Energi Data Service',
  baseUrl: ENERGINET_API,
  datasets: [dayAheadPrices, elspotPrices],
  identify(body) {
    const env = readEnvelope(body);
    const first = env.records[0] ?? {};
    if (env.dataset === 'DayAheadPrices' || (env.dataset === undefined && 'TimeUTC' in first)) return dayAheadPrices;
    if (env.dataset === 'Elspotprices' || (env.dataset === undefined && 'HourUTC' in first)) return elspotPrices;
    throw new ParseError(`energinet: no parser for dataset ${env.dataset ?? '(unnamed)'}`);
  },
  startSimulator: (options) => startEnerginetSimulator(options),
};
