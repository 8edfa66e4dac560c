// Nord Pool's delivery areas: mostly the ENTSO-E short codes, but `GER` for Germany(-Luxembourg),
// `TEL` (Transelectrica) for Romania and `SYS`/`SYSTEM` for the Nordic system price. The intraday
// API's numeric `deliveryAreaId`s are not mapped yet: they are reported as unknown codes.
import type { ZoneMapping } from '../../shared/zones.ts';
import { AREAS } from './datasets.ts';

const SAME = AREAS.filter((a) => !['GER', 'TEL', 'SYS'].includes(a));

export const nordpoolZones: ZoneMapping = {
  dimensions: { area: 'zone' },
  codes: {
    ...Object.fromEntries(SAME.map((a) => [a, a])),
    GER: ['DE-LU', 'DE-AT-LU'],
    TEL: 'RO',
    SYS: 'SYS',
    SYSTEM: 'SYS',
  },
};
