// Volue curve metadata names areas by short code (`DE`, `NO1`, `SE3`, `FR`); `DE` is Germany-Luxembourg
// (DE-AT-LU before the 2018 split); `IT` (the national PUN) and `NORDIC` are not bidding zones.
import type { ZoneMapping } from '../../shared/zones.ts';
import { AREAS } from '../entsoe/areas.ts';

export const volueZones: ZoneMapping = {
  dimensions: { area: 'zone' },
  codes: {
    ...Object.fromEntries(AREAS.filter((a) => !a.code.includes('-')).map((a) => [a.code, a.code])),
    DE: ['DE-LU', 'DE-AT-LU'],
    IT: null,
    SYS: 'SYS',
  },
};
