// ENTSO-E datasets over the zone list: one descriptor per document kind holds everything about it
// (request, document kind for detection and parsing, dimensions, worker defaults, fixtures, and the
// simulator's template). Which zones run in an environment comes from the worker defaults below and
// `deployment/workers/<env>.yaml` (`parameters.partitions`); every zone is a partition with its own watermark.
import { DateTime } from 'luxon';
import type { Cadence, Dataset, DatasetFixture, ExpectedSlots, FetchContext, Measure, PlausibilityRule, ValidationRules, WindowPolicy, WorkerDefaults } from '../../shared/dataset.ts';
import { ParseError } from '../../shared/errors.ts';
import { simulatedDayAheadPrice } from '../../shared/simulated-prices.ts';
import type { Interval } from '../../shared/time.ts';
import { AREAS, findArea } from './areas.ts';
import { fetchDocuments, type DocumentRequest } from './client.ts';
import { readDocumentHeader } from './document-header.ts';
import { parseEntsoe, type DatasetNamer, type ParsedDocument } from './parse.ts';

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

/** Which documents a dataset reads: the header's `type`, and its `process.processType` when that tells datasets apart. */
export type DocumentKind = { type: string; processTypes?: readonly string[] };

/** Until when the simulator publishes a document at a given instant (see simulator.ts). */
export type Publication = 'dayAhead' | 'actual' | 'any';

/**
 * How the simulator serves a dataset: TimeSeries templates cut from recorded (or documented-shape)
 * fixtures, each for an era of the data (`from`/`to`), optionally only the series of one resolution.
 */
export type Simulation = {
  publication: Publication;
  templates: readonly { file: string; from?: Date; to?: Date; resolution?: string }[];
  /** The value a point carries for a zone (code) at an instant instead of the template's, when it returns one. */
  value?(zone: string, at: Date): number | undefined;
};

export type EntsoeDataset = Dataset & { document: DocumentKind; simulation: Simulation };

type Spec = {
  id: string;
  title: string;
  resolution: string;
  unit: string;
  dimensions: string[];
  optionalDimensions?: string[];
  cadence: Cadence;
  window: WindowPolicy;
  partitions: readonly string[];
  validation: ValidationRules;
  document: DocumentKind;
  request(partition: string): DocumentRequest;
  expected?: ExpectedSlots;
  plausibility?: readonly PlausibilityRule[]; // quality
  measures?: readonly Measure[];
  workers: Readonly<Record<string, WorkerDefaults>>;
  fixtures: readonly DatasetFixture[];
  simulation: Simulation;
};

/** Whether a descriptor's document kind covers a document (or request) of this type and process type. */
export const readsDocument = (kind: DocumentKind, type: string, processType: string | undefined) =>
  kind.type === type && (kind.processTypes === undefined || (processType !== undefined && kind.processTypes.includes(processType)));

function dataset(s: Spec): EntsoeDataset {
  return {
    ...s,
    provider: 'entsoe',
    fetch: (window: Interval, partition: string, ctx: FetchContext) => fetchDocuments(s.request(partition), window, ctx),
    parse(body, context) {
      const doc = parseEntsoeDocument(body, context?.notes);
      if (doc.dataset !== null && doc.dataset !== s.id) throw new ParseError(`expected a ${s.id} document, got ${doc.dataset} (${doc.documentType})`);
      return doc.observations;
    },
    detect(body) {
      const header = readDocumentHeader(body);
      return header !== null && readsDocument(s.document, header.type, header.processType);
    },
  };
}

const prices: ValidationRules = { plausible: { 'EUR/MWh': [-600, 6000] }, maxLead: 'P2D' };

