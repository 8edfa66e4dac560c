// Baltic Transparency Dashboard — balancing data of Elering, AST and Litgrid. No auth.
// See README.md beside this file.
import type { Provider } from '../../shared/dataset.ts';
import { BALTIC_API } from './client.ts';
import { balticDatasets } from './datasets.ts';
import { startBalticSimulator } from './simulator.ts';
import { balticZones } from './zones.ts';

export const baltic: Provider = {
  id: 'baltic',
  zones: balticZones,
  title: 'Baltic Transparency Dashboard (Elering, AST, Litgrid)',
  baseUrl: BALTIC_API,
  // No published limit; the dashboard blocks busy addresses, so it is asked gently.
  ratePerMinute: 30,
  datasets: balticDatasets,
  startSimulator: (options) => startBalticSimulator(options),
};
