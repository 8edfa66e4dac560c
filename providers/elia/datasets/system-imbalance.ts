// Current system imbalance per minute: the SI and the balancing volumes behind it, without prices.
import { eliaDataset, MINUTE_WINDOW } from '../descriptor.ts';
import { ELIA_SPLIT, type Family } from '../family.ts';
import { hasPriceField } from './imbalance-prices.ts';

export const systemImbalanceFamily: Family = {
  datasetId: 'elia.system_imbalance',
  title: 'Current system imbalance per minute',
  eras: [
    { ods: 'ods045', until: ELIA_SPLIT },
    { ods: 'ods126', from: ELIA_SPLIT, historical: true },
    { ods: 'ods169', from: ELIA_SPLIT, recent: true },
  ],
  keys: [],
  descriptive: ['quarterhour'],
  metrics: ['systemimbalance', 'ace', 'netregulationvolume', 'afrrvolumeup', 'afrrvolumedown', 'igccvolumeup', 'igccvolumedown', 'mfrrvolumeup', 'mfrrvolumedown'],
  unitOf: () => 'MW',
  resolution: 'PT1M',
  rowsPerStep: 1,
  claims: (fields) => fields.has('systemimbalance') && !hasPriceField(fields),
  servesAhead: 'none',
};

export const systemImbalance = eliaDataset(systemImbalanceFamily, {
  cadence: { every: 'PT5M' },
  window: MINUTE_WINDOW,
  maxLead: 'PT1H',
  workers: {
    development: { enabled: true, backfill: 'PT6H' },
    production: { enabled: true, backfill: 'P7D' },
  },
  fixtures: [{ file: 'ods169_system_imbalance_records.json', source: 'documented-shape' }],
});
