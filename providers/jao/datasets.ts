// JAO datasets, one descriptor each. Publication Tool datasets are partitioned by capacity
// calculation region (`core`, `nordic`: each its own base path and watermark); auction datasets by
// corridor. Everything a dataset is — request, parser, detection, simulation, worker defaults,
// fixtures — is here; the simulator and `scalar parse` derive from these descriptors.
import type { Cadence, Dataset, FetchContext, Measure, ValidationRules, WindowPolicy } from '../../shared/dataset.ts';
import { ParseError } from '../../shared/errors.ts';
import type { Interval } from '../../shared/time.ts';
import { AUCTION_TZ, parseAuctions, readAuctions } from './auctions.ts';
import { JAO_TZ, fetchAuctions, fetchPublication } from './client.ts';
import { JAO_REGIONS, parsePublication, publicationColumns, type ColumnLayout, type JaoRegion, type MtuSchedule, type PublicationDataset } from './publication.ts';

/** How the simulator serves a dataset: rows (or auctions) of a fixture re-timed to the asked window, at the dataset's MTU. */
export type JaoSimulation =
  | { tool: 'publication'; apiNames: Readonly<Partial<Record<JaoRegion, string>>>; fixture: string; mtu: PublicationDataset['mtu'] }
  | { tool: 'auctions'; fixture: string; horizon: string };

/** Business day 2025-10-01 (Amsterdam), the first SDAC delivery day with 15-minute MTUs. */
export const SDAC_15MIN_GO_LIVE = new Date('2025-09-30T22:00:00Z');

/**
 * Market results (net positions, scheduled exchanges, prices spreads, congestion income, ATC) and
 * every Nordic dataset: hourly until the go-live, quarter-hourly after (docs/providers.md §4a).
 */
const SDAC_MTU: MtuSchedule = [{ resolution: 'PT60M' }, { from: SDAC_15MIN_GO_LIVE, resolution: 'PT15M' }];

/**
 * Core's day-ahead capacity calculation stayed hourly after the go-live: MaxBEX (2026-04) and the
 * shadow auction ATC (2025-10) are recorded hourly, and so are its domain bounds and constraints.
 */
const HOURLY: MtuSchedule = [{ resolution: 'PT60M' }];

export type JaoDataset = Dataset & { simulation: JaoSimulation };

// Flow-based results are out around 10:30 (Amsterdam), day-ahead results and schedules after 13:00.
const dayAheadCadence: Cadence = { cron: '40 10,11,13,15 * * *', tz: JAO_TZ };
const dayAheadWindow: WindowPolicy = { align: 'P1D', tz: JAO_TZ, maxSpan: 'P2D', lookback: 'P1D', horizon: 'P2D', backfill: 'P7D' };

const rules = (unit: string, range: readonly [number, number]): ValidationRules => ({ plausible: { [unit]: range }, maxLead: 'P2D' });
const MW: readonly [number, number] = [-100_000, 100_000];

type PublicationSpec = {
  id: string;
  apiName: string;
  /** The name in the API path where a region publishes the dataset under another one. */
  regionApiNames?: Readonly<Partial<Record<JaoRegion, string>>>;
  title: string;
  layout: ColumnLayout;
  validation: ValidationRules;
  dimensions: readonly string[];
  /** Long per-CNEC datasets are paged with Skip/Take. */
  paged?: boolean;
  /** Partitions run by the offline demo. */
  development: readonly string[];
  fixtures: JaoDataset['fixtures'];
  /**
   * The MTU of its rows per business day, for each region it is published in (its partitions): the
   * parser reads it where the rows cannot show it, the simulator serves rows at it.
   */
  mtu: PublicationDataset['mtu'];
  /** Which payloads this dataset claims, from the first row's columns. */
  claims(columns: ReadonlySet<string>): boolean;
  /** Datasets with the same columns (see Dataset.sharesPayloadWith). */
  sharesPayloadWith?: readonly string[];
  measures?: readonly Measure[];
};

const has = (cols: ReadonlySet<string>, prefix: string) => [...cols].some((c) => c.startsWith(prefix));
const borderColumns = (cols: ReadonlySet<string>) => [...cols].filter((c) => c.startsWith('border_'));

/**
 * MaxBEX covers every ordered pair of the region's hubs (12 Core hubs: 132 columns); the other
 * per-border tables cover physical borders only.
 */
function isCompleteBorderSet(cols: ReadonlySet<string>): boolean {
  const borders = borderColumns(cols).map((c) => c.slice('border_'.length).split('_'));
  const hubs = new Set(borders.filter((b) => b.length === 2).flat());
  return hubs.size >= 3 && borders.length === hubs.size * (hubs.size - 1);
}

