// Meteologica: weather-driven wind, solar, load and price forecasts delivered as files over SFTP.
// The file-drop worker (acquisition/file-drop.ts) polls the drop directory; credentials from the
// secrets port (`meteologica:username`, `meteologica:private_key` or `meteologica:password`).
import type { Provider } from '../../shared/dataset.ts';
import { METEOLOGICA_SFTP } from './client.ts';
import { meteologicaDatasets } from './datasets.ts';
import { startMeteologicaSimulator } from './simulator.ts';
import { meteologicaZones } from './zones.ts';

export const meteologica: Provider = {
  id: 'meteologica',
  zones: meteologicaZones,
  title: 'Meteologica (forecast files over SFTP)',
  baseUrl: METEOLOGICA_SFTP,
  datasets: meteologicaDatasets,
  startSimulator: (options) => startMeteologicaSimulator(options),
};
