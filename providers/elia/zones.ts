// Elia is Belgium's TSO: every series is of the BE zone (its `region` values are provinces, not zones).
import type { ZoneMapping } from '../../shared/zones.ts';

export const eliaZones: ZoneMapping = { dimensions: {}, codes: {}, fixed: 'BE' };