function publication(s: PublicationSpec): JaoDataset {
  const spec: PublicationDataset = { id: s.id, apiName: s.apiName, layout: s.layout, mtu: s.mtu };
  const unit = 'unit' in s.layout ? s.layout.unit : 'MW, EUR/MW';
  const partitions = JAO_REGIONS.filter((region) => s.mtu[region]);
  const apiNameIn = (region: string) => s.regionApiNames?.[region as JaoRegion] ?? s.apiName;
  return {
    id: s.id,
    provider: 'jao',
    title: s.title,
    resolution: 'PT60M or PT15M (per business day, from the rows or the MTU schedule)',
    unit,
    dimensions: s.dimensions,
    cadence: dayAheadCadence,
    window: dayAheadWindow,
    partitions,
    validation: s.validation,
    fetch: (window: Interval, region: string, ctx: FetchContext) => fetchPublication(region, apiNameIn(region), s.paged ?? false, window, ctx),
    parse: (body, context) => parsePublication(spec, body, context?.partition),
    detect: (body) => {
      const cols = publicationColumns(body);
      return cols !== null && cols.size > 0 && s.claims(cols);
    },
    workers: {
      development: { enabled: s.development.length > 0, ...(s.development.length > 0 ? { partitions: s.development } : {}), backfill: 'P2D' },
      production: { enabled: true, backfill: 'P30D' },
    },
    fixtures: s.fixtures,
    ...(s.sharesPayloadWith ? { sharesPayloadWith: s.sharesPayloadWith } : {}),
    ...(s.measures ? { measures: s.measures } : {}),
    simulation: { tool: 'publication', apiNames: Object.fromEntries(partitions.map((r) => [r, apiNameIn(r)])), fixture: s.fixtures![0]!.file, mtu: s.mtu },
  };
}

const bordersOnly = (unit: string) => ({ kind: 'borders', unit }) as const;
// Per-border tables other than MaxBEX cannot be told apart by their columns: they claim together,
// and `scalar parse jao <file> --dataset <id>` names the one meant.
const partialBorders = (cols: ReadonlySet<string>) => borderColumns(cols).length > 0 && !isCompleteBorderSet(cols);

const PARTIAL_BORDER_TABLES = [
  ['jao.scheduled_exchanges', 'scheduledExchanges', 'Scheduled commercial exchanges after day-ahead coupling', 'MW', MW, 'pubtool_core_scheduledExchanges_2026-04-20.json', SDAC_MTU],
  ['jao.atc', 'atc', 'Available transfer capacity on Core external borders', 'MW', MW, 'pubtool_core_atc_2026-04-20.json', SDAC_MTU],
  ['jao.shadow_auction_atc', 'shadowAuctionATC', 'ATC offered in the shadow auctions (fallback)', 'MW', MW, 'pubtool_core_shadowAuctionATC_2025-10-01_03.json', HOURLY],
  ['jao.lta', 'lta', 'Long-term allocated capacity per border', 'MW', MW, 'pubtool_core_lta_2026-04-20.json', HOURLY],
  ['jao.price_spread', 'priceSpread', 'Day-ahead price spread per directed border (price(YY) − price(XX))', 'EUR/MWh', [-20_000, 20_000], 'pubtool_core_priceSpread_2026-04-20.json', SDAC_MTU],
  ['jao.congestion_income', 'congestionIncome', 'Congestion income per border', 'EUR', [-1e9, 1e9], 'pubtool_core_congestionIncome_2026-04-20.json', SDAC_MTU],
] as const;

const PARTIAL_BORDER_MEASURES: Readonly<Record<string, readonly Measure[]>> = {
  'jao.scheduled_exchanges': [{ quantity: 'flow.scheduled', kind: 'scheduled', horizon: 'day_ahead' }],
  'jao.atc': [{ quantity: 'capacity.offered', kind: 'forecast', horizon: 'day_ahead' }],
};

