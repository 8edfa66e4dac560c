// ENTSO-E Transparency Platform. Token: secret `entsoe:token` (env ENTSOE__TOKEN). See README.md.
import type { Provider } from '../../shared/dataset.ts';
import { AREAS, PSR_TYPES, findArea } from './areas.ts';
import { ENTSOE_API, ENTSOE_RATE_PER_MINUTE } from './client.ts';
import { entsoeDatasets } from './datasets.ts';
import { startEntsoeSimulator } from './simulator.ts';
import { entsoeZones } from './zones.ts';

// Several areas can share an EIC (a bidding zone that is also a control area): the first listed wins.
const AREA_CODES_BY_EIC: Readonly<Record<string, string>> = Object.fromEntries([...AREAS].reverse().map((a) => [a.eic, a.code]));

export const entsoe: Provider = {
  id: 'entsoe',
  zones: entsoeZones,
  title: 'ENTSO-E Transparency Platform',
  baseUrl: ENTSOE_API,
  ratePerMinute: ENTSOE_RATE_PER_MINUTE,
  datasets: entsoeDatasets,
  reference: [
    { title: 'ENTSO-E areas (partitions; --where area=<code or EIC>)', header: ['code', 'EIC', 'name', 'calendar'], rows: AREAS.map((a) => [a.code, a.eic, a.name, a.tz]) },
    { title: 'ENTSO-E production types (psr_type)', header: ['code', 'name'], rows: Object.entries(PSR_TYPES) },
  ],
  normalizeFilter: (key, value) => (/(^|_)area$/.test(key) ? (findArea(value)?.eic ?? value) : value),
  // Zone codes for people (the data keeps the EIC); production types by name.
  dimensionLabel: (key, value) => (/(^|_)area$/.test(key) ? findArea(value)?.code : key === 'psr_type' ? PSR_TYPES[value] : undefined),
  displayCodes: (dimension) => (/(^|_)area$/.test(dimension) ? AREA_CODES_BY_EIC : undefined),
  startSimulator: (options) => startEntsoeSimulator(options),
};
