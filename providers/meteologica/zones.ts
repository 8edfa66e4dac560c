// Meteologica files name markets by country code (documented-shape assumption, see fixtures/SOURCES.md).
import type { ZoneMapping } from '../../shared/zones.ts';
import { AREAS } from '../entsoe/areas.ts';

export const meteologicaZones: ZoneMapping = {
  dimensions: { area: 'zone' },
  codes: {
    ...Object.fromEntries(AREAS.filter((a) => !a.code.includes('-')).map((a) => [a.code, a.code])),
    DE: ['DE-LU', 'DE-AT-LU'],
  },
};
