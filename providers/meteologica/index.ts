// Meteologica: weather-driven wind, solar, load and price forecasts delivered as files over SFTP.
// The file-drop worker (acquisition/file-drop.ts) polls the drop directory; credentials from the
// secrets port (`meteologica:username`, `meteologica:private_key` or `meteologica:password`).
import type { Provider } from '../../shared/dataset.ts';
import { METEOLOGICA_SFTP } from './client.ts';
import { meteologicaDatasets } from './datasets.ts';
import { meteologicaZones } from './zones.ts';

export const meteologica: Provider = {
  id: 'meteologica',
  zones: meteologicaZones,
  title: 'Meteologica (forecast files over SFTP)',
  baseUrl: METEOLOGICA_SFTP,
  datasets: meteologicaDatasets,
  // Loaded on demand: the simulator pulls in an SSH server.
  startSimulator: async (options) => (await import('./simulator.ts')).startMeteologicaSimulator(options),
};
