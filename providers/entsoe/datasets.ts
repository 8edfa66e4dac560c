// ENTSO-E datasets over the zone list. Which zones run in an environment comes from worker_config
// (`parameters.partitions`); every zone is a partition with its own watermark.
import type { Cadence, Dataset, FetchContext, ValidationRules, WindowPolicy } from '../../shared/dataset.ts';
import { ParseError } from '../../shared/errors.ts';
import type { Interval } from '../../shared/time.ts';
import { AREAS, findArea } from './areas.ts';
import { fetchDocuments, type DocumentRequest } from './client.ts';
import { parseEntsoe } from './parse.ts';

const CET = 'Europe/Brussels';
const ZONES = AREAS.filter((a) => a.code !== 'LU').map((a) => a.code);

/** Borders as `FROM>TO` (flow or capacity from FROM into TO); both directions are separate partitions. */
const BORDER_PAIRS: [string, string][] = [
  ['DE-LU', 'FR'], ['DE-LU', 'NL'], ['DE-LU', 'BE'], ['DE-LU', 'AT'], ['DE-LU', 'CH'], ['DE-LU', 'PL'], ['DE-LU', 'CZ'],
  ['DE-LU', 'DK1'], ['DE-LU', 'DK2'], ['DE-LU', 'SE4'], ['DE-LU', 'NO2'], ['FR', 'BE'], ['FR', 'ES'], ['FR', 'CH'],
  ['FR', 'IT-NORD'], ['FR', 'GB'], ['BE', 'NL'], ['BE', 'GB'], ['NL', 'GB'], ['NL', 'NO2'], ['NL', 'DK1'], ['ES', 'PT'],
  ['DK1', 'DK2'], ['DK1', 'NO2'], ['DK1', 'SE3'], ['DK1', 'GB'], ['DK2', 'SE4'], ['SE3', 'FI'], ['SE1', 'FI'], ['FI', 'EE'],
  ['EE', 'LV'], ['LV', 'LT'], ['LT', 'PL'], ['LT', 'SE4'], ['AT', 'CZ'], ['AT', 'HU'], ['AT', 'SI'], ['AT', 'IT-NORD'],
  ['AT', 'CH'], ['CZ', 'PL'], ['CZ', 'SK'], ['SK', 'HU'], ['SK', 'PL'], ['HU', 'RO'], ['HU', 'HR'], ['SI', 'HR'],
  ['SI', 'IT-NORD'], ['RO', 'BG'], ['BG', 'GR'], ['GR', 'IT-SUD'], ['IE-SEM', 'GB'], ['NO1', 'SE3'], ['NO2', 'GB'],
];
export const BORDERS: readonly string[] = BORDER_PAIRS.flatMap(([a, b]) => [`${a}>${b}`, `${b}>${a}`]);

function eic(code: string): string {
  const area = findArea(code);
  if (!area) throw new ParseError(`unknown ENTSO-E area ${code}`);
  return area.eic;
}

function border(partition: string): { from: string; to: string } {
  const [from, to] = partition.split('>');
  if (!from || !to) throw new ParseError(`not a border: ${partition} (expected FROM>TO)`);
  return { from: eic(from), to: eic(to) };
}

const parse = (expected: string) => (body: Uint8Array) => {
  const doc = parseEntsoe(body);
  if (doc.dataset !== null && doc.dataset !== expected) throw new ParseError(`expected a ${expected} document, got ${doc.dataset} (${doc.documentType})`);
  return doc.observations;
};

type Spec = {
  id: string;
  title: string;
  resolution: string;
  unit: string;
  dimensions: string[];
  cadence: Cadence;
  window: WindowPolicy;
  partitions: readonly string[];
  validation: ValidationRules;
  request(partition: string): DocumentRequest;
};

function dataset(s: Spec): Dataset {
  return {
    ...s,
    provider: 'entsoe',
    fetch: (window: Interval, partition: string, ctx: FetchContext) => fetchDocuments(s.request(partition), window, ctx),
    parse: parse(s.id),
  };
}

const prices: ValidationRules = { plausible: { 'EUR/MWh': [-600, 6000] }, maxLead: 'P2D' };
const actualMw: ValidationRules = { plausible: { MW: [-100_000, 200_000] }, maxLead: 'PT0S' };
const forecastMw: ValidationRules = { plausible: { MW: [-100_000, 200_000] }, maxLead: 'P3D' };

// Actuals: published within the hour, revised for a while after; windows on the hour (UTC).
const actualWindow: WindowPolicy = { align: 'PT1H', tz: 'UTC', maxSpan: 'P7D', lookback: 'PT6H', horizon: 'PT0S', backfill: 'P3D' };
// Day-ahead items: whole CET days up to the end of tomorrow, today and tomorrow re-read.
const dayAheadWindow: WindowPolicy = { align: 'P1D', tz: CET, maxSpan: 'P31D', lookback: 'P1D', horizon: 'P2D', backfill: 'P7D' };
const hourly: Cadence = { cron: '20 * * * *', tz: 'UTC' };

