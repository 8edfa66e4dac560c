// Physical flows per border of the Belgian control area (France, Netherlands, Germany, Luxembourg,
// Great Britain): `physicalflowatborder` in MW, positive into Belgium. One row per border per quarter-hour.
import { eliaDataset, QUARTER_HOUR_WINDOW } from '../descriptor.ts';
import { ELIA_SPLIT, type Family } from '../family.ts';

export const crossBorderFlowsFamily: Family = {
  datasetId: 'elia.cross_border_flows',
  title: 'Physical cross-border flows per border',
  eras: [
    { ods: 'ods124', until: ELIA_SPLIT },
    { ods: 'ods160', from: ELIA_SPLIT },
  ],
  // VERIFY: the neighbour's field name (`controlarea`) is not confirmed by a recorded payload.
  keys: ['controlarea'],
  descriptive: [],
  metrics: ['physicalflowatborder'],
  unitOf: () => 'MW',
  resolution: 'PT15M',
  rowsPerStep: 5,
  claims: (fields) => fields.has('physicalflowatborder'),
  servesAhead: 'none',
};

export const crossBorderFlows = eliaDataset(crossBorderFlowsFamily, {
  cadence: { every: 'PT15M' },
  window: QUARTER_HOUR_WINDOW,
  maxLead: 'PT1H',
  workers: {
    development: { enabled: false, backfill: 'P1D' },
    production: { enabled: true, backfill: 'P90D' },
  },
  fixtures: [{ file: 'ods160_cross_border_flows_records.json', source: 'documented-shape' }],
});