export const publicationDatasets: readonly JaoDataset[] = [
  publication({
    id: 'jao.max_exchanges',
    apiName: 'maxExchanges',
    title: 'Maximum bilateral exchanges (MaxBEX) per directed border',
    layout: bordersOnly('MW'),
    validation: rules('MW', MW),
    dimensions: ['region', 'border'],
    development: ['core'],
    fixtures: [{ file: 'pubtool_core_maxExchanges_2026-04-20_21.json', source: 'recorded' }],
    mtu: { core: HOURLY, nordic: SDAC_MTU },
    // The flow-based domain's largest bilateral exchange: the offered capacity of a directed border.
    measures: [{ quantity: 'capacity.offered', kind: 'forecast', horizon: 'day_ahead' }],
    claims: (cols) => isCompleteBorderSet(cols),
  }),
  publication({
    id: 'jao.net_positions',
    apiName: 'netPos',
    title: 'Net positions per hub after day-ahead market coupling',
    layout: { kind: 'hubs', unit: 'MW' },
    validation: rules('MW', MW),
    dimensions: ['region', 'hub'],
    development: ['core'],
    fixtures: [{ file: 'pubtool_core_netPos_2025-10-26_dst.json', source: 'documented-shape' }],
    mtu: { core: SDAC_MTU, nordic: SDAC_MTU },
    claims: (cols) => has(cols, 'hub_') && !cols.has('cnecName') && !cols.has('shadowPrice'),
  }),
  publication({
    id: 'jao.max_net_positions',
    apiName: 'maxNetPos',
    title: 'Minimum and maximum net positions per hub (flow-based domain bounds)',
    layout: { kind: 'bounds', unit: 'MW' },
    validation: rules('MW', MW),
    dimensions: ['region', 'hub', 'bound'],
    development: [],
    fixtures: [{ file: 'pubtool_core_maxNetPos_2026-04-20.json', source: 'documented-shape' }],
    mtu: { core: HOURLY },
    // Constraint rows have minFlow/maxFlow (the Nordic domain's, with ptdf_ PTDFs): not hub bounds.
    claims: (cols) => [...cols].some((c) => /^(min|max)_?[A-Z]/.test(c)) && !has(cols, 'border_') && !has(cols, 'hub_') && !cols.has('shadowPrice'),
  }),
  publication({
    id: 'jao.shadow_prices',
    apiName: 'shadowPrices',
    // The Nordic tool has no shadowPrices: its constraints and their shadow prices are the flow-based
    // domain's (jao-py jao_nordic.py query_active_constraints; its parallel-run client said JAO has no
    // Nordic active-constraints endpoint), rows naming the element cneName/cneEic and PTDFs ptdf_<hub>.
    regionApiNames: { nordic: 'fbDomainShadowPrice' },
    title: 'Active constraints (CNECs) with their shadow prices',
    layout: { kind: 'cnecs' },
    validation: { plausible: { 'EUR/MW': [-1_000_000, 1_000_000], MW: MW, A: [0, 100_000], '%': [-1000, 1000] }, maxLead: 'P2D' },
    dimensions: ['region', 'cnec', 'contingency', 'tso', 'direction', 'metric'],
    paged: true,
    development: [],
    fixtures: [{ file: 'pubtool_core_shadowPrices_2026-04-20.json', source: 'documented-shape' }],
    mtu: { core: HOURLY, nordic: SDAC_MTU },
    claims: (cols) => cols.has('cnecName') || cols.has('cneName') || cols.has('shadowPrice'),
  }),
  ...PARTIAL_BORDER_TABLES.map(([id, apiName, title, unit, range, fixture, mtu]) =>
    publication({
      id,
      apiName,
      title,
      layout: bordersOnly(unit),
      validation: rules(unit, range),
      dimensions: ['region', 'border'],
      development: id === 'jao.shadow_auction_atc' ? ['core'] : [],
      fixtures: [{ file: fixture, source: fixture.includes('shadowAuctionATC') ? 'recorded' : 'documented-shape' }],
      mtu: { core: mtu },
      claims: partialBorders,
      sharesPayloadWith: PARTIAL_BORDER_TABLES.map(([other]) => other).filter((other) => other !== id),
      ...(PARTIAL_BORDER_MEASURES[id] ? { measures: PARTIAL_BORDER_MEASURES[id] } : {}),
    }),
  ),
  publication({
    id: 'jao.alpha_factor',
    apiName: 'alphaFactor',
    title: 'Alpha factors of the flow-based domain',
    layout: { kind: 'metrics', unit: 'ratio' },
    validation: rules('ratio', [-1000, 1000]),
    dimensions: ['region', 'metric'],
    development: [],
    fixtures: [{ file: 'pubtool_core_alphaFactor_2026-04-20.json', source: 'documented-shape' }],
    mtu: { core: HOURLY },
    claims: (cols) => !has(cols, 'border_') && !has(cols, 'hub_') && !cols.has('cnecName') && !cols.has('cneName') && !cols.has('shadowPrice') && ![...cols].some((c) => /^(min|max)_?[A-Z]/.test(c)) && cols.has('dateTimeUtc'),
  }),
];

/** Corridors of the explicit auctions on the French–British border (IFA, IFA2, ElecLink), both directions. */
export const CORRIDORS = ['IF1-FR-GB', 'IF1-GB-FR', 'IF2-FR-GB', 'IF2-GB-FR', 'EL1-FR-GB', 'EL1-GB-FR'] as const;
const LONG_TERM_HORIZONS = ['Monthly', 'Yearly'] as const;

