// The Baltic dashboard names areas in English; `Baltics` is the common balancing area, not a bidding zone.
import type { ZoneMapping } from '../../shared/zones.ts';

export const balticZones: ZoneMapping = {
  dimensions: { area: 'zone' },
  codes: { Estonia: 'EE', Latvia: 'LV', Lithuania: 'LT', Baltics: null },
};