// --- quality: plausibility rules (flag, never reject; README "Plausibility") ---
// Day-ahead prices beyond these have happened (2022) but are rare enough to look at; a step of more
// than 10 × the robust spread of the last day's steps is a spike or a unit error.
const pricePlausibility: readonly PlausibilityRule[] = [
  { rule: 'range', unit: 'EUR/MWh', min: -200, max: 1500 },
  { rule: 'jump', history: 'P1D', spreads: 10, minSpread: 5 },
];
// Generation above the installed capacity of its zone and production type (10 % for rounding and
// capacity added during the year).
const generationPlausibility: readonly PlausibilityRule[] = [
  { rule: 'capacity', capacity: { dataset: 'entsoe.installed_capacity' }, match: ['area', 'psr_type'], tolerance: 0.1, where: { direction: 'generation' } },
];
// Load ≈ generation − storage consumption + imports − exports of the zone. Generation reporting is
// incomplete in several zones, hence the loose tolerance.
const loadPlausibility: readonly PlausibilityRule[] = [
  {
    rule: 'balance', zone: 'zone', tolerance: 0.2,
    terms: [
      { dataset: 'entsoe.generation_actual', zone: 'zone', sign: 1, where: { direction: 'generation' } },
      { dataset: 'entsoe.generation_actual', zone: 'zone', sign: -1, where: { direction: 'consumption' }, required: false },
      { dataset: 'entsoe.cross_border_flows', zone: 'to_zone', sign: 1 },
      { dataset: 'entsoe.cross_border_flows', zone: 'from_zone', sign: -1 },
    ],
  },
];
// --- end quality ---
const actualMw: ValidationRules = { plausible: { MW: [-100_000, 200_000] }, maxLead: 'PT0S' };
const forecastMw: ValidationRules = { plausible: { MW: [-100_000, 200_000] }, maxLead: 'P3D' };
// Imbalance volumes come in MW or, from several TSOs, as energy per imbalance period in MWH
// (gridflow imbalance_volume.md, OpenDataDSL ENTSOE_BL_IMBVOL); the parser keeps the unit.
const imbalanceVolumes: ValidationRules = { plausible: { MW: [-100_000, 200_000], MWh: [-100_000, 200_000] }, maxLead: 'PT0S' };

// Actuals: published within the hour, revised and filled in for days after (the notes: re-fetch
// the last 1–3 days every run); windows on the hour (UTC), the last day re-read.
const actualWindow: WindowPolicy = { align: 'PT1H', tz: 'UTC', maxSpan: 'P7D', lookback: 'P1D', horizon: 'PT0S', backfill: 'P3D' };
// Day-ahead items: whole CET days up to the end of tomorrow, today and tomorrow re-read.
const dayAheadWindow: WindowPolicy = { align: 'P1D', tz: CET, maxSpan: 'P31D', lookback: 'P1D', horizon: 'P2D', backfill: 'P7D' };
const hourly: Cadence = { cron: '20 * * * *', tz: 'UTC' };

/** Production runs every zone or border of a dataset with a month of history unless said otherwise. */
const everywhere = (backfill = 'P30D'): WorkerDefaults => ({ enabled: true, backfill });
const SDAC_15_MIN = new Date('2025-09-30T22:00:00Z');

/**
 * The simulator's day-ahead price: the curve every simulator shares (so the demo's providers
 * agree), except a deliberate slip for reconciliation to find: DK1's 17:00 hour (Danish time) is
 * served 12.50 EUR/MWh high, as an uncorrected publication error would be.
 */
function simulatedEntsoePrice(zone: string, at: Date): number {
  const price = simulatedDayAheadPrice(zone, at);
  const slipped = zone === 'DK1' && DateTime.fromJSDate(at, { zone: 'Europe/Copenhagen' }).hour === 17;
  return slipped ? Math.round((price + 12.5) * 100) / 100 : price;
}

