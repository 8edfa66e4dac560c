// Generation per fuel type (ENTSO-E production types): one row per fuel per quarter-hour.
// `fueltypepublication` is Elia's coarser label of the same fuel: descriptive, never a value.
// Storage can be negative (pumping, charging); gas and pumped storage are sometimes null.
import { eliaDataset, QUARTER_HOUR_WINDOW } from '../descriptor.ts';
import { ELIA_SPLIT, type Family } from '../family.ts';

export const generationFamily: Family = {
  datasetId: 'elia.generation_by_fuel',
  title: 'Power generation per fuel type',
  // Both sets start at the split (the pre-MARI generation sets aggregate contracted units differently).
  eras: [
    { ods: 'ods177', from: ELIA_SPLIT, historical: true },
    { ods: 'ods201', from: ELIA_SPLIT, recent: true },
  ],
  keys: ['fueltypeentsoe'],
  descriptive: ['fueltypepublication'],
  metrics: ['generatedpower'],
  unitOf: () => 'MW',
  resolution: 'PT15M',
  rowsPerStep: 12,
  claims: (fields) => fields.has('fueltypeentsoe') || fields.has('generatedpower'),
  servesAhead: 'none',
};

export const generationByFuel = eliaDataset(generationFamily, {
  cadence: { every: 'PT15M' },
  window: { ...QUARTER_HOUR_WINDOW, availableFrom: ELIA_SPLIT },
  maxLead: 'PT1H',
  workers: {
    // Yesterday too: from Brussels midnight, today alone is a few quarter-hours for hours.
    development: { enabled: true, backfill: 'P2D' },
    production: { enabled: true, backfill: 'P90D' },
  },
  fixtures: [{ file: 'ods201_generation_by_fuel_records.json', source: 'recorded' }],
});
