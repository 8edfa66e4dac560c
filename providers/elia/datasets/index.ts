// Every Elia dataset, with the family behind it (the simulator routes by the families' ids).
import type { Dataset } from '../../../shared/dataset.ts';
import type { Family } from '../family.ts';
import { crossBorderFlows, crossBorderFlowsFamily } from './cross-border-flows.ts';
import { generationByFuel, generationFamily } from './generation.ts';
import { imbalancePricesMinute, imbalancePricesMinuteFamily, imbalancePricesQh, imbalancePricesQhFamily } from './imbalance-prices.ts';
import { solar, solarFamily, wind, windFamily } from './renewables.ts';
import { systemImbalance, systemImbalanceFamily } from './system-imbalance.ts';
import { totalLoad, totalLoadFamily } from './total-load.ts';

export const eliaDatasets: readonly { family: Family; dataset: Dataset }[] = [
  { family: imbalancePricesQhFamily, dataset: imbalancePricesQh },
  { family: imbalancePricesMinuteFamily, dataset: imbalancePricesMinute },
  { family: systemImbalanceFamily, dataset: systemImbalance },
  { family: totalLoadFamily, dataset: totalLoad },
  { family: solarFamily, dataset: solar },
  { family: windFamily, dataset: wind },
  { family: generationFamily, dataset: generationByFuel },
  { family: crossBorderFlowsFamily, dataset: crossBorderFlows },
];
