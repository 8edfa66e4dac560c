// Every Energinet dataset, in catalogue order. Adding one: a descriptor in its family's module
// (or a new module), a fixture with its golden file, and a line here.
import type { EnerginetDataset } from './descriptor.ts';
import { co2Emission, co2EmissionForecast } from './emissions.ts';
import { windSolarForecast5Min, windSolarForecastHour } from './forecasts.ts';
import { imbalancePrices } from './imbalance.ts';
import { dayAheadPrices, elspotPrices } from './prices.ts';
import { productionConsumptionSettlement, productionExchange5Min } from './production.ts';
import { powerSystemRightNow } from './system.ts';

export { dayAheadPrices, elspotPrices };

export const energinetDatasets: readonly EnerginetDataset[] = [
  dayAheadPrices,
  elspotPrices,
  imbalancePrices,
  productionExchange5Min,
  productionConsumptionSettlement,
  windSolarForecast5Min,
  windSolarForecastHour,
  co2Emission,
  co2EmissionForecast,
  powerSystemRightNow,
];
