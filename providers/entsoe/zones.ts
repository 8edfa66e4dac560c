// ENTSO-E names zones by EIC in `area`, `from_area` and `to_area` (flows and capacities carry both ends).
import type { ZoneMapping } from '../../shared/zones.ts';
import { AREAS } from './areas.ts';

export const entsoeZones: ZoneMapping = {
  dimensions: { area: 'zone', from_area: 'from_zone', to_area: 'to_zone' },
  codes: {
    ...Object.fromEntries(AREAS.map((a) => [a.eic, a.code])),
    // The German-Austrian-Luxembourg zone's EIC, in data before the 2018 split.
    '10Y1001A1001A63L': 'DE-AT-LU',
  },
};