function auctionsDetect(kind: 'daily' | 'long_term') {
  return (body: Uint8Array): boolean => {
    try {
      const auctions = readAuctions(body);
      // The "No Data found" answer is an empty daily window (the demo's routine case).
      if (auctions.length === 0) return kind === 'daily' && !new TextDecoder().decode(body.subarray(0, 20)).trimStart().startsWith('[');
      return auctions.every((a) => (a.horizonName === 'Daily') === (kind === 'daily'));
    } catch {
      return false;
    }
  };
}

/** `IF1-FR-GB/Monthly` → corridor and horizon. */
function corridorHorizon(partition: string): { corridor: string; horizon: string } {
  const [corridor, horizon] = partition.split('/');
  if (!corridor || !horizon) throw new ParseError(`jao: not a corridor/horizon partition: ${partition}`);
  return { corridor, horizon };
}

export const auctionDatasets: readonly JaoDataset[] = [
  {
    id: 'jao.daily_auctions',
    provider: 'jao',
    title: 'Daily explicit auctions per corridor: offered, requested, allocated capacity and price per hour',
    resolution: 'PT60M',
    unit: 'MW, EUR/MWh',
    dimensions: ['corridor', 'horizon', 'metric'],
    // Daily auction results are published around 09:05–10:25 CET for the next day.
    cadence: { cron: '45 9,10,12 * * *', tz: AUCTION_TZ },
    window: { align: 'P1D', tz: AUCTION_TZ, maxSpan: 'P7D', lookback: 'P1D', horizon: 'P2D', backfill: 'P7D' },
    partitions: CORRIDORS,
    validation: { plausible: { MW: [0, 100_000], 'EUR/MWh': [-10_000, 100_000] }, maxLead: 'P2D' },
    fetch: (window, corridor, ctx) => fetchAuctions(corridor, 'Daily', window, ctx),
    parse: (body) => parseAuctions('jao.daily_auctions', 'daily', body),
    detect: auctionsDetect('daily'),
    workers: {
      development: { enabled: true, partitions: ['IF1-FR-GB', 'IF1-GB-FR'], backfill: 'P3D' },
      production: { enabled: true, backfill: 'P30D' },
    },
    fixtures: [
      { file: 'owsmp_getauctions_IF1-FR-GB_daily_2026-07-28_29.json', source: 'recorded' },
      { file: 'owsmp_getauctions_IF1-FR-GB_daily_dst_short_2026-03-29.json', source: 'recorded' },
      { file: 'owsmp_getauctions_IF1-FR-GB_daily_dst_long_2025-10-26.json', source: 'documented-shape' },
    ],
    simulation: { tool: 'auctions', fixture: 'owsmp_getauctions_IF1-FR-GB_daily_2026-07-28_29.json', horizon: 'Daily' },
  },
  {
    id: 'jao.long_term_auctions',
    provider: 'jao',
    title: 'Monthly and yearly explicit auctions per corridor: capacity and price per product',
    resolution: 'P1M, P1Y',
    unit: 'MW, EUR/MWh',
    dimensions: ['corridor', 'horizon', 'product', 'metric'],
    cadence: { cron: '0 12 * * 1-5', tz: AUCTION_TZ },
    window: { align: 'P1M', tz: AUCTION_TZ, maxSpan: 'P1Y', lookback: 'P1M', horizon: 'P2M', backfill: 'P1Y' },
    partitions: CORRIDORS.flatMap((c) => LONG_TERM_HORIZONS.map((h) => `${c}/${h}`)),
    validation: { plausible: { MW: [0, 100_000], 'EUR/MWh': [-10_000, 100_000] }, maxLead: 'P1Y' },
    fetch: (window, partition, ctx) => {
      const { corridor, horizon } = corridorHorizon(partition);
      return fetchAuctions(corridor, horizon, window, ctx);
    },
    parse: (body) => parseAuctions('jao.long_term_auctions', 'long_term', body),
    detect: auctionsDetect('long_term'),
    workers: {
      development: { enabled: false },
      production: { enabled: true, backfill: 'P2Y' },
    },
    fixtures: [{ file: 'owsmp_getauctions_IF1-FR-GB_monthly_2026-05.json', source: 'documented-shape' }],
    simulation: { tool: 'auctions', fixture: 'owsmp_getauctions_IF1-FR-GB_monthly_2026-05.json', horizon: 'Monthly' },
  },
];

export const jaoDatasets: readonly JaoDataset[] = [...publicationDatasets, ...auctionDatasets];
