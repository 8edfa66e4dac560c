// The zone vocabulary: the bidding zones of the ENTSO-E area catalogue (providers/entsoe/areas.ts)
// plus what the catalogue leaves out — zones that no longer exist (the German-Austrian zone before
// the split on 2018-10-01) and market areas a price is quoted for (the Nordic system price).
// Mirrored into the store's `zones` table on start and migrate; each provider's codes map onto it
// in providers/<p>/zones.ts.
import { zoneAnnotator, type UnknownZoneCode, type Zone, type ZoneMapping } from '../shared/zones.ts';
import type { Store } from '../shared/store/index.ts';
import { AREAS } from './entsoe/areas.ts';
import { providers } from './index.ts';

/** The day the DE-AT-LU bidding zone was split into DE-LU and AT (ACER decision 06/2016; first delivery day). */
export const DE_AT_SPLIT = new Date('2018-09-30T22:00:00Z');

const country = (code: string) => (code === 'GB' ? 'GB' : code.slice(0, 2));

export const ZONES: readonly Zone[] = [
  ...AREAS.map((a): Zone => ({
    code: a.code, eic: a.eic, name: a.name, country: country(a.code), timeZone: a.tz,
    ...(a.code === 'DE-LU' ? { validFrom: DE_AT_SPLIT } : {}),
  })),
  { code: 'DE-AT-LU', eic: '10Y1001A1001A63L', name: 'Germany-Austria-Luxembourg', country: 'DE', timeZone: 'Europe/Berlin', validTo: DE_AT_SPLIT },
  // Not a bidding zone but the area of Nord Pool's system price; `EU` marks a multi-country area.
  { code: 'SYS', eic: '10Y1001A1001A91G', name: 'Nordic system price area', country: 'EU', timeZone: 'Europe/Oslo' },
];

/** Every provider's mapping, by provider id. */
export const ZONE_MAPPINGS: Readonly<Record<string, ZoneMapping | undefined>> = Object.fromEntries(providers.map((p) => [p.id, p.zones]));

/** What the consumer calls on each parsed payload (see shared/zones.ts). */
export const annotateZones = (onUnknown: (u: UnknownZoneCode) => void) => zoneAnnotator(ZONES, ZONE_MAPPINGS, onUnknown);

/** Replaces the store's `zones` table with the vocabulary (stores without it are left alone). */
export async function syncZones(store: Store): Promise<void> {
  await store.syncZones?.(ZONES.map((z) => ({ code: z.code, eic: z.eic, name: z.name, country: z.country, timeZone: z.timeZone, validFrom: z.validFrom ?? null, validTo: z.validTo ?? null })));
}
