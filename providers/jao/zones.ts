// JAO's flow-based hubs are bidding zones by short code (`DE` for DE-LU since the 2018 split); the
// ALEGrO virtual hubs (`ALBE`, `ALDE`) and the Core DE-NO2 hub are not zones.
import type { ZoneMapping } from '../../shared/zones.ts';

const HUBS = ['AT', 'BE', 'CZ', 'FR', 'HR', 'HU', 'NL', 'PL', 'RO', 'SI', 'SK'];

export const jaoZones: ZoneMapping = {
  dimensions: { hub: 'zone' },
  codes: { ...Object.fromEntries(HUBS.map((h) => [h, h])), DE: ['DE-LU', 'DE-AT-LU'], ALBE: null, ALDE: null, DE_NO2_BigHub: null },
};