export const entsoeDatasets: readonly EntsoeDataset[] = [
  dataset({
    id: 'entsoe.day_ahead_prices',
    title: 'Day-ahead prices (A44), SDAC and other auctions by sequence',
    resolution: 'PT60M, PT15M (since 2025-10-01)',
    unit: 'EUR/MWh',
    // An auction's hourly and quarter-hourly results are separate series (entsoe-py #204, #469).
    dimensions: ['area', 'resolution', 'sequence'],
    // SDAC results are out around 12:45 CET; four looks after it catch late publications.
    cadence: { cron: '50 12,13,14,16 * * *', tz: CET },
    window: dayAheadWindow,
    partitions: ZONES,
    validation: prices,
    plausibility: pricePlausibility,
    // Sequence 1 is the SDAC result (what signals, reconciliation and the desk read).
    measures: [{ quantity: 'price.day_ahead', kind: 'actual', where: { sequence: '1' } }],
    document: { type: 'A44' },
    request: (z) => ({ documentType: 'A44', domains: { in_Domain: eic(z), out_Domain: eic(z) }, extra: { 'contract_MarketAgreement.type': 'A01' } }),
    // One SDAC result per zone and day (any sequence), hourly until the 15-minute MTU go-live; the
    // platform publishes it after the 12:45 CET auction, 14:00 leaves room for its delays.
    expected: {
      resolutions: [{ resolution: 'PT60M' }, { from: SDAC_15_MIN, resolution: 'PT15M' }],
      series: (z, day) => [{ area: eic(z), resolution: day.resolution }],
      due: { dayBefore: '14:00' },
    },
    workers: { development: { enabled: true, backfill: 'P3D', partitions: ['DE-LU', 'FR', 'ES', 'DK1'] }, production: everywhere('P60D') },
    fixtures: [
      { file: 'a44_fr_a01_pt60m_2ts.xml', source: 'recorded' },
      { file: 'a44_es_a03_mtu_switch_2025-10-01.xml', source: 'recorded' },
    ],
    simulation: {
      publication: 'dayAhead',
      templates: [
        { file: 'a44_fr_a01_pt60m_2ts.xml', to: SDAC_15_MIN },
        { file: 'a44_es_a03_mtu_switch_2025-10-01.xml', from: SDAC_15_MIN, resolution: 'PT15M' },
      ],
      value: simulatedEntsoePrice,
    },
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
    plausibility: loadPlausibility,
    document: { type: 'A65', processTypes: ['A16'] },
    request: (z) => ({ documentType: 'A65', processType: 'A16', domains: { outBiddingZone_Domain: eic(z) } }),
    measures: [{ quantity: 'load', kind: 'actual' }],
    workers: { development: { enabled: true, backfill: 'P2D', partitions: ['DE-LU', 'DK1'] }, production: everywhere() },
    fixtures: [{ file: 'a65_dk1_actual_load_a16.xml', source: 'recorded' }],
    simulation: { publication: 'actual', templates: [{ file: 'a65_dk1_actual_load_a16.xml' }] },
  }),
  dataset({
    id: 'entsoe.load_forecast',
    title: 'Total load forecast (A65): day-ahead (A01) requested; week/month/year-ahead documents read too',
    resolution: 'PT15M, PT30M or PT60M by zone',
    unit: 'MW',
    dimensions: ['area', 'horizon', 'resolution'],
    // Week/month/year-ahead forecasts come as a minimum and a maximum series; day-ahead has neither.
    optionalDimensions: ['bound'],
    cadence: { cron: '30 10,14 * * *', tz: CET },
    window: dayAheadWindow,
    partitions: ZONES,
    validation: forecastMw,
    document: { type: 'A65', processTypes: ['A01', 'A18', 'A31', 'A32', 'A33', 'A40'] },
    request: (z) => ({ documentType: 'A65', processType: 'A01', domains: { outBiddingZone_Domain: eic(z) } }),
    measures: [{ quantity: 'load', kind: 'forecast', horizon: 'day_ahead', where: { horizon: 'day_ahead' } }],
    workers: { development: { enabled: false, backfill: 'P2D', partitions: ['DK1'] }, production: everywhere() },
    fixtures: [{ file: 'a65_dk1_load_forecast_a01_documented.xml', source: 'documented-shape' }],
    simulation: { publication: 'dayAhead', templates: [{ file: 'a65_dk1_load_forecast_a01_documented.xml' }] },
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
    plausibility: generationPlausibility,
    document: { type: 'A75' },
    request: (z) => ({ documentType: 'A75', processType: 'A16', domains: { in_Domain: eic(z) } }),
    // B16 solar, B18 wind offshore, B19 wind onshore; storage consumption is not generation.
    measures: [
      { quantity: 'generation.solar', kind: 'actual', where: { psr_type: 'B16', direction: 'generation' } },
      { quantity: 'generation.wind_offshore', kind: 'actual', where: { psr_type: 'B18', direction: 'generation' } },
      { quantity: 'generation.wind_onshore', kind: 'actual', where: { psr_type: 'B19', direction: 'generation' } },
    ],
    workers: { development: { enabled: true, backfill: 'P2D', partitions: ['SE4', 'DE-LU'] }, production: everywhere() },
    fixtures: [
      { file: 'a75_se4_a03_pt60m.xml', source: 'recorded' },
      { file: 'a75_be_with_consumption_outbiddingzone.xml', source: 'recorded' },
      { file: 'a75_lu_pt15m_split_timeseries.xml', source: 'recorded' },
    ],
    simulation: { publication: 'actual', templates: [{ file: 'a75_se4_a03_pt60m.xml' }] },
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
    document: { type: 'A69' },
    request: (z) => ({ documentType: 'A69', processType: 'A01', domains: { in_Domain: eic(z) } }),
    measures: [
      { quantity: 'generation.solar', kind: 'forecast', horizon: 'day_ahead', where: { psr_type: 'B16', horizon: 'day_ahead' } },
      { quantity: 'generation.wind_offshore', kind: 'forecast', horizon: 'day_ahead', where: { psr_type: 'B18', horizon: 'day_ahead' } },
      { quantity: 'generation.wind_onshore', kind: 'forecast', horizon: 'day_ahead', where: { psr_type: 'B19', horizon: 'day_ahead' } },
    ],
    workers: { development: { enabled: true, backfill: 'P2D', partitions: ['FI'] }, production: everywhere() },
    fixtures: [{ file: 'a69_fi_day_ahead_pt15m.xml', source: 'recorded' }],
    simulation: { publication: 'dayAhead', templates: [{ file: 'a69_fi_day_ahead_pt15m.xml' }] },
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
    document: { type: 'A68' },
    request: (z) => ({ documentType: 'A68', processType: 'A33', domains: { in_Domain: eic(z) } }),
    workers: { development: { enabled: true, backfill: 'P2Y', partitions: ['BE'] }, production: everywhere('P5Y') },
    fixtures: [{ file: 'a68_be_installed_capacity_p1y_truncated.xml', source: 'recorded' }],
    simulation: { publication: 'any', templates: [{ file: 'a68_be_installed_capacity_p1y_truncated.xml' }] },
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
    document: { type: 'A11' },
    request: (b) => ({ documentType: 'A11', domains: { out_Domain: border(b).from, in_Domain: border(b).to } }),
    measures: [{ quantity: 'flow.physical', kind: 'actual' }],
    workers: { development: { enabled: true, backfill: 'P2D', partitions: ['DK1>GB', 'GB>DK1'] }, production: everywhere() },
    fixtures: [{ file: 'a11_dk1_to_gb_multi_ts_gaps.xml', source: 'recorded' }],
    simulation: { publication: 'actual', templates: [{ file: 'a11_dk1_to_gb_multi_ts_gaps.xml' }] },
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
    document: { type: 'A61' },
    request: (b) => ({ documentType: 'A61', domains: { out_Domain: border(b).from, in_Domain: border(b).to }, extra: { 'contract_MarketAgreement.type': 'A01' } }),
    measures: [{ quantity: 'capacity.offered', kind: 'forecast', horizon: 'day_ahead', where: { horizon: 'day_ahead' } }],
    workers: { development: { enabled: false, partitions: ['BE>FR'] }, production: everywhere() },
    fixtures: [{ file: 'a61_be_to_fr_day_ahead_ntc_documented.xml', source: 'documented-shape' }],
    simulation: { publication: 'dayAhead', templates: [{ file: 'a61_be_to_fr_day_ahead_ntc_documented.xml' }] },
  }),
  dataset({
    id: 'entsoe.imbalance_prices',
    title: 'Imbalance prices (A85)',
    resolution: 'PT15M',
    unit: 'local currency/MWh',
    dimensions: ['area', 'business_type', 'resolution'],
    // A04 (excess) and A05 (insufficient balance) prices; some zones publish one price without a category.
    optionalDimensions: ['category'],
    cadence: hourly,
    window: actualWindow,
    partitions: ZONES,
    validation: { plausible: Object.fromEntries(['EUR', 'CZK', 'PLN', 'HUF', 'RON', 'BGN', 'SEK', 'NOK', 'DKK', 'CHF', 'GBP'].map((c) => [`${c}/MWh`, [-1_000_000, 1_000_000] as const])), maxLead: 'PT0S' },
    document: { type: 'A85' },
    request: (z) => ({ documentType: 'A85', domains: { controlArea_Domain: eic(z) } }),
    // Belgium and most single-price zones publish the same price under A04 and A05; A04 stands for it.
    measures: [{ quantity: 'price.imbalance', kind: 'actual', where: { category: 'A04' } }],
    workers: { development: { enabled: false, partitions: ['BE'] }, production: everywhere() },
    // One Point per price (A04 and A05 at one position, as entsoe-py reads A85) and, as first
    // documented here, both pairs in one Point: the parser reads either.
    fixtures: [
      { file: 'a85_cz_imbalance_prices_price_per_point_documented.xml', source: 'documented-shape' },
      { file: 'a85_be_imbalance_prices_documented.xml', source: 'documented-shape' },
    ],
    simulation: { publication: 'actual', templates: [{ file: 'a85_be_imbalance_prices_documented.xml' }] },
  }),
  dataset({
    id: 'entsoe.imbalance_volumes',
    title: 'Imbalance volumes (A86)',
    resolution: 'PT15M (PT1M for the balancing state)',
    unit: 'MW or MWh, as the TSO publishes',
    dimensions: ['area', 'business_type', 'direction', 'resolution'],
    cadence: hourly,
    window: actualWindow,
    partitions: ZONES,
    validation: imbalanceVolumes,
    document: { type: 'A86' },
    request: (z) => ({ documentType: 'A86', domains: { controlArea_Domain: eic(z) } }),
    workers: { development: { enabled: true, backfill: 'PT6H', partitions: ['CZ'] }, production: everywhere() },
    fixtures: [{ file: 'a86_cz_imbalance_volume_pt1m.xml', source: 'recorded' }],
    simulation: { publication: 'actual', templates: [{ file: 'a86_cz_imbalance_volume_pt1m.xml' }] },
  }),
];

/** The dataset whose descriptor reads a document of this type (and process type). */
export const datasetForDocument: DatasetNamer = (type, processType) => {
  const ds = entsoeDatasets.find((d) => readsDocument(d.document, type, processType));
  if (!ds) throw new ParseError(`ENTSO-E document type ${type}${processType ? ` (process type ${processType})` : ''} has no parser`);
  return ds.id;
};

/** Parses any ENTSO-E body, naming its dataset from the descriptors; `notes` receives what it dropped or overrode. */
export function parseEntsoeDocument(body: Uint8Array | string, notes?: string[]): ParsedDocument {
  return parseEntsoe(body, datasetForDocument, notes);
}
