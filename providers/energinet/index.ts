// Energinet — Energi Data Service (Denmark). Docs: https://www.energidataservice.dk/guides/api-guides
// No authentication; see README.md beside this file for quirks.
import type { Provider } from '../../shared/dataset.ts';
import { ENERGINET_API } from './client.ts';
import { energinetDatasets } from './datasets.ts';
import { startEnerginetSimulator } from './simulator.ts';
import { energinetZones } from './zones.ts';

export const energinet: Provider = {
  id: 'energinet',
  zones: energinetZones,
  title: 'Energinet — Energi Data Service',
  baseUrl: ENERGINET_API,
  datasets: energinetDatasets,
  startSimulator: (options) => startEnerginetSimulator(options),
};