export const entsoeDatasets: readonly Dataset[] = [
  dataset({
    id: 'entsoe.day_ahead_prices',
    title: 'Day-ahead prices (A44), SDAC and other auctions by sequence',
    resolution: 'PT60M, PT15M (since 2025-10-01)',
    unit: 'EUR/MWh',
    dimensions: ['area', 'resolution', 'sequence'],
    // SDAC results are out around 12:45 CET; four looks after it catch late publications.
    cadence: { cron: '50 12,13,14,16 * * *', tz: CET },
    window: dayAheadWindow,
    partitions: ZONES,
    validation: prices,
    request: (z) => ({ documentType: 'A44', domains: { in_Domain: eic(z), out_Domain: eic(z) }, extra: { 'contract_MarketAgreement.type': 'A01' } }),
  }),
  dataset({
    id: 'entsoe.load_actual',
    title: 'Actual total load (A65, A16)',
    resolution: 'PT15M, PT30M or PT60M by zone',
    unit: 'MW',
    dimensions: ['area', 'resolution'],
    cadence: hourly,
    window: actualWindow,
    partitions: ZONES,
    validation: actualMw,
    request: (z) => ({ documentType: 'A65', processType: 'A16', domains: { outBiddingZone_Domain: eic(z) } }),
  }),
  dataset({
    id: 'entsoe.load_forecast',
    title: 'Day-ahead total load forecast (A65, A01)',
    resolution: 'PT15M, PT30M or PT60M by zone',
    unit: 'MW',
    dimensions: ['area', 'horizon', 'resolution'],
    cadence: { cron: '30 10,14 * * *', tz: CET },
    window: dayAheadWindow,
    partitions: ZONES,
    validation: forecastMw,
    request: (z) => ({ documentType: 'A65', processType: 'A01', domains: { outBiddingZone_Domain: eic(z) } }),
  }),
  dataset({
    id: 'entsoe.generation_actual',
    title: 'Actual generation per production type (A75, A16); storage consumption kept apart',
    resolution: 'PT15M or PT60M by zone',
    unit: 'MW',
    dimensions: ['area', 'psr_type', 'direction', 'resolution'],
    cadence: hourly,
    window: actualWindow,
    partitions: ZONES,
    validation: actualMw,
    request: (z) => ({ documentType: 'A75', processType: 'A16', domains: { in_Domain: eic(z) } }),
  }),
  dataset({
    id: 'entsoe.wind_solar_forecast',
    title: 'Day-ahead wind and solar forecast (A69, A01)',
    resolution: 'PT15M or PT60M by zone',
    unit: 'MW',
    dimensions: ['area', 'psr_type', 'horizon', 'resolution'],
    cadence: { cron: '30 18 * * *', tz: CET },
    window: dayAheadWindow,
    partitions: ZONES,
    validation: forecastMw,
    request: (z) => ({ documentType: 'A69', processType: 'A01', domains: { in_Domain: eic(z) } }),
  }),
  dataset({
    id: 'entsoe.installed_capacity',
    title: 'Installed capacity per production type (A68, A33), yearly',
    resolution: 'P1Y',
    unit: 'MW',
    dimensions: ['area', 'psr_type', 'resolution'],
    cadence: { cron: '0 6 * * 1', tz: CET },
    window: { align: 'P1Y', tz: CET, maxSpan: 'P1Y', lookback: 'P1Y', horizon: 'P1Y', backfill: 'P3Y' },
    partitions: ZONES,
    validation: { plausible: { MW: [0, 500_000] }, maxLead: 'P1Y' },
    request: (z) => ({ documentType: 'A68', processType: 'A33', domains: { in_Domain: eic(z) } }),
  }),
  dataset({
    id: 'entsoe.cross_border_flows',
    title: 'Physical cross-border flows (A11), from_area → to_area',
    resolution: 'PT15M or PT60M',
    unit: 'MW',
    dimensions: ['from_area', 'to_area', 'resolution'],
    cadence: hourly,
    window: actualWindow,
    partitions: BORDERS,
    validation: actualMw,
    request: (b) => ({ documentType: 'A11', domains: { out_Domain: border(b).from, in_Domain: border(b).to } }),
  }),
  dataset({
    id: 'entsoe.transfer_capacity',
    title: 'Forecasted transfer capacities (A61), day-ahead',
    resolution: 'PT60M or PT15M',
    unit: 'MW',
    dimensions: ['from_area', 'to_area', 'horizon', 'resolution'],
    cadence: { cron: '0 11 * * *', tz: CET },
    window: dayAheadWindow,
    partitions: BORDERS,
    validation: forecastMw,
    request: (b) => ({ documentType: 'A61', domains: { out_Domain: border(b).from, in_Domain: border(b).to }, extra: { 'contract_MarketAgreement.type': 'A01' } }),
  }),
  dataset({
    id: 'entsoe.imbalance_prices',
    title: 'Imbalance prices (A85)',
    resolution: 'PT15M',
    unit: 'local currency/MWh',
    dimensions: ['area', 'business_type', 'category', 'resolution'],
    cadence: hourly,
    window: actualWindow,
    partitions: ZONES,
    validation: { plausible: Object.fromEntries(['EUR', 'CZK', 'PLN', 'HUF', 'RON', 'BGN', 'SEK', 'NOK', 'DKK', 'CHF', 'GBP'].map((c) => [`${c}/MWh`, [-1_000_000, 1_000_000] as const])), maxLead: 'PT0S' },
    request: (z) => ({ documentType: 'A85', domains: { controlArea_Domain: eic(z) } }),
  }),
  dataset({
    id: 'entsoe.imbalance_volumes',
    title: 'Imbalance volumes (A86)',
    resolution: 'PT15M (PT1M for the balancing state)',
    unit: 'MW',
    dimensions: ['area', 'business_type', 'direction', 'resolution'],
    cadence: hourly,
    window: actualWindow,
    partitions: ZONES,
    validation: actualMw,
    request: (z) => ({ documentType: 'A86', domains: { controlArea_Domain: eic(z) } }),
  }),
];
