// Energinet's price areas are `DK1` and `DK2` in `PriceArea`; `DK` (national totals) is not a bidding zone.
import type { ZoneMapping } from '../../shared/zones.ts';

export const energinetZones: ZoneMapping = {
  dimensions: { area: 'zone' },
  codes: { DK1: 'DK1', DK2: 'DK2', DK: null },
};
